// Microsoft's T-SQL parser (ScriptDom, through test/tsql-oracle) against our own analysis, on a
// corpus: tricky GO placements, strings, comments, brackets (test/fixtures/tsql, written for these
// tests in the shapes public installer and migration scripts take), and every script of the
// sandbox's database packages. For each file: the batches (the line of each batch's first token),
// the objects the script touches (schema.name and what it does to them) and the statements refused
// in a transaction must be the same. Any disagreement fails.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { existsSync, promises as fs, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MANIFEST_FILE } from '../../../src/core/package-manifest';
import { splitScript } from '../../../src/database/batches';
import { analyzeBatches } from '../../../src/database/impact';
import { tokenize } from '../../../src/database/lexer';
import { decodeSql } from '../../../src/database/package';
import { nonTransactionalStatements } from '../../../src/database/script-rules';
import { buildDatabasePackageFiles } from '../../../src/sandbox/database/fixtures';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const ORACLE_DIR = path.join(REPO, 'test', 'tsql-oracle');
const ORACLE_DLL = path.join(ORACLE_DIR, 'bin', 'out', 'TsqlOracle.dll');
const CORPUS = path.join(REPO, 'test', 'fixtures', 'tsql');

interface OracleResult {
  file: string;
  errors: Array<{ line: number; message: string }>;
  batches: Array<{ line: number; statements: number }>;
  objects: string[];
  dynamicSql: boolean;
  nonTransactional: string[];
}

/** Builds the oracle when its build is missing or older than its source (.ci/run builds it first). */
function buildOracle(): void {
  const source = statSync(path.join(ORACLE_DIR, 'Program.cs')).mtimeMs;
  if (existsSync(ORACLE_DLL) && statSync(ORACLE_DLL).mtimeMs >= source) return;
  execFileSync('dotnet', ['build', ORACLE_DIR, '-c', 'Release', '-o', path.join(ORACLE_DIR, 'bin', 'out'), '--nologo', '-v', 'q'], { stdio: ['ignore', 'ignore', 'inherit'] });
}

/** Our view of a file, in the oracle's terms. */
function ours(text: string) {
  const { batches, problems } = splitScript(text);
  // A batch of comments only holds no statement: SQL Server (and ScriptDom) see no batch there.
  const withTokens = batches.filter((b) => tokenize(b.text, 1).length > 0);
  const { objects, dynamicSql } = analyzeBatches(batches, () => 'dbo');
  return {
    problems,
    batchLines: withTokens.map((b) => b.startLine + tokenize(b.text, 1)[0].line - 1),
    objects: [...new Set(objects.map((o) => `${o.object}|${o.action}`.toLowerCase()))].sort(),
    dynamicSql,
    nonTransactional: [...new Set(nonTransactionalStatements(batches).map((f) => f.what))],
  };
}

describe('database analysis against Microsoft\'s T-SQL parser (ScriptDom oracle)', function () {
  this.timeout(300_000);
  const files: string[] = [];
  let results: OracleResult[] = [];
  let work: string;

  before(async () => {
    buildOracle();
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'altazion-oracle-'));
    for (const name of (await fs.readdir(CORPUS)).filter((n) => n.endsWith('.sql')).sort()) files.push(path.join(CORPUS, name));
    // Every script of the sandbox's packages, as published.
    const packageFiles = buildDatabasePackageFiles('25.10.1.2', { previousVersions: ['25.9.12.3'] });
    const manifest = JSON.parse(packageFiles[MANIFEST_FILE].toString());
    for (const script of manifest.database.scripts) {
      const file = path.join(work, `${script.id.replace(/\//g, '-')}.sql`);
      await fs.writeFile(file, packageFiles[script.file]);
      files.push(file);
    }
    const json = execFileSync('dotnet', [ORACLE_DLL, ...files], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    results = JSON.parse(json) as OracleResult[];
  });

  after(async () => { if (work) await fs.rm(work, { recursive: true, force: true }); });

  it('has a corpus the parser reads without error', () => {
    expect(results.length).to.equal(files.length);
    expect(files.length).to.be.greaterThan(12);
    for (const r of results) expect(r.errors, r.file).to.deep.equal([]);
  });

  it('splits every file into the same batches', async () => {
    for (const r of results) {
      const mine = ours(decodeSql(await fs.readFile(r.file)));
      expect(mine.problems, r.file).to.deep.equal([]);
      expect(mine.batchLines, `${path.basename(r.file)}: first line of each batch`).to.deep.equal(r.batches.map((b) => b.line));
    }
  });

  it('finds the same touched objects, with the same action, and the same dynamic SQL', async () => {
    for (const r of results) {
      const mine = ours(decodeSql(await fs.readFile(r.file)));
      expect(mine.objects, `${path.basename(r.file)}: touched objects`).to.deep.equal(r.objects);
      expect(mine.dynamicSql, `${path.basename(r.file)}: dynamic SQL`).to.equal(r.dynamicSql);
    }
  });

  it('finds the same statements refused in a transaction', async () => {
    for (const r of results) {
      const mine = ours(decodeSql(await fs.readFile(r.file)));
      expect(mine.nonTransactional.sort(), `${path.basename(r.file)}: non-transactional statements`).to.deep.equal([...r.nonTransactional].sort());
    }
  });

  it('covers the cases issue 21 found wrong', () => {
    const byName = (name: string) => results.find((r) => path.basename(r.file) === name)!;
    const ddl = byName('impact-ddl.sql').objects;
    expect(ddl).to.include('e.ps_commandes_client|permission').and.not.include('e.on|execute');
    expect(ddl).to.include.members(['e.clients_archive|rename', 'archive.clients_archive|create', 'e.clients_syn|create']);
    expect(byName('impact-dml.sql').objects).to.include('e.commandes|write').and.not.include('dbo.recent|write');
  });
});

// The database commands from the command line (the bundle, as `npm test` builds it), on a sandbox
// whose database is customised: db status / scripts / --show / drift, then install --name database
// refusing (exit 3), --export-scripts, --script, --mark-applied and --force, all with --json.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { publishFeed } from '../../../src/feed/publish';
import { parseSigningKey } from '../../../src/feed/keys';
import { decodeLine, type ProtocolMessage } from '../../../src/output/protocol';
import { createSandbox, type SandboxInfo } from '../../../src/sandbox/create';
import { installSandboxDatabase, writeSandboxDatabasePackage } from '../../../src/sandbox/database/fixtures';

const BUNDLE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'dist', 'altazion-update.cjs');

interface Run { code: number | null; stderr: string; messages: ProtocolMessage[]; objects(typeName: string): Record<string, unknown>[]; errors(): Array<{ code: string; message: string }> }

/** Runs the bundle (ALTAZION_TEST_CLI may name another build) with --json and decodes its NDJSON. */
function runCli(args: string[]): Promise<Run> {
  const override = process.env.ALTAZION_TEST_CLI;
  const [file, prefix] = override && !override.endsWith('.cjs') ? [override, []] : [process.execPath, [override ?? BUNDLE]];
  return new Promise((resolve, reject) => {
    const child = spawn(file, [...prefix, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code) => {
      const messages = stdout.split('\n').filter(Boolean).map(decodeLine);
      resolve({
        code, stderr, messages,
        objects: (typeName) => messages.flatMap((m) => (m.type === 'object' && m.typeName === typeName ? [m.data] : [])),
        errors: () => messages.flatMap((m) => (m.type === 'error' ? [m] : [])),
      });
    });
  });
}

interface TestSandbox extends SandboxInfo { base: string }


describe('db and install --name database from the command line (sandbox)', function () {
  this.timeout(180_000);
  let sb: TestSandbox;
  const cli = (...args: string[]) => runCli([...args, '--root', sb.Root, '--json']);

  before(async function () {
    if (!process.env.ALTAZION_TEST_CLI && !existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run \`node build.mjs --bundle-only\` (npm test builds it)`);
    const base = await fs.mkdtemp(path.join(os.tmpdir(), 'altazion-dbcli-'));
    sb = { ...(await createSandbox({ root: path.join(base, 'root'), feed: path.join(base, 'feed'), customize: ['E.clients'] })), base };
    // The database side of the sandbox, until sandbox create does it: the installed package, the
    // simulated database (customised), and the new database package in the signed feed.
    if (!existsSync(path.join(base, 'host', 'database', 'catalog.ndjson'))) await addDatabase();
    const check = await cli('check');
    expect(check.code, check.stderr).to.equal(0);
  });

  async function addDatabase(): Promise<void> {
    const db = await installSandboxDatabase({ hostDir: path.join(sb.base, 'host'), moduleFolder: path.join(sb.Apps, 'database'), version: sb.InstalledVersion, customize: ['E.clients'] });
    const config = await fs.readFile(path.join(sb.Root, 'bin', 'config', 'cpointsoftware.config'), 'utf8');
    await fs.writeFile(path.join(sb.Root, 'bin', 'config', 'cpointsoftware.config'), config.replace(/connectionString="[^"]*"/, `connectionString="${db.connectionString}"`));
    const work = path.join(sb.base, 'dbwork');
    await writeSandboxDatabasePackage(path.join(work, 'zips'), sb.AvailableVersion, sb.InstalledVersion, work);
    const key = parseSigningKey(await fs.readFile(sb.SigningKey, 'utf8'), sb.SigningKey);
    await publishFeed({ packagesDir: path.join(work, 'zips'), key, outDir: sb.Feed, expiresInDays: 30, now: new Date() });
  }
  after(async () => { if (sb) await fs.rm(sb.base, { recursive: true, force: true }); });

  it('reports status, scripts, one script and the drift', async () => {
    const status = await cli('db', 'status');
    expect(status.code, status.stderr).to.equal(0);
    expect(status.objects('Altazion.DatabaseStatus')[0]).to.deep.include({ InstalledVersion: sb.InstalledVersion, PackageVersion: sb.AvailableVersion, Customized: true, Status: 'ManualActionRequired' });

    const scripts = await cli('db', 'scripts');
    const records = scripts.objects('Altazion.DatabaseScript');
    expect(records.map((r) => `${r.Id} ${r.Status} ${r.TouchesCustomizedObjects}`)).to.include.members(['2025-10/0001 Pending true', '2025-10/0002 Pending false']);

    const shown = await cli('db', 'scripts', '--show', '2025-10/0001');
    expect(shown.objects('Altazion.DatabaseScript')[0].Content).to.contain('ALTER TABLE E.clients ADD cli_email');

    const drift = await cli('db', 'drift');
    expect(drift.objects('Altazion.DatabaseDrift').filter((d) => d.State !== 'Extra').map((d) => [d.Object, d.State, d.TouchedBy])).to.deep.equal([['E.clients', 'Modified', ['2025-10/0001']]]);

    const out = path.join(sb.base, 'reference-baseline.json');
    const baseline = await cli('db', 'baseline', '--version', sb.InstalledVersion, '--out', out);
    expect(baseline.code, baseline.stderr).to.equal(0);
    expect(baseline.objects('Altazion.DatabaseBaseline')[0]).to.deep.include({ File: out, Version: sb.InstalledVersion });
    expect(JSON.parse(await fs.readFile(out, 'utf8')).version).to.equal(sb.InstalledVersion);
    // Under a file instead of a folder: E_USAGE naming the folder, exit 2.
    const underFile = await cli('db', 'baseline', '--version', sb.InstalledVersion, '--out', path.join(out, 'again.json'));
    expect(underFile.code, underFile.stderr).to.equal(2);
    expect(underFile.errors()[0]).to.deep.include({ code: 'E_USAGE', message: `--out: ${out} is not a folder` });

    const bad = await cli('db', 'scripts', '--show', 'nope/0001');
    expect(bad.code).to.equal(2);
    expect(bad.errors()[0].code).to.equal('E_NOT_FOUND');
  });

  it('refuses the automatic install (exit 3), then goes script by script and forces the rest', async () => {
    // --dry-run goes through the database flow: the same refusal, exit 3, nothing changed.
    const dry = await cli('install', '--name', 'database', '--dry-run');
    expect(dry.code, dry.stderr).to.equal(3);
    expect(dry.objects('Altazion.InstallResult')[0]).to.deep.include({ Name: 'database', Result: 'ManualActionRequired' });
    const dryUnknown = await cli('install', '--name', 'database', '--dry-run', '--script', 'nope/0001');
    expect(dryUnknown.code).to.equal(2);

    const refused = await cli('install', '--name', 'database');
    expect(refused.code, refused.stderr).to.equal(3);
    expect(refused.objects('Altazion.InstallResult')[0]).to.deep.include({ Name: 'database', Result: 'ManualActionRequired' });

    const exportDir = path.join(sb.base, 'export');
    const exported = await cli('install', '--name', 'database', '--export-scripts', exportDir);
    expect(exported.code, exported.stderr).to.equal(0); // the export is done, whatever the database still needs
    expect(exported.objects('Altazion.InstallResult')[0].Message).to.contain('exported 4 script(s)');
    expect(await fs.readdir(exportDir)).to.include('report.txt');

    // Scripts run in order: a later one first is refused (exit 2) without --force.
    const outOfOrder = await cli('install', '--name', 'database', '--script', '2025-10/0002');
    expect(outOfOrder.code).to.equal(2);
    expect(outOfOrder.objects('Altazion.InstallResult')[0].Message).to.contain('comes after pending script(s) 2025-10/0001');
    // --reinstall runs a recorded script again; it does not lift the order.
    const reinstallOutOfOrder = await cli('install', '--name', 'database', '--script', '2025-10/0002', '--reinstall');
    expect(reinstallOutOfOrder.code).to.equal(2);
    expect(reinstallOutOfOrder.objects('Altazion.InstallResult')[0].Message).to.contain('comes after pending script(s) 2025-10/0001');
    const marked = await cli('install', '--name', 'database', '--mark-applied', '2025-10/0001');
    expect(marked.objects('Altazion.InstallResult')[0].PendingScripts).to.deep.equal(['2025-10/0002', '2025-10/0003', '2025-10/0004']);
    const one = await cli('install', '--name', 'database', '--script', '2025-10/0002');
    expect(one.objects('Altazion.InstallResult')[0].PendingScripts).to.deep.equal(['2025-10/0003', '2025-10/0004']);
    // A recorded script runs again only when asked (--reinstall), which the history says.
    const recorded = await cli('install', '--name', 'database', '--script', '2025-10/0002');
    expect(recorded.code).to.equal(2);
    expect(JSON.stringify(recorded.errors())).to.contain('--reinstall');
    // --dry-run (-WhatIf) says so as the real run does: the same error, its target and its hint.
    const dryRecorded = await cli('install', '--name', 'database', '--script', '2025-10/0002', '--dry-run');
    expect(dryRecorded.code).to.equal(2);
    expect(dryRecorded.errors()).to.deep.equal(recorded.errors());
    const rerun = await cli('install', '--name', 'database', '--script', '2025-10/0002', '--reinstall');
    expect(rerun.objects('Altazion.InstallResult')[0]).to.deep.include({ PendingScripts: ['2025-10/0003', '2025-10/0004'] });

    const forced = await cli('install', '--name', 'database', '--force');
    expect(forced.code, forced.stderr).to.equal(0);
    expect(forced.objects('Altazion.InstallResult')[0]).to.deep.include({ Result: 'Installed', PendingScripts: [] });
    const status = await cli('db', 'status');
    expect(status.objects('Altazion.DatabaseStatus')[0]).to.deep.include({ InstalledVersion: sb.AvailableVersion, Status: 'UpToDate' });
    // The database module's folder got the new manifest: discovery sees the new version.
    const get = await cli('get', '--name', 'database');
    expect(get.objects('Altazion.Update')[0]).to.deep.include({ Name: 'database', InstalledVersion: sb.AvailableVersion });

    // Every run is in the history, with who, from where, what ran and what was saved; each has its log.
    const history = (await fs.readFile(path.join(sb.Root, 'bin', 'updates', 'history.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    const database = history.filter((h) => h.Name === 'database');
    expect(database.map((h) => [h.Action, h.Result])).to.deep.equal([
      ['refused', 'ManualActionRequired'], ['export', 'ManualActionRequired'], ['script', 'Failed'], ['script', 'Failed'],
      ['mark-applied', 'ManualActionRequired'], ['script', 'ManualActionRequired'], ['script', 'Failed'], ['script', 'ManualActionRequired'],
      ['forced', 'Installed'],
    ]);
    const last = database[database.length - 1];
    expect(last).to.deep.include({ RequestedBy: 'cli', Scripts: ['2025-10/0003', '2025-10/0004'] });
    expect(last.User).to.be.a('string').and.not.equal('');
    expect(last.From).to.match(/^cli on /);
    expect(last.Backups[0]).to.contain(path.join('bin', 'updates', 'backups', 'database-'));
    const log = await fs.readFile(last.LogPath, 'utf8');
    expect(log).to.match(/database install .* requested by /).and.match(/batch 1: \d+ ms/).and.contain('result: Installed');
    expect(await fs.readFile(database[5].LogPath, 'utf8')).to.contain('script 2025-10/0002 applied');
    expect(database[7]).to.deep.include({ Scripts: ['2025-10/0002'] });

    // What differed from the standard before the update (the installed baseline is now the new one: nothing).
    const diff = await cli('db', 'drift', '--show', 'E.clients');
    expect(diff.code, diff.stderr).to.equal(0);
    expect(diff.objects('Altazion.DatabaseDiff')[0]).to.deep.include({ Object: 'E.clients', State: 'Modified' });
    expect(diff.objects('Altazion.DatabaseDiff')[0].Diff).to.contain('+  [perso_code_client] varchar(20) NULL');
  });
});

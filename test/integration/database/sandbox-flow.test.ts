// The database flows end to end on the sandbox store: automatic path, customised database and the
// admin's manual tools, failures, bad input.
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { instanceLayout } from '../../../src/config/paths';
import { AltazionError } from '../../../src/core/errors';
import { MANIFEST_FILE } from '../../../src/core/package-manifest';
import { silentOutput } from '../../../src/output/output';
import type { ProtocolMessage } from '../../../src/output/protocol';
import type { Platform } from '../../../src/platform/types';
import { computeDrift } from '../../../src/database/drift';
import type { DatabaseContext } from '../../../src/database/flow/context';
import { installDatabase as installFlow } from '../../../src/database/flow/install';
import { databaseDrift, databaseStatus, listDatabaseScripts, showDatabaseScript, writeDatabaseBaseline } from '../../../src/database/flow/queries';
import { parseBaseline } from '../../../src/database/catalog';
import { SandboxStore } from '../../../src/sandbox/database/store';
import { buildDatabasePackageFiles, createSandboxDatabase } from '../../../src/sandbox/database/fixtures';

const OLD = '25.9.12.3';
const NEW = '25.10.1.2';

interface World { dir: string; ctx: DatabaseContext; messages: ProtocolMessage[]; pkgDir: string; store: SandboxStore }

async function writeFiles(folder: string, files: Record<string, Buffer | string>): Promise<void> {
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(folder, ...name.split('/'));
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, content);
  }
}

async function world(customize: string[] = [], files = buildDatabasePackageFiles(NEW, { previousVersions: [OLD] })): Promise<World> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'altazion-db-'));
  const root = path.join(dir, 'root');
  const layout = instanceLayout(root);
  const db = await createSandboxDatabase(path.join(dir, 'host'), { version: OLD, customize });
  await fs.mkdir(layout.config, { recursive: true });
  await fs.writeFile(layout.connectionsConfig, `<?xml version="1.0"?>\n<configuration><connections><Connection name="Equihira" default="true" connectionString="${db.connectionString}" /></connections></configuration>\n`);
  const pkgDir = path.join(dir, 'package');
  await writeFiles(pkgDir, files);
  const output = silentOutput();
  const messages: ProtocolMessage[] = [];
  output.subscribe((m) => messages.push(m));
  const platform = { kind: 'sandbox' } as Platform;
  const ctx: DatabaseContext = { layout, output, now: () => new Date(), platform: async () => platform, openSandboxDatabase: async (folder) => new SandboxStore(folder) };
  return { dir, ctx, messages, pkgDir, store: new SandboxStore(db.folder) };
}

/** The install flow's record (the details are asserted where they matter). */
const installDatabase = async (...args: Parameters<typeof installFlow>) => (await installFlow(...args)).record;

const warnings = (w: World) => w.messages.filter((m) => m.type === 'log' && m.level === 'warning').map((m) => (m as { message: string }).message);

describe('database flows on the sandbox store', function () {
  const worlds: World[] = [];
  const make = async (customize: string[] = [], files?: Record<string, Buffer>) => { const w = await world(customize, files); worlds.push(w); return w; };
  after(async () => { for (const w of worlds) await fs.rm(w.dir, { recursive: true, force: true }); });

  it('applies every pending script automatically on a standard schema, then is up to date', async () => {
    const w = await make();
    const before = await databaseStatus(w.ctx, { package: w.pkgDir });
    expect(before).to.deep.include({ InstalledVersion: OLD, PackageVersion: NEW, Customized: false, Status: 'UpdateAvailable' });
    expect(before.PendingScripts).to.deep.equal(['2025-10/0001', '2025-10/0002', '2025-10/0003', '2025-10/0004']);
    expect(before.Extra).to.deep.equal(['dbo.ps_export_compta', 'dbo.tmp_import_clients']);

    const moduleFolder = path.join(w.dir, 'apps', 'database');
    const result = await installDatabase(w.ctx, w.pkgDir, { moduleFolder });
    expect(result).to.deep.include({ Name: 'database', FromVersion: OLD, ToVersion: NEW, Result: 'Installed', PendingScripts: [] });
    // The module folder now holds the new manifest (discovery's installed version) and the baselines.
    expect(JSON.parse(await fs.readFile(path.join(moduleFolder, MANIFEST_FILE), 'utf8')).version).to.equal(NEW);
    expect((await fs.readdir(path.join(moduleFolder, 'baselines'))).sort()).to.deep.equal([`${NEW}.definitions.json`, `${NEW}.json`, `${OLD}.definitions.json`, `${OLD}.json`]);

    // The catalog now matches the new baseline exactly (customer objects aside) and the journal has every row.
    const baseline = parseBaseline(JSON.parse(await fs.readFile(path.join(w.pkgDir, 'baselines', `${NEW}.json`), 'utf8')), 'baseline');
    const drift = computeDrift(await w.store.readCatalog(), baseline);
    expect(drift.standard).to.equal(true);
    const journal = await w.store.readJournal();
    expect(journal.filter((r) => r.version === '25.10' && r.validated && r.executed).map((r) => r.scriptNumber)).to.deep.equal([1, 2, 3, 4]);
    expect(journal.some((r) => r.isRoot && r.version === NEW && r.validated)).to.equal(true);

    const after = await databaseStatus(w.ctx, { package: w.pkgDir });
    expect(after).to.deep.include({ InstalledVersion: NEW, Status: 'UpToDate', Customized: false });
    expect((await installDatabase(w.ctx, w.pkgDir)).Result).to.equal('UpToDate');
    // The installed baseline is kept for packages that do not carry it.
    expect(JSON.parse(await fs.readFile(path.join(w.ctx.layout.updates, 'database', 'baseline-25.10.1.2.json'), 'utf8')).version).to.equal(NEW);
  });

  it('stops a customised database with the report, then lets the admin go script by script', async () => {
    const w = await make(['E.clients', 'vw_clients_actifs']);
    const catalogBefore = JSON.stringify(await w.store.readCatalog());

    const manual = await installDatabase(w.ctx, w.pkgDir);
    expect(manual.Result).to.equal('ManualActionRequired');
    expect(manual.PendingScripts).to.have.length(4);
    expect(manual.Message).to.contain('E.clients (Modified)').and.contain('E.vw_clients_actifs (Modified)');
    expect(warnings(w).join('\n')).to.match(/Script 2025-10\/0001 "E-mail des clients": E\.clients - CUSTOMISED: E\.clients/);
    expect(JSON.stringify(await w.store.readCatalog())).to.equal(catalogBefore); // nothing ran

    const status = await databaseStatus(w.ctx, { package: w.pkgDir });
    expect(status).to.deep.include({ Customized: true, Status: 'ManualActionRequired', Modified: ['E.clients', 'E.vw_clients_actifs'] });

    const scripts = await listDatabaseScripts(w.ctx, { package: w.pkgDir });
    expect(scripts.map((s) => [s.Id, s.Status, s.TouchesCustomizedObjects])).to.deep.equal([
      ['2025-09/0001', 'Applied', true],
      ['2025-09/0002', 'Applied', true],
      ['2025-10/0001', 'Pending', true],
      ['2025-10/0002', 'Pending', false],
      ['2025-10/0003', 'Pending', true],
      ['2025-10/0004', 'Pending', false],
    ]);
    expect(scripts[4].CustomizedObjects).to.deep.equal(['E.vw_clients_actifs']);

    const shown = await showDatabaseScript(w.ctx, '2025-10/0002', { package: w.pkgDir });
    expect(shown.Content).to.contain('CREATE OR ALTER PROCEDURE [E].[ps_commandes_client]');
    expect(shown.Objects).to.deep.equal(['E.ps_commandes_client']);

    const drift = await databaseDrift(w.ctx, { package: w.pkgDir });
    expect(drift.find((d) => d.Object === 'E.clients')).to.deep.include({ State: 'Modified', TouchedBy: ['2025-10/0001'] });
    expect(drift.find((d) => d.Object === 'dbo.ps_export_compta')).to.deep.include({ State: 'Extra' });

    // Scripts run in order: a later one before an earlier pending one is refused (nothing runs).
    const outOfOrder = await installDatabase(w.ctx, w.pkgDir, { script: '2025-10/0002' }).catch((e: AltazionError) => e) as AltazionError;
    expect(outOfOrder.code).to.equal('E_USAGE');
    expect(outOfOrder.message).to.equal('script 2025-10/0002 comes after pending script(s) 2025-10/0001: scripts run in order');
    expect(JSON.stringify(await w.store.readCatalog())).to.equal(catalogBefore);

    // The admin adapted 0001 by hand: record it without running it.
    const marked = await installDatabase(w.ctx, w.pkgDir, { markApplied: '2025-10/0001' });
    expect(marked.PendingScripts).to.deep.equal(['2025-10/0002', '2025-10/0003', '2025-10/0004']);
    const clients = (await w.store.readCatalog()).objects.find((o) => o.name === 'clients')!;
    expect(clients.columns!.map((c) => c.name)).not.to.include('cli_email');
    expect((await listDatabaseScripts(w.ctx, { package: w.pkgDir })).find((s) => s.Id === '2025-10/0001')!.Status).to.equal('AppliedManually');
    expect(await installDatabase(w.ctx, w.pkgDir, { markApplied: '2025-10/0001' }).catch((e: AltazionError) => e.code)).to.equal('E_USAGE');

    // Run the next reviewed script, now in order.
    const one = await installDatabase(w.ctx, w.pkgDir, { script: '2025-10/0002' });
    expect(one.Result).to.equal('ManualActionRequired');
    expect(one.PendingScripts).to.deep.equal(['2025-10/0003', '2025-10/0004']);
    const proc = (await w.store.readCatalog()).objects.find((o) => o.name === 'ps_commandes_client')!;
    expect(proc.definition).to.contain('@depuis');
    // The procedure is now in its 25.10 standard state: not reported as a customisation.
    expect((await databaseStatus(w.ctx, { package: w.pkgDir })).Modified).to.deep.equal(['E.clients', 'E.vw_clients_actifs']);

    // Export what is left.
    const exportDir = path.join(w.dir, 'export');
    const exported = await installDatabase(w.ctx, w.pkgDir, { exportScripts: exportDir });
    expect(exported.Result).to.equal('ManualActionRequired');
    const files = (await fs.readdir(exportDir)).sort();
    expect(files).to.deep.equal(['001 - 2025-10_0003 - Programme de fidélité.sql', '002 - 2025-10_0004 - Index et statistiques (hors transaction).sql', 'report.txt']);
    const text = await fs.readFile(path.join(exportDir, files[0]), 'utf8');
    expect(text).to.contain('--mark-applied 2025-10/0003').and.contain('CUSTOMISED objects: E.vw_clients_actifs').and.contain('CREATE TABLE "E"."fidelite"');

    // Force the rest.
    const forced = await installDatabase(w.ctx, w.pkgDir, { force: true });
    expect(forced.Result).to.equal('Installed');
    expect(warnings(w).some((m) => m.includes('--force'))).to.equal(true);
    expect((await databaseStatus(w.ctx, { package: w.pkgDir })).InstalledVersion).to.equal(NEW);
  });

  it('rejects an unknown script id and a tampered script before touching anything', async () => {
    const w = await make(['E.clients']);
    const err = await installDatabase(w.ctx, w.pkgDir, { script: '2099-01/0001' }).catch((e: AltazionError) => e);
    expect(err).to.be.instanceOf(AltazionError);
    expect((err as AltazionError).code).to.equal('E_NOT_FOUND');
    expect((err as AltazionError).exitCode).to.equal(2);

    await fs.appendFile(path.join(w.pkgDir, 'scripts', '2025-10', '0003.sql'), '\nDROP TABLE E.clients\n');
    const tampered = await installDatabase(w.ctx, w.pkgDir, { force: true }).catch((e: AltazionError) => e);
    expect((tampered as AltazionError).code).to.equal('E_PACKAGE_INTEGRITY');
    expect((tampered as AltazionError).message).to.contain('scripts/2025-10/0003.sql');
    expect((await w.store.readJournal()).some((r) => r.version === '25.10')).to.equal(false);
  });

  it('is manual when the package has no baseline for the installed version', async () => {
    const w = await make([], buildDatabasePackageFiles(NEW)); // no previous baselines
    const result = await installDatabase(w.ctx, w.pkgDir);
    expect(result.Result).to.equal('ManualActionRequired');
    expect(result.Message).to.contain(`no baseline of the installed database version ${OLD}`);
    expect((await installDatabase(w.ctx, w.pkgDir, { dryRun: true, force: true })).Result).to.equal('WhatIf');
  });

  for (const transactional of [true, false]) {
    it(`stops at the first failing batch with the message, script, batch and line (${transactional ? 'transactional: rolled back' : 'not transactional: earlier batches stay'})`, async () => {
      const files = buildDatabasePackageFiles(NEW, { previousVersions: [OLD] });
      const sql = "CREATE TABLE E.nouveautes (id int NOT NULL)\nGO\n-- contrôle\nIF 1 = 1\n  RAISERROR(N'Contrôle échoué : GO interdit', 16, 1)\nGO\nCREATE TABLE E.jamais (id int)\n";
      const bytes = Buffer.from(sql);
      const manifest = JSON.parse(files[MANIFEST_FILE].toString());
      manifest.database.scripts.splice(5, 0, { id: '2025-10/0003b', version: '25.10', number: 35, name: 'Contrôle', file: 'scripts/extra.sql', sha256: createHash('sha256').update(bytes).digest('hex'), transactional });
      files['scripts/extra.sql'] = bytes;
      files[MANIFEST_FILE] = Buffer.from(JSON.stringify(manifest));
      const w = await make([], files);
      const result = await installDatabase(w.ctx, w.pkgDir);
      expect(result.Result).to.equal('Failed');
      expect(result.Message).to.equal("script 2025-10/0003b failed (batch 2, line 5): Contrôle échoué : GO interdit [SQL error 50000]");
      const errors = w.messages.filter((m) => m.type === 'error');
      expect(errors).to.have.length(1);
      expect(errors[0]).to.deep.include({ code: 'E_DATABASE', target: '2025-10/0003b' });
      const names = (await w.store.readCatalog()).objects.map((o) => o.name);
      expect(names).to.include('fidelite'); // scripts before it are committed
      expect(names.includes('nouveautes')).to.equal(!transactional);
      expect(names).not.to.include('jamais');
      const scripts = await listDatabaseScripts(w.ctx, { package: w.pkgDir });
      expect(scripts.find((s) => s.Id === '2025-10/0003b')!.Status).to.equal('Failed');
      expect(scripts.find((s) => s.Id === '2025-10/0004')!.Status).to.equal('Pending');
    });
  }

  it('writes the baseline of a reference database (publisher side) that matches the package one', async () => {
    const w = await make([], undefined);
    const out = path.join(w.dir, 'out', 'baseline.json');
    const written = await writeDatabaseBaseline(w.ctx, OLD, out);
    expect(written).to.deep.include({ File: out, Version: OLD, Objects: 11 }); // 9 standard + 2 customer objects
    const mine = parseBaseline(JSON.parse(await fs.readFile(out, 'utf8')), out);
    const shipped = parseBaseline(JSON.parse(await fs.readFile(path.join(w.pkgDir, 'baselines', `${OLD}.json`), 'utf8')), 'shipped');
    expect(mine.objects.filter((o) => o.schema === 'E' || o.type === 'schema')).to.deep.equal(shipped.objects);
    expect(await writeDatabaseBaseline(w.ctx, 'latest', out).catch((e: AltazionError) => e.code)).to.equal('E_USAGE');
  });

  it('names the file and the connection when the connection string is wrong', async () => {
    const w = await make();
    await fs.writeFile(w.ctx.layout.connectionsConfig, '<configuration><Connection name="Equihira" default="true" connectionString="Server=sql;Database=E;Password=hunter2" /></configuration>');
    const err = await databaseStatus(w.ctx, { package: w.pkgDir }).catch((e: AltazionError) => e) as AltazionError;
    expect(err.code).to.equal('E_CONFIG');
    expect(err.message).to.contain('cpointsoftware.config').and.contain('<Connection name="Equihira">');
    expect(`${err.message} ${err.hint}`).not.to.contain('hunter2');
  });
});

describe('database package checks (publish side)', () => {
  it('accepts a good package and names the file of a broken one', async () => {
    const { checkDatabasePackage } = await import('../../../src/database/package');
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'altazion-dbpkg-'));
    try {
      await writeFiles(dir, buildDatabasePackageFiles(NEW, { previousVersions: [OLD] }));
      // 5 + 4 batches in the 25.9 scripts, 2 + 1 + 5 + 2 in the 25.10 ones.
      expect(await checkDatabasePackage(dir)).to.deep.equal({ version: NEW, scripts: 6, batches: 19, baselines: [NEW, OLD] });
      // An unterminated comment (with a matching sha256: the publisher's own mistake) is refused.
      const manifest = JSON.parse(await fs.readFile(path.join(dir, MANIFEST_FILE), 'utf8'));
      const bad = Buffer.from('SELECT 1\n/* forgot to close\nGO\n');
      await fs.writeFile(path.join(dir, 'scripts', '2025-10', '0004.sql'), bad);
      manifest.database.scripts[5].sha256 = createHash('sha256').update(bad).digest('hex');
      await fs.writeFile(path.join(dir, MANIFEST_FILE), JSON.stringify(manifest));
      const err = await checkDatabasePackage(dir).catch((e: AltazionError) => e) as AltazionError;
      expect(err.code).to.equal('E_PACKAGE_INVALID');
      expect(err.message).to.contain('scripts/2025-10/0004.sql (script 2025-10/0004): unterminated /* comment starting on line 2');
      // A transactional script holding what SQL Server refuses in a transaction, sqlcmd syntax, a script with nothing to run.
      const refusals: Array<[string, boolean, string]> = [
        ["PRINT 'avant'\nGO\nBACKUP DATABASE Equihira TO DISK = N'x.bak' WITH COPY_ONLY\nGO\n", true, 'is marked transactional but holds what SQL Server refuses in a transaction: BACKUP line 3; move it to a script of its own marked "transactional": false'],
        [':setvar Schema E\nSELECT * FROM [$(Schema)].clients\nGO\n', false, 'sqlcmd syntax is not T-SQL (the updater sends batches to SQL Server as they are): :setvar line 1, $(Schema) line 2'],
        ['-- only a comment\n', false, 'no batch to run'],
      ];
      for (const [sql, transactional, message] of refusals) {
        const bytes = Buffer.from(sql);
        await fs.writeFile(path.join(dir, 'scripts', '2025-10', '0004.sql'), bytes);
        manifest.database.scripts[5].sha256 = createHash('sha256').update(bytes).digest('hex');
        manifest.database.scripts[5].transactional = transactional;
        await fs.writeFile(path.join(dir, MANIFEST_FILE), JSON.stringify(manifest));
        const refused = await checkDatabasePackage(dir).catch((e: AltazionError) => e) as AltazionError;
        expect(refused.code, sql).to.equal('E_PACKAGE_INVALID');
        expect(refused.message, sql).to.contain(`scripts/2025-10/0004.sql (script 2025-10/0004): ${message}`);
      }
      // The same BACKUP in a script marked non-transactional is accepted.
      const backup = Buffer.from("BACKUP DATABASE Equihira TO DISK = N'x.bak' WITH COPY_ONLY\nGO\n");
      await fs.writeFile(path.join(dir, 'scripts', '2025-10', '0004.sql'), backup);
      manifest.database.scripts[5].sha256 = createHash('sha256').update(backup).digest('hex');
      manifest.database.scripts[5].transactional = false;
      await fs.writeFile(path.join(dir, MANIFEST_FILE), JSON.stringify(manifest));
      expect((await checkDatabasePackage(dir)).scripts).to.equal(6);
      await fs.rm(path.join(dir, 'baselines', `${OLD}.json`));
      manifest.database.scripts.pop();
      await fs.writeFile(path.join(dir, MANIFEST_FILE), JSON.stringify(manifest));
      expect(((await checkDatabasePackage(dir).catch((e: AltazionError) => e)) as AltazionError).message).to.contain(`baselines/${OLD}.json (baseline) is missing`);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});

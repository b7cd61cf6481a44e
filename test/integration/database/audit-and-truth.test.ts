// The database flow as a DBA trusts it (issue 21), on the sandbox store: what is saved before
// customised objects change, what the install log holds, one verdict for a database that cannot be
// proven standard, --dry-run through the real flow, scripts exported for sqlcmd, diffs of what
// differs, and one analysis per change of the database.
import { expect } from 'chai';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { instanceLayout } from '../../../src/config/paths';
import { AltazionError } from '../../../src/core/errors';
import { MANIFEST_FILE } from '../../../src/core/package-manifest';
import { diskAnalysisCache, memoryAnalysisCache } from '../../../src/database/flow/analysis';
import type { DatabaseContext } from '../../../src/database/flow/context';
import { installDatabase } from '../../../src/database/flow/install';
import { databaseDrift, databaseDriftDiff, databaseOverview, databaseStatus, listDatabaseScripts } from '../../../src/database/flow/queries';
import { silentOutput } from '../../../src/output/output';
import type { Platform } from '../../../src/platform/types';
import { buildDatabasePackageFiles, createSandboxDatabase } from '../../../src/sandbox/database/fixtures';
import { SandboxStore } from '../../../src/sandbox/database/store';

const OLD = '25.9.12.3';
const NEW = '25.10.1.2';

interface World { dir: string; ctx: DatabaseContext; pkgDir: string; store: SandboxStore; log: string[] }

async function writeFiles(folder: string, files: Record<string, Buffer | string>): Promise<void> {
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(folder, ...name.split('/'));
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, content);
  }
}

describe('database flow: audit trail, one verdict, dry run, diffs, analyses reused', function () {
  this.timeout(60_000);
  const dirs: string[] = [];
  after(async () => { for (const d of dirs) await fs.rm(d, { recursive: true, force: true }); });

  async function world(customize: string[] = [], files = buildDatabasePackageFiles(NEW, { previousVersions: [OLD] })): Promise<World> {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'altazion-dbaudit-'));
    dirs.push(dir);
    const layout = instanceLayout(path.join(dir, 'root'));
    const db = await createSandboxDatabase(path.join(dir, 'host'), { version: OLD, customize });
    await fs.mkdir(layout.config, { recursive: true });
    await fs.writeFile(layout.connectionsConfig, `<configuration><connections><Connection name="Equihira" default="true" connectionString="${db.connectionString}" /></connections></configuration>`);
    const pkgDir = path.join(dir, 'package');
    await writeFiles(pkgDir, files);
    const platform = { kind: 'sandbox' } as Platform;
    const ctx: DatabaseContext = { layout, output: silentOutput(), now: () => new Date('2026-03-01T10:00:00Z'), platform: async () => platform, openSandboxDatabase: async (f) => new SandboxStore(f) };
    return { dir, ctx, pkgDir, store: new SandboxStore(db.folder), log: [] };
  }

  it('saves the customised definitions (with a restore script) before forcing, and logs each batch with its PRINT output', async () => {
    const w = await world(['E.clients', 'vw_clients_actifs']);
    const customisedView = (await w.store.readCatalog()).objects.find((o) => o.name === 'vw_clients_actifs')!.definition!;
    const { record, details } = await installDatabase(w.ctx, w.pkgDir, { force: true, runId: '20260301-100000-abc', log: (l) => w.log.push(l), moduleFolder: false });
    expect(record.Result).to.equal('Installed');
    const folder = path.join(w.ctx.layout.updates, 'backups', 'database-20260301-100000-abc');
    expect(record.BackupPath).to.equal(folder);
    expect(details).to.deep.include({ action: 'forced', backups: [folder] });
    expect(details.scripts).to.deep.equal(['2025-10/0001', '2025-10/0002', '2025-10/0003', '2025-10/0004']);
    // --force saves every object the scripts touch, customised or not.
    expect((await fs.readdir(folder)).sort()).to.include.members(['E.clients.sql', 'E.vw_clients_actifs.sql', 'E.ps_commandes_client.sql', 'restore.sql']);
    const savedView = await fs.readFile(path.join(folder, 'E.vw_clients_actifs.sql'), 'utf8');
    expect(savedView.charCodeAt(0)).to.equal(0xfeff);
    expect(savedView).to.contain(customisedView.trim()).and.contain('WITH VIEW_METADATA');
    const restore = await fs.readFile(path.join(folder, 'restore.sql'), 'utf8');
    // The customer's view comes back as it was; the table is only described (it holds data).
    expect(restore).to.contain("IF OBJECT_ID(N'[E].[vw_clients_actifs]') IS NOT NULL DROP VIEW [E].[vw_clients_actifs];\r\nGO\r\n" + customisedView.trim());
    expect(restore).to.contain('-- E.clients (table): not restored by this script');
    expect(await fs.readFile(path.join(folder, 'E.clients.sql'), 'utf8')).to.contain('[perso_code_client] varchar(20) NULL');
    // The log: what was decided, what was saved, each batch with its duration and PRINT output.
    const log = w.log.join('\n');
    expect(log).to.contain('decision Forced');
    expect(log).to.match(/saved the definitions of .*E\.vw_clients_actifs.* \(restore: restore\.sql\)/);
    expect(log).to.match(/script 2025-10\/0001 "E-mail des clients": 2 batch\(es\), in one transaction/);
    expect(log).to.match(/ {2}batch 1: \d+ ms, no row count\n {4}Colonne cli_email ajoutée/);
    expect(log).to.match(/batch 2 run 2: \d+ ms/); // GO 2 in 2025-10/0004
    expect(log).to.contain(`release ${NEW} recorded`);
  });

  it('saves only the customised objects a script touches when it runs one reviewed script, and takes the configured COPY_ONLY backup', async () => {
    const w = await world(['E.clients']);
    const backups = path.join(w.dir, 'sql-backups');
    const { details } = await installDatabase(w.ctx, w.pkgDir, { script: '2025-10/0001', runId: 'one', databaseBackupFolder: backups, log: (l) => w.log.push(l), moduleFolder: false });
    const folder = path.join(w.ctx.layout.updates, 'backups', 'database-one');
    expect(await fs.readdir(folder)).to.deep.equal(['E.clients.sql', 'restore.sql']);
    expect(details.backups[0]).to.equal(folder);
    expect(details.backups[1]).to.match(/copy-only\.bak$/);
    expect(JSON.parse(await fs.readFile(details.backups[1], 'utf8')).catalog.objects.some((o: { name: string }) => o.name === 'clients')).to.equal(true);
    expect(w.log.join('\n')).to.contain(`COPY_ONLY backup of the database into ${backups}`);
    // A standard database's automatic run saves no definition (nothing customised is touched).
    const standard = await world();
    const auto = await installDatabase(standard.ctx, standard.pkgDir, { runId: 'auto', moduleFolder: false });
    expect(auto.details).to.deep.include({ action: 'automatic', backups: [] });
    expect(await fs.stat(path.join(standard.ctx.layout.updates, 'backups')).catch(() => undefined)).to.equal(undefined);
  });

  it('gives one verdict for a database that cannot be proven standard: manual action, the reason and what to do', async () => {
    const files = buildDatabasePackageFiles(NEW); // no baseline of the installed version
    const w = await world([], files);
    const status = await databaseStatus(w.ctx, { package: w.pkgDir });
    expect(status).to.deep.include({ Status: 'ManualActionRequired', Customized: null, ProvenStandard: false });
    expect(status.Detail).to.contain(`no baseline of the installed database version ${OLD.split('.').slice(0, 3).join('.')}`).and.contain('cannot be proven standard');
    expect(status.Action).to.contain('install --name database --script <id>').and.contain('--ignore-database-customization');
    // The same verdict as message ids, which the portal words in French.
    expect(status).to.deep.include({ DetailId: 'db.baselineNotFound', ActionId: 'db.manualAction' });
    const overview = await databaseOverview(w.ctx, { package: w.pkgDir });
    expect(overview.status.Status).to.equal('ManualActionRequired');
    const { record } = await installDatabase(w.ctx, w.pkgDir, { moduleFolder: false });
    expect(record.Result).to.equal('ManualActionRequired');
    expect(record.Message).to.contain('cannot be proven standard').and.contain('run them one by one in order');
    const dry = await installDatabase(w.ctx, w.pkgDir, { dryRun: true });
    expect(dry.record.Result).to.equal('ManualActionRequired');
  });

  it('--dry-run goes through the flow: the scripts that would run, or the manual report, and changes nothing', async () => {
    const standard = await world();
    const before = JSON.stringify([await standard.store.readCatalog(), await standard.store.readJournal()]);
    const dry = await installDatabase(standard.ctx, standard.pkgDir, { dryRun: true, runId: 'dry' });
    expect(dry.record).to.deep.include({ Result: 'WhatIf', Message: 'would run 4 script(s) in order: 2025-10/0001, 2025-10/0002, 2025-10/0003, 2025-10/0004', PendingScripts: ['2025-10/0001', '2025-10/0002', '2025-10/0003', '2025-10/0004'] });
    expect((await installDatabase(standard.ctx, standard.pkgDir, { dryRun: true, script: '2025-10/0001' })).record.Message).to.equal('would run script 2025-10/0001 (touches E.clients)');
    expect(await installDatabase(standard.ctx, standard.pkgDir, { dryRun: true, script: '2099-01/0001' }).catch((e: AltazionError) => e.code)).to.equal('E_NOT_FOUND');
    expect(await installDatabase(standard.ctx, standard.pkgDir, { dryRun: true, script: '2025-10/0003' }).catch((e: AltazionError) => e.code)).to.equal('E_USAGE');

    const customised = await world(['E.clients']);
    const manual = await installDatabase(customised.ctx, customised.pkgDir, { dryRun: true });
    expect(manual.record.Result).to.equal('ManualActionRequired');
    const forced = await installDatabase(customised.ctx, customised.pkgDir, { dryRun: true, force: true });
    expect(forced.record.Message).to.contain('forced on a database that is not proven standard').and.contain('would first save the definitions of E.clients');
    // Nothing changed: catalog, journal, no backup folder.
    expect(JSON.stringify([await standard.store.readCatalog(), await standard.store.readJournal()])).to.equal(before);
    expect(await fs.stat(path.join(customised.ctx.layout.updates, 'backups')).catch(() => undefined)).to.equal(undefined);
  });

  it('exports the scripts as UTF-8 with a BOM (sqlcmd -i reads N\'é\' right), with report.txt', async () => {
    const w = await world(['E.clients']);
    const dir = path.join(w.dir, 'export');
    const { record, details } = await installDatabase(w.ctx, w.pkgDir, { exportScripts: dir });
    expect(details.action).to.equal('export');
    expect(record.Message).to.contain('exported 4 script(s) and report.txt');
    for (const name of await fs.readdir(dir)) {
      const bytes = await fs.readFile(path.join(dir, name));
      expect([...bytes.subarray(0, 3)], name).to.deep.equal([0xef, 0xbb, 0xbf]);
    }
    const first = (await fs.readdir(dir)).sort()[0];
    expect((await fs.readFile(path.join(dir, first), 'utf8'))).to.contain("PRINT N'Colonne cli_email ajoutée'");
    expect(await fs.readFile(path.join(dir, 'report.txt'), 'utf8')).to.contain('Status: ManualActionRequired').and.contain('What to do:');
  });

  it('shows what differs as a unified diff (db drift --show), for Modified, Missing and Extra objects', async () => {
    const w = await world(['E.clients', 'vw_clients_actifs', 'E.fn_total_client:drop']);
    const view = await databaseDriftDiff(w.ctx, 'E.vw_clients_actifs', { package: w.pkgDir });
    expect(view).to.deep.include({ Object: 'E.vw_clients_actifs', State: 'Modified', Type: 'view' });
    expect(view.Diff).to.match(/^--- standard\/E\.vw_clients_actifs\tbaseline\n\+\+\+ database\/E\.vw_clients_actifs\tlive\n@@/);
    expect(view.Diff).to.contain('\n+WITH VIEW_METADATA\n');
    const table = await databaseDriftDiff(w.ctx, 'clients', { package: w.pkgDir });
    expect(table.Diff).to.contain('+  [perso_code_client] varchar(20) NULL');
    expect(table.Diff).to.match(/^--- standard\/E\.clients\tbaseline\n/);
    const missing = await databaseDriftDiff(w.ctx, 'E.fn_total_client', { package: w.pkgDir });
    expect(missing.State).to.equal('Missing');
    expect(missing.Diff).to.contain('-CREATE FUNCTION E.fn_total_client');
    const extra = await databaseDriftDiff(w.ctx, 'dbo.ps_export_compta', { package: w.pkgDir });
    expect(extra.State).to.equal('Extra');
    expect(extra.Diff).to.contain('+CREATE PROCEDURE dbo.ps_export_compta');
    const none = await databaseDriftDiff(w.ctx, 'E.articles', { package: w.pkgDir }).catch((e: AltazionError) => e) as AltazionError;
    expect(none.code).to.equal('E_NOT_FOUND');
    expect(none.hint).to.contain('E.clients');
    // The portal gets the same diffs with the page.
    expect(Object.keys((await databaseOverview(w.ctx, { package: w.pkgDir })).diffs).sort()).to.deep.equal(['E.clients', 'E.fn_total_client', 'E.vw_clients_actifs']);
  });

  it('analyses once per change of the database: reads reuse it, a schema change or a journal row makes a new one', async () => {
    const w = await world();
    const cache = memoryAnalysisCache();
    const ctx: DatabaseContext = { ...w.ctx, analysisCache: cache };
    for (let i = 0; i < 3; i++) {
      await databaseStatus(ctx, { package: w.pkgDir });
      await listDatabaseScripts(ctx, { package: w.pkgDir });
      await databaseDrift(ctx, { package: w.pkgDir });
      await databaseOverview(ctx, { package: w.pkgDir });
    }
    expect(cache.analyses).to.equal(1);
    // An admin changes a standard view in SSMS: the next read sees it.
    await w.store.alterCatalog((c) => { const v = c.objects.find((o) => o.name === 'vw_clients_actifs')!; v.definition += '\nWHERE 1 = 1'; });
    expect((await databaseStatus(ctx, { package: w.pkgDir })).Modified).to.deep.equal(['E.vw_clients_actifs']);
    expect(cache.analyses).to.equal(2);
    // A journal row (a script recorded by hand) too.
    await installDatabase(w.ctx, w.pkgDir, { markApplied: '2025-10/0001', moduleFolder: false });
    expect((await databaseStatus(ctx, { package: w.pkgDir })).PendingScripts).to.not.include('2025-10/0001');
    expect(cache.analyses).to.equal(3);
    // Another process (another `get`) finds the snapshot on disk.
    const disk = diskAnalysisCache(w.ctx);
    await databaseStatus({ ...w.ctx, analysisCache: disk }, { package: w.pkgDir });
    const again = diskAnalysisCache(w.ctx);
    const status = await databaseStatus({ ...w.ctx, analysisCache: again }, { package: w.pkgDir });
    expect(again.analyses).to.equal(0);
    expect(status.Modified).to.deep.equal(['E.vw_clients_actifs']);
    // A new package (another file) is a new analysis.
    await fs.utimes(path.join(w.pkgDir, MANIFEST_FILE), new Date(), new Date(Date.now() + 5000));
    await databaseStatus({ ...w.ctx, analysisCache: again }, { package: w.pkgDir });
    expect(again.analyses).to.equal(1);
  });
});

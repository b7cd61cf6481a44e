// The SQL Server store. Against a real server only when ALTAZION_TEST_MSSQL holds a connection
// string (SQL login, rights to CREATE DATABASE), e.g. with SQL Server Express / Developer edition
// or the Linux container:
//   docker run -e ACCEPT_EULA=Y -e MSSQL_SA_PASSWORD='Str0ng!Passw0rd' -p 1433:1433 mcr.microsoft.com/mssql/server:2022-latest
//   ALTAZION_TEST_MSSQL="Server=localhost,1433;User ID=sa;Password=Str0ng!Passw0rd;TrustServerCertificate=true" npx mocha test/integration/database/mssql-store.test.ts
// Each run creates a scratch database altazion_test_<random> and drops it at the end.
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { instanceLayout } from '../../../src/config/paths';
import { memoryAnalysisCache } from '../../../src/database/flow/analysis';
import type { DatabaseContext } from '../../../src/database/flow/context';
import { installDatabase } from '../../../src/database/flow/install';
import { databaseStatus } from '../../../src/database/flow/queries';
import { silentOutput } from '../../../src/output/output';
import type { Platform } from '../../../src/platform/types';
import { AltazionError } from '../../../src/core/errors';
import type { DatabaseScriptEntry } from '../../../src/core/package-manifest';
import { splitBatches } from '../../../src/database/batches';
import { parseConnectionString, type ParsedConnection } from '../../../src/database/sqlserver/connection-string';
import { computeDrift } from '../../../src/database/drift';
import { MssqlStore } from '../../../src/database/sqlserver/mssql-store';
import { buildBaseline } from '../../../src/database/normalize';
import { installedDatabaseVersion, scriptStatuses } from '../../../src/database/plan';
import { isScriptFailure, type BatchOutcome } from '../../../src/database/store';
import { buildDatabasePackageFiles, standardCatalog } from '../../../src/sandbox/database/fixtures';
import { MANIFEST_FILE } from '../../../src/core/package-manifest';

describe('database/mssql-store without a server', () => {
  it('explains that Integrated Security needs Windows (and msnodesqlv8)', async () => {
    const err = await MssqlStore.open(parseConnectionString('Server=sql01;Database=E;Integrated Security=SSPI'), { hostPlatform: 'linux' }).catch((e: AltazionError) => e) as AltazionError;
    expect(err.code).to.equal('E_CONFIG');
    expect(err.message).to.match(/Integrated Security, which needs Windows/);
    expect(err.hint).to.match(/SQL login/);
  });

  it('explains on Windows that Integrated Security needs the msnodesqlv8 driver when it is not installed', async () => {
    const err = await MssqlStore.open(parseConnectionString('Server=sql01;Database=E;Integrated Security=true'), { hostPlatform: 'win32' }).catch((e: AltazionError) => e) as AltazionError;
    expect(err.code).to.equal('E_CONFIG');
    expect(err.message).to.match(/Integrated Security needs the msnodesqlv8 driver, which could not be loaded/);
    expect(err.hint).to.match(/npm install mssql msnodesqlv8/);
  });

  it('reports an unreachable server as E_DATABASE naming the server, never the password', async () => {
    const err = await MssqlStore.open(parseConnectionString('Server=127.0.0.1,1;Database=Equihira;User ID=sa;Password=hunter2;Connect Timeout=3')).catch((e: AltazionError) => e) as AltazionError;
    expect(err).to.be.instanceOf(AltazionError);
    expect(err.code).to.equal('E_DATABASE');
    expect(err.message).to.contain('cannot connect to 127.0.0.1,1 / Equihira (SQL login sa)');
    expect(`${err.message} ${err.hint}`).not.to.contain('hunter2');
  });
});

describe('database/mssql-store against SQL Server (ALTAZION_TEST_MSSQL)', function () {
  this.timeout(120_000);
  const connectionString = process.env.ALTAZION_TEST_MSSQL;
  const dbName = `altazion_test_${randomBytes(4).toString('hex')}`;
  let admin: MssqlStore | undefined;
  let store: MssqlStore | undefined;
  let target: ParsedConnection;

  before(async function () {
    if (!connectionString) {
      console.log('    (skipped: set ALTAZION_TEST_MSSQL to a SQL Server connection string to run these tests)');
      this.skip();
    }
    const parsed = parseConnectionString(connectionString!);
    admin = await MssqlStore.open({ ...parsed, database: 'master' });
    await admin.execute(`CREATE DATABASE [${dbName}]`);
    target = { ...parsed, database: dbName };
    store = await MssqlStore.open(target);
  });

  after(async () => {
    await store?.close();
    if (admin) {
      await admin.execute(`IF DB_ID(N'${dbName}') IS NOT NULL BEGIN ALTER DATABASE [${dbName}] SET SINGLE_USER WITH ROLLBACK IMMEDIATE; DROP DATABASE [${dbName}]; END`);
      await admin.close();
    }
  });

  const files = buildDatabasePackageFiles('25.10.1.2');
  const manifest = JSON.parse(files[MANIFEST_FILE].toString());
  const scripts: DatabaseScriptEntry[] = manifest.database.scripts;
  const text = (s: DatabaseScriptEntry) => files[s.file].toString('utf8');

  it('starts from an empty journal and catalog', async () => {
    expect(await store!.readJournal()).to.deep.equal([]);
    expect((await store!.readCatalog()).objects).to.deep.equal([]);
  });

  it('runs the release scripts, each with its journal row, and the catalog matches the sandbox baseline', async () => {
    for (const s of scripts) await store!.runScript(s, splitBatches(text(s)));
    await store!.recordRelease('25.10.1.2');
    const journal = await store!.readJournal();
    expect([...scriptStatuses(scripts, journal).values()].every((v) => v === 'Applied')).to.equal(true);
    expect(installedDatabaseVersion(journal)).to.equal('25.10.1.2');
    // The real catalog and the sandbox engine's agree: the baselines the packages ship are right.
    const drift = computeDrift(await store!.readCatalog(), buildBaseline('25.10.1.2', standardCatalog('25.10.1.2')), { ignore: ['e.sysparams_databaseversion'] });
    expect([...drift.modified, ...drift.missing, ...drift.extra]).to.deep.equal([]);
  });

  it('rolls back a failing transactional script and reports SQL Server\'s message, the batch and the line', async () => {
    const failing: DatabaseScriptEntry = { id: 'test/0001', version: '99.1', number: 1, name: 'failing', file: 'x.sql', sha256: '0'.repeat(64), transactional: true };
    const sql = "CREATE TABLE E.should_vanish (id int)\nGO\nPRINT 'x'\nSELECT * FROM E.table_that_does_not_exist\nGO\n";
    const err = await store!.runScript(failing, splitBatches(sql)).catch((e) => e);
    expect(isScriptFailure(err)).to.equal(true);
    expect(err.failure).to.deep.include({ scriptId: 'test/0001', batch: 2, line: 4, sqlNumber: 208 });
    expect(err.failure.sqlMessage).to.match(/Invalid object name 'E\.table_that_does_not_exist'/);
    const catalog = await store!.readCatalog();
    expect(catalog.objects.map((o) => o.name)).not.to.include('should_vanish');
    expect(scriptStatuses([failing], await store!.readJournal()).get('test/0001')).to.equal('Failed');
  });

  it('marks a script applied by hand', async () => {
    const manual: DatabaseScriptEntry = { id: 'test/0002', version: '99.1', number: 2, name: 'manual', file: 'y.sql', sha256: '0'.repeat(64), transactional: true };
    await store!.markApplied(manual);
    expect(scriptStatuses([manual], await store!.readJournal()).get('test/0002')).to.equal('AppliedManually');
  });

  const scratch = (n: number, transactional = true): DatabaseScriptEntry => ({ id: `test/${String(n).padStart(4, '0')}`, version: '99.2', number: n, name: `scratch ${n}`, file: 'z.sql', sha256: '0'.repeat(64), transactional });
  const value = async (sql: string) => Object.values((await store!.execute(sql)).recordset?.[0] ?? {})[0];

  it('keeps the login\'s language and date settings (nothing forces us_english, mdy, datefirst 7)', async () => {
    const login = await value("SELECT default_language_name FROM sys.server_principals WHERE name = SUSER_SNAME()");
    expect(await value('SELECT @@LANGUAGE')).to.equal(login);
    const expected = await value(`SELECT CONCAT(dateformat, '/', datefirst) FROM sys.syslanguages WHERE name = N'${String(login).replace(/'/g, "''")}'`);
    const session = await value('SELECT CONCAT(date_format, \'/\', date_first) FROM sys.dm_exec_sessions WHERE session_id = @@SPID');
    expect(session).to.equal(expected);
  });

  it('runs each script on its own session with SSMS\'s SET block, and nothing of one script reaches the next', async () => {
    const check = (property: string, wanted: number) => `IF SESSIONPROPERTY('${property}') <> ${wanted} THROW 50001, N'${property} is not ${wanted}', 1;`;
    const settings = ['ANSI_NULLS', 'ANSI_PADDING', 'ANSI_WARNINGS', 'ARITHABORT', 'CONCAT_NULL_YIELDS_NULL', 'QUOTED_IDENTIFIER'].map((p) => check(p, 1)).join('\n') + '\n' + check('NUMERIC_ROUNDABORT', 0);
    await store!.runScript(scratch(1), splitBatches(`${settings}\nSET QUOTED_IDENTIFIER OFF;\nSET DATEFORMAT ydm;\nCREATE TABLE #leak (id int);\nGO\n`));
    // The next script starts clean: SET block again, no temp table, the login's date format.
    await store!.runScript(scratch(2), splitBatches(`${settings}\nIF OBJECT_ID('tempdb..#leak') IS NOT NULL THROW 50002, N'#leak reached the next script', 1;\nGO\n`));
  });

  it('runs every batch of a non-transactional script on one session, and reports PRINT output and row counts', async () => {
    await store!.execute('CREATE TABLE dbo.sessions_seen (spid int)');
    const outcomes: BatchOutcome[] = [];
    await store!.runScript(scratch(3, false), splitBatches("CREATE TABLE #kept (id int);\nINSERT INTO dbo.sessions_seen VALUES (@@SPID);\nGO\nINSERT INTO #kept VALUES (1), (2);\nINSERT INTO dbo.sessions_seen VALUES (@@SPID);\nPRINT N'deux lignes';\nGO 2\n"), { batchDone: (o) => outcomes.push(o) });
    expect(await value('SELECT COUNT(DISTINCT spid) FROM dbo.sessions_seen')).to.equal(1);
    expect(outcomes.map((o) => [o.batch, o.run])).to.deep.equal([[1, 1], [2, 1], [2, 2]]);
    expect(outcomes[1].messages).to.deep.equal(['deux lignes']);
    expect(outcomes[1].rowsAffected).to.include(2);
    await store!.execute('DROP TABLE dbo.sessions_seen');
  });

  it('changes its marker when the schema or the journal changes, and only then', async () => {
    const before = await store!.changeMarker();
    expect(await store!.changeMarker()).to.equal(before);
    await store!.execute('CREATE VIEW dbo.vw_marker AS SELECT 1 AS one');
    const afterDdl = await store!.changeMarker();
    expect(afterDdl).to.not.equal(before);
    await store!.markApplied(scratch(4));
    expect(await store!.changeMarker()).to.not.equal(afterDdl);
    await store!.execute("EXEC sp_rename N'dbo.vw_marker', N'vw_marker2'");
    const renamed = await store!.changeMarker();
    await store!.execute('DROP VIEW dbo.vw_marker2');
    expect(await store!.changeMarker()).to.not.equal(renamed);
  });

  it('reads keys, constraints, defaults, indexes, synonyms, sequences and schemas as the sandbox engine models them', async () => {
    const catalog = await store!.readCatalog();
    const commandes = catalog.objects.find((o) => o.name === 'commandes')!;
    expect(commandes.indexes!.map((i) => i.name)).to.include('IX_commandes_client');
    expect(commandes.constraints!.some((c) => c.kind === 'foreign key' && c.name === 'FK_commandes_clients')).to.equal(true);
    expect(catalog.objects.find((o) => o.name === 'seq_fidelite')).to.deep.include({ type: 'sequence' });
    expect(catalog.objects.find((o) => o.name === 'clients_fidelite')).to.deep.include({ type: 'synonym' });
    expect(catalog.objects.some((o) => o.type === 'schema' && o.name === 'E')).to.equal(true);
  });

  it('goes through the whole flow on a real server: customised view saved, forced install logged, analysis reused until the database changes', async () => {
    const flowDb = `${dbName}_flow`;
    await admin!.execute(`CREATE DATABASE [${flowDb}]`);
    const flowStore = await MssqlStore.open({ ...target, database: flowDb });
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'altazion-mssql-flow-'));
    try {
      const oldFiles = buildDatabasePackageFiles('25.9.12.3');
      const oldScripts: DatabaseScriptEntry[] = JSON.parse(oldFiles[MANIFEST_FILE].toString()).database.scripts;
      for (const s of oldScripts) await flowStore.runScript(s, splitBatches(oldFiles[s.file].toString('utf8')));
      await flowStore.recordRelease('25.9.12.3');
      await flowStore.execute("ALTER VIEW [E].[vw_clients_actifs] WITH VIEW_METADATA AS SELECT cli_id, cli_nom FROM E.clients WHERE cli_actif = 1");
      const pkgDir = path.join(dir, 'package');
      for (const [name, content] of Object.entries(buildDatabasePackageFiles('25.10.1.2', { previousVersions: ['25.9.12.3'] }))) {
        await fs.mkdir(path.dirname(path.join(pkgDir, name)), { recursive: true });
        await fs.writeFile(path.join(pkgDir, name), content);
      }
      const ctx: DatabaseContext = { layout: instanceLayout(path.join(dir, 'root')), output: silentOutput(), now: () => new Date(), platform: async () => ({ kind: 'windows' }) as Platform };
      const cache = memoryAnalysisCache();
      const status = await databaseStatus(ctx, { package: pkgDir, store: flowStore, cache });
      expect(status).to.deep.include({ Status: 'ManualActionRequired', Modified: ['E.vw_clients_actifs'] });
      await databaseStatus(ctx, { package: pkgDir, store: flowStore, cache });
      expect(cache.analyses).to.equal(1);
      const log: string[] = [];
      const { record, details } = await installDatabase(ctx, pkgDir, { store: flowStore, force: true, runId: 'real', log: (l) => log.push(l), moduleFolder: false });
      expect(record.Result).to.equal('Installed');
      expect(await fs.readFile(path.join(details.backups[0], 'E.vw_clients_actifs.sql'), 'utf8')).to.contain('WITH VIEW_METADATA');
      expect(log.join('\n')).to.contain("Colonne cli_email ajoutée").and.match(/row\(s\) affected/);
      expect((await databaseStatus(ctx, { package: pkgDir, store: flowStore, cache })).InstalledVersion).to.equal('25.10.1.2');
      expect(cache.analyses).to.equal(2);
    } finally {
      await flowStore.close();
      await admin!.execute(`ALTER DATABASE [${flowDb}] SET SINGLE_USER WITH ROLLBACK IMMEDIATE; DROP DATABASE [${flowDb}];`);
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('takes a COPY_ONLY backup into the server\'s default backup folder', async function () {
    const folder = await value("SELECT CONVERT(nvarchar(4000), SERVERPROPERTY('InstanceDefaultBackupPath'))");
    if (!folder) this.skip(); // before SQL Server 2019
    const file = await store!.backupDatabase(String(folder), `${dbName}-copy-only.bak`);
    const last = await value(`SELECT TOP (1) CONVERT(int, is_copy_only) FROM msdb.dbo.backupset WHERE database_name = N'${dbName}' ORDER BY backup_finish_date DESC`);
    expect(last).to.equal(1);
    expect(file).to.contain(`${dbName}-copy-only.bak`);
  });
});

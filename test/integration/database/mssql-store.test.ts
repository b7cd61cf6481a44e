// The SQL Server store. Against a real server only when ALTAZION_TEST_MSSQL holds a connection
// string (SQL login, rights to CREATE DATABASE), e.g. with SQL Server Express / Developer edition
// or the Linux container:
//   docker run -e ACCEPT_EULA=Y -e MSSQL_SA_PASSWORD='Str0ng!Passw0rd' -p 1433:1433 mcr.microsoft.com/mssql/server:2022-latest
//   ALTAZION_TEST_MSSQL="Server=localhost,1433;User ID=sa;Password=Str0ng!Passw0rd;TrustServerCertificate=true" npx mocha test/integration/database/mssql-store.test.ts
// Each run creates a scratch database altazion_test_<random> and drops it at the end.
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { AltazionError } from '../../../src/core/errors';
import type { DatabaseScriptEntry } from '../../../src/core/package-manifest';
import { splitBatches } from '../../../src/database/batches';
import { parseConnectionString, type ParsedConnection } from '../../../src/database/sqlserver/connection-string';
import { computeDrift } from '../../../src/database/drift';
import { MssqlStore } from '../../../src/database/sqlserver/mssql-store';
import { buildBaseline } from '../../../src/database/normalize';
import { installedDatabaseVersion, scriptStatuses } from '../../../src/database/plan';
import { isScriptFailure } from '../../../src/database/store';
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
});

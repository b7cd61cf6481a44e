// The SQL Server store's protocol with mssql, against a recording stand-in of the driver (the real
// server tests are in test/integration/database/mssql-store.test.ts, with ALTAZION_TEST_MSSQL):
// the options we pass, the SQL we send, on which connection, what runs inside the transaction,
// what after a rollback, how errors map to script lines.
import { expect } from 'chai';
import type { DatabaseScriptEntry } from '../../../src/core/package-manifest';
import { splitBatches } from '../../../src/database/batches';
import { backupCommand, SQL_CHANGE_MARKER, SQL_RECORD, SQL_SESSION_ID, SQL_SESSION_OPTIONS, SQL_XACT_ABORT_ON } from '../../../src/database/journal-sql';
import { parseConnectionString } from '../../../src/database/sqlserver/connection-string';
import type { MssqlConfig } from '../../../src/database/sqlserver/mssql-config';
import { MssqlStore, type MssqlModule } from '../../../src/database/sqlserver/mssql-store';
import { isScriptFailure, type BatchOutcome } from '../../../src/database/store';

interface Call { on: string; op: string; text?: string; params?: Record<string, unknown> }

interface DriverOptions {
  failOn?: (text: string) => Error | undefined;
  /** Fails the connect of the pool whose config matches. */
  failConnect?: (config: MssqlConfig) => Error | undefined;
  /** The session id the n-th @@SPID query answers (default: always 51). */
  spid?: (n: number) => number;
}

function recordingDriver(options: DriverOptions = {}) {
  const calls: Call[] = [];
  const pools: Array<{ name: string; config: MssqlConfig; closed: boolean }> = [];
  let txCount = 0;
  let spidQueries = 0;
  class ConnectionPool {
    name: string;
    constructor(readonly config: MssqlConfig) { this.name = `pool${pools.length + 1}`; pools.push({ name: this.name, config, closed: false }); }
    async connect() {
      calls.push({ on: this.name, op: 'connect' });
      const error = options.failConnect?.(this.config);
      if (error) throw error;
      return this;
    }
    async close() { calls.push({ on: this.name, op: 'close' }); pools.find((p) => p.name === this.name)!.closed = true; }
  }
  class Transaction {
    name: string;
    constructor(readonly pool: { name: string }) { this.name = `tx${++txCount}@${pool.name}`; }
    async begin() { calls.push({ on: this.name, op: 'begin' }); }
    async commit() { calls.push({ on: this.name, op: 'commit' }); }
    async rollback() { calls.push({ on: this.name, op: 'rollback' }); }
  }
  class Request {
    params: Record<string, unknown> = {};
    listeners: Array<(info: { message: string }) => void> = [];
    constructor(readonly parent: { name: string }) {}
    input(name: string, _type: unknown, value: unknown) { this.params[name] = value; return this; }
    on(_event: string, listener: (info: { message: string }) => void) { this.listeners.push(listener); return this; }
    private async run(op: string, text: string) {
      calls.push({ on: this.parent.name, op, text, params: this.params });
      const error = options.failOn?.(text);
      if (error) throw error;
      if (text === SQL_SESSION_ID) return { recordset: [{ spid: options.spid?.(++spidQueries) ?? 51 }] };
      if (text === SQL_CHANGE_MARKER) return { recordset: [{ objects: '12/2025-01-01T00:00:00/77', schemas: '2/5', types: '0/', collation: 'French_CI_AS', journal: '9/123' }] };
      if (text.includes('OBJECT_ID')) return { recordset: [{ present: 1 }] };
      for (const m of text.matchAll(/PRINT '([^']*)'/g)) for (const l of this.listeners) l({ message: m[1] });
      return { recordset: [], rowsAffected: text.startsWith('INSERT') ? [1, 2] : [] };
    }
    query(text: string) { return this.run('query', text); }
    batch(text: string) { return this.run('batch', text); }
  }
  const driver = { ConnectionPool, Transaction, Request, UniqueIdentifier: 'uid', NVarChar: 'nvarchar', Bit: 'bit', Int: 'int' } as unknown as MssqlModule;
  return { driver, calls, pools };
}

const entry = (transactional: boolean, number = 7): DatabaseScriptEntry => ({ id: `2025-10/000${number}`, version: '25.10', number, name: 'x', file: 'x.sql', sha256: '0'.repeat(64), transactional });
const connection = parseConnectionString('Server=sql01;Database=Equihira;User ID=u;Password=p');
const SCRIPT = 'CREATE TABLE E.a (id int)\nGO\n-- comment\nINSERT INTO E.a VALUES (1)\nINSERT INTO E.nope VALUES (1)\nGO 2\n';
const line = (c: Call) => `${c.on} ${c.op}${c.text ? ' ' + c.text.split('\n')[0] : ''}`;

describe('database/mssql-store protocol (recording driver)', () => {
  it('leaves the login\'s language and date settings alone, and sets the ANSI options as SSMS does', async () => {
    const { driver, pools } = recordingDriver();
    await MssqlStore.openWith(driver, connection);
    const options = pools[0].config.options;
    // tedious would otherwise send SET LANGUAGE us_english, SET DATEFORMAT mdy, SET DATEFIRST 7.
    expect(options).to.deep.include({ language: null, dateFormat: null, datefirst: null });
    expect(options).to.deep.include({ enableAnsiNull: true, enableAnsiPadding: true, enableAnsiWarnings: true, enableArithAbort: true, enableConcatNullYieldsNull: true, enableQuotedIdentifier: true, enableNumericRoundabort: false, enableImplicitTransactions: false });
    // A language named in the connection string is honoured.
    const french = recordingDriver();
    await MssqlStore.openWith(french.driver, parseConnectionString('Server=sql01;User ID=u;Password=p;Current Language=Français'));
    expect(french.pools[0].config.options.language).to.equal('Français');
  });

  it('runs each script on a connection of its own, opened with the SET block, in one transaction with its journal row', async () => {
    const { driver, calls, pools } = recordingDriver();
    const store = await MssqlStore.openWith(driver, connection);
    await store.readJournal(); // the journal exists
    calls.length = 0;
    await store.runScript(entry(true), splitBatches(SCRIPT));
    expect(pools[1].config.pool).to.deep.include({ max: 1 });
    expect(calls.map(line)).to.deep.equal([
      'pool2 connect',
      `pool2 batch ${SQL_SESSION_OPTIONS.split('\n')[0]}`,
      `pool2 batch ${SQL_XACT_ABORT_ON}`,
      'tx1@pool2 begin',
      'tx1@pool2 batch CREATE TABLE E.a (id int)',
      'tx1@pool2 batch -- comment',
      'tx1@pool2 batch -- comment', // GO 2
      `tx1@pool2 query ${SQL_RECORD.split('\n')[0]}`,
      'tx1@pool2 commit',
      'pool2 close',
    ]);
    expect(calls[1].text).to.equal(SQL_SESSION_OPTIONS);
    expect(SQL_SESSION_OPTIONS).to.match(/SET QUOTED_IDENTIFIER ON;/).and.match(/SET NUMERIC_ROUNDABORT OFF;/).and.not.match(/LANGUAGE|DATEFORMAT|DATEFIRST/);
    expect(calls[7].params).to.deep.include({ version: '25.10', number: 7, racine: false, prepare: true, execute: true, valide: true });
    // The next script gets a new connection: nothing of this session reaches it.
    await store.runScript(entry(true, 8), splitBatches('SELECT 1\n'));
    expect(pools.map((p) => [p.name, p.closed])).to.deep.equal([['pool1', false], ['pool2', true], ['pool3', true]]);
  });

  it('reports each batch\'s PRINT output and row counts', async () => {
    const { driver } = recordingDriver();
    const store = await MssqlStore.openWith(driver, connection);
    const outcomes: BatchOutcome[] = [];
    await store.runScript(entry(true), splitBatches("PRINT 'début'\nGO\nINSERT INTO E.a VALUES (1)\nGO\n"), { batchDone: (o) => outcomes.push(o) });
    expect(outcomes.map((o) => [o.batch, o.run, o.messages, o.rowsAffected])).to.deep.equal([[1, 1, ['début'], []], [2, 1, [], [1, 2]]]);
  });

  it('rolls back on the first error, records the failed attempt outside the transaction, and maps the line', async () => {
    const sqlError = Object.assign(new Error("Invalid object name 'E.nope'."), { number: 208, lineNumber: 3 });
    const { driver, calls } = recordingDriver({ failOn: (text) => (text.includes('E.nope') ? sqlError : undefined) });
    const store = await MssqlStore.openWith(driver, connection);
    await store.readJournal();
    calls.length = 0;
    const err = await store.runScript(entry(true), splitBatches(SCRIPT)).catch((e) => e);
    expect(isScriptFailure(err)).to.equal(true);
    // Batch 2 starts on script line 3; SQL Server's line 3 in it is script line 5.
    expect(err.failure).to.deep.equal({ scriptId: '2025-10/0007', batch: 2, line: 5, sqlMessage: "Invalid object name 'E.nope'.", sqlNumber: 208 });
    expect(err.message).to.equal("script 2025-10/0007 failed (batch 2, line 5): Invalid object name 'E.nope'. [SQL error 208]");
    const ops = calls.map((c) => `${c.on} ${c.op}`);
    expect(ops.slice(-3)).to.deep.equal(['tx1@pool2 rollback', 'pool1 query', 'pool2 close']);
    expect(calls[calls.length - 2].params).to.deep.include({ prepare: true, execute: false, valide: false });
    expect(ops).not.to.include('tx1@pool2 commit');
  });

  it('takes the first of several errors of a batch as the cause', async () => {
    const first = Object.assign(new Error("There is already an object named 'a' in the database."), { number: 2714, lineNumber: 1 });
    const last = Object.assign(new Error('Could not create constraint or index. See previous errors.'), { number: 1750, lineNumber: 1, precedingErrors: [first] });
    const { driver } = recordingDriver({ failOn: (text) => (text.startsWith('CREATE TABLE') ? last : undefined) });
    const store = await MssqlStore.openWith(driver, connection);
    const err = await store.runScript(entry(true), splitBatches(SCRIPT)).catch((e) => e);
    expect(err.failure).to.deep.include({ batch: 1, line: 1, sqlNumber: 2714 });
  });

  it('runs a non-transactional script on its one session: prepared row, every batch there (session checked), validated row', async () => {
    const { driver, calls } = recordingDriver();
    const store = await MssqlStore.openWith(driver, connection);
    await store.readJournal();
    calls.length = 0;
    await store.runScript(entry(false), splitBatches('UPDATE STATISTICS E.a\nGO\nCREATE INDEX i ON E.a (id)\nGO\n'));
    expect(calls.map(line)).to.deep.equal([
      'pool2 connect',
      `pool2 batch ${SQL_SESSION_OPTIONS.split('\n')[0]}`,
      `pool2 query ${SQL_SESSION_ID}`,
      `pool1 query ${SQL_RECORD.split('\n')[0]}`,
      'pool2 batch UPDATE STATISTICS E.a',
      `pool2 query ${SQL_SESSION_ID}`,
      'pool2 batch CREATE INDEX i ON E.a (id)',
      `pool2 query ${SQL_SESSION_ID}`,
      `pool1 query ${SQL_RECORD.split('\n')[0]}`,
      'pool2 close',
    ]);
    expect(calls[3].params).to.deep.include({ prepare: true, execute: false, valide: false });
    expect(calls[8].params).to.deep.include({ prepare: true, execute: true, valide: true });
  });

  it('stops a non-transactional script whose session was replaced between batches', async () => {
    const { driver } = recordingDriver({ spid: (n) => (n >= 3 ? 60 : 51) });
    const store = await MssqlStore.openWith(driver, connection);
    const err = await store.runScript(entry(false), splitBatches('SELECT 1\nGO\nSELECT 2\nGO\nSELECT 3\nGO\n')).catch((e) => e);
    expect(isScriptFailure(err)).to.equal(true);
    expect(err.failure).to.deep.include({ batch: 2 });
    expect(err.message).to.match(/connection to SQL Server was replaced after this batch \(session 51, now 60\)/);
  });

  it('makes sure the journal table exists (created only when missing), and records hand-run scripts and releases', async () => {
    const { driver, calls } = recordingDriver();
    const store = await MssqlStore.openWith(driver, connection);
    await store.markApplied(entry(true));
    await store.recordRelease('25.10.1.2');
    expect(calls.filter((c) => c.op !== 'connect').map((c) => c.text!.split('\n')[0])).to.deep.equal([
      "IF SCHEMA_ID(N'E') IS NULL EXEC(N'CREATE SCHEMA [E]');",
      SQL_RECORD.split('\n')[0],
      SQL_RECORD.split('\n')[0],
    ]);
    expect(calls[2].params).to.deep.include({ execute: false, valide: true, racine: false });
    expect(calls[3].params).to.deep.include({ version: '25.10.1.2', number: 0, racine: true, valide: true });
  });

  it('reads its change marker in one round trip, and takes a COPY_ONLY backup into the configured folder', async () => {
    const { driver, calls } = recordingDriver();
    const store = await MssqlStore.openWith(driver, connection);
    expect(await store.changeMarker()).to.equal('objects=12/2025-01-01T00:00:00/77;schemas=2/5;types=0/;collation=French_CI_AS;journal=9/123');
    expect(SQL_CHANGE_MARKER).to.match(/MAX\(modify_date\)/).and.match(/E\.sysparams_databaseversion/).and.match(/sys\.types/).and.match(/Collation/);
    calls.length = 0;
    const file = await store.backupDatabase('D:\\SQLBackups\\', 'Equihira-20260101-copy-only.bak');
    expect(file).to.equal('D:\\SQLBackups\\Equihira-20260101-copy-only.bak');
    expect(calls[0].text).to.equal(backupCommand(file).text).and.match(/WITH COPY_ONLY/);
    expect(calls[0].params).to.deep.equal({ file });
  });
});

describe('database/mssql-store Integrated Security (recording driver)', () => {
  const integrated = parseConnectionString('Server=sql01\\ALTAZION;Database=Equihira;Integrated Security=SSPI;Encrypt=True;TrustServerCertificate=True');
  const missing = Object.assign(new Error('[Microsoft][ODBC Driver Manager] Data source name not found and no default driver specified'), { code: 'IM002' });

  it('connects through ODBC Driver 18 when present, carrying Encrypt and TrustServerCertificate (never Native Client)', async () => {
    const { driver, pools } = recordingDriver();
    const store = await MssqlStore.open(integrated, { hostPlatform: 'win32', load: async (name) => { expect(name).to.equal('mssql/msnodesqlv8'); return driver; } });
    expect(pools[0].config.connectionString).to.equal('Driver={ODBC Driver 18 for SQL Server};Server=sql01\\ALTAZION;Database=Equihira;Trusted_Connection=yes;Encrypt=yes;TrustServerCertificate=yes;APP=altazion-update;Connection Timeout=15;');
    expect(store.description).to.contain('via ODBC Driver 18 for SQL Server');
    // Script sessions use the same driver.
    await store.runScript(entry(true), splitBatches('SELECT 1\n'));
    expect(pools[1].config.connectionString).to.contain('Driver={ODBC Driver 18 for SQL Server}');
  });

  it('falls back to ODBC Driver 17, and says which drivers to install when neither is there', async () => {
    const only17 = recordingDriver({ failConnect: (c) => (c.connectionString?.includes('Driver 18') ? missing : undefined) });
    const store = await MssqlStore.open({ ...integrated, encrypt: false, trustServerCertificate: false }, { hostPlatform: 'win32', load: async () => only17.driver });
    expect(only17.pools.map((p) => p.config.connectionString?.split(';')[0])).to.deep.equal(['Driver={ODBC Driver 18 for SQL Server}', 'Driver={ODBC Driver 17 for SQL Server}']);
    expect(only17.pools[1].config.connectionString).to.contain('Encrypt=no;TrustServerCertificate=no;');
    expect(store.description).to.contain('ODBC Driver 17');
    const none = recordingDriver({ failConnect: () => missing });
    const err = await MssqlStore.open(integrated, { hostPlatform: 'win32', load: async () => none.driver }).catch((e) => e);
    expect(err.code).to.equal('E_CONFIG');
    expect(err.message).to.equal('Integrated Security needs an ODBC driver for SQL Server: neither ODBC Driver 18 for SQL Server nor ODBC Driver 17 for SQL Server is installed');
    expect(err.hint).to.match(/ODBC Driver 18/);
    // Any other connection error is the server's, not a missing driver.
    const down = recordingDriver({ failConnect: () => new Error('Login timeout expired') });
    const unreachable = await MssqlStore.open(integrated, { hostPlatform: 'win32', load: async () => down.driver }).catch((e) => e);
    expect(unreachable.code).to.equal('E_DATABASE');
    expect(down.pools).to.have.length(1);
  });
});

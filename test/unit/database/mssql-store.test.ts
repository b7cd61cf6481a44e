// The SQL Server store's protocol with mssql, against a recording stand-in of the driver (the real
// server tests are in test/integration/database/mssql-store.test.ts, with ALTAZION_TEST_MSSQL):
// what runs inside the transaction, what after a rollback, how errors map to script lines.
import { expect } from 'chai';
import type { DatabaseScriptEntry } from '../../../src/core/package-manifest';
import { splitBatches } from '../../../src/database/batches';
import { parseConnectionString } from '../../../src/database/connection-string';
import { SQL_RECORD } from '../../../src/database/journal-sql';
import { MssqlStore, type MssqlModule } from '../../../src/database/mssql-store';
import { isScriptFailure } from '../../../src/database/store';

interface Call { on: string; op: string; text?: string; params?: Record<string, unknown> }

function recordingDriver(failOn?: (text: string) => Error | undefined) {
  const calls: Call[] = [];
  let txCount = 0;
  class ConnectionPool { name = 'pool'; constructor(readonly config: unknown) {} async connect() { calls.push({ on: 'pool', op: 'connect' }); return this; } async close() { calls.push({ on: 'pool', op: 'close' }); } }
  class Transaction {
    name: string;
    constructor() { this.name = `tx${++txCount}`; }
    async begin() { calls.push({ on: this.name, op: 'begin' }); }
    async commit() { calls.push({ on: this.name, op: 'commit' }); }
    async rollback() { calls.push({ on: this.name, op: 'rollback' }); }
  }
  class Request {
    params: Record<string, unknown> = {};
    constructor(readonly parent: { name: string }) {}
    input(name: string, _type: unknown, value: unknown) { this.params[name] = value; return this; }
    private async run(op: string, text: string) {
      calls.push({ on: this.parent.name, op, text, params: this.params });
      const error = failOn?.(text);
      if (error) throw error;
      if (text.includes('OBJECT_ID')) return { recordset: [{ present: 1 }] };
      return { recordset: [] };
    }
    query(text: string) { return this.run('query', text); }
    batch(text: string) { return this.run('batch', text); }
  }
  const driver = { ConnectionPool, Transaction, Request, UniqueIdentifier: 'uid', NVarChar: 'nvarchar', Bit: 'bit', Int: 'int' } as unknown as MssqlModule;
  return { driver, calls };
}

const entry = (transactional: boolean): DatabaseScriptEntry => ({ id: '2025-10/0007', version: '25.10', number: 7, name: 'x', file: 'x.sql', sha256: '0'.repeat(64), transactional });
const connection = parseConnectionString('Server=sql01;Database=Equihira;User ID=u;Password=p');
const SCRIPT = 'CREATE TABLE E.a (id int)\nGO\n-- comment\nINSERT INTO E.a VALUES (1)\nINSERT INTO E.nope VALUES (1)\nGO 2\n';

describe('database/mssql-store protocol (recording driver)', () => {
  it('runs a transactional script and its journal row in one transaction, then commits', async () => {
    const { driver, calls } = recordingDriver();
    const store = await MssqlStore.openWith(driver, connection);
    await store.readJournal(); // the journal exists
    calls.length = 0;
    await store.runScript(entry(true), splitBatches(SCRIPT));
    expect(calls.map((c) => `${c.on} ${c.op}${c.text ? ' ' + c.text.split('\n')[0] : ''}`)).to.deep.equal([
      'tx1 begin',
      'tx1 batch SET XACT_ABORT ON;',
      'tx1 batch CREATE TABLE E.a (id int)',
      'tx1 batch -- comment',
      'tx1 batch -- comment', // GO 2
      `tx1 query ${SQL_RECORD.split('\n')[0]}`,
      'tx1 commit',
    ]);
    expect(calls[5].params).to.deep.include({ version: '25.10', number: 7, racine: false, prepare: true, execute: true, valide: true });
  });

  it('rolls back on the first error, records the failed attempt outside the transaction, and maps the line', async () => {
    const sqlError = Object.assign(new Error("Invalid object name 'E.nope'."), { number: 208, lineNumber: 3 });
    const { driver, calls } = recordingDriver((text) => (text.includes('E.nope') ? sqlError : undefined));
    const store = await MssqlStore.openWith(driver, connection);
    await store.readJournal();
    calls.length = 0;
    const err = await store.runScript(entry(true), splitBatches(SCRIPT)).catch((e) => e);
    expect(isScriptFailure(err)).to.equal(true);
    // Batch 2 starts on script line 3; SQL Server's line 3 in it is script line 5.
    expect(err.failure).to.deep.equal({ scriptId: '2025-10/0007', batch: 2, line: 5, sqlMessage: "Invalid object name 'E.nope'.", sqlNumber: 208 });
    expect(err.message).to.equal("script 2025-10/0007 failed (batch 2, line 5): Invalid object name 'E.nope'. [SQL error 208]");
    const ops = calls.map((c) => `${c.on} ${c.op}`);
    expect(ops.slice(-2)).to.deep.equal(['tx1 rollback', 'pool query']);
    expect(calls[calls.length - 1].params).to.deep.include({ prepare: true, execute: false, valide: false });
    expect(ops).not.to.include('tx1 commit');
  });

  it('takes the first of several errors of a batch as the cause', async () => {
    const first = Object.assign(new Error("There is already an object named 'a' in the database."), { number: 2714, lineNumber: 1 });
    const last = Object.assign(new Error('Could not create constraint or index. See previous errors.'), { number: 1750, lineNumber: 1, precedingErrors: [first] });
    const { driver } = recordingDriver((text) => (text.startsWith('CREATE TABLE') ? last : undefined));
    const store = await MssqlStore.openWith(driver, connection);
    const err = await store.runScript(entry(true), splitBatches(SCRIPT)).catch((e) => e);
    expect(err.failure).to.deep.include({ batch: 1, line: 1, sqlNumber: 2714 });
  });

  it('runs a non-transactional script alone: prepared row, batches, validated row', async () => {
    const { driver, calls } = recordingDriver();
    const store = await MssqlStore.openWith(driver, connection);
    await store.readJournal();
    calls.length = 0;
    await store.runScript(entry(false), splitBatches('UPDATE STATISTICS E.a\nGO\n'));
    expect(calls.map((c) => `${c.on} ${c.op}`)).to.deep.equal(['pool query', 'pool batch', 'pool query']);
    expect(calls[0].params).to.deep.include({ prepare: true, execute: false, valide: false });
    expect(calls[2].params).to.deep.include({ prepare: true, execute: true, valide: true });
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
});

// SQL Server through mssql: tedious for SQL logins (pure JavaScript, any OS), msnodesqlv8 for
// Integrated Security on Windows (a native module loaded from beside the executable; not bundled).
// Each transactional script runs in its own transaction together with its journal row
// (SET XACT_ABORT ON, so any error dooms the whole transaction); a non-transactional one runs
// alone between a "prepared" row and its validation. The first failure stops with SQL Server's
// message, the script id, the batch and the line in the script.
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import { AltazionError } from '../core/errors';
import type { DatabaseScriptEntry } from '../core/package-manifest';
import type { Batch } from './batches';
import type { Catalog } from './catalog';
import { describeConnection, toMssqlConfig, type MssqlConfig, type ParsedConnection } from './connection-string';
import {
  catalogFromRows, journalFromRows, recordCommand, SQL_CATALOG_COLUMNS, SQL_CATALOG_OBJECTS, SQL_CREATE_JOURNAL, SQL_JOURNAL_EXISTS,
  SQL_READ_JOURNAL, type ColumnRow, type JournalRow, type ObjectRow, type SqlCommand, type SqlParamType,
} from './journal-sql';
import { ScriptFailedError, scriptLine, type DatabaseStore } from './store';

// The small part of mssql's API used here (the package ships no types).
interface MssqlResult { recordset?: Array<Record<string, unknown>> }
interface MssqlRequest {
  input(name: string, type: unknown, value: unknown): MssqlRequest;
  query(text: string): Promise<MssqlResult>;
  batch(text: string): Promise<MssqlResult>;
}
interface MssqlTransaction {
  begin(): Promise<unknown>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
}
interface MssqlPool {
  connect(): Promise<MssqlPool>;
  close(): Promise<void>;
}
export interface MssqlModule {
  ConnectionPool: new (config: MssqlConfig) => MssqlPool;
  Transaction: new (pool: MssqlPool) => MssqlTransaction;
  Request: new (parent: MssqlPool | MssqlTransaction) => MssqlRequest;
  UniqueIdentifier: unknown; NVarChar: unknown; Bit: unknown; Int: unknown;
}
interface SqlError extends Error { number?: number; lineNumber?: number; class?: number; procName?: string; precedingErrors?: SqlError[] }

async function loadDriver(connection: ParsedConnection, hostPlatform: NodeJS.Platform): Promise<MssqlModule> {
  const pick = (m: unknown) => ((m as { default?: MssqlModule }).default ?? m) as MssqlModule;
  if (!connection.integratedSecurity) return pick(await import('mssql'));
  if (hostPlatform !== 'win32') {
    throw new AltazionError('E_CONFIG', `the connection uses Integrated Security, which needs Windows (this machine runs ${hostPlatform})`, {
      hint: 'use a SQL login (User ID / Password) in cpointsoftware.config to reach the server from here',
    });
  }
  // Resolved at run time, never bundled (the build keeps the SQL Server driver apart, and in the
  // single executable require() only reaches built-ins): mssql's msnodesqlv8 flavour from this
  // module's node_modules, else from a node_modules folder beside the executable.
  const exeDir = path.dirname(process.execPath);
  const errors: string[] = [];
  for (const from of [import.meta.url, path.join(exeDir, 'altazion-update.js')]) {
    try {
      return pick(createRequire(from)('mssql/msnodesqlv8'));
    } catch (error) {
      errors.push((error as Error).message.split('\n')[0]);
    }
  }
  throw new AltazionError('E_CONFIG', `Integrated Security needs the msnodesqlv8 driver, which could not be loaded (${errors.join('; ')})`, {
    hint: `install it beside the executable (in ${exeDir}: npm install mssql msnodesqlv8) with an ODBC Driver for SQL Server, or use a SQL login (User ID / Password) in cpointsoftware.config`,
  });
}

function typeOf(sql: MssqlModule, type: SqlParamType): unknown {
  switch (type) {
    case 'uniqueidentifier': return sql.UniqueIdentifier;
    case 'nvarchar': return sql.NVarChar;
    case 'bit': return sql.Bit;
    case 'int': return sql.Int;
  }
}

export class MssqlStore implements DatabaseStore {
  readonly description: string;
  private journalReady = false;

  private constructor(private readonly sql: MssqlModule, private readonly pool: MssqlPool, connection: ParsedConnection) {
    this.description = describeConnection(connection);
  }

  static async open(connection: ParsedConnection, hostPlatform: NodeJS.Platform = process.platform): Promise<MssqlStore> {
    return MssqlStore.openWith(await loadDriver(connection, hostPlatform), connection);
  }

  /** Opens with a given mssql module (mssql, mssql/msnodesqlv8, or a recording stand-in in tests). */
  static async openWith(sql: MssqlModule, connection: ParsedConnection): Promise<MssqlStore> {
    const pool = new sql.ConnectionPool(toMssqlConfig(connection));
    try {
      await pool.connect();
    } catch (error) {
      throw new AltazionError('E_DATABASE', `cannot connect to ${describeConnection(connection)}: ${(error as Error).message}`, {
        target: describeConnection(connection),
        hint: 'check the connection string in cpointsoftware.config, that SQL Server accepts TCP connections, and the firewall',
        cause: error,
      });
    }
    return new MssqlStore(sql, pool, connection);
  }

  private request(parent: MssqlPool | MssqlTransaction = this.pool, command?: SqlCommand): MssqlRequest {
    const request = new this.sql.Request(parent);
    for (const p of command?.params ?? []) request.input(p.name, typeOf(this.sql, p.type), p.value);
    return request;
  }

  async readJournal(): Promise<JournalRow[]> {
    const exists = await this.request().query(SQL_JOURNAL_EXISTS);
    if (!Number(exists.recordset?.[0]?.present)) return [];
    this.journalReady = true;
    return journalFromRows((await this.request().query(SQL_READ_JOURNAL)).recordset ?? []);
  }

  async readCatalog(): Promise<Catalog> {
    const objects = (await this.request().query(SQL_CATALOG_OBJECTS)).recordset ?? [];
    const columns = (await this.request().query(SQL_CATALOG_COLUMNS)).recordset ?? [];
    return catalogFromRows(objects as unknown as ObjectRow[], columns as unknown as ColumnRow[]);
  }

  private async ensureJournal(): Promise<void> {
    if (this.journalReady) return;
    await this.request().batch(SQL_CREATE_JOURNAL);
    this.journalReady = true;
  }

  private async record(parent: MssqlPool | MssqlTransaction, entry: { version: string; number: number }, isRoot: boolean, flags: { prepared: boolean; executed: boolean; validated: boolean }): Promise<void> {
    const command = recordCommand({ guid: randomUUID(), version: entry.version, number: entry.number, isRoot, ...flags });
    await this.request(parent, command).query(command.text);
  }

  private failure(entry: DatabaseScriptEntry, batch: Batch, error: unknown, rolledBack: boolean): ScriptFailedError {
    const e = error as SqlError;
    // The first error of a batch is usually the cause; later ones are consequences.
    const first = e.precedingErrors?.length ? e.precedingErrors[0] : e;
    return new ScriptFailedError({
      scriptId: entry.id,
      batch: batch.index,
      line: scriptLine(batch, first.lineNumber),
      sqlMessage: first.message,
      sqlNumber: typeof first.number === 'number' ? first.number : undefined,
    }, rolledBack);
  }

  async runScript(entry: DatabaseScriptEntry, batches: readonly Batch[]): Promise<void> {
    await this.ensureJournal();
    if (!entry.transactional) {
      await this.record(this.pool, entry, false, { prepared: true, executed: false, validated: false });
      for (const batch of batches) {
        try {
          for (let r = 0; r < batch.repeat; r++) await this.request().batch(batch.text);
        } catch (error) {
          throw this.failure(entry, batch, error, false);
        }
      }
      await this.record(this.pool, entry, false, { prepared: true, executed: true, validated: true });
      return;
    }
    const tx = new this.sql.Transaction(this.pool);
    await tx.begin();
    let current: Batch | undefined;
    try {
      await this.request(tx).batch('SET XACT_ABORT ON;');
      for (const batch of batches) {
        current = batch;
        for (let r = 0; r < batch.repeat; r++) await this.request(tx).batch(batch.text);
      }
      current = undefined;
      await this.record(tx, entry, false, { prepared: true, executed: true, validated: true });
      await tx.commit();
    } catch (error) {
      // XACT_ABORT may already have rolled back on the server: a failing rollback changes nothing.
      await tx.rollback().catch(() => undefined);
      // Leave a trace of the failed attempt (status Failed), outside the rolled-back transaction.
      await this.record(this.pool, entry, false, { prepared: true, executed: false, validated: false }).catch(() => undefined);
      if (!current) throw new AltazionError('E_DATABASE', `script ${entry.id}: recording it in E.sysparams_databaseversion failed: ${(error as Error).message}`, { target: entry.id, cause: error });
      throw this.failure(entry, current, error, true);
    }
  }

  async markApplied(entry: DatabaseScriptEntry): Promise<void> {
    await this.ensureJournal();
    await this.record(this.pool, entry, false, { prepared: true, executed: false, validated: true });
  }

  async recordRelease(version: string): Promise<void> {
    await this.ensureJournal();
    await this.record(this.pool, { version, number: 0 }, true, { prepared: true, executed: true, validated: true });
  }

  /** Runs one batch outside any transaction (administration: scratch databases in tests). */
  async execute(batchText: string): Promise<void> {
    await this.request().batch(batchText);
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}

// SQL Server through mssql: tedious for SQL logins (pure JavaScript, any OS), msnodesqlv8 for
// Integrated Security on Windows (a native module loaded from beside the executable; not bundled)
// through ODBC Driver 18, else 17. Reads go through a small pool. Each script gets a connection of
// its own, opened for it and closed after it, that starts with SSMS's SET block: nothing of one
// script's session (SET options, temp tables, an open transaction) reaches the next, and every batch
// of a non-transactional script runs on that one session (checked: a reconnect in between is a
// failure, not a silent new session). A transactional script runs in one transaction with its
// journal row (XACT_ABORT ON: any error dooms it all); a non-transactional one between a "prepared"
// row and its validation. The first failure stops with SQL Server's message, the script id, the
// batch and the line in the script.
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import { AltazionError } from '../../core/errors';
import type { DatabaseScriptEntry } from '../../core/package-manifest';
import type { Batch } from '../batches';
import type { Catalog } from '../catalog';
import { describeConnection, type ParsedConnection } from './connection-string';
import {
  backupCommand, catalogFromRows, journalFromRows, recordCommand, SQL_CATALOG_CHECKS, SQL_CATALOG_COLUMNS, SQL_CATALOG_FOREIGN_KEYS, SQL_CATALOG_INDEXES,
  SQL_CATALOG_KEYS, SQL_CATALOG_OBJECTS, SQL_CATALOG_SCHEMAS, SQL_CATALOG_TYPES, SQL_CHANGE_MARKER, SQL_CREATE_JOURNAL, SQL_DATABASE_COLLATION,
  SQL_JOURNAL_EXISTS, SQL_READ_JOURNAL, SQL_SESSION_ID, SQL_SESSION_OPTIONS, SQL_XACT_ABORT_ON, type CatalogRows, type JournalRow,
  type SqlCommand, type SqlParamType,
} from '../journal-sql';
import { isDriverMissing, ODBC_DRIVERS, odbcConnectionString, toMssqlConfig, type MssqlConfig } from './mssql-config';
import { ScriptFailedError, scriptLine, type BatchOutcome, type DatabaseStore, type ScriptObserver } from '../store';

// The small part of mssql's API used here (the package ships no types).
interface MssqlResult { recordset?: Array<Record<string, unknown>>; rowsAffected?: number[] }
interface MssqlInfo { message: string; number?: number; lineNumber?: number }
interface MssqlRequest {
  input(name: string, type: unknown, value: unknown): MssqlRequest;
  query(text: string): Promise<MssqlResult>;
  batch(text: string): Promise<MssqlResult>;
  on(event: 'info', listener: (info: MssqlInfo) => void): MssqlRequest;
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

/** How to load a module by name (tests pass a stand-in; the default resolves beside the executable). */
export type ModuleLoader = (name: 'mssql' | 'mssql/msnodesqlv8') => Promise<MssqlModule>;

function pick(m: unknown): MssqlModule {
  return ((m as { default?: MssqlModule }).default ?? m) as MssqlModule;
}

async function defaultLoader(name: 'mssql' | 'mssql/msnodesqlv8'): Promise<MssqlModule> {
  if (name === 'mssql') return pick(await import('mssql'));
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
    hint: `install it beside the executable (in ${exeDir}: npm install mssql msnodesqlv8) with the ODBC Driver 18 (or 17) for SQL Server, or use a SQL login (User ID / Password) in cpointsoftware.config`,
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

export interface OpenOptions {
  hostPlatform?: NodeJS.Platform;
  load?: ModuleLoader;
}

export class MssqlStore implements DatabaseStore {
  readonly description: string;
  private journalReady = false;

  private constructor(
    private readonly sql: MssqlModule,
    private readonly pool: MssqlPool,
    private readonly connection: ParsedConnection,
    /** Integrated Security: the ODBC driver that answered (the script sessions use it too). */
    private readonly odbcDriver: string | undefined,
  ) {
    this.description = describeConnection(connection) + (odbcDriver ? ` via ${odbcDriver}` : '');
  }

  static async open(connection: ParsedConnection, options: OpenOptions = {}): Promise<MssqlStore> {
    const hostPlatform = options.hostPlatform ?? process.platform;
    if (connection.integratedSecurity && hostPlatform !== 'win32') {
      throw new AltazionError('E_CONFIG', `the connection uses Integrated Security, which needs Windows (this machine runs ${hostPlatform})`, {
        hint: 'use a SQL login (User ID / Password) in cpointsoftware.config to reach the server from here',
      });
    }
    const load = options.load ?? defaultLoader;
    return MssqlStore.openWith(await load(connection.integratedSecurity ? 'mssql/msnodesqlv8' : 'mssql'), connection);
  }

  /** Opens with a given mssql module (mssql, mssql/msnodesqlv8, or a recording stand-in in tests). */
  static async openWith(sql: MssqlModule, connection: ParsedConnection): Promise<MssqlStore> {
    const unreachable = (error: unknown) => new AltazionError('E_DATABASE', `cannot connect to ${describeConnection(connection)}: ${(error as Error).message}`, {
      target: describeConnection(connection),
      hint: 'check the connection string in cpointsoftware.config, that SQL Server accepts TCP connections, and the firewall',
      cause: error,
    });
    if (!connection.integratedSecurity) {
      const pool = new sql.ConnectionPool(toMssqlConfig(connection));
      try { await pool.connect(); } catch (error) { throw unreachable(error); }
      return new MssqlStore(sql, pool, connection, undefined);
    }
    // Integrated Security: ODBC Driver 18, else 17 (whichever is installed).
    const missing: string[] = [];
    for (const driver of ODBC_DRIVERS) {
      const pool = new sql.ConnectionPool({ ...toMssqlConfig(connection), connectionString: odbcConnectionString(connection, driver) });
      try {
        await pool.connect();
        return new MssqlStore(sql, pool, connection, driver);
      } catch (error) {
        if (!isDriverMissing(error)) throw unreachable(error);
        missing.push(driver);
      }
    }
    throw new AltazionError('E_CONFIG', `Integrated Security needs an ODBC driver for SQL Server: neither ${missing.join(' nor ')} is installed`, {
      hint: 'install the Microsoft ODBC Driver 18 for SQL Server on this server, or use a SQL login (User ID / Password) in cpointsoftware.config',
    });
  }

  private config(dedicated: boolean): MssqlConfig {
    const config = toMssqlConfig(this.connection, { dedicated });
    if (this.odbcDriver) config.connectionString = odbcConnectionString(this.connection, this.odbcDriver);
    return config;
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
    const rows = async <T>(text: string) => ((await this.request().query(text)).recordset ?? []) as unknown as T;
    return catalogFromRows({
      objects: await rows<CatalogRows['objects']>(SQL_CATALOG_OBJECTS),
      columns: await rows<CatalogRows['columns']>(SQL_CATALOG_COLUMNS),
      keys: await rows<NonNullable<CatalogRows['keys']>>(SQL_CATALOG_KEYS),
      foreignKeys: await rows<NonNullable<CatalogRows['foreignKeys']>>(SQL_CATALOG_FOREIGN_KEYS),
      checks: await rows<NonNullable<CatalogRows['checks']>>(SQL_CATALOG_CHECKS),
      indexes: await rows<NonNullable<CatalogRows['indexes']>>(SQL_CATALOG_INDEXES),
      schemas: await rows<NonNullable<CatalogRows['schemas']>>(SQL_CATALOG_SCHEMAS),
      types: await rows<NonNullable<CatalogRows['types']>>(SQL_CATALOG_TYPES),
      collation: String((await rows<Array<{ collation?: string }>>(SQL_DATABASE_COLLATION))[0]?.collation ?? '') || undefined,
    });
  }

  async changeMarker(): Promise<string> {
    const row = (await this.request().batch(SQL_CHANGE_MARKER)).recordset?.[0] ?? {};
    return ['objects', 'schemas', 'types', 'collation', 'journal'].map((k) => `${k}=${String(row[k] ?? '')}`).join(';');
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

  /** One batch (each run of `GO n`), its PRINT output and row counts reported to the observer. */
  private async runBatch(parent: MssqlPool | MssqlTransaction, batch: Batch, observer: ScriptObserver | undefined): Promise<void> {
    for (let run = 1; run <= batch.repeat; run++) {
      const messages: string[] = [];
      const started = process.hrtime.bigint();
      const request = this.request(parent).on('info', (info) => messages.push(info.message));
      const result = await request.batch(batch.text);
      const outcome: BatchOutcome = { batch: batch.index, run, messages, rowsAffected: result.rowsAffected ?? [], durationMs: Number(process.hrtime.bigint() - started) / 1e6 };
      observer?.batchDone?.(outcome);
    }
  }

  private async sessionId(session: MssqlPool): Promise<number> {
    return Number((await this.request(session).query(SQL_SESSION_ID)).recordset?.[0]?.spid);
  }

  async runScript(entry: DatabaseScriptEntry, batches: readonly Batch[], observer?: ScriptObserver): Promise<void> {
    await this.ensureJournal();
    // The script's own connection, with SSMS's SET block: nothing leaks in from another script or out to the next.
    const session = new this.sql.ConnectionPool(this.config(true));
    try {
      await session.connect();
    } catch (error) {
      throw new AltazionError('E_DATABASE', `script ${entry.id}: cannot open its connection to ${this.description}: ${(error as Error).message}`, { target: entry.id, cause: error });
    }
    try {
      await this.request(session).batch(SQL_SESSION_OPTIONS);
      if (!entry.transactional) return await this.runAlone(entry, batches, session, observer);
      await this.request(session).batch(SQL_XACT_ABORT_ON);
      const tx = new this.sql.Transaction(session);
      await tx.begin();
      let current: Batch | undefined;
      try {
        for (const batch of batches) {
          current = batch;
          await this.runBatch(tx, batch, observer);
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
    } finally {
      await session.close().catch(() => undefined);
    }
  }

  /** A non-transactional script: every batch on the one session, checked by its id. */
  private async runAlone(entry: DatabaseScriptEntry, batches: readonly Batch[], session: MssqlPool, observer: ScriptObserver | undefined): Promise<void> {
    const spid = await this.sessionId(session);
    await this.record(this.pool, entry, false, { prepared: true, executed: false, validated: false });
    for (const batch of batches) {
      try {
        await this.runBatch(session, batch, observer);
      } catch (error) {
        throw this.failure(entry, batch, error, false);
      }
      const now = await this.sessionId(session);
      if (now !== spid) {
        throw new ScriptFailedError({ scriptId: entry.id, batch: batch.index, sqlMessage: `the connection to SQL Server was replaced after this batch (session ${spid}, now ${now}): the rest of the script would not run in the same session` }, false);
      }
    }
    await this.record(this.pool, entry, false, { prepared: true, executed: true, validated: true });
  }

  async markApplied(entry: DatabaseScriptEntry): Promise<void> {
    await this.ensureJournal();
    await this.record(this.pool, entry, false, { prepared: true, executed: false, validated: true });
  }

  async recordRelease(version: string): Promise<void> {
    await this.ensureJournal();
    await this.record(this.pool, { version, number: 0 }, true, { prepared: true, executed: true, validated: true });
  }

  async backupDatabase(folder: string, name: string): Promise<string> {
    // The path is the server's: SQL Server writes the file, with its service account's rights.
    const separator = folder.includes('/') && !folder.includes('\\') ? '/' : '\\';
    const file = `${folder.replace(/[\\/]+$/, '')}${separator}${name}`;
    const command = backupCommand(file);
    await this.request(this.pool, command).batch(command.text);
    return file;
  }

  /** Runs one batch outside any transaction (administration: scratch databases in tests). */
  async execute(batchText: string): Promise<MssqlResult> {
    return this.request().batch(batchText);
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}

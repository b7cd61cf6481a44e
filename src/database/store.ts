// One interface for the two databases the flows work with: SQL Server (sqlserver/mssql-store.ts) and the
// sandbox's simulated database (src/sandbox/database/store.ts). Everything above it (flow/) is the same for both.
import { AltazionError } from '../core/errors';
import { msg } from '../core/messages';
import type { DatabaseScriptEntry } from '../core/package-manifest';
import type { Batch } from './batches';
import type { Catalog } from './catalog';
import type { JournalRow } from './journal-sql';

/** What one batch of a script did, for the install log. */
export interface BatchOutcome {
  /** 1-based batch index in the script. */
  batch: number;
  /** Which run of a `GO n` batch (1-based). */
  run: number;
  /** PRINT output and informational messages, in order. */
  messages: string[];
  /** Rows affected, one count per statement that reported one. */
  rowsAffected: number[];
  durationMs: number;
}

export interface ScriptObserver {
  batchDone?(outcome: BatchOutcome): void;
}

export interface DatabaseStore {
  /** `sql01\INST / Equihira (SQL login altazion)` or `sandbox <dir>`: never a password. */
  readonly description: string;
  readJournal(): Promise<JournalRow[]>;
  readCatalog(): Promise<Catalog>;
  /**
   * A cheap fingerprint of everything an analysis reads: the catalog's shape (objects, their last
   * modification, schemas, user types, collation) and the journal. Equal markers: the analysis of
   * the same package gives the same result, so it can be reused.
   */
  changeMarker(): Promise<string>;
  /**
   * Runs a script's batches and records its journal row (executed, validated). Transactional
   * scripts run in one transaction with the row: all or nothing. Non-transactional ones run alone:
   * a "prepared" row first, the batches, then the row is validated. On failure a "prepared, not
   * validated" row is left (status Failed) and a ScriptFailedError is thrown.
   */
  runScript(entry: DatabaseScriptEntry, batches: readonly Batch[], observer?: ScriptObserver): Promise<void>;
  /** Records a script the admin ran by hand (validated, not executed). */
  markApplied(entry: DatabaseScriptEntry): Promise<void>;
  /** Records that every script of a package version is applied (the release "root" row). */
  recordRelease(version: string): Promise<void>;
  /**
   * A COPY_ONLY full backup of the database (it does not disturb the customer's backup chain) into
   * `folder` (a folder as the database server sees it); returns the backup file.
   */
  backupDatabase(folder: string, name: string): Promise<string>;
  close(): Promise<void>;
}

export interface ScriptFailure {
  scriptId: string;
  /** 1-based batch index in the script. */
  batch: number;
  /** Line in the script (batch start line + the server's line in the batch - 1), when known. */
  line?: number;
  /** The server's own message. */
  sqlMessage: string;
  sqlNumber?: number;
}

/** A script failed: SQL Server's message, the script, the batch and the line (SPEC §7, issue 5). */
export class ScriptFailedError extends AltazionError {
  readonly failure: ScriptFailure;
  constructor(failure: ScriptFailure, rolledBack: boolean) {
    const where = failure.line ? msg('db.failedAtLine', { batch: failure.batch, line: failure.line }) : msg('db.failedAt', { batch: failure.batch });
    const error = failure.sqlNumber ? msg('db.sqlError', { message: failure.sqlMessage, number: failure.sqlNumber }) : failure.sqlMessage;
    super('E_DATABASE', msg('db.scriptFailed', { id: failure.scriptId, where, error }), {
      target: failure.scriptId,
      hint: msg(rolledBack ? 'db.scriptFailedRolledBack' : 'db.scriptFailedPartly'),
    });
    this.failure = failure;
  }
}

/** Structural check: survives a module loaded twice (tests mixing require and import). */
export function isScriptFailure(error: unknown): error is ScriptFailedError {
  return error instanceof Error && (error as Partial<ScriptFailedError>).code === 'E_DATABASE' && typeof (error as Partial<ScriptFailedError>).failure === 'object';
}

/** SQL Server's line in a batch -> line in the script. */
export function scriptLine(batch: Batch, lineInBatch: number | undefined): number | undefined {
  return lineInBatch && lineInBatch > 0 ? batch.startLine + lineInBatch - 1 : undefined;
}

// Shapes shared by the repair checks (SPEC §8). A check is a small object: an id and a run()
// that returns Altazion.RepairResult records. Decisions live in decisions.ts (pure); checks do the
// effects through the platform and the file system.
import type { Context } from '../context/context';
import { AltazionError } from '../core/errors';
import { recordText, type Message } from '../core/messages';
import type { RepairResultRecord, RepairStatus } from '../core/records';
import type { RepairFacts } from './facts';

export interface RepairRunOptions {
  /** Report WouldFix and change nothing. */
  dryRun: boolean;
  /** Apply the fixes (false with --dry-run). */
  fix: boolean;
  /** An error that decides the exit code beyond Failed (e.g. a refused journal: bad input, exit 2). */
  report?: (error: AltazionError) => void;
}

/** The command context plus the facts gathered once per repair run and shared by the checks. */
export type RepairContext = Context & { readonly facts: RepairFacts };

export interface RepairCheck {
  readonly id: string;
  /** One line for --help. */
  readonly describe: string;
  run(ctx: RepairContext, options: RepairRunOptions): Promise<RepairResultRecord[]>;
}

/** One record; Detail and Action as messages (worded by the portal) or plain text. */
export function result(Check: string, Target: string, Status: RepairStatus, detail: string | Message, action: string | Message = ''): RepairResultRecord {
  return { Check, Target, Status, ...recordText('Detail', detail), ...recordText('Action', action) };
}

/** The status of a problem we know how to fix: WouldFix with --dry-run, else Fixed/Failed by the outcome. */
export function fixedOr(options: RepairRunOptions): RepairStatus {
  return options.fix ? 'Fixed' : 'WouldFix';
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** An error as a message parameter: its message when it has one, else its text (data). */
export function errorParam(error: unknown): Message | string {
  return error instanceof AltazionError ? error.worded : errorText(error);
}

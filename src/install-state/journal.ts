// The install journal (SPEC §6 step 5): bin/updates/journal/<id>.json, rewritten atomically BEFORE
// each step that changes something, with the step about to run, the paths involved and the prior
// state of every pool and service (recorded with the first offline step). Steps that only read, or
// that an earlier entry already covers, are not rewritten (src/install/apply.ts says which). After
// a crash it is all the next run needs to put the module back (before the point of no return) or
// to finish the install (after it); src/install/journal-rules.ts says which journals recovery may
// obey. Removed when the install is over. It sits below discovery because `get` reads it too.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { InstanceLayout } from '../config/paths';
import { writeFileAtomic } from '../io/files';
import type { PoolState, ServiceState } from '../platform/types';

/** The journaled steps, in the order an install runs them. */
export const INSTALL_STEPS = [
  'stage',
  'hook:STARTUPDATE',
  'app-offline',
  'stop-pools',
  'stop-service',
  'wait-handles',
  'hook:PREBACKUP',
  'swap-out',
  'hook:POSTBACKUP',
  'hook:PREINSTALL',
  'swap-in',
  'verify',
  // The point of no return: the new folder is in place and verified; from here a crash is finished forward.
  'hook:POSTINSTALL',
  'start-service',
  'start-pools',
  'app-online',
  'health',
  'hook:ENDUPDATE',
] as const;
export type InstallStep = (typeof INSTALL_STEPS)[number];
export const POINT_OF_NO_RETURN: InstallStep = 'hook:POSTINSTALL';

export function stepIndex(step: InstallStep): number {
  return INSTALL_STEPS.indexOf(step);
}

export interface InstallJournal {
  schemaVersion: 1;
  id: string;
  module: string;
  instance: string;
  kind: 'web' | 'service';
  fromVersion: string;
  toVersion: string;
  modulePath: string;
  stagingPath: string;
  /** The old folder after the first rename (beside the module until archived). */
  backupPath: string;
  /** Where a rolled-back new folder is parked before deletion. */
  failedPath: string;
  appOfflinePath: string | null;
  /** Whether an app_offline.htm was already there before the install (then it is left alone). */
  appOfflineExisted: boolean;
  pools: Array<{ name: string; prior: PoolState }>;
  service: { name: string; prior: ServiceState } | null;
  step: InstallStep;
  /** 'forward' while installing; 'rollback' once a failure decided to put things back. */
  direction: 'forward' | 'rollback';
  pid: number;
  host: string;
  /** What tells the installing process from a later one with the same pid (src/io/process-identity.ts). */
  process?: { start?: string; token?: string };
  requestedBy: string;
  startedAt: string;
  /** When the module went offline (for the downtime of an install finished by recovery). */
  offlineAt?: string;
  logPath: string;
  error?: string;
}

export function journalPath(layout: InstanceLayout, id: string): string {
  return path.join(layout.journal, `${id}.json`);
}

export function pastPointOfNoReturn(journal: InstallJournal): boolean {
  return stepIndex(journal.step) >= stepIndex(POINT_OF_NO_RETURN);
}

export async function writeJournal(layout: InstanceLayout, journal: InstallJournal): Promise<void> {
  await writeFileAtomic(journalPath(layout, journal.id), JSON.stringify(journal, null, 2));
}

export async function removeJournal(layout: InstanceLayout, id: string): Promise<void> {
  await fs.rm(journalPath(layout, id), { force: true });
}

export interface JournalFile { file: string; journal?: InstallJournal; problem?: string }

/**
 * Every journal on disk (unreadable ones reported with their problem, never deleted silently).
 * `journal` is only the parsed JSON: journalProblem (src/install/journal-rules.ts) says whether to obey it.
 */
export async function readJournals(layout: InstanceLayout): Promise<JournalFile[]> {
  const names = await fs.readdir(layout.journal).catch(() => [] as string[]);
  const out: JournalFile[] = [];
  for (const name of names.filter((n) => n.endsWith('.json') && !n.startsWith('.')).sort()) {
    const file = path.join(layout.journal, name);
    try {
      const journal = JSON.parse(await fs.readFile(file, 'utf8')) as InstallJournal;
      if (!journal || typeof journal !== 'object' || journal.schemaVersion !== 1 || !INSTALL_STEPS.includes(journal.step)) out.push({ file, problem: 'unknown journal format (schemaVersion, step)' });
      else out.push({ file, journal });
    } catch (error) {
      out.push({ file, problem: (error as Error).message });
    }
  }
  return out;
}

// The service's latest look at the database, for `get` (issue 21): the service asks the database
// every minute (one marker query while nothing changed) and leaves what it found here, so a `get`
// on the console does not load the SQL Server driver and log in only to learn that nothing changed.
// `get` trusts it only when it is recent, for the same connection and package, and when no database
// change of ours started or ended after the check began; anything else asks the database as before.
// Two files under bin\updates\database (written by SYSTEM or administrators only):
// - service-check.json: the check (written by the service after each successful check, removed
//   when a check fails);
// - changes.json: when our installs last changed the database (written before and after a change).
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../../io/files';
import type { InstanceLayout } from '../../config/paths';
import type { DatabaseStatusRecord } from './records';

/** How often the service asks, and how old a check `get` still trusts (one missed beat allowed). */
export const SERVICE_CHECK_INTERVAL_MS = 60_000;
export const SERVICE_CHECK_MAX_AGE_MS = 90_000;

export interface ServiceCheck {
  format: 1;
  /** The default connection as configured, password hidden: another connection is another database. */
  connection: string;
  /** The store's description and change marker, and the snapshot key the status was computed for. */
  server: string;
  marker: string;
  key: string;
  /** When the check began (before the marker query): changes after it are not in it. */
  startedAt: string;
  checkedBy: string;
  status: DatabaseStatusRecord;
}

export interface DatabaseChanges {
  format: 1;
  /** True from before an install's first change until after its last (left true by a killed install). */
  running: boolean;
  at: string;
  pid: number;
}

export type CheckVerdict = { trusted: true; ageMs: number } | { trusted: false; why: string };

/** Whether `get` may show the service's check instead of asking the database (pure). */
export function judgeServiceCheck(check: ServiceCheck | undefined, now: Date, expected: { connection: string; key: (server: string, marker: string) => string }, changes: DatabaseChanges | undefined, maxAgeMs = SERVICE_CHECK_MAX_AGE_MS): CheckVerdict {
  if (!check || check.format !== 1 || !check.status) return { trusted: false, why: 'the service has not checked it' };
  if (check.connection !== expected.connection) return { trusted: false, why: 'the connection changed since the service checked it' };
  const started = Date.parse(check.startedAt);
  const ageMs = now.getTime() - started;
  // A clock set back makes a check look younger than it is: distrust it as well.
  if (!Number.isFinite(started) || ageMs < 0 || ageMs > maxAgeMs) return { trusted: false, why: `the service's check is ${Number.isFinite(ageMs) ? Math.round(ageMs / 1000) : '?'} s old` };
  if (changes) {
    if (changes.running) return { trusted: false, why: `a database change started at ${changes.at} (pid ${changes.pid}) has not finished` };
    const changed = Date.parse(changes.at);
    if (!Number.isFinite(changed) || changed >= started) return { trusted: false, why: 'the database was changed after the service checked it' };
  }
  if (check.key !== expected.key(check.server, check.marker)) return { trusted: false, why: 'the database package or a kept baseline changed since the service checked it' };
  return { trusted: true, ageMs };
}

const checkFile = (layout: Pick<InstanceLayout, 'updates'>) => path.join(layout.updates, 'database', 'service-check.json');
const changesFile = (layout: Pick<InstanceLayout, 'updates'>) => path.join(layout.updates, 'database', 'changes.json');

async function readJson<T>(file: string): Promise<T | undefined | 'unreadable'> {
  const text = await fs.readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? undefined : 'unreadable' as const));
  if (text === undefined || text === 'unreadable') return text;
  try {
    return JSON.parse(text) as T;
  } catch {
    return 'unreadable';
  }
}

/** The service's check (undefined when absent or damaged: then the database is asked). */
export async function readServiceCheck(layout: Pick<InstanceLayout, 'updates'>): Promise<ServiceCheck | undefined> {
  const found = await readJson<ServiceCheck>(checkFile(layout));
  return found === 'unreadable' ? undefined : found;
}

/** Our installs' latest change; a damaged or unreadable file reads as a change running now (distrust). */
export async function readDatabaseChanges(layout: Pick<InstanceLayout, 'updates'>): Promise<DatabaseChanges | undefined> {
  const found = await readJson<DatabaseChanges>(changesFile(layout));
  return found === 'unreadable' ? { format: 1, running: true, at: 'unknown', pid: 0 } : found;
}

export async function writeServiceCheck(layout: Pick<InstanceLayout, 'updates'>, check: ServiceCheck): Promise<void> {
  await writeFileAtomic(checkFile(layout), JSON.stringify(check));
}

export async function removeServiceCheck(layout: Pick<InstanceLayout, 'updates'>): Promise<void> {
  await fs.rm(checkFile(layout), { force: true });
}

/**
 * Before the first change and after the last one of an install: a check that began before the end
 * of a change is never trusted. Not best effort: a change that cannot be marked is not made.
 */
export async function markDatabaseChanges(layout: Pick<InstanceLayout, 'updates'>, running: boolean, now: Date, pid: number): Promise<void> {
  const changes: DatabaseChanges = { format: 1, running, at: now.toISOString(), pid };
  await writeFileAtomic(changesFile(layout), JSON.stringify(changes));
}

// When `get` may show the service's latest check of the database instead of asking it (issue 21;
// the files and who writes them: flow/service-check.ts). Pure: the caller reads the files and the clock.
import type { DatabaseStatusRecord } from './flow/records';

/** How often the service asks, and how old a check `get` still trusts (one missed beat allowed). */
export const SERVICE_CHECK_INTERVAL_MS = 60_000;
export const SERVICE_CHECK_MAX_AGE_MS = 90_000;

export interface ServiceCheck {
  format: 1;
  /** The default connection as configured, password hidden: another connection is another database. */
  connection: string;
  /** The store's description and change marker, and the snapshot key the status was computed for (the caller compares it with the key the same server and marker have now). */
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
export function judgeServiceCheck(check: ServiceCheck | undefined, now: Date, expected: { connection: string; key: string }, changes: DatabaseChanges | undefined, maxAgeMs = SERVICE_CHECK_MAX_AGE_MS): CheckVerdict {
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
  if (check.key !== expected.key) return { trusted: false, why: 'the database package or a kept baseline changed since the service checked it' };
  return { trusted: true, ageMs };
}


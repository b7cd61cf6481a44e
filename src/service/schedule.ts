// When the service checks the feed next (pure). Many servers installed the same day must not all
// hit the publisher at the same minute: every interval gets a random jitter. A failing feed is
// retried sooner than the interval but with exponential backoff, so an outage is not hammered.

export interface ScheduleOptions {
  intervalMinutes: number;
  /** Fraction of the interval added or removed at random (0.1 = +/-10%). */
  jitterFraction: number;
}

export const DEFAULT_JITTER_FRACTION = 0.1;
const MINUTE = 60_000;

/**
 * Delay before the next regular check. `random` is a number in [0, 1) (Math.random at the edge);
 * the jitter is symmetric so the mean stays the configured interval. Never less than a minute.
 */
export function nextCheckDelayMs(options: ScheduleOptions, random: number): number {
  const base = Math.max(1, options.intervalMinutes) * MINUTE;
  const jitter = Math.min(Math.max(options.jitterFraction, 0), 0.5);
  const r = Math.min(Math.max(random, 0), 1);
  return Math.max(MINUTE, Math.round(base * (1 + jitter * (2 * r - 1))));
}

export interface BackoffOptions {
  /** First retry delay after a failure. */
  baseMs: number;
  /** Upper bound: never wait longer than this between retries (the regular interval, at most). */
  maxMs: number;
}

/**
 * Delay before retrying after `failures` consecutive failed checks (1 = the first failure):
 * base * 2^(failures-1), capped at maxMs, with "equal jitter" (half fixed, half random) so
 * retries of many servers spread out and the delay still grows.
 */
export function backoffDelayMs(failures: number, options: BackoffOptions, random: number): number {
  if (failures <= 0) return 0;
  const exponent = Math.min(failures - 1, 30);
  const capped = Math.min(options.maxMs, options.baseMs * 2 ** exponent);
  const r = Math.min(Math.max(random, 0), 1);
  return Math.round(capped / 2 + (capped / 2) * r);
}

/** The delay after a check: the regular interval after a success, backoff after a failure. */
export function delayAfterCheck(consecutiveFailures: number, schedule: ScheduleOptions, backoffBaseMs: number, random: number): number {
  const regular = nextCheckDelayMs(schedule, random);
  if (consecutiveFailures === 0) return regular;
  return Math.min(regular, backoffDelayMs(consecutiveFailures, { baseMs: backoffBaseMs, maxMs: regular }, random));
}

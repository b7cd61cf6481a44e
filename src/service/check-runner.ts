// The periodic check (SPEC §9): never two at once in this process (the loop and the portal's
// "check now" share one runner: a second request joins the running check), exponential backoff
// while the feed is down, jittered interval otherwise.
import { delayAfterCheck, type ScheduleOptions } from './schedule';

export interface CheckRunnerOptions {
  /** One check; throws when the feed is unreachable or invalid. */
  check: (signal: AbortSignal) => Promise<void>;
  /** The interval and jitter; a function is asked again before each wait (config edits apply). */
  schedule: ScheduleOptions | (() => Promise<ScheduleOptions>);
  /** First retry delay after a failed check. */
  backoffBaseMs: number;
  random: () => number;
  /** Waits `ms` or until the signal aborts (resolves either way). */
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  log: (level: 'info' | 'warning', message: string) => void;
  /** Delay before the first check after start. */
  firstDelayMs: number;
}

export interface CheckResult { ok: boolean; error?: string; at: Date }

export class CheckRunner {
  private running: Promise<CheckResult> | undefined;
  private failures = 0;
  private last: CheckResult | undefined;
  /** Number of checks actually started (joins do not count). */
  started = 0;

  constructor(private readonly options: CheckRunnerOptions) {}

  get busy(): boolean { return this.running !== undefined; }
  get lastResult(): CheckResult | undefined { return this.last; }
  get consecutiveFailures(): number { return this.failures; }

  /** Runs a check now, or joins the one already running. */
  trigger(signal: AbortSignal): Promise<CheckResult> {
    if (this.running) return this.running;
    this.started++;
    this.running = (async () => {
      try {
        await this.options.check(signal);
        this.failures = 0;
        this.last = { ok: true, at: new Date() };
      } catch (error) {
        this.failures++;
        this.last = { ok: false, error: (error as Error).message ?? String(error), at: new Date() };
        this.options.log('warning', `check failed (${this.failures} in a row): ${this.last.error}`);
      } finally {
        this.running = undefined;
      }
      return this.last!;
    })();
    return this.running;
  }

  /** The loop: check, wait (interval with jitter, or backoff after failures), until aborted. */
  async loop(signal: AbortSignal): Promise<void> {
    await this.options.sleep(this.options.firstDelayMs, signal);
    while (!signal.aborted) {
      await this.trigger(signal);
      if (signal.aborted) break;
      const schedule = typeof this.options.schedule === 'function' ? await this.options.schedule() : this.options.schedule;
      const delay = delayAfterCheck(this.failures, schedule, this.options.backoffBaseMs, this.options.random());
      this.options.log('info', `next check in ${Math.round(delay / 1000)} s`);
      await this.options.sleep(delay, signal);
    }
  }
}

/** setTimeout that an AbortSignal cuts short. */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) { resolve(); return; }
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

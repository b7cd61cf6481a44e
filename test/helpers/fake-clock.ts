// A clock the tests control, for loops that take `now` and `sleep`: nothing waits for real. The
// loop under test calls sleep(); the test waits until it does (asleep), moves time (advance or
// set) and ends that wait, and the loop looks again at the new time.
export class FakeClock {
  private time: number;
  private waiter: (() => void) | undefined;
  private onSleep: Array<() => void> = [];
  /** Every delay the loop asked to wait, in order. */
  readonly sleeps: number[] = [];

  constructor(start: Date) { this.time = start.getTime(); }

  now = (): Date => new Date(this.time);

  sleep = (ms: number, signal: AbortSignal): Promise<void> => new Promise<void>((resolve) => {
    this.sleeps.push(ms);
    const done = () => { if (this.waiter === done) this.waiter = undefined; resolve(); };
    this.waiter = done;
    signal.addEventListener('abort', done, { once: true });
    for (const notify of this.onSleep.splice(0)) notify();
  });

  /** Resolves when the loop is waiting (now, or at its next wait). */
  asleep(): Promise<void> {
    return this.waiter ? Promise.resolve() : new Promise((resolve) => this.onSleep.push(resolve));
  }

  /** Waits for the loop to sleep, sets the time, ends the wait, and waits for the loop to sleep again. */
  async set(date: Date): Promise<void> {
    await this.asleep();
    this.time = date.getTime();
    const wake = this.waiter;
    const next = new Promise<void>((resolve) => this.onSleep.push(resolve));
    wake?.();
    await next;
  }
}

import { expect } from 'chai';
import { CheckRunner } from '../../../src/service/check-runner';

/** A runner whose sleeps are recorded and resolve at once; checks are scripted outcomes. */
function scripted(outcomes: Array<'ok' | 'fail'>, options: { stopAfter: number }) {
  const sleeps: number[] = [];
  const stop = new AbortController();
  let calls = 0;
  const runner = new CheckRunner({
    check: async () => {
      const outcome = outcomes[calls++] ?? 'ok';
      if (outcome === 'fail') throw new Error('feed unreachable');
    },
    schedule: { intervalMinutes: 60, jitterFraction: 0 },
    backoffBaseMs: 60_000,
    random: () => 1,
    sleep: async (ms) => {
      sleeps.push(ms);
      if (sleeps.length > options.stopAfter) stop.abort();
    },
    log: () => undefined,
    firstDelayMs: 5_000,
  });
  return { runner, sleeps, stop, calls: () => calls };
}

describe('service check runner', () => {
  it('waits the interval after successes and backs off exponentially during an outage, then recovers', async () => {
    const { runner, sleeps, stop } = scripted(['ok', 'fail', 'fail', 'fail', 'ok', 'ok'], { stopAfter: 6 });
    await runner.loop(stop.signal);
    expect(sleeps).to.deep.equal([5_000, 3_600_000, 60_000, 120_000, 240_000, 3_600_000, 3_600_000]);
    expect(runner.consecutiveFailures).to.equal(0);
    expect(runner.lastResult?.ok).to.equal(true);
  });

  it('asks a schedule function again before each wait (a changed interval applies)', async () => {
    const stop = new AbortController();
    const intervals = [60, 30, 10];
    const sleeps: number[] = [];
    const runner = new CheckRunner({
      check: async () => undefined,
      schedule: async () => ({ intervalMinutes: intervals.shift() ?? 10, jitterFraction: 0 }),
      backoffBaseMs: 60_000, random: () => 0.5,
      sleep: async (ms) => { sleeps.push(ms); if (sleeps.length > 3) stop.abort(); },
      log: () => undefined, firstDelayMs: 0,
    });
    await runner.loop(stop.signal);
    expect(sleeps).to.deep.equal([0, 3_600_000, 1_800_000, 600_000]);
  });

  it('survives a check that throws and records the error', async () => {
    const { runner, stop } = scripted(['fail'], { stopAfter: 1 });
    await runner.loop(stop.signal);
    expect(runner.lastResult).to.include({ ok: false, error: 'feed unreachable' });
    expect(runner.consecutiveFailures).to.equal(1);
  });

  it('never runs two checks at once: a second trigger joins the running one', async () => {
    let running = 0;
    let maxRunning = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    const runner = new CheckRunner({
      check: async () => { running++; maxRunning = Math.max(maxRunning, running); await gate; running--; },
      schedule: { intervalMinutes: 60, jitterFraction: 0 }, backoffBaseMs: 1000, random: () => 0.5,
      sleep: async () => undefined, log: () => undefined, firstDelayMs: 0,
    });
    const signal = new AbortController().signal;
    const a = runner.trigger(signal);
    const b = runner.trigger(signal);
    expect(runner.busy).to.equal(true);
    expect(b).to.equal(a);
    release();
    await Promise.all([a, b]);
    expect(maxRunning).to.equal(1);
    expect(runner.started).to.equal(1);
    expect(runner.busy).to.equal(false);
    await runner.trigger(signal);
    expect(runner.started).to.equal(2);
  });

  it('stops promptly when aborted during a wait', async () => {
    const stop = new AbortController();
    const runner = new CheckRunner({
      check: async () => undefined, schedule: { intervalMinutes: 60, jitterFraction: 0 }, backoffBaseMs: 1000, random: () => 0.5,
      sleep: (ms, signal) => new Promise((resolve) => { const t = setTimeout(resolve, ms); signal.addEventListener('abort', () => { clearTimeout(t); resolve(); }); }),
      log: () => undefined, firstDelayMs: 0,
    });
    const loop = runner.loop(stop.signal);
    setTimeout(() => stop.abort(), 50);
    const started = Date.now();
    await loop;
    expect(Date.now() - started).to.be.below(5_000);
    expect(runner.started).to.equal(1);
  });
});

import { expect } from 'chai';
import { backoffDelayMs, delayAfterCheck, nextCheckDelayMs } from '../../../src/service/schedule';

const MIN = 60_000;

describe('service schedule (pure)', () => {
  it('spreads the interval symmetrically by the jitter fraction', () => {
    const opts = { intervalMinutes: 240, jitterFraction: 0.1 };
    expect(nextCheckDelayMs(opts, 0)).to.equal(216 * MIN);
    expect(nextCheckDelayMs(opts, 0.5)).to.equal(240 * MIN);
    expect(nextCheckDelayMs(opts, 0.999999)).to.be.closeTo(264 * MIN, 100);
  });

  it('different random draws give different delays within the bounds', () => {
    const opts = { intervalMinutes: 60, jitterFraction: 0.2 };
    const delays = [0.1, 0.3, 0.7, 0.9].map((r) => nextCheckDelayMs(opts, r));
    expect(new Set(delays).size).to.equal(4);
    for (const d of delays) expect(d).to.be.within(48 * MIN, 72 * MIN);
  });

  it('never schedules below a minute, even with odd settings', () => {
    expect(nextCheckDelayMs({ intervalMinutes: 0, jitterFraction: 0.5 }, 0)).to.equal(MIN);
    expect(nextCheckDelayMs({ intervalMinutes: 1, jitterFraction: 5 }, 0)).to.equal(MIN);
  });

  it('backs off exponentially after consecutive failures, capped', () => {
    const o = { baseMs: 60_000, maxMs: 3_600_000 };
    // random = 1: the upper value of the equal-jitter window is the full capped delay.
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffDelayMs(n, o, 1))).to.deep.equal([60_000, 120_000, 240_000, 480_000, 960_000, 1_920_000, 3_600_000, 3_600_000]);
    // random = 0: half of it.
    expect(backoffDelayMs(3, o, 0)).to.equal(120_000);
    expect(backoffDelayMs(0, o, 0.5)).to.equal(0);
    expect(backoffDelayMs(1000, o, 1)).to.equal(3_600_000);
  });

  it('uses the regular interval after a success and backoff (never longer than the interval) after failures', () => {
    const schedule = { intervalMinutes: 30, jitterFraction: 0 };
    expect(delayAfterCheck(0, schedule, 60_000, 0.5)).to.equal(30 * MIN);
    expect(delayAfterCheck(1, schedule, 60_000, 1)).to.equal(60_000);
    expect(delayAfterCheck(2, schedule, 60_000, 1)).to.equal(120_000);
    expect(delayAfterCheck(20, schedule, 60_000, 1)).to.equal(30 * MIN);
  });
});

import { expect } from 'chai';
import { coalesce } from '../../../src/service/portal/cache';

describe('portal module-list cache', () => {
  it('shares one load among concurrent callers and within the TTL, reloads after it', async () => {
    let clock = 0;
    let loads = 0;
    const c = coalesce(async () => ++loads, 1000, () => clock);
    const values = await Promise.all(Array.from({ length: 200 }, () => c.get()));
    expect(new Set(values)).to.deep.equal(new Set([1]));
    clock = 999;
    expect(await c.get()).to.equal(1);
    clock = 1000;
    expect(await c.get()).to.equal(2);
    expect(loads).to.equal(2);
  });

  it('reloads at once after invalidate (an install or a check changed things)', async () => {
    let loads = 0;
    const c = coalesce(async () => ++loads, 60_000, () => 0);
    expect(await c.get()).to.equal(1);
    c.invalidate();
    expect(await c.get()).to.equal(2);
  });

  it('does not keep a failure', async () => {
    let fail = true;
    const c = coalesce(async () => { if (fail) throw new Error('boom'); return 'ok'; }, 60_000, () => 0);
    let error: unknown;
    try { await c.get(); } catch (e) { error = e; }
    expect((error as Error).message).to.equal('boom');
    fail = false;
    expect(await c.get()).to.equal('ok');
  });
});

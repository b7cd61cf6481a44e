// The pacer collects the buffers a job dropped once it has counted enough bytes, not before.
import { expect } from 'chai';
import { setImmediate as tick } from 'node:timers/promises';
import { GarbagePacer } from '../../../src/io/garbage';

describe('GarbagePacer (src/io/garbage.ts)', () => {
  it('frees a dropped buffer when the bytes counted reach its pace, and not before', async () => {
    const pacer = new GarbagePacer(1024 * 1024);
    let dropped: WeakRef<Buffer> | undefined = new WeakRef(Buffer.alloc(512 * 1024));
    // A WeakRef keeps its target for the job that made it.
    await tick();
    pacer.add(512 * 1024);
    expect(dropped.deref(), 'collected before the pace').to.not.equal(undefined);
    await tick();
    pacer.add(512 * 1024);
    expect(dropped.deref(), 'still held after the pace').to.equal(undefined);
    dropped = undefined;
  });
});

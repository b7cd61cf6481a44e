import { expect } from 'chai';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AltazionError } from '../../../src/core/errors';
import { PartialFile, writeFully } from '../../../src/feed/partial-file';

const KIB = 1024;
const tooMany = (received: number) => new AltazionError('E_PACKAGE_INTEGRITY', `more than signed (${received})`);
const diskError = (error: Error) => new AltazionError('E_DOWNLOAD', `cannot write (${error.message})`);
const block = (n: number, size = 64 * KIB) => Buffer.alloc(size, n);

/**
 * A write function whose writes (numbered by call, from 0) complete in the given order, whatever
 * the disk does: each one waits for those before it in `order`, then for one more turn of the
 * event loop, so that PartialFile has seen the previous completion before it sees this one.
 */
function completingInOrder(order: number[]) {
  const completed = order.map(() => { let done!: () => void; const promise = new Promise<void>((r) => { done = r; }); return { promise, done }; });
  let calls = 0;
  return async (f: number, chunks: Buffer[], at: number): Promise<void> => {
    const call = calls++;
    await writeFully(f, chunks, at);
    const rank = order.indexOf(call);
    await Promise.all(order.slice(0, rank).map((earlier) => completed[earlier].promise));
    await new Promise((resolve) => setImmediate(resolve));
    completed[call].done();
  };
}

describe('feed/partial-file', () => {
  let dir: string;
  let fd: number;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'altazion-partial-'));
    fd = openSync(path.join(dir, 'p.partial'), 'w');
  });
  afterEach(async () => { closeSync(fd); await rm(dir, { recursive: true, force: true }); });
  const content = () => readFileSync(path.join(dir, 'p.partial'));

  it('writes every byte at its offset while writes complete in any order, reporting the landed prefix only without holes', async () => {
    // Writes finish in reverse order: the file must still be right, and no byte after a write
    // still in flight may be reported landed (it would be hashed from disk before it is there).
    const reversed = completingInOrder([3, 2, 1, 0]);
    const landed: number[] = [];
    const file = new PartialFile(fd, 0, 10 * 64 * KIB, (end) => landed.push(end), tooMany, diskError, reversed, 0);
    const blocks = [block(1), block(2), block(3), block(4)];
    for (const b of blocks) void file.append([b], b.length);
    expect(file.writesInFlight).to.equal(4);
    await file.settled();
    expect(file.writesInFlight).to.equal(0);
    expect(file.position).to.equal(4 * 64 * KIB);
    expect(content().equals(Buffer.concat(blocks))).to.equal(true);
    expect(landed).to.deep.equal([4 * 64 * KIB]);
  });

  it('reports the landed prefix from where a resumed file starts, as the middle of three writes lands last', async () => {
    const slowMiddle = completingInOrder([0, 2, 1]);
    const landed: number[] = [];
    const file = new PartialFile(fd, 1000, 10 * 64 * KIB, (end) => landed.push(end), tooMany, diskError, slowMiddle, 0);
    for (const n of [1, 2, 3]) void file.append([block(n)], 64 * KIB);
    await file.settled();
    expect(landed).to.deep.equal([1000 + 64 * KIB, 1000 + 3 * 64 * KIB]);
  });

  it('after a failed write with later ones landing behind it, cuts the file back to the bytes before it', async () => {
    const failSecond = (f: number, chunks: Buffer[], at: number) =>
      at === 64 * KIB ? Promise.reject(Object.assign(new Error('EIO: i/o error'), { code: 'EIO' })) : writeFully(f, chunks, at);
    const landed: number[] = [];
    const file = new PartialFile(fd, 0, 10 * 64 * KIB, (end) => landed.push(end), tooMany, diskError, failSecond, 0);
    const writes = [1, 2, 3].map((n) => file.append([block(n)], 64 * KIB));
    const outcomes = await Promise.allSettled(writes);
    expect(outcomes.map((o) => o.status)).to.deep.equal(['fulfilled', 'rejected', 'fulfilled']);
    expect(content().length, 'the third write landed behind the hole').to.equal(3 * 64 * KIB);
    await file.settled();
    expect(file.failed).to.equal(true);
    expect(file.diskFailure!.message).to.contain('EIO');
    expect(file.position).to.equal(64 * KIB);
    expect(content().equals(block(1))).to.equal(true);
    expect(landed, 'nothing after the hole counts as landed').to.deep.equal([64 * KIB]);
    expect(() => file.append([block(4)], 64 * KIB)).to.throw(/EIO/);
  });

  it('gathers what arrives in one turn of the event loop into writes of up to the gather size', async () => {
    const calls: Array<{ at: number; bytes: number }> = [];
    const inOrder = completingInOrder([0, 1, 2]); // concurrent writes could otherwise land in any order
    const recorded = (f: number, chunks: Buffer[], at: number) => {
      calls.push({ at, bytes: chunks.reduce((sum, c) => sum + c.length, 0) });
      return inOrder(f, chunks, at);
    };
    const landed: number[] = [];
    const file = new PartialFile(fd, 0, 10 * 64 * KIB, (end) => landed.push(end), tooMany, diskError, recorded, 128 * KIB);
    const blocks = [1, 2, 3, 4, 5].map((n) => block(n));
    const appended = blocks.map((b) => file.append([b], b.length));
    // Two full gathers went at once; the fifth block waits for the next turn of the loop.
    expect(calls).to.deep.equal([{ at: 0, bytes: 128 * KIB }, { at: 128 * KIB, bytes: 128 * KIB }]);
    await Promise.all(appended);
    expect(calls[2]).to.deep.equal({ at: 256 * KIB, bytes: 64 * KIB });
    await file.settled();
    expect(content().equals(Buffer.concat(blocks))).to.equal(true);
    expect(landed).to.deep.equal([128 * KIB, 256 * KIB, 320 * KIB]);
  });

  it('fails every append of a gathered write that fails, and cuts the file back to its start', async () => {
    const failSecondWrite = (f: number, chunks: Buffer[], at: number) =>
      at === 128 * KIB ? Promise.reject(Object.assign(new Error('ENOSPC: no space left'), { code: 'ENOSPC' })) : writeFully(f, chunks, at);
    const file = new PartialFile(fd, 0, 10 * 64 * KIB, () => undefined, tooMany, diskError, failSecondWrite, 128 * KIB);
    const outcomes = await Promise.allSettled([1, 2, 3, 4].map((n) => file.append([block(n)], 64 * KIB)));
    expect(outcomes.map((o) => o.status)).to.deep.equal(['fulfilled', 'fulfilled', 'rejected', 'rejected']);
    await file.settled();
    expect(file.diskFailure!.message).to.contain('ENOSPC');
    expect(file.position).to.equal(128 * KIB);
    expect(content().equals(Buffer.concat([block(1), block(2)]))).to.equal(true);
  });

  it('settled() writes what is still gathered without waiting for the next turn', async () => {
    const calls: number[] = [];
    const recorded = (f: number, chunks: Buffer[], at: number) => { calls.push(at); return writeFully(f, chunks, at); };
    const file = new PartialFile(fd, 0, 10 * 64 * KIB, () => undefined, tooMany, diskError, recorded, 1024 * KIB);
    void file.append([block(9)], 64 * KIB);
    expect(calls).to.deep.equal([]);
    const settled = file.settled();
    expect(calls).to.deep.equal([0]);
    await settled;
    expect(file.writesInFlight).to.equal(0);
    expect(content().equals(block(9))).to.equal(true);
  });

  it('refuses bytes beyond the signed size before writing them', async () => {
    const landed: number[] = [];
    const file = new PartialFile(fd, 0, 100, (end) => landed.push(end), tooMany, diskError);
    await file.append([Buffer.alloc(60)], 60);
    expect(() => file.append([Buffer.alloc(41)], 41)).to.throw(/more than signed \(101\)/);
    await file.settled();
    expect(file.position).to.equal(60);
    expect(content().length).to.equal(60);
    expect(landed).to.deep.equal([60]);
  });

  it('writeFully writes several buffers at an offset', async () => {
    const chunks = [block(7, 100), block(8, 3), block(9, 200 * KIB)];
    await writeFully(fd, chunks, 10);
    expect(content().subarray(10).equals(Buffer.concat(chunks))).to.equal(true);
  });
});

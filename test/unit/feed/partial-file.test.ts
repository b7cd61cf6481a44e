import { expect } from 'chai';
import { createHash } from 'node:crypto';
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

describe('feed/partial-file', () => {
  let dir: string;
  let fd: number;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'altazion-partial-'));
    fd = openSync(path.join(dir, 'p.partial'), 'w');
  });
  afterEach(async () => { closeSync(fd); await rm(dir, { recursive: true, force: true }); });
  const content = () => readFileSync(path.join(dir, 'p.partial'));

  it('hashes in arrival order while writes complete in any order, and writes every byte at its offset', async () => {
    // Writes finish in reverse order: the file must still be right.
    const delays = [30, 20, 10, 0];
    let i = 0;
    const reversed = (f: number, chunks: Buffer[], at: number) =>
      new Promise<void>((resolve) => setTimeout(resolve, delays[i++])).then(() => writeFully(f, chunks, at));
    const hash = createHash('sha256');
    const file = new PartialFile(fd, 0, 10 * 64 * KIB, hash, tooMany, diskError, reversed);
    const blocks = [block(1), block(2), block(3), block(4)];
    for (const b of blocks) void file.append([b], b.length);
    expect(file.writesInFlight).to.equal(4);
    await file.settled();
    expect(file.writesInFlight).to.equal(0);
    expect(file.position).to.equal(4 * 64 * KIB);
    expect(content().equals(Buffer.concat(blocks))).to.equal(true);
    expect(hash.digest('hex')).to.equal(createHash('sha256').update(Buffer.concat(blocks)).digest('hex'));
  });

  it('after a failed write with later ones landing behind it, cuts the file back to the bytes before it', async () => {
    const failSecond = (f: number, chunks: Buffer[], at: number) =>
      at === 64 * KIB ? Promise.reject(Object.assign(new Error('EIO: i/o error'), { code: 'EIO' })) : writeFully(f, chunks, at);
    const file = new PartialFile(fd, 0, 10 * 64 * KIB, createHash('sha256'), tooMany, diskError, failSecond);
    const writes = [1, 2, 3].map((n) => file.append([block(n)], 64 * KIB));
    const outcomes = await Promise.allSettled(writes);
    expect(outcomes.map((o) => o.status)).to.deep.equal(['fulfilled', 'rejected', 'fulfilled']);
    expect(content().length, 'the third write landed behind the hole').to.equal(3 * 64 * KIB);
    await file.settled();
    expect(file.failed).to.equal(true);
    expect(file.diskFailure!.message).to.contain('EIO');
    expect(file.position).to.equal(64 * KIB);
    expect(content().equals(block(1))).to.equal(true);
    expect(() => file.append([block(4)], 64 * KIB)).to.throw(/EIO/);
  });

  it('refuses bytes beyond the signed size before hashing or writing them', async () => {
    const hash = createHash('sha256');
    const file = new PartialFile(fd, 0, 100, hash, tooMany, diskError);
    await file.append([Buffer.alloc(60)], 60);
    expect(() => file.append([Buffer.alloc(41)], 41)).to.throw(/more than signed \(101\)/);
    await file.settled();
    expect(file.position).to.equal(60);
    expect(content().length).to.equal(60);
    expect(hash.digest('hex')).to.equal(createHash('sha256').update(Buffer.alloc(60)).digest('hex'));
  });

  it('writeFully writes several buffers at an offset', async () => {
    const chunks = [block(7, 100), block(8, 3), block(9, 200 * KIB)];
    await writeFully(fd, chunks, 10);
    expect(content().subarray(10).equals(Buffer.concat(chunks))).to.equal(true);
  });
});

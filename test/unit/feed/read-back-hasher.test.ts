import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { sha256OfFilePrefix, startReadBackHasher } from '../../../src/feed/read-back-hasher';

const MIB = 1024 * 1024;
const sha256 = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest('hex');

describe('feed/read-back-hasher', () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'altazion-readback-'));
    file = path.join(dir, 'p.partial');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  for (const inWorker of [true, false]) describe(inWorker ? 'on a worker thread, as bytes land' : 'on this thread, once complete', () => {
    it('hashes the bytes of the file from its start as they are reported landed', async () => {
      const parts = [Buffer.alloc(3 * MIB + 5, 1), Buffer.alloc(2 * MIB, 2), Buffer.alloc(7, 3)];
      const fd = openSync(file, 'w');
      const hasher = startReadBackHasher(file, { inWorker });
      let at = 0;
      for (const part of parts) {
        writeSync(fd, part, 0, part.length, at);
        at += part.length;
        hasher.landed(at);
        await sleep(5);
      }
      closeSync(fd);
      expect(await hasher.digest(at)).to.equal(sha256(...parts));
      await hasher.dispose();
    });

    it('digests exactly the length asked, whatever follows it in the file', async () => {
      await writeFile(file, Buffer.concat([Buffer.alloc(MIB, 7), Buffer.from('trailing bytes')]));
      const hasher = startReadBackHasher(file, { inWorker });
      hasher.landed(MIB);
      expect(await hasher.digest(MIB)).to.equal(sha256(Buffer.alloc(MIB, 7)));
    });

    it('gives the hash of nothing for an empty download without opening the file', async () => {
      const hasher = startReadBackHasher(path.join(dir, 'never-created'), { inWorker });
      expect(await hasher.digest(0)).to.equal(sha256());
    });

    it('rejects, naming the file and the cause, when the file is gone', async () => {
      const hasher = startReadBackHasher(path.join(dir, 'gone.partial'), { inWorker });
      hasher.landed(10);
      const error = await hasher.digest(10).then(() => undefined, (e: Error) => e);
      expect(error?.message).to.contain('gone.partial').and.to.contain('ENOENT');
    });

    it('rejects when the file is shorter than the bytes reported landed', async () => {
      await writeFile(file, Buffer.alloc(100));
      const hasher = startReadBackHasher(file, { inWorker });
      hasher.landed(200);
      const error = await hasher.digest(200).then(() => undefined, (e: Error) => e);
      expect(error?.message).to.match(/p\.partial/);
    });
  });

  it('on a worker, never reads past the landed bytes: bytes rewritten beyond them before they land are hashed as rewritten', async () => {
    await writeFile(file, Buffer.alloc(4 * MIB, 0xaa));
    const hasher = startReadBackHasher(file, { inWorker: true });
    hasher.landed(2 * MIB);
    await sleep(200); // the worker hashes the first half, and must stop there
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.alloc(2 * MIB, 0xbb), 0, 2 * MIB, 2 * MIB);
    closeSync(fd);
    hasher.landed(4 * MIB);
    expect(await hasher.digest(4 * MIB)).to.equal(sha256(Buffer.alloc(2 * MIB, 0xaa), Buffer.alloc(2 * MIB, 0xbb)));
  });

  it('on a worker, refuses a digest shorter than what was already hashed instead of waiting forever', async () => {
    await writeFile(file, Buffer.alloc(MIB));
    const hasher = startReadBackHasher(file, { inWorker: true });
    hasher.landed(MIB);
    await sleep(100);
    const error = await hasher.digest(10).then(() => undefined, (e: Error) => e);
    expect(error?.message).to.contain(`asked for the digest of 10 bytes, ${MIB} were hashed`);
  });

  it('on a worker, dispose() stops the thread and releases the file, so it can be removed at once', async () => {
    await writeFile(file, Buffer.alloc(8 * MIB));
    const hasher = startReadBackHasher(file, { inWorker: true });
    hasher.landed(8 * MIB);
    await hasher.dispose();
    await rm(file);
    const error = await hasher.digest(8 * MIB).then(() => undefined, (e: Error) => e);
    expect(error?.message).to.contain('stopped before the digest');
  });

  it('sha256OfFilePrefix hashes the first bytes of a file', async () => {
    await writeFile(file, Buffer.from('abcdef'));
    expect(await sha256OfFilePrefix(file, 3)).to.equal(sha256(Buffer.from('abc')));
    expect(await sha256OfFilePrefix(file, 0)).to.equal(sha256());
  });
});

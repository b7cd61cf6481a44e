import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ReadBackHasher, sha256OfFilePrefix, startReadBackHasher } from '../../../src/feed/read-back-hasher';

const MIB = 1024 * 1024;
const sha256 = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest('hex');

/**
 * Waits until the worker has hashed `bytes`, however loaded the machine; fails if it hashes more.
 * The deadline only ends the wait for a worker that died (the test then fails instead of hanging).
 */
async function untilHashed(hasher: ReadBackHasher, bytes: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (hasher.hashed < bytes && Date.now() < deadline) await sleep(2);
  expect(hasher.hashed, 'bytes hashed').to.equal(bytes);
}

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
        // The worker hashes each part before the next is written; the deferred hasher none yet.
        if (inWorker) await untilHashed(hasher, at);
        else expect(hasher.hashed).to.equal(0);
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
    const split = 2 * MIB + 12345; // not a multiple of the worker's reads
    await writeFile(file, Buffer.alloc(4 * MIB, 0xaa));
    const hasher = startReadBackHasher(file, { inWorker: true });
    hasher.landed(split);
    await untilHashed(hasher, split);
    await sleep(50); // time to read further, were it to
    expect(hasher.hashed, 'the worker stops at the landed bytes').to.equal(split);
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.alloc(4 * MIB - split, 0xbb), 0, 4 * MIB - split, split);
    closeSync(fd);
    hasher.landed(4 * MIB);
    expect(await hasher.digest(4 * MIB)).to.equal(sha256(Buffer.alloc(split, 0xaa), Buffer.alloc(4 * MIB - split, 0xbb)));
  });

  it('on a worker, refuses a digest shorter than what was already hashed instead of waiting forever', async () => {
    await writeFile(file, Buffer.alloc(MIB));
    const hasher = startReadBackHasher(file, { inWorker: true });
    hasher.landed(MIB);
    await untilHashed(hasher, MIB);
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

  it('on a worker, never keeps the process alive by itself: a hasher left undisposed does not stop node from exiting', () => {
    const script = `
      const { startReadBackHasher } = require(process.argv[1]);
      require('node:fs').writeFileSync(process.argv[2], Buffer.alloc(1 << 20));
      startReadBackHasher(process.argv[2], { inWorker: true }).landed(1 << 20);`;
    const hasherSource = path.resolve(__dirname, '../../../src/feed/read-back-hasher.ts');
    // The timeout only stops a hung child: it is what a regression looks like, not a measure.
    const child = spawnSync(process.execPath, ['--import', 'tsx', '-e', script, hasherSource, file], { timeout: 30_000, encoding: 'utf8' });
    expect(child.signal, 'node did not exit: the worker holds it').to.equal(null);
    expect(child.status, child.stderr).to.equal(0);
  });

  it('sha256OfFilePrefix hashes the first bytes of a file', async () => {
    await writeFile(file, Buffer.from('abcdef'));
    expect(await sha256OfFilePrefix(file, 3)).to.equal(sha256(Buffer.from('abc')));
    expect(await sha256OfFilePrefix(file, 0)).to.equal(sha256());
  });
});

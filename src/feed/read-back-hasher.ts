// The sha256 of a download, taken from the partial file itself: the bytes are read back from disk
// (the page cache, in practice) as their writes land, and hashed from the first byte on. What is
// verified is what was written, not only what arrived, and the hashing needs no second pass.
//
// Large downloads are hashed on a worker thread, in parallel with the socket reads and the writes,
// which is what lets a verifying download keep up with curl. Measured on the 1 GiB benchmark
// (2 CPUs, 7 alternated rounds against curl, medians, 2026-12-02): downloadPackage hashing on the
// main thread as bytes arrived 0.82 x curl, reading back on a worker 1.14 (bench/download-floor.cjs
// either way: 0.94 and 1.12); `node bench/download.bench.mjs` three times since: 1.01, 1.10, 1.14,
// peak RSS 71 MB (61 before). The worker costs ~50 ms to start and ~10 MB, so small downloads are
// hashed on this thread once complete (the same read-back, only later).
//
// The worker is woken through Atomics, not messages: the main thread only stores how far the file
// has landed and notifies; the worker reads up to there, hashes, and sleeps until told more.
// Its source is a string evaluated by the worker (`eval: true`) because the single executable
// holds one script only; it uses node's built-in modules and nothing else.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Worker } from 'node:worker_threads';

export interface ReadBackHasher {
  /** Bytes [0, end) of the file are on disk and may be hashed. */
  landed(end: number): void;
  /** The sha256 (hex) of bytes [0, length), all reported landed; the file is released before it returns. */
  digest(length: number): Promise<string>;
  /** Stops hashing and releases the file (after a failure, a cancellation, or before a restart). */
  dispose(): Promise<void>;
  /** How many bytes have been hashed so far (the deferred hasher hashes none before the digest). */
  readonly hashed: number;
}

/** Downloads of at least this size are hashed on a worker thread as they land. */
export const WORKER_HASH_MIN_BYTES = 32 * 1024 * 1024;
/** Bytes read back at once by the worker: large enough that the reads cost little beside the hash. */
const READ_BACK_BYTES = 1024 * 1024;

export function startReadBackHasher(file: string, options: { inWorker: boolean }): ReadBackHasher {
  return options.inWorker ? new WorkerReadBackHasher(file) : new DeferredReadBackHasher(file);
}

/** The sha256 (hex) of bytes [0, length) of a file; fails when the file is shorter. */
export async function sha256OfFilePrefix(file: string, length: number): Promise<string> {
  const hash = createHash('sha256');
  let hashed = 0;
  if (length > 0) {
    await pipeline(createReadStream(file, { start: 0, end: length - 1, highWaterMark: READ_BACK_BYTES }), new Writable({
      write(chunk: Buffer, _encoding, callback) { hash.update(chunk); hashed += chunk.length; callback(); },
    }));
  }
  if (hashed !== length) throw new Error(`the file ends at ${hashed} bytes, ${length} were written`);
  return hash.digest('hex');
}

/** How a failed read-back is reported, by either executor. */
function readBackFailure(file: string, cause: { code?: string; message: string }): Error {
  return Object.assign(new Error(`${file}: cannot read the download back to hash it (${cause.code ?? cause.message})`), { code: cause.code });
}

/** Small downloads: the file is read back and hashed here, once complete. */
class DeferredReadBackHasher implements ReadBackHasher {
  constructor(private readonly file: string) {}
  readonly hashed = 0;
  landed(): void { /* read back at the end */ }
  async digest(length: number): Promise<string> {
    try {
      return await sha256OfFilePrefix(this.file, length);
    } catch (error) {
      throw readBackFailure(this.file, error as NodeJS.ErrnoException);
    }
  }
  async dispose(): Promise<void> { /* holds nothing */ }
}

// Shared state, in 64-bit slots (Atomics): how far the file has landed, the length to digest, a
// counter bumped at every change (the worker sleeps on it), the request: 0 (at first) to hash as
// bytes land, then DIGEST or STOP; and, written by the worker, how many bytes it has hashed.
const LANDED = 0;
const DIGEST_LENGTH = 1;
const CHANGES = 2;
const REQUEST = 3;
const HASHED = 4;
const SLOTS = 5;
const DIGEST = 1n;
const STOP = 2n;

const WORKER_SOURCE = `
'use strict';
const { workerData, parentPort } = require('node:worker_threads');
const { openSync, readSync, closeSync } = require('node:fs');
const { createHash } = require('node:crypto');
const state = new BigInt64Array(workerData.shared);
const [LANDED, DIGEST_LENGTH, CHANGES, REQUEST, HASHED] = [${LANDED}, ${DIGEST_LENGTH}, ${CHANGES}, ${REQUEST}, ${HASHED}];
const hash = createHash('sha256');
const buffer = Buffer.allocUnsafe(${READ_BACK_BYTES});
let fd;
let hashed = 0;
try {
  for (;;) {
    const seen = Atomics.load(state, CHANGES);
    const request = Atomics.load(state, REQUEST);
    if (request === ${STOP}n) break;
    const end = Number(Atomics.load(state, request === ${DIGEST}n ? DIGEST_LENGTH : LANDED));
    while (hashed < end && Atomics.load(state, REQUEST) !== ${STOP}n) {
      if (fd === undefined) fd = openSync(workerData.file, 'r');
      const read = readSync(fd, buffer, 0, Math.min(buffer.length, end - hashed), hashed);
      if (read === 0) throw new Error('the file ends at ' + hashed + ' bytes, ' + end + ' were written');
      hash.update(buffer.subarray(0, read));
      hashed += read;
      Atomics.store(state, HASHED, BigInt(hashed));
    }
    if (request === ${DIGEST}n) {
      if (hashed !== end) throw new Error('asked for the digest of ' + end + ' bytes, ' + hashed + ' were hashed');
      if (fd !== undefined) { closeSync(fd); fd = undefined; }
      parentPort.postMessage({ sha256: hash.digest('hex') });
      break;
    }
    Atomics.wait(state, CHANGES, seen);
  }
} catch (error) {
  parentPort.postMessage({ error: error.message, code: error.code });
} finally {
  if (fd !== undefined) closeSync(fd);
}
`;

/** Large downloads: a worker thread reads back and hashes each landed range while the next ones download. */
class WorkerReadBackHasher implements ReadBackHasher {
  private readonly state = new BigInt64Array(new SharedArrayBuffer(SLOTS * 8));
  private readonly worker: Worker;
  /** The worker's one answer: the digest, or why it could not read the file. */
  private readonly answer: Promise<string>;
  private exited = false;

  constructor(file: string) {
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { shared: this.state.buffer, file } });
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => { this.exited = true; resolve(); }));
    this.answer = new Promise<string>((resolve, reject) => {
      this.worker.once('message', (message: { sha256?: string; error?: string; code?: string }) => {
        if (message.sha256 !== undefined) resolve(message.sha256);
        else reject(readBackFailure(file, { code: message.code, message: message.error ?? 'no reason given' }));
      });
      this.worker.once('error', reject);
      void exited.then(() => reject(new Error(`${file}: the hashing thread stopped before the digest`)));
    });
    this.answer.catch(() => undefined); // reported by digest(), if anyone asks
    // It never keeps the process alive by itself; digest() holds it while waiting for the answer.
    // After the listeners: adding a 'message' listener refs the worker again.
    this.worker.unref();
  }

  private tell(slot: number, value: bigint): void {
    Atomics.store(this.state, slot, value);
    Atomics.add(this.state, CHANGES, 1n);
    Atomics.notify(this.state, CHANGES);
  }

  landed(end: number): void { this.tell(LANDED, BigInt(end)); }

  get hashed(): number { return Number(Atomics.load(this.state, HASHED)); }

  async digest(length: number): Promise<string> {
    Atomics.store(this.state, DIGEST_LENGTH, BigInt(length));
    this.tell(REQUEST, DIGEST);
    this.worker.ref();
    try {
      return await this.answer;
    } finally {
      this.worker.unref();
    }
  }

  async dispose(): Promise<void> {
    if (this.exited) return;
    this.tell(REQUEST, STOP);
    await this.worker.terminate();
  }
}

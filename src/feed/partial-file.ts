// The partial file of a download (`<cache>/<name>.partial`): every byte is checked against the
// signed size and hashed in arrival order, then written at its offset by the libuv thread pool.
import type { Hash } from 'node:crypto';
import { ftruncateSync, writev } from 'node:fs';
import { Writable } from 'node:stream';
import { AltazionError } from '../core/errors';

/** Stream path: bytes gathered before one write (node-fetch hands over 64 KiB chunks). */
const WRITE_BATCH_BYTES = 256 * 1024;
/** Stream path: writes in flight before the stream waits (the fast path is bounded by its read buffers). */
const MAX_WRITES_IN_FLIGHT = 16;
/** Bytes hashed as they arrive but gathered into one write (see PartialFile). */
const WRITE_GATHER_BYTES = 1024 * 1024;

/** Writes `chunks` at `position`, continuing after short writes. */
export function writeFully(fd: number, chunks: Buffer[], position: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const next = (buffers: Buffer[], at: number) => {
      writev(fd, buffers, at, (error, written) => {
        if (error) { reject(error); return; }
        if (written === 0) { reject(new Error('the disk accepted no byte')); return; }
        let skip = written;
        const rest: Buffer[] = [];
        for (const buffer of buffers) {
          if (skip >= buffer.length) { skip -= buffer.length; continue; }
          rest.push(skip > 0 ? buffer.subarray(skip) : buffer);
          skip = 0;
        }
        if (rest.length === 0) resolve();
        else next(rest, at + written);
      });
    };
    next(chunks, position);
  });
}

/**
 * The partial file being downloaded. Every byte is checked against the signed size and hashed on
 * this thread, in arrival order, then written at its offset by the libuv thread pool, so hashing
 * the next reads and writing the previous ones run on two cores. What arrives in one turn of the
 * event loop is gathered into one write, up to WRITE_GATHER_BYTES (four 256 KiB socket reads):
 * each write is a hand-off to the pool thread and back, a wake-up each way. Measured on the 1 GiB
 * benchmark (server from memory, 7 alternated rounds, 2026-12-02): a write per read 1.39 s and
 * 1.93 s CPU, gathered up to 1 MiB 1.30 s and 1.70 s CPU (medians); 512 KiB in between, 2 MiB no
 * better than 1 MiB.
 * Earlier, without gathering, on the 1 GiB benchmark (2 cores, `node bench/download.bench.mjs` with
 * the server then reading the file for each request, ratio to curl):
 * writing synchronously after hashing 0.74; one write at a time 0.71 (each next write waits for
 * the event loop, busy hashing); one write at a time gathering what arrived meanwhile 0.57 (the
 * large writes copy bytes long gone from the CPU cache); a worker thread writing from shared
 * buffers ~0.85 (a message per write), or woken through Atomics 0.90; at most 2 or 3 writes at
 * once 0.79; every write at once on node's default four pool threads 0.83-0.89 (medians of 7-9
 * alternated rounds). Every write at once on the executable's pool of one thread
 * (src/cli/thread-pool.ts) does best, 0.92-1.02: the writes queue in order on one thread and never
 * contend for the file. A worker thread fed through Atomics, tried again since, stayed at 0.90
 * (its start and wake-ups cost ~0.2 s CPU per GiB more than the pool thread).
 * With more pool threads (UV_THREADPOOL_SIZE set by the administrator), writes may land out of
 * order: after a disk error, `settled()` cuts the file back to the bytes before the first failed
 * write, so a later run resumes from bytes all on disk.
 */
export class PartialFile {
  private readonly inFlight = new Set<Promise<void>>();
  private firstFailedOffset: number | undefined;
  /** Chunks hashed but not yet handed to the pool, and the promise their appends returned. */
  private gathered: { chunks: Buffer[]; bytes: number; at: number; landed: Promise<void>; settle: (written: Promise<void>) => void } | undefined;
  /** The first disk error, as reported to the user. */
  diskFailure: AltazionError | undefined;

  constructor(
    private readonly fd: number,
    /** Bytes checked, hashed and handed to the disk: the offset of the next byte. */
    public position: number,
    private readonly cap: number,
    private readonly hash: Hash,
    private readonly tooMany: (received: number) => AltazionError,
    private readonly diskError: (error: Error) => AltazionError,
    /** Writes chunks at a position (injected by tests to fail or slow a write). */
    private readonly write: (fd: number, chunks: Buffer[], position: number) => Promise<void> = writeFully,
    /** Bytes gathered into one write at most; 0 writes every append at once. */
    private readonly gatherBytes = WRITE_GATHER_BYTES,
  ) {}

  get failed(): boolean { return this.diskFailure !== undefined; }
  get writesInFlight(): number { return this.inFlight.size; }

  /** Throws the size-cap error when `received` bytes would exceed the signed size. */
  refuseBeyondCap(received: number): void {
    if (received > this.cap) throw this.tooMany(received);
  }

  /**
   * Checks and hashes `chunks` (`length` bytes in all), and writes them with what else arrives in
   * this turn of the event loop. They must stay unchanged until the returned promise settles.
   * Throws the cap error or an earlier disk error at once.
   */
  append(chunks: Buffer[], length: number): Promise<void> {
    this.refuseBeyondCap(this.position + length);
    if (this.diskFailure) throw this.diskFailure;
    for (const chunk of chunks) this.hash.update(chunk);
    if (this.gatherBytes === 0) {
      const at = this.position;
      this.position += length;
      return this.startWrite(chunks, at);
    }
    if (!this.gathered) {
      let settle!: (written: Promise<void>) => void;
      const landed = new Promise<void>((resolve) => { settle = resolve; });
      // Its write is tracked once started (settled() starts it first); its failure reaches the
      // appends that returned it.
      landed.catch(() => undefined);
      this.gathered = { chunks: [], bytes: 0, at: this.position, landed, settle };
      setImmediate(() => this.flush());
    }
    const gathered = this.gathered;
    gathered.chunks.push(...chunks);
    gathered.bytes += length;
    this.position += length;
    if (gathered.bytes >= this.gatherBytes) this.flush();
    return gathered.landed;
  }

  /** Hands the gathered chunks to the pool now. */
  private flush(): void {
    const gathered = this.gathered;
    if (!gathered) return;
    this.gathered = undefined;
    gathered.settle(this.startWrite(gathered.chunks, gathered.at));
  }

  private startWrite(chunks: Buffer[], at: number): Promise<void> {
    const landed = this.write(this.fd, chunks, at).catch((error: Error) => {
      this.firstFailedOffset = Math.min(this.firstFailedOffset ?? at, at);
      this.diskFailure ??= this.diskError(error);
      throw this.diskFailure;
    });
    this.inFlight.add(landed);
    const untrack = () => { this.inFlight.delete(landed); };
    landed.then(untrack, untrack);
    return landed;
  }

  /** Waits for every write in flight; after a disk error, truncates to the bytes known written. */
  async settled(): Promise<void> {
    this.flush();
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    if (this.firstFailedOffset !== undefined && this.position > this.firstFailedOffset) {
      this.position = this.firstFailedOffset;
      try {
        ftruncateSync(this.fd, this.position);
      } catch {
        // The next run re-hashes the partial and discards it when it does not verify.
      }
    }
  }
}

/**
 * A node stream (node-fetch, folder feeds) into a PartialFile: small chunks are gathered into
 * batches (fewer writes; node streams hand over fresh buffers, so holding them is free) and a
 * bounded number of batch writes stay in flight while the next chunks arrive.
 */
export class PartialFileSink extends Writable {
  private batch: Buffer[] = [];
  private batchBytes = 0;

  constructor(private readonly file: PartialFile, private readonly onReceived: (received: number) => void) {
    super({ highWaterMark: WRITE_BATCH_BYTES });
  }

  private flush(): Promise<void> | undefined {
    if (this.batchBytes === 0) return undefined;
    const landed = this.file.append(this.batch, this.batchBytes);
    this.batch = [];
    this.batchBytes = 0;
    landed.catch(() => undefined); // reported by the next append or by settled()
    return landed;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    try {
      const received = this.file.position + this.batchBytes + chunk.length;
      this.file.refuseBeyondCap(received);
      this.batch.push(chunk);
      this.batchBytes += chunk.length;
      this.onReceived(received);
      if (this.batchBytes < WRITE_BATCH_BYTES) { callback(); return; }
      const landed = this.flush()!;
      if (this.file.writesInFlight < MAX_WRITES_IN_FLIGHT) callback();
      else landed.then(() => callback(), callback);
    } catch (error) {
      callback(error as Error);
    }
  }

  override _final(callback: (error?: Error | null) => void): void {
    try {
      this.flush();
    } catch (error) {
      callback(error as Error);
      return;
    }
    this.file.settled().then(() => callback(this.file.diskFailure), callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // A dropped connection: keep what did arrive, the resume starts after it. Bytes refused by
    // the size cap are never written.
    if (error && !(error instanceof AltazionError)) {
      try { this.flush(); } catch { /* an earlier disk error: settled() cuts the file back */ }
    }
    this.file.settled().then(() => callback(error), () => callback(error));
  }
}

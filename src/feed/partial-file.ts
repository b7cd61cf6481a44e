// The partial file of a download (`<cache>/<name>.partial`): every byte is checked against the
// signed size, then written at its offset by the libuv thread pool; how far the file has landed
// without a hole is reported as writes complete (a ReadBackHasher hashes up to there).
import { ftruncateSync, writev } from 'node:fs';
import { Writable } from 'node:stream';
import { AltazionError } from '../core/errors';

/** Stream path: bytes gathered before one write (node-fetch hands over 64 KiB chunks). */
const WRITE_BATCH_BYTES = 256 * 1024;
/** Stream path: writes in flight before the stream waits (the fast path is bounded by its read buffers). */
const MAX_WRITES_IN_FLIGHT = 16;
/** Bytes gathered into one write (see PartialFile). */
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
 * The partial file being downloaded. Every byte is checked against the signed size on this thread,
 * then written at its offset by the libuv thread pool; the hash is taken from the file as writes
 * land (read-back-hasher.ts), so this thread only reads the socket and hands bytes over. What
 * arrives in one turn of the event loop is gathered into one write, up to WRITE_GATHER_BYTES (four
 * 256 KiB socket reads): each write is a hand-off to the pool thread and back, a wake-up each way.
 * Measured on the 1 GiB benchmark (server from memory, 7 alternated rounds, 2026-12-02, then still
 * hashing here): a write per read 1.39 s and 1.93 s CPU, gathered up to 1 MiB 1.30 s and 1.70 s
 * CPU (medians); 512 KiB in between, 2 MiB no better than 1 MiB.
 * Earlier designs, hashing here as bytes arrived (ratio to curl, 2 cores): writing synchronously
 * 0.74; one write at a time 0.57-0.71; a worker thread writing from shared buffers 0.85-0.90;
 * every write at once on node's default four pool threads 0.83-0.89 (they contend for the file's
 * lock); on the executable's pool of one thread (src/cli/thread-pool.ts) 0.82-1.02, depending on
 * the host: hashing 1 GiB takes ~0.7 s of this thread, which is why it moved to a worker.
 * With more pool threads (UV_THREADPOOL_SIZE set by the administrator), writes may land out of
 * order: the landed prefix only advances over ranges without a hole, and after a disk error
 * `settled()` cuts the file back to the bytes before the first failed write, so a later run
 * resumes from bytes all on disk.
 */
export class PartialFile {
  private readonly inFlight = new Set<Promise<void>>();
  private firstFailedOffset: number | undefined;
  /** Chunks checked but not yet handed to the pool, and the promise their appends returned. */
  private gathered: { chunks: Buffer[]; bytes: number; at: number; landed: Promise<void>; settle: (written: Promise<void>) => void } | undefined;
  /** The first disk error, as reported to the user. */
  diskFailure: AltazionError | undefined;
  /** Bytes [0, landedEnd) are on disk (those before this run's start were already). */
  private landedEnd: number;
  /** Ranges landed behind a write still in flight, by start offset. */
  private readonly landedAhead = new Map<number, number>();

  constructor(
    private readonly fd: number,
    /** Bytes checked and handed to the disk: the offset of the next byte. */
    public position: number,
    private readonly cap: number,
    /** Called with `end` whenever bytes [0, end) have all landed, in increasing order. */
    private readonly onLanded: (end: number) => void,
    private readonly tooMany: (received: number) => AltazionError,
    private readonly diskError: (error: Error) => AltazionError,
    /** Writes chunks at a position (injected by tests to fail or slow a write). */
    private readonly write: (fd: number, chunks: Buffer[], position: number) => Promise<void> = writeFully,
    /** Bytes gathered into one write at most; 0 writes every append at once. */
    private readonly gatherBytes = WRITE_GATHER_BYTES,
  ) {
    this.landedEnd = position;
  }

  get failed(): boolean { return this.diskFailure !== undefined; }
  get writesInFlight(): number { return this.inFlight.size; }

  /** Throws the size-cap error when `received` bytes would exceed the signed size. */
  refuseBeyondCap(received: number): void {
    if (received > this.cap) throw this.tooMany(received);
  }

  /**
   * Checks `chunks` (`length` bytes in all), and writes them with what else arrives in this turn
   * of the event loop. They must stay unchanged until the returned promise settles.
   * Throws the cap error or an earlier disk error at once.
   */
  append(chunks: Buffer[], length: number): Promise<void> {
    this.refuseBeyondCap(this.position + length);
    if (this.diskFailure) throw this.diskFailure;
    if (this.gatherBytes === 0) {
      const at = this.position;
      this.position += length;
      return this.startWrite(chunks, at, length);
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
    gathered.settle(this.startWrite(gathered.chunks, gathered.at, gathered.bytes));
  }

  private startWrite(chunks: Buffer[], at: number, bytes: number): Promise<void> {
    const landed = this.write(this.fd, chunks, at).then(() => this.reportLanded(at, at + bytes), (error: Error) => {
      this.firstFailedOffset = Math.min(this.firstFailedOffset ?? at, at);
      this.diskFailure ??= this.diskError(error);
      throw this.diskFailure;
    });
    this.inFlight.add(landed);
    const untrack = () => { this.inFlight.delete(landed); };
    landed.then(untrack, untrack);
    return landed;
  }

  /**
   * Advances the landed prefix past [at, end) and any ranges it joins. With one pool thread writes
   * land in order; with more (UV_THREADPOOL_SIZE set), a range may land before the one ahead of it.
   */
  private reportLanded(at: number, end: number): void {
    if (at !== this.landedEnd) { this.landedAhead.set(at, end); return; }
    this.landedEnd = end;
    for (let next = this.landedAhead.get(end); next !== undefined; next = this.landedAhead.get(this.landedEnd)) {
      this.landedAhead.delete(this.landedEnd);
      this.landedEnd = next;
    }
    this.onLanded(this.landedEnd);
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

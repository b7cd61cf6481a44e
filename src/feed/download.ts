// Verified package downloads into the cache (bin/updates/cache):
//  - one plain pipe: the source's body into a stage that hashes (sha256) and writes each chunk to
//    `<cache>/<name>.partial`, never holding the file in memory;
//  - resume after an interruption with a Range request from the partial's length: the bytes
//    already there are hashed first, so the digest covers the whole file; a 200 answer to a range
//    restarts at 0;
//  - capped at the signed size: a server announcing another size, or sending one byte too many,
//    is rejected at once;
//  - renamed to `<cache>/<name>` only once size and sha256 match the signed index; a bad partial
//    is deleted; a cached file is re-hashed before being trusted again.
// Retries with exponential backoff on dropped connections, stalls and 5xx answers.
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, writeSync } from 'node:fs';
import { mkdir, open, rename, rm, stat, writeFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { AltazionError } from '../core/errors';
import { msg, type Message } from '../core/messages';
import { GarbagePacer } from '../io/garbage';
import { acquireLockFile, currentOwner, describeOwner, type HeldLock, type LockOwner } from '../io/lock-file';
import { discardStream } from '../net/http';
import { unsafePackagePathReason } from './index-schema';
import { isRetryable } from './source';
import type { DownloadProgress, FeedSource, ReleaseEntry } from './types';

export interface DownloadOptions {
  source: FeedSource;
  /** The release as the verified index lists it: package path, size and sha256 are the contract. */
  release: ReleaseEntry;
  cacheDir: string;
  /** Called as bytes arrive (at most every ~100 ms) and once at the end. */
  onProgress?: (progress: DownloadProgress) => void;
  signal?: AbortSignal;
  /** Extra attempts after a dropped connection, a stall or a 5xx answer (default 4). */
  retries?: number;
  /** First backoff delay, doubled on each retry (default 500 ms, capped at 30 s). */
  retryDelayMs?: number;
  /** A connection that delivers nothing for this long is dropped and retried (default 60 s). */
  idleTimeoutMs?: number;
  /** Called once when another process is downloading the same package and this call waits for it. */
  onWait?: (holder: LockOwner) => void;
}

export interface DownloadResult {
  /** Verified file in the cache. */
  path: string;
  size: number;
  sha256: string;
  /** True when a verified cached copy was used and nothing was downloaded. */
  fromCache: boolean;
  /** Bytes taken over from an earlier partial download. */
  resumedFrom: number;
  /** Requests made (0 when served from the cache). */
  requests: number;
}

const PROGRESS_INTERVAL_MS = 100;
/** A minor collection every 4 MiB hashed frees the spent read buffers as it goes (src/io/garbage.ts). */
const COLLECT_EVERY_BYTES = 4 * 1024 * 1024;
const spentBufferCollector = () => new GarbagePacer(COLLECT_EVERY_BYTES, 'minor');

/** Where a release lands in the cache: the package's file name. */
export function cachePathFor(cacheDir: string, release: ReleaseEntry): string {
  return path.join(cacheDir, path.posix.basename(release.package));
}

export function partialPathFor(cacheDir: string, release: ReleaseEntry): string {
  return cachePathFor(cacheDir, release) + '.partial';
}

async function sizeOf(file: string): Promise<number | undefined> {
  try {
    return (await stat(file)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Adds bytes [0, length) of a file to `hash`; fails when the file is shorter. */
async function hashFilePrefix(hash: Hash, file: string, length: number): Promise<Hash> {
  let hashed = 0;
  const spent = spentBufferCollector();
  if (length > 0) {
    // Node's default 64 KiB reads: each read is a fresh buffer that V8 frees in batches, so larger
    // reads raise the peak memory (bench/README.md).
    for await (const chunk of createReadStream(file, { start: 0, end: length - 1 }) as AsyncIterable<Buffer>) {
      hash.update(chunk);
      hashed += chunk.length;
      spent.add(chunk.length);
    }
  }
  if (hashed !== length) throw new Error(`${file} ends at ${hashed} bytes, ${length} were expected`);
  return hash;
}

/** Whether a file has exactly the signed size and sha256. */
export async function isVerifiedFile(file: string, release: ReleaseEntry): Promise<boolean> {
  const size = await sizeOf(file);
  if (size !== release.size) return false;
  return (await hashFilePrefix(createHash('sha256'), file, size)).digest('hex') === release.sha256.toLowerCase();
}

/** The verified cached file for a release, or undefined when it is not (correctly) in the cache. */
export async function findCachedPackage(cacheDir: string, release: ReleaseEntry): Promise<string | undefined> {
  const file = cachePathFor(cacheDir, release);
  return (await isVerifiedFile(file, release)) ? file : undefined;
}

class IntegrityError extends AltazionError {}

/** Downloads in progress in this process, by cache file (the service checks while the portal installs). */
const inFlight = new Map<string, Promise<unknown>>();

/** What a caller shows (its `onWait`) while another process downloads the same package. */
export const downloadWaitMessage = (release: ReleaseEntry, holder: LockOwner): Message =>
  msg('download.waiting', { package: path.posix.basename(release.package), who: describeOwner(holder) });

export const downloadLockPathFor = (cacheDir: string, release: ReleaseEntry) => `${cachePathFor(cacheDir, release)}.lock`;

/**
 * Takes `<cache>/<name>.lock` (src/io/lock-file.ts: created complete and exclusively, naming this
 * process in a way that survives pid reuse) so two processes never write the same partial; waits
 * while a live process holds it (until `signal`), takes over one left by a process that is gone.
 * Exported for the lock's race tests; downloadPackage is the one caller.
 */
export async function acquireDownloadLock(lockPath: string, what: string, options: Pick<DownloadOptions, 'signal' | 'onWait'>): Promise<HeldLock> {
  try {
    return await acquireLockFile(lockPath, currentOwner('download', `download of ${what}`), {
      waitSeconds: Infinity,
      signal: options.signal,
      onWait: options.onWait,
      busy: (holder, _waited, cancelled) => new AltazionError('E_DOWNLOAD',
        `${what}: ${cancelled ? 'cancelled while waiting for' : 'could not take the download lock from'} another process downloading it: ${describeOwner(holder)}`, { target: what }),
    });
  } catch (error) {
    if (error instanceof AltazionError) throw error;
    throw new AltazionError('E_DOWNLOAD', `${lockPath}: cannot create the download lock (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, { target: lockPath, cause: error });
  }
}

/**
 * Downloads and verifies one package into the cache; see the file comment for the guarantees.
 * Concurrent calls for the same package (in this process or another one) wait for each other;
 * the later ones then find the verified file in the cache.
 */
export async function downloadPackage(options: DownloadOptions): Promise<DownloadResult> {
  const { source, release, cacheDir } = options;
  const what = `${source.location.replace(/[\\/]+$/, '')}/${release.package}`;
  const unsafe = unsafePackagePathReason(release.package);
  if (unsafe) throw new AltazionError('E_FEED_INVALID', `${release.package}: ${unsafe}`, { target: what });
  await mkdir(cacheDir, { recursive: true });
  const finalPath = cachePathFor(cacheDir, release);
  for (let running = inFlight.get(finalPath); running; running = inFlight.get(finalPath)) {
    await running.catch(() => undefined);
  }
  // No await between the check above and this: the slot is ours.
  const task = (async () => {
    const lock = await acquireDownloadLock(downloadLockPathFor(cacheDir, release), what, options);
    try {
      return await downloadUnlocked(options, what);
    } finally {
      await lock.release();
    }
  })();
  inFlight.set(finalPath, task);
  try {
    return await task;
  } finally {
    if (inFlight.get(finalPath) === task) inFlight.delete(finalPath);
  }
}

async function downloadUnlocked(options: DownloadOptions, what: string): Promise<DownloadResult> {
  const { source, release, cacheDir, signal } = options;
  const retries = options.retries ?? 4;
  const retryDelayMs = options.retryDelayMs ?? 500;
  const idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
  const expectedSha = release.sha256.toLowerCase();
  const integrity = (problem: string) => new IntegrityError('E_PACKAGE_INTEGRITY', `${what}: ${problem}`, {
    target: what, hint: 'the package differs from what the publisher signed (corrupted or tampered); nothing was installed or cached',
  });
  const finalPath = cachePathFor(cacheDir, release);
  const partialPath = partialPathFor(cacheDir, release);

  // Already there and still intact: nothing to download.
  const cachedSize = await sizeOf(finalPath);
  if (cachedSize !== undefined) {
    if (await isVerifiedFile(finalPath, release)) {
      options.onProgress?.({ received: release.size, total: release.size });
      return { path: finalPath, size: release.size, sha256: expectedSha, fromCache: true, resumedFrom: 0, requests: 0 };
    }
    await rm(finalPath, { force: true });
  }

  let lastReport = 0;
  const report = (received: number, force = false) => {
    if (!options.onProgress) return;
    const now = Date.now();
    if (!force && now - lastReport < PROGRESS_INTERVAL_MS) return;
    lastReport = now;
    options.onProgress({ received, total: release.size });
  };
  const diskError = (error: Error) => new AltazionError('E_DOWNLOAD', `${partialPath}: cannot write the download (${(error as NodeJS.ErrnoException).code ?? error.message})`, {
    target: partialPath, cause: error, hint: 'check free space and rights on the cache folder',
  });

  let offset = 0;
  const partialSize = await sizeOf(partialPath);
  if (partialSize !== undefined) {
    if (partialSize > release.size) await rm(partialPath, { force: true });
    else offset = partialSize; // resume after the bytes already there
  }
  const resumedFrom = offset;
  // An empty package needs no request, but still a (verified) file in the cache.
  if (release.size === 0) await writeFile(partialPath, '');

  // The digest covers the bytes of an earlier run too: they are hashed from the disk first.
  let hash: Hash;
  try {
    hash = await hashFilePrefix(createHash('sha256'), partialPath, offset);
  } catch (error) {
    throw new AltazionError('E_DOWNLOAD', `${partialPath}: cannot read the partial download back (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, {
      target: partialPath, cause: error, hint: 'check the cache folder: another program may have changed or removed the file',
    });
  }
  let requests = 0;
  let lastError: unknown;
  let attempt = 0;
  // Two passes at most: when a file resumed from an earlier partial does not verify, the earlier
  // bytes may be the bad ones, so it is discarded and downloaded once more from scratch.
  for (let pass = 0; ; pass++) {
    for (; offset < release.size; attempt++) {
      if (attempt > 0) {
        if (attempt > retries) break;
        const delay = Math.min(retryDelayMs * 2 ** (attempt - 1), 30_000);
        try {
          await sleep(delay, undefined, { signal });
        } catch {
          break;
        }
      }
      if (signal?.aborted) break;
      const controller = new AbortController();
      const onAbort = () => controller.abort(signal?.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      // Stall detection: a timestamp per chunk, checked a few times per timeout period (cheaper
      // than re-arming a timer for every chunk).
      let stalled = false;
      let lastActivity = Date.now();
      const idle = setInterval(() => {
        if (Date.now() - lastActivity >= idleTimeoutMs) { stalled = true; controller.abort(); }
      }, Math.max(10, Math.min(1000, idleTimeoutMs / 4)));
      let handle: FileHandle | undefined;
      try {
        requests++;
        const opened = await source.openStream(release.package, offset, controller.signal);
        if (opened.start !== offset) {
          if (opened.start !== 0) {
            discardStream(opened.stream);
            throw new AltazionError('E_DOWNLOAD', `${what}: asked for bytes from ${offset}, got a stream starting at ${opened.start}`, { target: what });
          }
          // The server ignored the range: start over, hashing from scratch.
          hash = createHash('sha256');
          offset = 0;
        }
        if (opened.totalSize !== undefined && opened.totalSize !== release.size) {
          discardStream(opened.stream);
          throw integrity(`the feed serves ${opened.totalSize} bytes, the signed index says ${release.size}`);
        }
        try {
          handle = await open(partialPath, offset === 0 ? 'w' : 'r+');
        } catch (error) {
          discardStream(opened.stream);
          throw diskError(error as Error);
        }
        // source -> (size cap, sha256, partial file), as one pipe. Each chunk is checked against the
        // signed size, hashed and written at once, while its bytes are still in the CPU's cache: a
        // write handed to the thread pool (on Windows too) copies them later, from memory, on another
        // core, after a hand-off. Writing 64 KiB into the file cache holds the event loop less long
        // than hashing them (bench/README.md, download).
        let received = offset;
        let position = offset;
        const fd = handle.fd;
        // Errors from upstream (the network, an abort, too many bytes) reach the file stage too,
        // when the pipe tears it down; an error it raises itself is the disk's.
        const upstream = new Set<unknown>();
        opened.stream.once('error', (error) => upstream.add(error));
        const spent = spentBufferCollector();
        const file = new Writable({
          write(chunk: Buffer, _encoding, callback) {
            received += chunk.length;
            if (received > release.size) {
              const tooMany = integrity(`more bytes than the ${release.size} signed (at least ${received})`);
              upstream.add(tooMany);
              callback(tooMany);
              return;
            }
            hash.update(chunk);
            try {
              for (let written = 0; written < chunk.length;) written += writeSync(fd, chunk, written, chunk.length - written, position + written);
            } catch (error) {
              callback(error as Error);
              return;
            }
            position += chunk.length;
            lastActivity = Date.now();
            report(received);
            callback();
            spent.add(chunk.length);
          },
        });
        let diskFailure: Error | undefined;
        file.once('error', (error) => { if (!upstream.has(error)) diskFailure = error; });
        let dropped: unknown;
        try {
          await pipeline(opened.stream, file);
        } catch (error) {
          dropped = error;
        }
        // What landed is the file's length: it is written in order from `offset`, which was its
        // length. Every chunk hashed was written in the same step, so the digest covers exactly
        // these bytes, unless a write failed (part of its chunk may have landed): that ends the run
        // below, and the next one hashes the partial from the disk.
        offset = (await sizeOf(partialPath)) ?? 0;
        // A disk error is not the network's: no retry in this run. The bytes that landed stay in
        // the partial for the next run to resume from.
        if (diskFailure) throw diskError(diskFailure);
        if (dropped !== undefined) throw dropped;
        if (offset < release.size) {
          lastError = new AltazionError('E_DOWNLOAD', `${what}: the connection ended after ${offset} of ${release.size} bytes`, { target: what });
        }
      } catch (error) {
        if (error instanceof IntegrityError) {
          controller.abort();
          await handle?.close();
          handle = undefined;
          await rm(partialPath, { force: true });
          throw error;
        }
        if (signal?.aborted) break;
        // Plain errors come from the network (reset, premature close, abort by the idle timer).
        const networkDrop = !(error instanceof AltazionError) || stalled;
        if (!networkDrop && !isRetryable(error)) throw error;
        lastError = stalled
          ? new AltazionError('E_DOWNLOAD', `${what}: no data for ${Math.round(idleTimeoutMs / 1000)} s after ${offset} of ${release.size} bytes`, { target: what })
          : error;
      } finally {
        clearInterval(idle);
        signal?.removeEventListener('abort', onAbort);
        await handle?.close();
      }
    }

    if (offset < release.size) {
      if (signal?.aborted) {
        throw new AltazionError('E_DOWNLOAD', `${what}: download cancelled after ${offset} of ${release.size} bytes (kept to resume later)`, { target: what, cause: signal.reason });
      }
      const cause = lastError instanceof AltazionError ? lastError : undefined;
      const detail = cause ? cause.message : `${what}: ${describe(lastError)}`;
      throw new AltazionError(cause?.code === 'E_FEED_UNREACHABLE' ? 'E_FEED_UNREACHABLE' : 'E_DOWNLOAD',
        `${detail} (gave up after ${requests} request${requests > 1 ? 's' : ''}; ${offset} of ${release.size} bytes kept to resume)`,
        { target: what, cause: lastError, hint: cause?.hint ?? 'check the network; the next run resumes where this one stopped' });
    }

    const digest = hash.digest('hex');
    if (digest === expectedSha) {
      await rename(partialPath, finalPath);
      report(release.size, true);
      return { path: finalPath, size: release.size, sha256: digest, fromCache: false, resumedFrom, requests };
    }
    await rm(partialPath, { force: true });
    if (pass > 0 || resumedFrom === 0) throw integrity(`sha256 is ${digest}, the signed index says ${expectedSha}`);
    hash = createHash('sha256');
    offset = 0;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

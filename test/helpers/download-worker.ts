// A real process downloading packages, or holding a package's download lock, on request (see workers.ts):
//   { op: 'download', location, release, cacheDir, retries?, retryDelayMs?, idleTimeoutMs? }
//     -> { op: 'downloaded', fromCache, requests, sha256 } or { op: 'failed', code, message }
//   { op: 'race', lockPath, marker }: takes the download lock (waiting as downloads do), and while
//     holding it creates `marker` exclusively, yields, removes it, releases
//     -> { op: 'raced', overlap } (overlap: the marker was there: someone else held the lock too)
//   { op: 'hold', lockPath } -> { op: 'holding' } (held until the process is killed)
import { promises as fs } from 'node:fs';
import { acquireDownloadLock, downloadPackage } from '../../src/feed/download';
import { openFeedSource } from '../../src/feed/source';
import type { ReleaseEntry } from '../../src/feed/types';

interface Request {
  op: string; location?: string; release?: ReleaseEntry; cacheDir?: string; retries?: number; retryDelayMs?: number; idleTimeoutMs?: number;
  lockPath?: string; marker?: string;
}

const ticks = (n: number) => new Promise<void>((resolve) => { const step = (k: number) => (k <= 0 ? resolve() : setImmediate(() => step(k - 1))); step(n); });

process.on('message', async (m: Request) => {
  try {
    if (m.op === 'download') {
      try {
        const result = await downloadPackage({
          source: openFeedSource(m.location!, { env: {} }), release: m.release!, cacheDir: m.cacheDir!,
          retries: m.retries, retryDelayMs: m.retryDelayMs, idleTimeoutMs: m.idleTimeoutMs,
        });
        process.send!({ op: 'downloaded', fromCache: result.fromCache, requests: result.requests, sha256: result.sha256 });
      } catch (error) {
        const e = error as { code?: string; message: string };
        process.send!({ op: 'failed', code: e.code, message: e.message });
      }
    } else if (m.op === 'race') {
      const lock = await acquireDownloadLock(m.lockPath!, 'race', {});
      let overlap = false;
      try {
        await fs.writeFile(m.marker!, String(process.pid), { flag: 'wx' });
      } catch {
        overlap = true;
      }
      await ticks(3);
      if (!overlap) await fs.rm(m.marker!, { force: true });
      await lock.release();
      process.send!({ op: 'raced', overlap });
    } else if (m.op === 'hold') {
      await acquireDownloadLock(m.lockPath!, 'hold', {});
      process.send!({ op: 'holding' });
    }
  } catch (error) {
    process.send!({ op: 'error', message: (error as Error).stack });
  }
});
process.send!({ op: 'ready', pid: process.pid });

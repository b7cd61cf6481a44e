// A package of several times the 4 MiB after which the downloader asks V8 for a young-generation
// GC (src/feed/download.ts): downloaded from an http and a folder feed, then re-verified from the
// cache, byte for byte. Its memory is the download benchmark's to measure, not this test's.
import { expect } from 'chai';
import { createHash, randomFillSync } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { downloadPackage } from '../../../src/feed/download';
import { openFeedSource } from '../../../src/feed/source';
import type { ReleaseEntry } from '../../../src/feed/types';
import { startFeedServer } from '../../helpers/feed-server';

describe('feed/download of a package larger than the GC interval', () => {
  it('downloads 40 MiB from an http and a folder feed, and verifies the cached copy again', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'altazion-large-'));
    const payload = randomFillSync(Buffer.allocUnsafe(40 * 1024 * 1024 + 5));
    await mkdir(path.join(root, 'feed', 'packages'), { recursive: true });
    await writeFile(path.join(root, 'feed', 'packages', 'big-1.0.zip'), payload);
    const release: ReleaseEntry = {
      version: '1.0', publishedAt: '2026-01-01T00:00:00Z', package: 'packages/big-1.0.zip',
      size: payload.length, sha256: createHash('sha256').update(payload).digest('hex'),
    };
    const server = await startFeedServer(path.join(root, 'feed'));
    try {
      for (const [label, location] of [['http', server.url], ['folder', path.join(root, 'feed')]]) {
        const cacheDir = path.join(root, `cache-${label}`);
        const first = await downloadPackage({ source: openFeedSource(location, { env: {} }), release, cacheDir, retries: 0 });
        expect(first.fromCache, label).to.equal(false);
        expect((await readFile(first.path)).equals(payload), label).to.equal(true);
        const again = await downloadPackage({ source: openFeedSource(location, { env: {} }), release, cacheDir, retries: 0 });
        expect(again, label).to.deep.include({ fromCache: true, sha256: release.sha256, requests: 0 });
      }
    } finally {
      await server.close();
      await rm(root, { recursive: true, force: true });
    }
  });
});

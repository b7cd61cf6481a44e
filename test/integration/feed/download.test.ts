import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, rm, stat, truncate, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AltazionError } from '../../../src/core/errors';
import { downloadPackage, partialPathFor, type DownloadOptions } from '../../../src/feed/download';
import { openFeedSource } from '../../../src/feed/source';
import { UNREADABLE_LOCK_GRACE_MS } from '../../../src/io/lock-file';
import type { DownloadProgress } from '../../../src/feed/types';
import { startFeedServer, type FeedServer } from '../../helpers/feed-server';
import { freshCache, listing, makeFeed, type Feed, rejection } from './fixtures';

const SIZE = 2 * 1024 * 1024;


async function sha256(file: string): Promise<string> {
  return createHash('sha256').update(await readFile(file)).digest('hex');
}

// The download benchmark runs against the test feed server serving from memory; every case runs
// against both, so the benchmark's server gives the same bytes, ranges and faults as the file one.
for (const fromMemory of [false, true]) describe(`feed/download over a real HTTP feed server${fromMemory ? ' serving from memory (the benchmark setup)' : ''}`, function () {
  let feed: Feed;
  let server: FeedServer;
  let cacheDir: string;

  before(async () => {
    feed = await makeFeed([{ module: 'ecommerce', version: '25.10.1.2', kind: 'web', payloadBytes: SIZE }]);
    server = await startFeedServer(feed.feedDir, {}, { fromMemory });
  });
  after(async () => { await server.close(); await rm(feed.root, { recursive: true, force: true }); });
  beforeEach(async () => { cacheDir = await freshCache(feed, server); });

  const options = (extra: Partial<DownloadOptions> = {}): DownloadOptions => ({
    source: openFeedSource(server.url, { env: {} }),
    release: feed.release('ecommerce'),
    cacheDir,
    retries: 3,
    retryDelayMs: 5,
    ...extra,
  });
  const zipRequests = () => server.requests.filter((r) => r.path.endsWith('.zip'));

  it('streams, verifies and renames into the cache, reporting progress', async () => {
    const progress: DownloadProgress[] = [];
    const result = await downloadPackage(options({ onProgress: (p) => progress.push(p) }));
    const release = feed.release('ecommerce');
    expect(result.path).to.equal(path.join(cacheDir, 'ecommerce-25.10.1.2.zip'));
    expect(result.fromCache).to.equal(false);
    expect((await stat(result.path)).size).to.equal(release.size);
    expect(await sha256(result.path)).to.equal(release.sha256);
    expect(await listing(cacheDir)).to.deep.equal([`ecommerce-25.10.1.2.zip:${release.size}`]);
    expect(progress.at(-1)).to.deep.equal({ received: release.size, total: release.size });
  });

  it('does not download a verified cached file again, and replaces a corrupted one', async () => {
    await downloadPackage(options());
    server.requests.length = 0;
    const again = await downloadPackage(options());
    expect(again.fromCache).to.equal(true);
    expect(zipRequests()).to.have.length(0);

    const bytes = await readFile(again.path);
    bytes[100] ^= 0xff;
    await writeFile(again.path, bytes);
    const repaired = await downloadPackage(options());
    expect(repaired.fromCache).to.equal(false);
    expect(zipRequests()).to.have.length(1);
    expect(await sha256(repaired.path)).to.equal(feed.release('ecommerce').sha256);
  });

  it('rejects tampered bytes with E_PACKAGE_INTEGRITY and leaves the cache as it was', async () => {
    server.faults = { tamperAt: SIZE / 2 };
    const before = await listing(cacheDir);
    const err = await rejection(downloadPackage(options()));
    expect(err.code).to.equal('E_PACKAGE_INTEGRITY');
    expect(err.message).to.contain('sha256').and.contain(`${server.url}packages/ecommerce-25.10.1.2.zip`);
    expect(await listing(cacheDir)).to.deep.equal(before);
  });

  it('rejects a truncated package (server announces another size) and leaves the cache as it was', async () => {
    server.faults = { truncateTo: 1000 };
    const before = await listing(cacheDir);
    const err = await rejection(downloadPackage(options()));
    expect(err.code).to.equal('E_PACKAGE_INTEGRITY');
    expect(err.message).to.contain('serves 1000 bytes');
    expect(await listing(cacheDir)).to.deep.equal(before);
  });

  it('rejects a wrong Content-Length without downloading the body', async () => {
    server.faults = { contentLengthDelta: 10 };
    const before = await listing(cacheDir);
    const err = await rejection(downloadPackage(options()));
    expect(err.code).to.equal('E_PACKAGE_INTEGRITY');
    expect(await listing(cacheDir)).to.deep.equal(before);
  });

  it('aborts as soon as more bytes than signed arrive (no Content-Length)', async () => {
    const extra = 64 * 1024 * 1024;
    server.faults = { chunked: true, extraBytes: extra };
    const before = await listing(cacheDir);
    const err = await rejection(downloadPackage(options()));
    expect(err.code).to.equal('E_PACKAGE_INTEGRITY');
    expect(err.message).to.contain('more bytes than');
    expect(await listing(cacheDir)).to.deep.equal(before);
    // The server notices the closed connection asynchronously.
    for (let i = 0; i < 60 && !zipRequests()[0]?.aborted; i++) await new Promise((r) => setTimeout(r, 50));
    const [req] = zipRequests();
    expect(req.aborted, 'the connection was cut by the client').to.equal(true);
    expect(req.bytesSent).to.be.lessThan(SIZE + extra);
  });

  it('resumes with a Range request after a connection dropped half-way, then verifies', async () => {
    server.faults = { dropAfter: SIZE / 2, dropTimes: 1 };
    const result = await downloadPackage(options());
    const reqs = zipRequests();
    expect(reqs).to.have.length(2);
    expect(reqs[0].range).to.equal(undefined);
    expect(reqs[1].range).to.match(/^bytes=\d+-$/);
    const resumedAt = Number(/bytes=(\d+)-/.exec(reqs[1].range!)![1]);
    expect(resumedAt).to.be.greaterThan(0).and.at.most(SIZE / 2);
    expect(reqs[1].status).to.equal(206);
    expect(await sha256(result.path)).to.equal(feed.release('ecommerce').sha256);
  });

  it('keeps the partial when retries run out, and the next run resumes from it', async () => {
    server.faults = { dropAfter: 300 * 1024 };
    const err = await rejection(downloadPackage(options({ retries: 1 })));
    expect(err.code).to.equal('E_DOWNLOAD');
    expect(err.message).to.contain('gave up after 2 requests');
    const partial = partialPathFor(cacheDir, feed.release('ecommerce'));
    const kept = (await stat(partial)).size;
    expect(kept).to.be.greaterThan(0);
    expect(await listing(cacheDir)).to.deep.equal([`ecommerce-25.10.1.2.zip.partial:${kept}`]);

    server.faults = {};
    server.requests.length = 0;
    const result = await downloadPackage(options());
    expect(result.resumedFrom).to.equal(kept);
    // One request: the bytes kept were hashed first, so the resumed file verified at once.
    expect(zipRequests().map((r) => r.range)).to.deep.equal([`bytes=${kept}-`]);
    expect(await sha256(result.path)).to.equal(feed.release('ecommerce').sha256);
    expect(await listing(cacheDir)).to.deep.equal([`ecommerce-25.10.1.2.zip:${feed.release('ecommerce').size}`]);
  });

  it('restarts from 0 when the server answers 200 to a range request', async () => {
    const release = feed.release('ecommerce');
    await copyFile(path.join(feed.feedDir, release.package), partialPathFor(cacheDir, release));
    await truncate(partialPathFor(cacheDir, release), 5000);
    server.faults = { ignoreRange: true };
    const result = await downloadPackage(options());
    expect(zipRequests()[0].range).to.equal('bytes=5000-');
    expect(zipRequests()[0].status).to.equal(200);
    expect(await sha256(result.path)).to.equal(release.sha256);
  });

  it('restarting from 0 also restarts the hash: bad bytes of the earlier partial, overwritten, do not count', async () => {
    const release = feed.release('ecommerce');
    await writeFile(partialPathFor(cacheDir, release), Buffer.alloc(5000, 7));
    // The earlier bytes are hashed before the request; the answer comes late, after that.
    server.faults = { ignoreRange: true, answerAfterMs: 300 };
    const result = await downloadPackage(options());
    // One request: the digest of the first pass matched, no second pass from scratch was needed.
    expect(zipRequests().map((r) => [r.range, r.status])).to.deep.equal([['bytes=5000-', 200]]);
    expect(await sha256(result.path)).to.equal(release.sha256);
  });

  it('discards a bad partial and downloads again from scratch', async () => {
    const release = feed.release('ecommerce');
    await writeFile(partialPathFor(cacheDir, release), Buffer.alloc(4096, 7));
    const result = await downloadPackage(options());
    expect(zipRequests().map((r) => r.range)).to.deep.equal(['bytes=4096-', undefined]);
    expect(await sha256(result.path)).to.equal(release.sha256);
    expect(await listing(cacheDir)).to.deep.equal([`ecommerce-25.10.1.2.zip:${release.size}`]);
  });

  it('discards a partial longer than the signed size', async () => {
    const release = feed.release('ecommerce');
    await writeFile(partialPathFor(cacheDir, release), Buffer.alloc(release.size + 1));
    const result = await downloadPackage(options());
    expect(zipRequests()[0].range).to.equal(undefined);
    expect(await sha256(result.path)).to.equal(release.sha256);
  });

  it('retries after 500 answers, and reports the URL and status when they persist', async () => {
    server.faults = { status500: 2 };
    const ok = await downloadPackage(options());
    expect(zipRequests().map((r) => r.status)).to.deep.equal([500, 500, 200]);
    expect(await sha256(ok.path)).to.equal(feed.release('ecommerce').sha256);

    cacheDir = path.join(feed.root, 'cache-after-500s'); // not created: the download creates it
    server.faults = { status500: 100 };
    const err = await rejection(downloadPackage(options({ retries: 2 })));
    expect(err.code).to.equal('E_FEED_UNREACHABLE');
    expect(err.message).to.contain(`${server.url}packages/ecommerce-25.10.1.2.zip`).and.contain('HTTP 500');
    expect(await listing(cacheDir)).to.deep.equal([]);
  });

  it('does not retry a 404', async () => {
    const release = { ...feed.release('ecommerce'), package: 'packages/missing-1.0.zip' };
    const err = await rejection(downloadPackage(options({ release })));
    expect(err.code).to.equal('E_FEED_UNREACHABLE');
    expect(err.message).to.contain('HTTP 404');
    expect(zipRequests()).to.have.length(1);
  });

  it('gives up on a stalled connection after the idle timeout, retrying first', async () => {
    server.faults = { stallAfter: 100 * 1024 };
    const err = await rejection(downloadPackage(options({ idleTimeoutMs: 200, retries: 1 })));
    expect(err.code).to.equal('E_DOWNLOAD');
    expect(err.message).to.contain('no data for');
    expect(zipRequests()).to.have.length(2);
    expect(zipRequests()[1].range).to.equal(`bytes=${100 * 1024}-`);
  });

  it('completes over a slow (throttled) connection', async () => {
    server.faults = { bytesPerSecond: 8 * 1024 * 1024 };
    const result = await downloadPackage(options());
    expect(await sha256(result.path)).to.equal(feed.release('ecommerce').sha256);
  });

  it('serialises concurrent downloads of the same package in one process: one request, one verified file', async () => {
    server.faults = { bytesPerSecond: 16 * 1024 * 1024 };
    const [a, b] = await Promise.all([downloadPackage(options()), downloadPackage(options())]);
    expect(zipRequests()).to.have.length(1);
    expect([a.fromCache, b.fromCache].sort()).to.deep.equal([false, true]);
    expect(await sha256(a.path)).to.equal(feed.release('ecommerce').sha256);
    expect(await listing(cacheDir)).to.deep.equal([`ecommerce-25.10.1.2.zip:${feed.release('ecommerce').size}`]);
  });

  // Between processes (dead and live holders, races): download-lock.test.ts.
  it('a download lock of an earlier version (a bare pid) counts as being written: waited for, then taken over after the grace', async () => {
    const lock = path.join(cacheDir, 'ecommerce-25.10.1.2.zip.lock');
    await writeFile(lock, `${process.pid}\n`);
    const controller = new AbortController();
    const err = await rejection(downloadPackage(options({ signal: controller.signal, onWait: () => controller.abort() })));
    expect(err.code).to.equal('E_DOWNLOAD');
    expect(err.message).to.contain('cancelled while waiting');
    expect(zipRequests()).to.have.length(0);
    const old = new Date(Date.now() - UNREADABLE_LOCK_GRACE_MS - 1000);
    await utimes(lock, old, old);
    const result = await downloadPackage(options());
    expect(await sha256(result.path)).to.equal(feed.release('ecommerce').sha256);
    expect(await listing(cacheDir)).to.deep.equal([`ecommerce-25.10.1.2.zip:${feed.release('ecommerce').size}`]);
  });

  it('stops when cancelled and keeps the partial to resume', async () => {
    server.faults = { bytesPerSecond: 1024 * 1024 };
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const err = await rejection(downloadPackage(options({ signal: controller.signal })));
    expect(err.code).to.equal('E_DOWNLOAD');
    expect(err.message).to.contain('cancelled');
    const names = await listing(cacheDir);
    expect(names).to.have.length(1);
    expect(names[0]).to.match(/\.partial:\d+$/);
  });

  if (fromMemory) it('serves a file read again when it changed on disk', async () => {
    const file = path.join(feed.feedDir, feed.release('ecommerce').package);
    await downloadPackage(options());
    const original = await readFile(file);
    try {
      const altered = Buffer.from(original);
      altered[10] ^= 0xff;
      await writeFile(file, altered);
      const response = await fetch(`${server.url}${feed.release('ecommerce').package}`, { headers: { range: 'bytes=0-' } });
      const served = Buffer.from(await response.arrayBuffer());
      expect(served[10]).to.equal(altered[10]);
      expect(served.length).to.equal(original.length);
    } finally {
      await writeFile(file, original);
    }
  });
});

describe('feed/download from a folder feed', () => {
  let feed: Feed;
  let cacheDir: string;
  let n = 0;
  before(async () => {
    feed = await makeFeed([{ module: 'logistique', version: '25.11', kind: 'service', payloadBytes: 512 * 1024 }]);
  });
  after(() => rm(feed.root, { recursive: true, force: true }));
  beforeEach(async () => {
    cacheDir = path.join(feed.root, `fcache-${++n}`);
  });
  const download = (source: DownloadOptions['source'], release: DownloadOptions['release']) =>
    downloadPackage({ source, release, cacheDir });

  it('copies and verifies from the folder, resuming from a partial with a start offset', async () => {
    const release = feed.release('logistique');
    await mkdir(cacheDir);
    const source = await readFile(path.join(feed.feedDir, release.package));
    await writeFile(partialPathFor(cacheDir, release), source.subarray(0, 100_000));
    const result = await download(openFeedSource(feed.feedDir), release);
    expect(result.resumedFrom).to.equal(100_000);
    expect(result.requests, 'verified at the first pass').to.equal(1);
    expect(await sha256(result.path)).to.equal(release.sha256);
  });

  it('rejects a package altered in the folder and caches nothing', async () => {
    const release = feed.release('logistique');
    const file = path.join(feed.feedDir, release.package);
    const original = await readFile(file);
    const altered = Buffer.from(original);
    altered[altered.length - 10] ^= 1;
    await writeFile(file, altered);
    try {
      const err = await rejection(download(openFeedSource(feed.feedDir), release));
      expect(err.code).to.equal('E_PACKAGE_INTEGRITY');
      expect(err.message).to.contain(feed.feedDir);
      expect(await listing(cacheDir)).to.deep.equal([]);
    } finally {
      await writeFile(file, original);
    }
  });

  it('handles an empty package without a request, and rejects one whose signed hash is not that of nothing', async () => {
    const empty = { version: '1.0', publishedAt: '2026-01-01T00:00:00Z', package: 'packages/empty-1.0.zip', size: 0, sha256: createHash('sha256').digest('hex') };
    const result = await download(openFeedSource(path.join(feed.root, 'no-such-feed')), empty);
    expect(result.requests).to.equal(0);
    expect((await stat(result.path)).size).to.equal(0);
    const wrong = { ...empty, package: 'packages/empty-2.0.zip', sha256: 'b'.repeat(64) };
    const err = await rejection(download(openFeedSource(path.join(feed.root, 'no-such-feed')), wrong));
    expect(err.code).to.equal('E_PACKAGE_INTEGRITY');
    expect(await listing(cacheDir)).to.deep.equal(['empty-1.0.zip:0']);
  });

  it('rejects a package whose size differs in the folder', async () => {
    const release = { ...feed.release('logistique'), size: feed.release('logistique').size - 1 };
    const err = await rejection(download(openFeedSource(feed.feedDir), release));
    expect(err.code).to.equal('E_PACKAGE_INTEGRITY');
    expect(await listing(cacheDir)).to.deep.equal([]);
  });
});

// A disk that refuses writes half-way through a download: the error names the partial, every byte
// that landed stays in it (in order: a later run resumes right after them), and nothing is
// retried in that run. The refusal comes from a file-size limit (`ulimit -f`, EFBIG) on a child
// process: a real kernel error, no mock. The kernel writes up to the limit before refusing, so the
// partial holds exactly the first LIMIT_KIB KiB.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { downloadPackage, partialPathFor } from '../../../src/feed/download';
import { openFeedSource } from '../../../src/feed/source';
import { startFeedServer, type FeedServer } from '../../helpers/feed-server';
import { listing, makeFeed, type Feed } from './fixtures';

const SIZE = 4 * 1024 * 1024;
// The child may write files of 2 MiB at most: the download writes each chunk as it comes (64 KiB
// or so), so the first writes land and the refusal comes half-way; the test checks that what landed
// is kept for the next attempt, with a limit well above one chunk so that there is something to keep.
const LIMIT_KIB = 2048;

describe('feed/download when the disk refuses writes (file-size limit)', function () {
  this.timeout(60_000);
  let feed: Feed;
  let server: FeedServer;
  let script: string;
  let n = 0;

  before(async () => {
    feed = await makeFeed([{ module: 'ecommerce', version: '26.1', kind: 'web', payloadBytes: SIZE }]);
    server = await startFeedServer(feed.feedDir);
    const src = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../src/feed');
    script = path.join(feed.root, 'child.ts');
    await writeFile(script, [
      `import { downloadPackage } from ${JSON.stringify(path.join(src, 'download'))};`,
      `import { openFeedSource } from ${JSON.stringify(path.join(src, 'source'))};`,
      'const [location, cacheDir, releaseJson] = process.argv.slice(2);',
      'downloadPackage({ source: openFeedSource(location, { env: {} }), release: JSON.parse(releaseJson), cacheDir, retries: 0 })',
      '  .then((r) => console.log(JSON.stringify({ sha256: r.sha256 })), (e) => console.log(JSON.stringify({ code: e.code, message: e.message })));',
    ].join('\n'));
  });
  after(async () => { await server.close(); await rm(feed.root, { recursive: true, force: true }); });

  /** Runs the download in a child whose files may not grow beyond LIMIT_KIB. */
  const downloadUnderLimit = (location: string, cacheDir: string) => new Promise<Record<string, string>>((resolve, reject) => {
    const child = spawn('bash', ['-c', `ulimit -f ${LIMIT_KIB} && exec "$0" --import tsx "$@"`, process.execPath, script, location, cacheDir, JSON.stringify(feed.release('ecommerce'))], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.on('error', reject);
    child.on('exit', () => { try { resolve(JSON.parse(out)); } catch { reject(new Error(`child said: ${out}`)); } });
  });

  for (const [label, location] of [['an http feed', () => server.url], ['a folder feed', () => feed.feedDir]] as const) {
    it(`from ${label}: reports the disk error naming the partial, keeps every byte that landed, and the next run resumes`, async () => {
      const release = feed.release('ecommerce');
      const cacheDir = path.join(feed.root, `cache-${++n}`);
      await mkdir(cacheDir);
      const failed = await downloadUnderLimit(location(), cacheDir);
      const partial = partialPathFor(cacheDir, release);
      expect(failed.code, failed.message).to.equal("E_DOWNLOAD");
      expect(failed.message, failed.message).to.contain(partial).and.contain('EFBIG');

      const kept = await readFile(partial);
      const original = await readFile(path.join(feed.feedDir, release.package));
      expect(kept.length, 'the bytes written before the limit').to.equal(LIMIT_KIB * 1024);
      expect(kept.equals(original.subarray(0, kept.length)), 'the partial holds exactly the first bytes of the package').to.equal(true);
      expect(await listing(cacheDir)).to.deep.equal([`ecommerce-26.1.zip.partial:${kept.length}`]);

      const result = await downloadPackage({ source: openFeedSource(location(), { env: {} }), release, cacheDir, retries: 0 });
      expect(result.resumedFrom).to.equal(kept.length);
      expect((await stat(result.path)).size).to.equal(release.size);
      expect(createHash('sha256').update(await readFile(result.path)).digest('hex')).to.equal(release.sha256);
    });
  }
});

import { expect } from 'chai';
import { readdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AltazionError } from '../../../src/core/errors';
import { loadVerifiedIndex, readFeedState, recordAcceptedIndex } from '../../../src/feed/index-loader';
import { generateSigningKey } from '../../../src/feed/keys';
import { encodeSignatureFile, signIndex } from '../../../src/feed/signature';
import { openFeedSource } from '../../../src/feed/source';
import { INDEX_FILE, SIGNATURE_FILE, type FeedSource } from '../../../src/feed/types';
import { startFeedServer, type FeedServer } from '../../helpers/feed-server';
import { makeFeed, type Feed, rejection } from './fixtures';


const NOW = new Date('2026-03-01T12:00:00Z');

for (const kind of ['http', 'folder'] as const) {
  describe(`feed/index-loader (${kind} feed)`, () => {
    let feed: Feed;
    let server: FeedServer | undefined;
    let source: FeedSource;
    let original: { index: Buffer; sig: Buffer };

    before(async () => {
      feed = await makeFeed([
        { module: 'ecommerce', version: '25.10', kind: 'web' },
        { module: 'database', version: '25.10', kind: 'database' },
      ], { now: NOW, expiresInDays: 30 });
      original = { index: await readFile(path.join(feed.feedDir, INDEX_FILE)), sig: await readFile(path.join(feed.feedDir, SIGNATURE_FILE)) };
      if (kind === 'http') {
        server = await startFeedServer(feed.feedDir);
        source = openFeedSource(server.url, { env: {} });
      } else {
        source = openFeedSource(feed.feedDir);
      }
    });
    after(async () => { await server?.close(); await rm(feed.root, { recursive: true, force: true }); });
    afterEach(async () => {
      await writeFile(path.join(feed.feedDir, INDEX_FILE), original.index);
      await writeFile(path.join(feed.feedDir, SIGNATURE_FILE), original.sig);
    });

    const load = (extra: Partial<Parameters<typeof loadVerifiedIndex>[0]> = {}) =>
      loadVerifiedIndex({ source, trustedKeys: feed.trusted, now: NOW, ...extra });

    it('accepts the signed index and says which key vouched for it', async () => {
      const verified = await load();
      expect(verified.keyId).to.equal('test-key');
      expect(verified.location).to.equal(source.location);
      expect(verified.index.indexVersion).to.equal(1);
      expect(Object.keys(verified.index.modules).sort()).to.deep.equal(['database', 'ecommerce']);
      expect(verified.index.modules.ecommerce.releases[0].sha256).to.equal(feed.release('ecommerce').sha256);
    });

    it('rejects a missing signature file', async () => {
      await unlink(path.join(feed.feedDir, SIGNATURE_FILE));
      const err = await rejection(load());
      expect(err.code).to.equal('E_FEED_SIGNATURE');
      expect(err.message).to.contain('missing').and.contain(source.location);
    });

    it('rejects a malformed signature file', async () => {
      await writeFile(path.join(feed.feedDir, SIGNATURE_FILE), '{"signatures": "nope"}');
      const err = await rejection(load());
      expect(err.code).to.equal('E_FEED_SIGNATURE');
      expect(err.message).to.contain('signatures: must be a non-empty array').and.contain(source.location);
    });

    it('rejects an index changed after signing (one byte)', async () => {
      const text = original.index.toString('utf8').replace('"indexVersion": 1', '"indexVersion": 9');
      await writeFile(path.join(feed.feedDir, INDEX_FILE), text);
      const err = await rejection(load());
      expect(err.code).to.equal('E_FEED_SIGNATURE');
      expect(err.message).to.contain(source.location);
    });

    it('rejects an index signed by an unknown key, naming the key id', async () => {
      const stranger = generateSigningKey('stranger');
      await writeFile(path.join(feed.feedDir, SIGNATURE_FILE), encodeSignatureFile(signIndex(original.index, [stranger])));
      const err = await rejection(load());
      expect(err.code).to.equal('E_FEED_UNKNOWN_KEY');
      expect(err.message).to.contain('"stranger"').and.contain(source.location);
    });

    it('rejects an expired index', async () => {
      const err = await rejection(load({ now: new Date('2026-04-01T00:00:00Z') }));
      expect(err.code).to.equal('E_FEED_EXPIRED');
      expect(err.message).to.contain('2026-03-31T12:00:00.000Z');
    });

    it('rejects an index older than the last accepted one, accepts the same version', async () => {
      expect((await load({ lastAcceptedVersion: 1 })).index.indexVersion).to.equal(1);
      const err = await rejection(load({ lastAcceptedVersion: 2 }));
      expect(err.code).to.equal('E_FEED_ROLLBACK');
      expect(err.message).to.contain('1 is lower than 2');
    });

    it('rejects a correctly signed index that breaks the schema, naming the field', async () => {
      const doc = JSON.parse(original.index.toString('utf8'));
      doc.modules.ecommerce.releases[0].sha256 = 'xyz';
      const bytes = Buffer.from(JSON.stringify(doc));
      await writeFile(path.join(feed.feedDir, INDEX_FILE), bytes);
      await writeFile(path.join(feed.feedDir, SIGNATURE_FILE), encodeSignatureFile(signIndex(bytes, [feed.key])));
      const err = await rejection(load());
      expect(err.code).to.equal('E_FEED_INVALID');
      expect(err.message).to.contain('release-index.json: modules.ecommerce.releases[0].sha256: must be 64 hex digits');
    });

    it('reports a feed without an index', async () => {
      await unlink(path.join(feed.feedDir, INDEX_FILE));
      const err = await rejection(load());
      expect(err.code).to.equal('E_FEED_INVALID');
      expect(err.message).to.contain('not found').and.contain(source.location);
    });
  });
}

describe('feed/index-loader over HTTP failures', () => {
  it('reports an unreachable feed with its URL', async () => {
    const server = await startFeedServer(process.cwd());
    const url = server.url;
    await server.close();
    const err = await rejection(loadVerifiedIndex({ source: openFeedSource(url, { env: {} }), trustedKeys: [], now: NOW }));
    expect(err.code).to.equal('E_FEED_UNREACHABLE');
    expect(err.message).to.contain(`${url}release-index.json`).and.contain('ECONNREFUSED');
  });

  it('retries a transient 500 on the index, and reports a persistent one with the URL and the status', async () => {
    const feed = await makeFeed([{ module: 'ecommerce', version: '25.10', kind: 'web' }]);
    const server = await startFeedServer(feed.feedDir, { match: /release-index\.json$/, status500: 1 });
    try {
      const source = openFeedSource(server.url, { env: {} });
      const ok = await loadVerifiedIndex({ source, trustedKeys: feed.trusted, now: new Date(), retryDelayMs: 5 });
      expect(ok.index.indexVersion).to.equal(1);
      expect(server.requests.filter((r) => r.path === 'release-index.json').map((r) => r.status)).to.deep.equal([500, 200]);

      server.faults.status500 = 100;
      const err = await rejection(loadVerifiedIndex({ source, trustedKeys: feed.trusted, now: new Date(), retryDelayMs: 5 }));
      expect(err.code).to.equal('E_FEED_UNREACHABLE');
      expect(err.message).to.contain(`${server.url}release-index.json`).and.contain('HTTP 500');
      expect(server.requests.filter((r) => r.path === 'release-index.json')).to.have.length(2 + 3);
    } finally {
      await server.close();
      await rm(feed.root, { recursive: true, force: true });
    }
  });
});

describe('feed/index-loader feed state', () => {
  it('records the accepted version atomically and never lowers it', async () => {
    const feed = await makeFeed([{ module: 'ecommerce', version: '25.10', kind: 'web' }], { now: NOW });
    const stateFile = path.join(feed.root, 'bin', 'updates', 'feed-state.json');
    try {
      expect(await readFeedState(stateFile)).to.equal(undefined);
      const verified = await loadVerifiedIndex({ source: openFeedSource(feed.feedDir), trustedKeys: feed.trusted, now: NOW });
      await recordAcceptedIndex(stateFile, verified, NOW);
      expect(await readFeedState(stateFile)).to.deep.include({ lastAcceptedIndexVersion: 1, keyId: 'test-key', acceptedAt: NOW.toISOString() });
      await recordAcceptedIndex(stateFile, { ...verified, index: { ...verified.index, indexVersion: 7 } }, NOW);
      await recordAcceptedIndex(stateFile, verified, NOW);
      expect((await readFeedState(stateFile))?.lastAcceptedIndexVersion).to.equal(7);
      expect(await readdir(path.dirname(stateFile))).to.deep.equal(['feed-state.json']);
    } finally {
      await rm(feed.root, { recursive: true, force: true });
    }
  });

  it('reports a corrupt state file naming the file and the field', async () => {
    const feed = await makeFeed([{ module: 'ecommerce', version: '25.10', kind: 'web' }]);
    const stateFile = path.join(feed.root, 'feed-state.json');
    try {
      await writeFile(stateFile, '{"lastAcceptedIndexVersion": "x"}');
      const err = await rejection(readFeedState(stateFile));
      expect(err.code).to.equal('E_CONFIG');
      expect(err.message).to.contain(stateFile).and.contain('lastAcceptedIndexVersion');
    } finally {
      await rm(feed.root, { recursive: true, force: true });
    }
  });
});

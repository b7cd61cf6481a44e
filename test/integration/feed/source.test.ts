import { expect } from 'chai';
import { rm } from 'node:fs/promises';
import http from 'node:http';
import { loadVerifiedIndex } from '../../../src/feed/index-loader';
import { openFeedSource, FolderFeedSource, HttpFeedSource } from '../../../src/feed/source';
import { proxySettings } from '../../../src/net/http';
import { startFeedServer } from '../../helpers/feed-server';
import { makeFeed } from './fixtures';

describe('feed/source proxy settings (pure)', () => {
  it('prefers the updater.config proxy over the environment, for both schemes', () => {
    expect(proxySettings('http://cfg:3128', { HTTPS_PROXY: 'http://env:3128', NO_PROXY: '.altazion.com' }))
      .to.deep.equal({ http: 'http://cfg:3128', https: 'http://cfg:3128', noProxy: '.altazion.com' });
  });

  it('uses HTTPS_PROXY for https and HTTP_PROXY for http (lower-case variants too), ALL_PROXY as a fallback', () => {
    expect(proxySettings(undefined, { HTTPS_PROXY: 'http://s:1', http_proxy: 'http://p:2' })).to.deep.equal({ http: 'http://p:2', https: 'http://s:1', noProxy: undefined });
    expect(proxySettings(undefined, { all_proxy: 'http://a:3' })).to.deep.equal({ http: 'http://a:3', https: 'http://a:3', noProxy: undefined });
    expect(proxySettings(undefined, { HTTP_PROXY: '  ' })).to.deep.equal({ http: undefined, https: undefined, noProxy: undefined });
  });
});

describe('feed/source factory and proxies', () => {
  it('opens http(s), file: URLs and folders, and refuses other schemes', () => {
    expect(openFeedSource('https://x/feed')).to.be.instanceOf(HttpFeedSource);
    expect(openFeedSource('https://x/feed').location).to.equal('https://x/feed/');
    expect(openFeedSource('https://x/feed/release-index.json').location).to.equal('https://x/feed/');
    expect(openFeedSource('/srv/feed')).to.be.instanceOf(FolderFeedSource);
    expect(openFeedSource('file:///srv/feed').location).to.equal('/srv/feed');
    expect(() => openFeedSource('ftp://x/feed')).to.throw(/only http\(s\) URLs and folder paths/);
  });

  it('keeps index paths inside the feed', () => {
    const source = new HttpFeedSource('http://h/feed/');
    expect(source.urlFor('packages/a b.zip').href).to.equal('http://h/feed/packages/a%20b.zip');
    expect(source.urlFor('x?y#z').href).to.equal('http://h/feed/x%3Fy%23z');
    expect(() => source.urlFor('../x')).to.throw(/leaves the feed/);
    expect(() => new FolderFeedSource('/srv/feed').pathFor('../etc/passwd')).to.throw(/leaves the feed folder/);
  });

  it('goes through the proxy from the passed-in environment, and the configured proxy wins', async () => {
    const feed = await makeFeed([{ module: 'ecommerce', version: '25.10', kind: 'web' }]);
    // The fault server serves absolute-URI (proxy-style) requests from its folder, so it acts as an HTTP proxy.
    const proxy = await startFeedServer(feed.feedDir);
    const dead = await startFeedServer(feed.feedDir);
    const deadUrl = dead.url;
    await dead.close();
    try {
      const viaEnv = openFeedSource('http://feed.invalid/', { env: { HTTP_PROXY: proxy.url } });
      const verified = await loadVerifiedIndex({ source: viaEnv, trustedKeys: feed.trusted, now: new Date() });
      expect(verified.index.indexVersion).to.equal(1);
      expect(proxy.requests[0].absoluteTarget).to.equal('http://feed.invalid/release-index.json');

      proxy.requests.length = 0;
      const viaConfig = openFeedSource('http://feed.invalid/', { proxy: proxy.url, env: { HTTP_PROXY: deadUrl } });
      await loadVerifiedIndex({ source: viaConfig, trustedKeys: feed.trusted, now: new Date() });
      expect(proxy.requests.map((r) => r.absoluteTarget)).to.include('http://feed.invalid/release-index.json.sig');

      const broken = openFeedSource('http://feed.invalid/', { env: { HTTP_PROXY: deadUrl } });
      const err = await loadVerifiedIndex({ source: broken, trustedKeys: feed.trusted, now: new Date() }).catch((e) => e);
      expect(err.code).to.equal('E_FEED_UNREACHABLE');
      expect(err.message).to.contain('through proxy').and.contain('feed.invalid');
    } finally {
      await proxy.close();
      await rm(feed.root, { recursive: true, force: true });
    }
  });

  it('honours NO_PROXY, also against the configured proxy: an exempt host is reached directly', async () => {
    const feed = await makeFeed([{ module: 'ecommerce', version: '25.10', kind: 'web' }]);
    const origin = await startFeedServer(feed.feedDir);
    const proxy = await startFeedServer(feed.feedDir);
    try {
      const host = new URL(origin.url).host; // 127.0.0.1:port
      for (const [label, options] of [
        ['HTTP_PROXY', { env: { HTTP_PROXY: proxy.url, NO_PROXY: 'example.invalid, 127.0.0.1' } }],
        ['updater.config proxy', { proxy: proxy.url, env: { no_proxy: host } }],
        ['a wildcard', { proxy: proxy.url, env: { NO_PROXY: '*' } }],
      ] as const) {
        origin.requests.length = 0;
        const verified = await loadVerifiedIndex({ source: openFeedSource(origin.url, options), trustedKeys: feed.trusted, now: new Date() });
        expect(verified.index.indexVersion, label).to.equal(1);
        // The index, its signature and the optional key list (issue 20): every one straight to the origin.
        expect(origin.requests.length, label).to.be.at.least(2);
        expect(origin.requests.map((r) => r.absoluteTarget), label).to.deep.equal(origin.requests.map(() => undefined));
      }
      expect(proxy.requests).to.deep.equal([]);

      // Another port of the same host is not exempt.
      const other = openFeedSource(origin.url, { proxy: proxy.url, env: { NO_PROXY: '127.0.0.1:1' } });
      await loadVerifiedIndex({ source: other, trustedKeys: feed.trusted, now: new Date() });
      expect(proxy.requests.map((r) => r.absoluteTarget)).to.include(`${origin.url}release-index.json`);
    } finally {
      await origin.close();
      await proxy.close();
      await rm(feed.root, { recursive: true, force: true });
    }
  });

  it('tunnels https feeds through HTTPS_PROXY with CONNECT', async () => {
    const connects: string[] = [];
    const proxy = http.createServer();
    proxy.on('connect', (req: http.IncomingMessage, socket: import('node:net').Socket) => {
      connects.push(String(req.url));
      socket.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as import('node:net').AddressInfo).port}`;
    try {
      const source = openFeedSource('https://updates.example.invalid/feed/', { env: { HTTPS_PROXY: proxyUrl, HTTP_PROXY: 'http://127.0.0.1:9' } });
      const err = await source.readFile('release-index.json', 1000).catch((e) => e);
      expect(connects).to.deep.equal(['updates.example.invalid:443']);
      expect(err.code).to.equal('E_FEED_UNREACHABLE');
      expect(err.message).to.contain('https://updates.example.invalid/feed/release-index.json').and.contain(`through proxy ${proxyUrl}`);
    } finally {
      proxy.close();
    }
  });
});

// HttpFeedSource against raw servers: response framings the feed server helper does not produce
// (chunked with extensions and trailers, a body ended by the connection, an interim 1xx answer,
// a cut connection, something that is not HTTP), small files, https, redirects.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { downloadPackage } from '../../../src/feed/download';
import { openFeedSource } from '../../../src/feed/source';
import type { ReleaseEntry } from '../../../src/feed/types';

// Test-only self-signed certificate for "localhost" (valid 100 years); trusted only by the child
// process below through NODE_EXTRA_CA_CERTS.
const TLS_KEY = '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgI2qoX/N9c6VW6NWJ\ntiNX8ep8sGcV1/Jt9usYn2XvIXShRANCAARUrRwV31wtOABY+WpbrNUl9+xH4Xsm\nb8nEBBzjkNnhjLGNflPgAqKKdPSwKKl+tqwzgL7XMijWFQ+quPN8ptLb\n-----END PRIVATE KEY-----\n';
const TLS_CERT = '-----BEGIN CERTIFICATE-----\nMIIBljCCATugAwIBAgIUYfCvT/qzvoPQ54hdyHbB3WKl3wgwCgYIKoZIzj0EAwIw\nFDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTEyNDA2NDUyOFoYDzIxMjYxMDMx\nMDY0NTI4WjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO\nPQMBBwNCAARUrRwV31wtOABY+WpbrNUl9+xH4Xsmb8nEBBzjkNnhjLGNflPgAqKK\ndPSwKKl+tqwzgL7XMijWFQ+quPN8ptLbo2kwZzAdBgNVHQ4EFgQUSZHv7sza01rl\nmV4x6QpfXkSB3A0wHwYDVR0jBBgwFoAUSZHv7sza01rlmV4x6QpfXkSB3A0wDwYD\nVR0TAQH/BAUwAwEB/zAUBgNVHREEDTALgglsb2NhbGhvc3QwCgYIKoZIzj0EAwID\nSQAwRgIhAOZXLo6PxAadK8ET5feDAqdo5BH6kvWqXqylWMrJzuNtAiEAmRg8KFEG\nk11dykie3dVbO5gly0R7QHsAPt1azhYTh4g=\n-----END CERTIFICATE-----\n';

const PAYLOAD = randomBytes(3 * 1024 * 1024 + 17);
const release = (): ReleaseEntry => ({
  version: '1.0', publishedAt: '2026-01-01T00:00:00Z', package: 'packages/p-1.0.zip',
  size: PAYLOAD.length, sha256: createHash('sha256').update(PAYLOAD).digest('hex'),
});

/** A raw TCP server: for each connection, writes the pieces returned by `answer` with a pause between them. */
async function rawServer(answer: (request: string) => Buffer[]): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let text = '';
    socket.on('data', async (d) => {
      text += d;
      if (!text.includes('\r\n\r\n')) return;
      requests.push(text);
      for (const piece of answer(text)) {
        socket.write(piece);
        await new Promise((r) => setTimeout(r, 2));
      }
      socket.end();
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    requests,
    close: () => new Promise<void>((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }),
  };
}

/** Cuts a buffer in pieces of odd sizes (so heads, chunk-size lines and CRLFs straddle reads). */
function pieces(data: Buffer, sizes = [1, 7, 3, 50_000, 2, 131_071]): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0, i = 0; at < data.length; i++) {
    const n = sizes[i % sizes.length];
    out.push(data.subarray(at, at + n));
    at += n;
  }
  return out;
}

describe('feed/source over http(s): framings, small files, redirects, https', () => {
  let dir: string;
  beforeEach(async () => { dir = await mkdtemp(path.join(os.tmpdir(), 'altazion-httpbody-')); });
  afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

  it('reads a chunked body whose head, sizes and CRLFs are split across reads', async () => {
    const chunkSizes = [1, 4096, 65_536, 1_000_003];
    const parts: Buffer[] = [Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Other: a\r\n\r\n')];
    for (let at = 0, i = 0; at < PAYLOAD.length; i++) {
      const piece = PAYLOAD.subarray(at, at + chunkSizes[i % chunkSizes.length]);
      parts.push(Buffer.from(`${piece.length.toString(16)};ext=1\r\n`), piece, Buffer.from('\r\n'));
      at += piece.length;
    }
    parts.push(Buffer.from('0\r\nX-Trailer: t\r\n\r\n'));
    const server = await rawServer(() => pieces(Buffer.concat(parts)));
    try {
      const result = await downloadPackage({ source: openFeedSource(server.url, { env: {} }), release: release(), cacheDir: dir, retries: 0 });
      expect((await readFile(result.path)).equals(PAYLOAD)).to.equal(true);
      expect(server.requests[0]).to.match(/^GET \/packages\/p-1\.0\.zip HTTP\/1\.1\r\n/);
    } finally {
      await server.close();
    }
  });

  it('reads a body delimited by the end of the connection (no Content-Length), after an interim 103 answer', async () => {
    const server = await rawServer(() => pieces(Buffer.concat([Buffer.from('HTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\nHTTP/1.0 200 OK\r\n\r\n'), PAYLOAD])));
    try {
      const result = await downloadPackage({ source: openFeedSource(server.url, { env: {} }), release: release(), cacheDir: dir, retries: 0 });
      expect((await readFile(result.path)).equals(PAYLOAD)).to.equal(true);
    } finally {
      await server.close();
    }
  });

  it('resumes after a connection cut inside a Content-Length body', async () => {
    let calls = 0;
    const server = await rawServer((request) => {
      calls++;
      const from = Number(/range: bytes=(\d+)-/i.exec(request)?.[1] ?? 0);
      const head = from > 0
        ? `HTTP/1.1 206 Partial Content\r\nContent-Length: ${PAYLOAD.length - from}\r\nContent-Range: bytes ${from}-${PAYLOAD.length - 1}/${PAYLOAD.length}\r\n\r\n`
        : `HTTP/1.1 200 OK\r\nContent-Length: ${PAYLOAD.length}\r\n\r\n`;
      const body = calls === 1 ? PAYLOAD.subarray(0, 1_234_567) : PAYLOAD.subarray(from);
      return [Buffer.from(head), body];
    });
    try {
      const result = await downloadPackage({ source: openFeedSource(server.url, { env: {} }), release: release(), cacheDir: dir, retries: 2, retryDelayMs: 5 });
      expect(result.requests).to.equal(2);
      // From the bytes on disk: those still in the stream's buffers when the connection broke
      // come again.
      const resumedAt = Number(/range: bytes=(\d+)-/i.exec(server.requests[1])?.[1]);
      expect(resumedAt).to.be.greaterThan(0).and.at.most(1_234_567);
      expect((await readFile(result.path)).equals(PAYLOAD)).to.equal(true);
    } finally {
      await server.close();
    }
  });

  it('rejects a malformed answer as a network failure naming the URL', async () => {
    const server = await rawServer(() => [Buffer.from('SSH-2.0-OpenSSH\r\n\r\n')]);
    try {
      const err = await downloadPackage({ source: openFeedSource(server.url, { env: {} }), release: release(), cacheDir: dir, retries: 0 }).catch((e) => e);
      expect(err.code).to.equal('E_FEED_UNREACHABLE');
      expect(err.message).to.contain(`${server.url}packages/p-1.0.zip`).and.contain('not an HTTP/1.x answer');
    } finally {
      await server.close();
    }
  });

  describe('small files (index, signature)', () => {
    const source = (url: string) => openFeedSource(url, { env: {} });

    it('reads a file, and follows a redirect', async () => {
      const target = http.createServer((_req, res) => res.end('{"moved":true}'));
      await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
      const to = `http://127.0.0.1:${(target.address() as AddressInfo).port}/elsewhere/release-index.json`;
      const server = await rawServer((request) => (request.startsWith('GET /old/')
        ? [Buffer.from(`HTTP/1.1 301 Moved\r\nLocation: ${to}\r\nContent-Length: 0\r\n\r\n`)]
        : pieces(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n{"ok":true}'), [3, 20, 1])));
      try {
        expect(String(await source(server.url).readFile('release-index.json', 1000))).to.equal('{"ok":true}');
        expect(String(await source(`${server.url}old/`).readFile('release-index.json', 1000))).to.equal('{"moved":true}');
        expect(server.requests[0]).to.match(/cache-control: no-cache/i);
      } finally {
        await server.close();
        target.closeAllConnections();
        target.close();
      }
    });

    it('refuses a file larger than allowed, announced or not', async () => {
      const big = Buffer.alloc(5000, 0x41);
      const server = await rawServer((request) => (request.includes('announced')
        ? [Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${big.length}\r\n\r\n`), big]
        : [Buffer.from('HTTP/1.0 200 OK\r\n\r\n'), big]));
      try {
        for (const name of ['announced/release-index.json', 'silent/release-index.json']) {
          const err = await source(server.url).readFile(name, 1000).catch((e) => e);
          expect(err.code, name).to.equal('E_FEED_INVALID');
          expect(err.message).to.contain(`${server.url}${name}`).and.contain('larger than the 1000 bytes allowed');
        }
      } finally {
        await server.close();
      }
    });

    it('names the URL and status of a missing file, and of a connection lost while reading', async () => {
      const server = await rawServer((request) => (request.includes('missing')
        ? [Buffer.from('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n')]
        : [Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n'), Buffer.alloc(100, 0x20)]));
      try {
        const missing = await source(server.url).readFile('missing/release-index.json', 1000).catch((e) => e);
        expect(missing.code).to.equal('E_FEED_UNREACHABLE');
        expect(missing.notFound).to.equal(true);
        expect(missing.message).to.contain(`${server.url}missing/release-index.json: HTTP 404`);
        const cut = await source(server.url).readFile('cut/release-index.json', 1000).catch((e) => e);
        expect(cut.code).to.equal('E_FEED_UNREACHABLE');
        expect(cut.retryable).to.equal(true);
        expect(cut.message).to.contain(`${server.url}cut/release-index.json: connection lost while reading`);
      } finally {
        await server.close();
      }
    });
  });

  it('follows a redirect when downloading a package', async () => {
    const target = http.createServer((_req, res) => { res.writeHead(200, { 'content-length': PAYLOAD.length }); res.end(PAYLOAD); });
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    const to = `http://127.0.0.1:${(target.address() as AddressInfo).port}/elsewhere/p.zip`;
    const server = await rawServer(() => [Buffer.from(`HTTP/1.1 302 Found\r\nLocation: ${to}\r\nContent-Length: 0\r\n\r\n`)]);
    try {
      const result = await downloadPackage({ source: openFeedSource(server.url, { env: {} }), release: release(), cacheDir: dir, retries: 0 });
      expect((await readFile(result.path)).equals(PAYLOAD)).to.equal(true);
    } finally {
      await server.close();
      target.closeAllConnections();
      target.close();
    }
  });

  it('downloads over https and checks the certificate against the host name', async function () {
    // The CA must be trusted at process start (NODE_EXTRA_CA_CERTS): the download runs in a child.
    this.timeout(60_000);
    await writeFile(path.join(dir, 'ca.pem'), TLS_CERT);
    const server = https.createServer({ key: TLS_KEY, cert: TLS_CERT }, (req, res) => {
      const from = Number(/bytes=(\d+)-/.exec(req.headers.range ?? '')?.[1] ?? 0);
      res.writeHead(200, { 'content-length': PAYLOAD.length - from });
      res.end(PAYLOAD.subarray(from));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const here = path.dirname(fileURLToPath(import.meta.url));
    const script = path.join(dir, 'child.ts');
    await writeFile(script, [
      `import { downloadPackage } from ${JSON.stringify(path.resolve(here, '../../../src/feed/download'))};`,
      `import { openFeedSource } from ${JSON.stringify(path.resolve(here, '../../../src/feed/source'))};`,
      'const [host, cacheDir, releaseJson] = process.argv.slice(2);',
      `const source = openFeedSource(\`https://\${host}:${port}/\`, { env: {} });`,
      'downloadPackage({ source, release: JSON.parse(releaseJson), cacheDir, retries: 0 })',
      '  .then((r) => console.log(JSON.stringify({ sha256: r.sha256 })), (e) => console.log(JSON.stringify({ code: e.code, message: e.message })));',
    ].join('\n'));
    const run = (host: string, cacheDir: string) => new Promise<Record<string, string>>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', script, host, cacheDir, JSON.stringify(release())], {
        env: { ...process.env, NODE_EXTRA_CA_CERTS: path.join(dir, 'ca.pem') }, stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout.on('data', (d) => { out += d; });
      child.on('error', reject);
      child.on('exit', () => { try { resolve(JSON.parse(out)); } catch { reject(new Error(`child said: ${out}`)); } });
    });
    try {
      const ok = await run('localhost', path.join(dir, 'cache-ok'));
      expect(ok).to.deep.equal({ sha256: release().sha256 });
      expect((await readFile(path.join(dir, 'cache-ok', 'p-1.0.zip'))).equals(PAYLOAD)).to.equal(true);
      // 127.0.0.1 is not a name in the certificate.
      const bad = await run('127.0.0.1', path.join(dir, 'cache-bad'));
      expect(bad.code).to.equal('E_FEED_UNREACHABLE');
      expect(bad.message).to.contain('ERR_TLS_CERT_ALTNAME_INVALID');
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});

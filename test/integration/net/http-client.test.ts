// The one HTTP client (src/net/http.ts) on its own, against loopback servers: what it does by hand
// on top of node:http (redirects with their limit and origin rules, timeouts, proxies from the
// settings passed in, fresh connections).
import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { agentsTakeProxies, HttpClient, isTimeout } from '../../../src/net/http';

interface Seen { url: string; headers: http.IncomingHttpHeaders }

async function serve(handler: http.RequestListener): Promise<{ url: string; origin: string; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => { seen.push({ url: String(req.url), headers: req.headers }); handler(req, res); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url: `${origin}/`, origin, seen, close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

const text = async (body: NodeJS.ReadableStream) => { let s = ''; for await (const c of body) s += c; return s; };

describe('net/http: the one HTTP client', () => {
  it('follows 5 redirects of a GET, then hands the 6th answer (a 3xx) to the caller', async () => {
    const s = await serve((req, res) => {
      const n = Number(/\/r(\d+)/.exec(String(req.url))?.[1] ?? 0);
      res.writeHead(302, { location: `/r${n + 1}` }).end();
    });
    try {
      const response = await new HttpClient().get(new URL('r0', s.url));
      response.discard();
      expect(response.status).to.equal(302);
      expect(response.header('location')).to.equal('/r6');
      expect(s.seen.map((r) => r.url)).to.deep.equal(['/r0', '/r1', '/r2', '/r3', '/r4', '/r5']);
      const none = await new HttpClient({ maxRedirections: 0 }).get(new URL('r0', s.url));
      none.discard();
      expect(none.status).to.equal(302);
    } finally { await s.close(); }
  });

  it('keeps credentials and Host on the same origin, drops them on a redirect to another origin; keeps Range', async () => {
    const target = await serve((_req, res) => res.end('there'));
    const s = await serve((req, res) => {
      if (req.url === '/same') res.writeHead(301, { location: '/here' }).end();
      else if (req.url === '/here') res.end('here');
      else res.writeHead(307, { location: `${target.origin}/there` }).end();
    });
    const headers = { authorization: 'Bearer secret', cookie: 'a=b', range: 'bytes=5-' };
    try {
      const client = new HttpClient();
      expect(await text((await client.get(new URL('same', s.url), { headers })).body)).to.equal('here');
      expect(s.seen[1].headers).to.include({ authorization: 'Bearer secret', cookie: 'a=b', range: 'bytes=5-' });
      expect(await text((await client.get(new URL('away', s.url), { headers })).body)).to.equal('there');
      expect(target.seen[0].headers).to.not.have.any.keys('authorization', 'cookie');
      expect(target.seen[0].headers).to.include({ range: 'bytes=5-', host: new URL(target.origin).host });
      await client.close();
    } finally { await s.close(); await target.close(); }
  });

  it('times out a server that accepts but never answers, and a body that stops coming', async () => {
    const s = await serve((req, res) => {
      if (req.url === '/silent') return;
      res.writeHead(200, { 'content-length': 100 });
      res.write('x'.repeat(10));
    });
    try {
      const client = new HttpClient({ timeoutMs: 200 });
      const silent = await client.get(new URL('silent', s.url)).catch((e) => e);
      expect(isTimeout(silent), String(silent)).to.equal(true);
      const stalled = await client.get(new URL('stalled', s.url));
      const error = await text(stalled.body).catch((e) => e);
      expect(isTimeout(error), String(error)).to.equal(true);
      // bodyTimeoutMs 0: the body may pause as long as it likes (the downloader watches stalls
      // itself); the socket's idle timeout is off once the answer has come.
      const patient = await client.get(new URL('patient', s.url), { bodyTimeoutMs: 0 });
      expect((patient.body as http.IncomingMessage).socket.timeout).to.equal(0);
      patient.discard();
      await client.close();
    } finally { await s.close(); }
  });

  it('sends plain http through the proxy given (a proxy without a scheme is http, as for curl); fresh closes the connection', async () => {
    const proxy = await serve((_req, res) => res.end('via proxy'));
    try {
      const client = new HttpClient({ proxy: { http: new URL(proxy.url).host } });
      expect(await text((await client.get(new URL('http://feed.invalid/x'))).body)).to.equal('via proxy');
      expect(proxy.seen[0].url).to.equal('http://feed.invalid/x');
      await client.close();
      const direct = new HttpClient();
      (await direct.get(new URL('y', proxy.url), { fresh: true })).discard();
      expect(proxy.seen[1].headers.connection).to.equal('close');
      await direct.close();
    } finally { await proxy.close(); }
  });

  it('knows which Node versions take proxies (older ones would ignore them without a word)', () => {
    expect(['v26.10.0', 'v24.5.0', '25.0.1'].map(agentsTakeProxies)).to.deep.equal([true, true, true]);
    expect(['v24.4.1', 'v22.21.0', 'v20.20.2'].map(agentsTakeProxies)).to.deep.equal([false, false, false]);
  });
});

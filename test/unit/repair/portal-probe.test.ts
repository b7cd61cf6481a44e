// The portal probe of the repair checks: any HTTP answer below 500 is "up"; 5xx, refused
// connections and silence are "down", each said in words.
import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { probeHttp } from '../../../src/repair/facts';

async function serve(handler: http.RequestListener): Promise<{ url: string; close(): Promise<void>; hosts: string[] }> {
  const hosts: string[] = [];
  const server = http.createServer((req, res) => { hosts.push(String(req.headers.host)); handler(req, res); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    hosts,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

describe('portal probe', () => {
  it('up on 200 and on 403 (the portal refuses foreign requests but answers), with a loopback Host header', async () => {
    for (const status of [200, 403]) {
      const s = await serve((_req, res) => { res.statusCode = status; res.end(); });
      try {
        expect(await probeHttp(s.url, 2000)).to.deep.include({ answers: true, detail: `${s.url} answered HTTP ${status}` });
        expect(s.hosts).to.deep.equal(['localhost']);
      } finally { await s.close(); }
    }
  });

  it('down on 500, on a refused connection and on silence', async () => {
    const failing = await serve((_req, res) => { res.statusCode = 500; res.end(); });
    const url = failing.url;
    try {
      expect(await probeHttp(url, 2000)).to.deep.include({ answers: false, detail: `${url} answered HTTP 500` });
    } finally { await failing.close(); }
    const refused = await probeHttp(url, 2000);
    expect(refused.answers).to.equal(false);
    expect(refused.detail).to.equal(`${url} does not answer (ECONNREFUSED)`);
    const silent = await serve(() => { /* never answers */ });
    try {
      expect(await probeHttp(silent.url, 300)).to.deep.include({ answers: false, detail: `${silent.url} did not answer within 300 ms` });
    } finally { await silent.close(); }
  });
});

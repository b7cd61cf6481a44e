// The portal probe of the repair checks: any HTTP answer below 500 is "up"; 5xx, refused
// connections and silence are "down", each said in words.
import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { renderMessage } from '../../../src/core/messages';
import { describeProbe, portalIsUp, probeHttp } from '../../../src/repair/facts';

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
        expect(await probeHttp(s.url, 2000)).to.deep.include({ answers: true, ours: false, detail: `${s.url} answered HTTP ${status}` });
        expect(s.hosts).to.deep.equal(['localhost']);
      } finally { await s.close(); }
    }
  });

  it('down on 500, on a refused connection and on silence', async () => {
    const failing = await serve((_req, res) => { res.statusCode = 500; res.end(); });
    const url = failing.url;
    try {
      expect(await probeHttp(url, 2000)).to.deep.include({ answers: false, ours: false, detail: `${url} answered HTTP 500` });
    } finally { await failing.close(); }
    const refused = await probeHttp(url, 2000);
    expect(refused.answers).to.equal(false);
    expect(refused.detail).to.equal(`${url} does not answer (ECONNREFUSED)`);
    const silent = await serve(() => { /* never answers */ });
    try {
      expect(await probeHttp(silent.url, 300)).to.deep.include({ answers: false, ours: false, detail: `${silent.url} did not answer within 300 ms` });
    } finally { await silent.close(); }
  });

  it('tells our portal (its X-Altazion-Portal header) from another program on the port (the legacy portal on 8080)', async () => {
    const ours = await serve((_req, res) => { res.setHeader('X-Altazion-Portal', '1.2.3'); res.end(); });
    const legacy = await serve((_req, res) => { res.end('ancien portail'); });
    try {
      const fromOurs = await probeHttp(ours.url, 2000);
      const fromLegacy = await probeHttp(legacy.url, 2000);
      expect(fromOurs).to.include({ answers: true, ours: true });
      expect(fromLegacy).to.include({ answers: true, ours: false });
      // When our service serves the portal, only our portal counts as up.
      expect([portalIsUp(fromOurs, true), portalIsUp(fromLegacy, true), portalIsUp(fromLegacy, false)]).to.deep.equal([true, false, true]);
      expect(renderMessage(describeProbe(fromLegacy, true))).to.equal(`${legacy.url} answered HTTP 200, but not as this updater's portal (no X-Altazion-Portal header): another program listens on that port`);
      expect(renderMessage(describeProbe(fromLegacy, true), 'fr')).to.equal(`${legacy.url} a répondu HTTP 200, mais pas comme le portail de cette mise à jour (pas d’en-tête X-Altazion-Portal) : un autre programme écoute sur ce port`);
      expect(renderMessage(describeProbe(fromLegacy, false))).to.equal(`${legacy.url} answered HTTP 200`);
    } finally { await ours.close(); await legacy.close(); }
  });
});

// The web health check against a real local HTTP server.
import { textOf } from '../../../src/core/messages';
import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaultHttpCheck } from '../../../src/install/apply';

async function serve(status: number): Promise<{ url: string; hits: () => number; close: () => Promise<void> }> {
  let hits = 0;
  const server = http.createServer((_req, res) => { hits++; res.statusCode = status; res.end('x'); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/gestcom`, hits: () => hits, close: () => new Promise((r) => server.close(() => r())) };
}

describe('web health check', function () {
  this.timeout(20_000);
  it('an answer below 500 is healthy (redirects included)', async () => {
    for (const status of [200, 302, 401]) {
      const s = await serve(status);
      try {
        expect(await defaultHttpCheck(s.url, 3000)).to.equal(undefined);
        expect(s.hits()).to.equal(1);
      } finally { await s.close(); }
    }
  });
  it('500 answers until the budget runs out fail the update', async () => {
    const s = await serve(500);
    try {
      const error = await defaultHttpCheck(s.url, 2500).then(() => undefined, (e) => e);
      expect(error?.message).to.include('answers HTTP 500');
      expect(s.hits()).to.be.greaterThan(1);
    } finally { await s.close(); }
  });
  it('no answer at all cannot tell: a warning, not a failure', async () => {
    const s = await serve(200);
    await s.close();
    const warning = await defaultHttpCheck(s.url, 1500);
    expect(textOf(warning!)).to.include('could not be checked');
    expect(warning).to.deep.include({ id: 'install.httpUnchecked' });
  });
});

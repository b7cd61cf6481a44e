import { expect } from 'chai';
import { admitRequest, isLoopbackHost, isSameOrigin, parseHostHeader, tokenMatches } from '../../../src/service/portal/security';

const PORT = 8080;
const TOKEN = 'tok-123456';
const post = (headers: Record<string, string>) => admitRequest({ method: 'POST', action: true, headers, listenPort: PORT, csrfToken: TOKEN });
const good = { host: 'localhost:8080', origin: 'http://localhost:8080', 'x-csrf-token': TOKEN, 'sec-fetch-site': 'same-origin' };

describe('portal request admission (pure)', () => {
  it('accepts loopback names with our port (or no port) and nothing else', () => {
    for (const h of ['localhost:8080', '127.0.0.1:8080', '[::1]:8080', 'LOCALHOST:8080', 'localhost']) expect(isLoopbackHost(h, PORT), h).to.equal(true);
    for (const h of ['evil.example:8080', 'localhost:8081', '127.0.0.2:8080', 'localhost.:8080', 'localhost.evil.com:8080', '10.0.0.5:8080', '', 'localhost:8080:1', 'user@localhost:8080', '[::2]:8080', '0.0.0.0:8080']) {
      expect(isLoopbackHost(h, PORT), h).to.equal(false);
    }
    expect(isLoopbackHost(undefined, PORT)).to.equal(false);
    expect(parseHostHeader('[::1]:8080')).to.deep.equal({ name: '[::1]', port: 8080 });
    expect(parseHostHeader('localhost:99999')).to.equal(undefined);
  });

  it('refuses any request with a foreign Host (DNS rebinding), even a GET', () => {
    const d = admitRequest({ method: 'GET', action: false, headers: { host: 'attacker.example:8080' }, listenPort: PORT, csrfToken: TOKEN });
    expect(d).to.deep.include({ ok: false, status: 403 });
  });

  it('lets GET and HEAD read pages, refuses other methods on them', () => {
    expect(admitRequest({ method: 'GET', action: false, headers: { host: 'localhost:8080' }, listenPort: PORT, csrfToken: TOKEN }).ok).to.equal(true);
    expect(admitRequest({ method: 'HEAD', action: false, headers: { host: '127.0.0.1:8080' }, listenPort: PORT, csrfToken: TOKEN }).ok).to.equal(true);
    expect(admitRequest({ method: 'DELETE', action: false, headers: { host: 'localhost:8080' }, listenPort: PORT, csrfToken: TOKEN })).to.deep.include({ ok: false, status: 405 });
  });

  it('refuses GET (and anything but POST) on an action with 405', () => {
    for (const method of ['GET', 'HEAD', 'PUT', 'DELETE']) {
      expect(admitRequest({ method, action: true, headers: good, listenPort: PORT, csrfToken: TOKEN }), method).to.deep.include({ ok: false, status: 405, allow: 'POST' });
    }
  });

  it('accepts a same-origin POST with the right token', () => {
    expect(post(good).ok).to.equal(true);
    const { 'sec-fetch-site': _drop, ...noFetchMeta } = good; // older browsers send no Sec-Fetch-Site
    expect(post(noFetchMeta).ok).to.equal(true);
  });

  it('refuses POSTs without Origin, with a foreign Origin, or cross-site fetch metadata', () => {
    const { origin: _o, ...noOrigin } = good;
    expect(post(noOrigin)).to.deep.include({ ok: false, status: 403 });
    for (const origin of ['http://evil.example', 'http://localhost:8081', 'https://localhost:8080', 'null', 'http://127.0.0.1:8080', 'http://localhost:8080/path']) {
      expect(post({ ...good, origin }), origin).to.deep.include({ ok: false, status: 403 });
    }
    expect(post({ ...good, 'sec-fetch-site': 'cross-site' })).to.deep.include({ ok: false, status: 403 });
    expect(post({ ...good, 'sec-fetch-site': 'same-site' })).to.deep.include({ ok: false, status: 403 });
  });

  it('refuses a missing or wrong CSRF token', () => {
    const { 'x-csrf-token': _t, ...noToken } = good;
    expect(post(noToken)).to.deep.include({ ok: false, status: 403 });
    expect(post({ ...good, 'x-csrf-token': 'tok-123457' })).to.deep.include({ ok: false, status: 403 });
    expect(post({ ...good, 'x-csrf-token': TOKEN + 'x' })).to.deep.include({ ok: false, status: 403 });
  });

  it('compares tokens exactly and origins by host and port', () => {
    expect(tokenMatches(TOKEN, TOKEN)).to.equal(true);
    expect(tokenMatches('', TOKEN)).to.equal(false);
    expect(tokenMatches(undefined, TOKEN)).to.equal(false);
    expect(isSameOrigin('http://127.0.0.1:8080', '127.0.0.1:8080', PORT)).to.equal(true);
    expect(isSameOrigin('http://[::1]:8080', '[::1]:8080', PORT)).to.equal(true);
    expect(isSameOrigin('http://localhost:8080', '127.0.0.1:8080', PORT)).to.equal(false);
  });
});

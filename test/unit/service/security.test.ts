import { expect } from 'chai';
import type { AuthFacts } from '../../../src/service/portal/auth';
import { admitRequest, isLoopbackHost, isSameOrigin, parseHostHeader, tokenMatches } from '../../../src/service/portal/security';

const PORT = 8080;
const TOKEN = 'tok-123456';
const SIGNED_IN = { bearer: 'absent', session: 'valid' } as const;
const post = (headers: Record<string, string>, auth: AuthFacts = SIGNED_IN) => admitRequest({ method: 'POST', action: true, headers, listenPort: PORT, csrfToken: TOKEN, auth });
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

  it('refuses a read another site\'s page asks for (img, script, fetch, frame), not a link followed to the portal', () => {
    const get = (headers: Record<string, string>, extra: { action?: boolean; readable?: boolean } = {}) =>
      admitRequest({ method: 'GET', action: extra.action ?? false, readable: extra.readable, headers: { host: 'localhost:8080', ...headers }, listenPort: PORT, csrfToken: TOKEN });
    for (const site of ['cross-site', 'same-site']) {
      expect(get({ 'sec-fetch-site': site, 'sec-fetch-mode': 'no-cors', 'sec-fetch-dest': 'image' }), `${site} img`).to.deep.include({ ok: false, status: 403 });
      expect(get({ 'sec-fetch-site': site, 'sec-fetch-mode': 'cors', 'sec-fetch-dest': 'empty' }), `${site} fetch`).to.deep.include({ ok: false, status: 403 });
      expect(get({ 'sec-fetch-site': site, 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'iframe' }), `${site} frame`).to.deep.include({ ok: false, status: 403 });
      expect(get({ 'sec-fetch-site': site, 'sec-fetch-mode': 'no-cors', 'sec-fetch-dest': 'script' }, { action: true, readable: true }), `${site} read of an action's list`).to.deep.include({ ok: false, status: 403 });
      expect(get({ 'sec-fetch-site': site, 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' }).ok, `${site} link followed`).to.equal(true);
    }
    // The portal's own pages, a bookmark or a typed address, and clients that send no Sec-Fetch-*.
    expect(get({ 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'cors', 'sec-fetch-dest': 'empty' }).ok).to.equal(true);
    expect(get({ 'sec-fetch-site': 'none', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' }).ok).to.equal(true);
    expect(get({}).ok).to.equal(true);
  });

  it('refuses GET (and anything but POST) on an action with 405', () => {
    for (const method of ['GET', 'HEAD', 'PUT', 'DELETE']) {
      expect(admitRequest({ method, action: true, headers: good, listenPort: PORT, csrfToken: TOKEN }), method).to.deep.include({ ok: false, status: 405, allow: 'POST' });
    }
  });

  it('lets GET and HEAD read an action\'s path only when it also lists something (GET /api/schedule), never acting', () => {
    for (const method of ['GET', 'HEAD']) {
      expect(admitRequest({ method, action: true, readable: true, headers: { host: 'localhost:8080' }, listenPort: PORT, csrfToken: TOKEN }), method).to.deep.equal({ ok: true });
    }
    expect(admitRequest({ method: 'PUT', action: true, readable: true, headers: good, listenPort: PORT, csrfToken: TOKEN, auth: SIGNED_IN })).to.deep.include({ ok: false, status: 405, allow: 'GET, HEAD, POST' });
    // Its POST is still an action: the same checks as any other.
    const { origin: _o, ...noOrigin } = good;
    expect(admitRequest({ method: 'POST', action: true, readable: true, headers: noOrigin, listenPort: PORT, csrfToken: TOKEN, auth: SIGNED_IN })).to.deep.include({ ok: false, status: 403 });
    expect(admitRequest({ method: 'POST', action: true, readable: true, headers: good, listenPort: PORT, csrfToken: TOKEN })).to.deep.include({ ok: false, status: 401 });
  });

  it('accepts a same-origin POST with the right token from a signed-in administrator', () => {
    expect(post(good)).to.deep.equal({ ok: true, by: 'session' });
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

  it('refuses an action to anyone not signed in (401), even with every CSRF check passed', () => {
    for (const auth of [undefined, { bearer: 'absent', session: 'absent' }, { bearer: 'absent', session: 'no-key' }] as const) {
      const decision = admitRequest({ method: 'POST', action: true, headers: good, listenPort: PORT, csrfToken: TOKEN, ...(auth ? { auth } : {}) });
      expect(decision, JSON.stringify(auth)).to.deep.include({ ok: false, status: 401 });
      expect((decision as { reason: string }).reason).to.contain('altazion-update portal open');
    }
    // The cookie alone (as another application on localhost may have received it) is not enough.
    expect((post(good, { bearer: 'absent', session: 'no-key' }) as { reason: string }).reason).to.match(/session key is missing/);
  });

  it('checks CSRF before the session: a forged cross-site POST is 403 even for a signed-in browser', () => {
    expect(post({ ...good, origin: 'http://evil.example' })).to.deep.include({ ok: false, status: 403 });
    expect(post({ ...good, 'x-csrf-token': 'nope' })).to.deep.include({ ok: false, status: 403 });
  });

  it('accepts the administrator token (scripts: no Origin, no CSRF token needed), refuses a wrong one', () => {
    const script = { host: 'localhost:8080' };
    expect(post(script, { bearer: 'valid', session: 'absent' })).to.deep.equal({ ok: true, by: 'token' });
    expect(post(script, { bearer: 'invalid', session: 'valid' })).to.deep.include({ ok: false, status: 401 });
    // A browser page of another origin cannot use it either.
    expect(post({ ...script, origin: 'http://evil.example' }, { bearer: 'valid', session: 'absent' })).to.deep.include({ ok: false, status: 403 });
    expect(post({ ...script, 'sec-fetch-site': 'cross-site' }, { bearer: 'valid', session: 'absent' })).to.deep.include({ ok: false, status: 403 });
    // A foreign Host is refused before any credential is looked at.
    expect(post({ host: 'evil.example:8080' }, { bearer: 'valid', session: 'absent' })).to.deep.include({ ok: false, status: 403 });
  });

  it('token-only actions (minting a sign-in link) refuse a session', () => {
    const decision = admitRequest({ method: 'POST', action: true, headers: good, listenPort: PORT, csrfToken: TOKEN, auth: SIGNED_IN, tokenOnly: true });
    expect(decision).to.deep.include({ ok: false, status: 401 });
    expect(admitRequest({ method: 'POST', action: true, headers: { host: 'localhost:8080' }, listenPort: PORT, csrfToken: TOKEN, auth: { bearer: 'valid', session: 'absent' }, tokenOnly: true })).to.deep.equal({ ok: true, by: 'token' });
  });
});

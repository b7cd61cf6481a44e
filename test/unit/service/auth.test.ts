// Portal sessions (src/service/portal/auth.ts), with a clock and a random source the test controls.
import { expect } from 'chai';
import { parseCookies, PortalAuth, SESSION_TTL_MS, SIGNIN_CODE_TTL_MS } from '../../../src/service/portal/auth';

const TOKEN = 'a'.repeat(43);

function makeAuth() {
  let now = 1_000_000;
  let counter = 0;
  const auth = new PortalAuth(TOKEN, () => 8080, () => now, () => `r${++counter}`);
  return { auth, advance: (ms: number) => { now += ms; } };
}

const withCookie = (auth: PortalAuth, id: string, key?: string) => ({ cookie: `other=1; ${auth.cookieName}=${id}`, ...(key ? { 'x-session-key': key } : {}) });

describe('portal sessions (pure)', () => {
  it('a sign-in code works once, for a limited time, and opens a session with its own key', () => {
    const { auth, advance } = makeAuth();
    const { code } = auth.issueCode('CONTOSO\\admin');
    const session = auth.redeem(code)!;
    expect(session).to.deep.include({ user: 'CONTOSO\\admin' });
    expect(session.key).to.not.equal(session.id);
    expect(auth.redeem(code), 'used twice').to.equal(undefined);
    const late = auth.issueCode('CONTOSO\\admin');
    advance(SIGNIN_CODE_TTL_MS + 1);
    expect(auth.redeem(late.code), 'expired').to.equal(undefined);
    expect(auth.redeem('r999'), 'unknown').to.equal(undefined);
    expect(auth.redeem(null)).to.equal(undefined);
  });

  it('a session needs its cookie and its key, and expires', () => {
    const { auth, advance } = makeAuth();
    const session = auth.redeem(auth.issueCode('admin').code)!;
    expect(auth.facts(withCookie(auth, session.id, session.key))).to.deep.equal({ bearer: 'absent', session: 'valid' });
    expect(auth.facts(withCookie(auth, session.id))).to.deep.equal({ bearer: 'absent', session: 'no-key' });
    expect(auth.facts(withCookie(auth, session.id, session.key + 'x')).session).to.equal('no-key');
    expect(auth.facts(withCookie(auth, 'r42', session.key)).session).to.equal('absent');
    expect(auth.facts({ cookie: `altazion_session_9090=${session.id}`, 'x-session-key': session.key }).session, 'another port\'s cookie').to.equal('absent');
    advance(SESSION_TTL_MS);
    expect(auth.facts(withCookie(auth, session.id, session.key)).session).to.equal('absent');
  });

  it('sign-out ends the session; cookies are HttpOnly, SameSite=Strict, with an expiry and a per-port name', () => {
    const { auth } = makeAuth();
    const session = auth.redeem(auth.issueCode('admin').code)!;
    const cookie = auth.setCookie(session);
    expect(cookie).to.equal(`altazion_session_8080=${session.id}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${SESSION_TTL_MS / 1000}`);
    auth.end(session);
    expect(auth.session(withCookie(auth, session.id))).to.equal(undefined);
    expect(auth.clearCookie()).to.match(/^altazion_session_8080=; .*Max-Age=0$/);
  });

  it('recognises the administrator token as a bearer credential only when it is exactly the token', () => {
    const { auth } = makeAuth();
    expect(auth.bearer({})).to.equal('absent');
    expect(auth.bearer({ authorization: `Bearer ${TOKEN}` })).to.equal('valid');
    expect(auth.bearer({ authorization: `bearer ${TOKEN}` })).to.equal('valid');
    for (const value of [`Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(1)}`, `Basic ${TOKEN}`, 'Bearer', '']) expect(auth.bearer({ authorization: value }), value).to.equal('invalid');
  });

  it('parses cookie headers (first value of a name wins)', () => {
    expect([...parseCookies('a=1; b = 2 ;a=3; junk; =x')]).to.deep.equal([['a', '1'], ['b', '2']]);
    expect(parseCookies(undefined).size).to.equal(0);
  });

  it('keeps memory bounded whatever callers do', () => {
    const { auth } = makeAuth();
    const codes = Array.from({ length: 500 }, () => auth.issueCode('x').code);
    expect(auth.redeem(codes[0]), 'the oldest codes were dropped').to.equal(undefined);
    expect(auth.redeem(codes[499])).to.not.equal(undefined);
  });
});

// Request admission for the portal (pure decisions; the server applies them). The portal listens on
// 127.0.0.1 only, but a browser can still be made to talk to it by any web page:
//  - DNS rebinding: evil.example resolves to 127.0.0.1; the browser sends `Host: evil.example`.
//    Only loopback names with our port are accepted.
//  - CSRF: a foreign page POSTs to http://localhost:8080. Actions need a same-origin `Origin`
//    (mandatory, browsers always send it on POST), no cross-site `Sec-Fetch-Site`, and the
//    per-process token from the page's <meta name="csrf-token"> in `X-CSRF-Token`. Reads asked by
//    a foreign page (not a link followed) are refused too: they would make the server work.
//  - Any local user or process: actions also need an administrator (auth.ts): a signed-in session
//    (cookie + session key), or the admin token as `Authorization: Bearer` (scripts; a browser
//    cannot be made to send it, so the Origin and CSRF checks do not apply to it). Refused: 401.
import { timingSafeEqual } from 'node:crypto';

export type Headers = Record<string, string | string[] | undefined>;

export type Decision =
  | { ok: true; by?: 'token' | 'session' }
  | { ok: false; status: 401 | 403 | 405; reason: string; allow?: string };

/** What an anonymous caller is told (the 401 reason). */
export const SIGN_IN_HINT = 'actions need an administrator: sign in with `altazion-update portal open` (or Open-AltazionPortal) on this server';

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** Splits `name[:port]` (IPv6 in brackets); undefined when malformed. */
export function parseHostHeader(value: string): { name: string; port?: number } | undefined {
  const m = /^(\[[0-9a-f:.]+\]|[^\s:[\]/@]+)(?::(\d{1,5}))?$/i.exec(value.trim());
  if (!m) return undefined;
  const port = m[2] === undefined ? undefined : Number(m[2]);
  if (port !== undefined && (port < 1 || port > 65535)) return undefined;
  return { name: m[1]!.toLowerCase(), port };
}

/**
 * Whether a Host header names this portal through a loopback name. A port, when present, must be
 * ours; without one (scripts and probes send `Host: localhost`) the loopback name is enough: a
 * browser omits the port only for port 80, which is another origin than the portal's.
 */
export function isLoopbackHost(value: string | undefined, listenPort: number): boolean {
  if (!value) return false;
  const parsed = parseHostHeader(value);
  if (!parsed || !LOOPBACK_NAMES.has(parsed.name)) return false;
  return parsed.port === undefined || parsed.port === listenPort;
}

/** Whether an Origin header is this portal (http, loopback name, our port). */
export function isSameOrigin(origin: string | undefined, hostHeader: string | undefined, listenPort: number): boolean {
  if (!origin || origin === 'null' || !hostHeader) return false;
  const m = /^http:\/\/([^/]+)$/i.exec(origin.trim());
  if (!m) return false;
  if (!isLoopbackHost(m[1], listenPort)) return false;
  // Same origin: the page was loaded from the very host and port the request is sent to.
  const a = parseHostHeader(m[1]!);
  const b = parseHostHeader(hostHeader);
  return !!a && !!b && a.name === b.name && (a.port ?? 80) === listenPort && (b.port ?? listenPort) === listenPort;
}

/** Constant-time token comparison. */
export function tokenMatches(presented: string | undefined, expected: string): boolean {
  if (!presented || !expected) return false;
  const a = Buffer.from(presented, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

export interface RequestFacts {
  method: string;
  /** Whether the path is an action (state-changing) endpoint: POST only, for administrators. */
  action: boolean;
  /** Whether an action's path also answers GET with a read (GET /api/schedule lists, POST schedules). */
  readable?: boolean;
  headers: Headers;
  listenPort: number;
  csrfToken: string;
  /** The request's credentials (absent: anonymous). */
  auth?: AuthFacts;
  /** An action only the admin token may do (minting a sign-in link). */
  tokenOnly?: boolean;
}

/**
 * Admission of one request: host first (every request), then method, then, for actions: the admin
 * token when one is presented; else the CSRF checks (403), then a signed-in session (401).
 */
export function admitRequest(facts: RequestFacts): Decision {
  const host = header(facts.headers, 'host');
  if (!isLoopbackHost(host, facts.listenPort)) {
    return { ok: false, status: 403, reason: `Host "${host ?? ''}" is not a loopback name of this portal` };
  }
  const method = facts.method.toUpperCase();
  const read = method === 'GET' || method === 'HEAD';
  if (read && (!facts.action || facts.readable)) {
    const refused = foreignRead(facts.headers);
    return refused ? { ok: false, status: 403, reason: refused } : { ok: true };
  }
  if (!facts.action) return { ok: false, status: 405, reason: `${method} is not allowed here`, allow: 'GET, HEAD' };
  if (method !== 'POST') return { ok: false, status: 405, reason: `${method} on an action: use POST`, allow: facts.readable ? 'GET, HEAD, POST' : 'POST' };
  const auth = facts.auth ?? { bearer: 'absent', session: 'absent' };
  const site = header(facts.headers, 'sec-fetch-site');
  const crossSite = site !== undefined && site !== 'same-origin';
  const origin = header(facts.headers, 'origin');
  if (auth.bearer !== 'absent') {
    if (auth.bearer === 'invalid') return { ok: false, status: 401, reason: 'wrong administrator token' };
    // Scripts send no Origin; a browser that does must still be on this very portal.
    if (crossSite || (origin !== undefined && !isSameOrigin(origin, host, facts.listenPort))) {
      return { ok: false, status: 403, reason: 'cross-site request refused' };
    }
    return { ok: true, by: 'token' };
  }
  if (facts.tokenOnly) return { ok: false, status: 401, reason: 'this action needs the administrator token (Authorization: Bearer)' };
  if (crossSite) {
    return { ok: false, status: 403, reason: `Sec-Fetch-Site "${site}": cross-site request refused` };
  }
  if (!isSameOrigin(origin, host, facts.listenPort)) {
    return { ok: false, status: 403, reason: origin ? `Origin "${origin}" is not this portal` : 'Origin header missing' };
  }
  if (!tokenMatches(header(facts.headers, 'x-csrf-token'), facts.csrfToken)) {
    return { ok: false, status: 403, reason: 'missing or wrong X-CSRF-Token' };
  }
  if (auth.session === 'valid') return { ok: true, by: 'session' };
  return { ok: false, status: 401, reason: auth.session === 'no-key' ? `the session key is missing: ${SIGN_IN_HINT}` : SIGN_IN_HINT };
}

/**
 * Why a read is refused: another site's page (an <img>, a script, a fetch, a frame) made the
 * browser send it. Such a read changes nothing, but it costs the server (a database page analyses
 * the catalog) and nothing legitimate sends it. A link followed to a portal page (a top-level
 * navigation) is let through, as are browsers and scripts that send no Sec-Fetch-* headers.
 */
function foreignRead(headers: Headers): string | undefined {
  const site = header(headers, 'sec-fetch-site');
  if (site !== 'cross-site' && site !== 'same-site') return undefined;
  if (header(headers, 'sec-fetch-mode') === 'navigate' && header(headers, 'sec-fetch-dest') === 'document') return undefined;
  return `Sec-Fetch-Site "${site}": a read asked by another site's page is refused (open the portal itself)`;
}

/** Headers on every response: no framing, no sniffing, no referrer, only our own scripts and styles. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

/** What a request proves about who sends it (auth.ts reads it from the headers). */
export interface AuthFacts {
  bearer: 'absent' | 'valid' | 'invalid';
  /** A live session cookie with its key in X-Session-Key (`no-key`: the cookie alone). */
  session: 'absent' | 'valid' | 'no-key';
}

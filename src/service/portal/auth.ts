// Who may act on the portal (SPEC §9, §12). Pages are for every local user; actions are for
// administrators, proven by a secret only Administrators and SYSTEM can read: the admin token the
// service writes at start into bin\updates\portal\token.json (token-file.ts).
//
// A browser never sees the token. `portal open` / Open-AltazionPortal (run by an administrator)
// read it and POST /api/signin with `Authorization: Bearer <token>`, which answers a one-time
// sign-in link (a code valid 2 minutes, once). Opening it:
//   - sets the session cookie: HttpOnly (no script reads it), SameSite=Strict (no other site sends
//     it), Max-Age and a server-side expiry (8 hours), a name with our port in it;
//   - hands the page a session key in the URL fragment (#signin=..., never sent to any server),
//     which the portal's script keeps in localStorage and sends as X-Session-Key with each action.
// Why both: browsers send a cookie for `localhost` to every port, so an IIS application the admin
// browses on http://localhost/ would receive it. localStorage is kept per origin (port included):
// what that application cannot have is the key. An action needs the cookie AND the key (plus the
// CSRF checks), or the token itself (scripts).
// Pure apart from the random source and the clock, both injectable.
import { randomBytes } from 'node:crypto';
import { tokenMatches, type AuthFacts } from './security';

export type { AuthFacts } from './security';

export const SESSION_TTL_MS = 8 * 60 * 60 * 1000;
export const SIGNIN_CODE_TTL_MS = 2 * 60 * 1000;
/** Sessions and codes kept at most (oldest dropped first): memory stays bounded whatever callers do. */
const MAX_ENTRIES = 200;

export interface Session { id: string; key: string; user: string; createdAt: number; expiresAt: number }

/** What the admission check needs to know about a request's credentials (security.ts). */
function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function parseCookies(value: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (value ?? '').split(';')) {
    const at = part.indexOf('=');
    const name = at < 0 ? '' : part.slice(0, at).trim();
    if (name && !cookies.has(name)) cookies.set(name, part.slice(at + 1).trim());
  }
  return cookies;
}

export class PortalAuth {
  private readonly codes = new Map<string, { user: string; expiresAt: number }>();
  private readonly sessions = new Map<string, Session>();

  constructor(
    /** The secret of the token file. */
    readonly adminToken: string,
    private readonly port: () => number,
    private readonly now: () => number = Date.now,
    private readonly random: () => string = () => randomBytes(32).toString('base64url'),
  ) {}

  /** Port-specific: another portal (another instance, the legacy one) on localhost has its own. */
  get cookieName(): string { return `altazion_session_${this.port()}`; }

  /** `Authorization: Bearer <token>`: absent, or whether it is the admin token. */
  bearer(headers: Record<string, string | string[] | undefined>): AuthFacts['bearer'] {
    const value = header(headers, 'authorization');
    if (value === undefined) return 'absent';
    const m = /^Bearer\s+(\S+)\s*$/i.exec(value);
    return m && tokenMatches(m[1], this.adminToken) ? 'valid' : 'invalid';
  }

  /** The live session of the request's cookie, if any. */
  session(headers: Record<string, string | string[] | undefined>): Session | undefined {
    const id = parseCookies(header(headers, 'cookie')).get(this.cookieName);
    if (!id) return undefined;
    const session = this.sessions.get(id);
    if (!session) return undefined;
    if (session.expiresAt <= this.now()) { this.sessions.delete(id); return undefined; }
    return session;
  }

  facts(headers: Record<string, string | string[] | undefined>): AuthFacts {
    const session = this.session(headers);
    return {
      bearer: this.bearer(headers),
      session: !session ? 'absent' : tokenMatches(header(headers, 'x-session-key'), session.key) ? 'valid' : 'no-key',
    };
  }

  /** A one-time sign-in code for the holder of the token (`user`: who they say they are, recorded with their actions). */
  issueCode(user: string, ttlMs = SIGNIN_CODE_TTL_MS): { code: string; expiresAt: number } {
    this.prune();
    const code = this.random();
    const expiresAt = this.now() + ttlMs;
    this.codes.set(code, { user, expiresAt });
    return { code, expiresAt };
  }

  /** Exchanges a code, once, for a new session. */
  redeem(code: string | null | undefined): Session | undefined {
    if (!code) return undefined;
    const entry = this.codes.get(code);
    if (!entry) return undefined;
    this.codes.delete(code);
    if (entry.expiresAt <= this.now()) return undefined;
    this.prune();
    const now = this.now();
    const session: Session = { id: this.random(), key: this.random(), user: entry.user, createdAt: now, expiresAt: now + SESSION_TTL_MS };
    this.sessions.set(session.id, session);
    return session;
  }

  end(session: Session): void {
    this.sessions.delete(session.id);
  }

  setCookie(session: Session): string {
    return `${this.cookieName}=${session.id}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${Math.floor((session.expiresAt - session.createdAt) / 1000)}`;
  }

  clearCookie(): string {
    return `${this.cookieName}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;
  }

  private prune(): void {
    const now = this.now();
    for (const [id, s] of this.sessions) if (s.expiresAt <= now) this.sessions.delete(id);
    for (const [code, c] of this.codes) if (c.expiresAt <= now) this.codes.delete(code);
    for (const map of [this.sessions, this.codes] as Map<string, unknown>[]) {
      while (map.size >= MAX_ENTRIES) map.delete(map.keys().next().value as string);
    }
  }
}

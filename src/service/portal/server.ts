// The portal's HTTP server (node:http, no framework): pages, assets, the JSON API of SPEC §9 and
// the event stream. Listens on 127.0.0.1 only; every request goes through admitRequest first
// (Host, then method, then for actions: the administrator token, or Origin / Sec-Fetch-Site / CSRF
// token and a signed-in administrator, auth.ts). GET never changes anything on the server (only
// /signin opens a session): every state change is one of the POST actions of actions.ts, and each
// is logged with who asked.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AltazionError, toAltazionError } from '../../core/errors';
import { msg, renderMessage } from '../../core/messages';
import { PORTAL_MARKER_HEADER } from '../../core/product';
import type { Output } from '../../output/output';
import { FAVICON_SVG, STYLE_CSS } from './assets/style';
import { APP_JS } from './assets/app-js';
import { ACTION_PATHS, ACTIONS, field, HttpError, TOKEN_ONLY_PATHS, USER_PATTERN } from './actions';
import { negotiateLanguage, translator, type Lang } from './i18n';
import { JobManager } from './jobs';
import { escapeHtml, renderDatabasePage, renderHealthPage, renderHistoryPage, renderLayout, renderModulesPage, renderModulesTable, type PageId } from './pages';
import { PortalAuth, type Session } from './auth';
import { admitRequest, SECURITY_HEADERS, SIGN_IN_HINT } from './security';
import { encodeSse, encodeSseComment } from './sse';
import type { PortalBackend } from './types';

export const PORTAL_HOST = '127.0.0.1';

/** The port asked for is in use (EADDRINUSE): `service run` then tries the fallback port. */
export class PortInUseError extends AltazionError {
  constructor(readonly port: number) {
    super('E_CONFIG', msg('portal.portInUse', { port, host: PORTAL_HOST }), {
      target: String(port), hint: msg('portal.portInUseHint'),
    });
  }
}
const MAX_BODY_BYTES = 16 * 1024;
const KEEPALIVE_MS = 15_000;

export { ACTION_PATHS } from './actions';

/**
 * Every path a GET (or HEAD) answers, the switch of handle() below: none of them changes anything on
 * the server (/signin only opens a session, in memory). A path not listed here answers 404, so a new
 * page must be added here, where the read-only tests (portal.test.ts) find it.
 */
export const READ_PATHS: ReadonlySet<string> = new Set([
  '/', '/fragment/modules', '/database', '/history', '/health', '/history/log', '/signin',
  '/assets/app.js', '/assets/style.css', '/assets/favicon.svg', '/favicon.ico',
  '/api/modules', '/api/history', '/api/health', '/api/database', '/api/job', '/api/schedule', '/api/events',
]);

export interface PortalOptions {
  backend: PortalBackend;
  /** 0 picks a free port. */
  port: number;
  /** A fresh Output for each job (it also goes to the service log). */
  makeJobOutput: () => Output;
  version: string;
  log?: (level: 'info' | 'warning', message: string) => void;
  /** The administrator token (default: a new random one); the service writes it to token.json. */
  adminToken?: string;
}

export interface RunningPortal {
  url: string;
  port: number;
  csrfToken: string;
  /** Sessions and the administrator token. */
  auth: PortalAuth;
  jobs: JobManager;
  /** How many event streams are open (one per browser with the shared stream, whatever its tabs). */
  eventClients(): number;
  close(): Promise<void>;
}

async function readJsonBody(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  const type = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') throw new HttpError(415, 'Content-Type must be application/json');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'request body too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text.trim()) return {};
  try {
    const parsed = JSON.parse(text) as unknown;
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
    return parsed as Record<string, unknown>;
  } catch {
    throw new HttpError(400, 'body is not a JSON object');
  }
}

export async function startPortal(options: PortalOptions): Promise<RunningPortal> {
  const { backend } = options;
  const csrfToken = randomBytes(32).toString('base64url');
  const auth = new PortalAuth(options.adminToken ?? randomBytes(32).toString('base64url'), () => listenPort);
  const log = options.log ?? (() => undefined);
  const clients = new Set<http.ServerResponse>();
  let listenPort = options.port;

  const portalUrl = () => `http://localhost:${listenPort}/`;
  const broadcast = (event: string, data: unknown) => {
    const frame = encodeSse({ event, data });
    for (const res of clients) res.write(frame);
  };
  const jobs = new JobManager(backend, options.makeJobOutput, (event, data) => broadcast(event === 'message' ? 'output' : event, data));

  const send = (res: http.ServerResponse, status: number, type: string, body: string | Buffer, extra: http.OutgoingHttpHeaders = {}) => {
    res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), ...extra });
    res.end(body);
  };
  const sendJson = (res: http.ServerResponse, status: number, value: unknown, extra: http.OutgoingHttpHeaders = {}) => send(res, status, 'application/json; charset=utf-8', JSON.stringify(value), extra);

  const page = async (lang: Lang, id: PageId, body: string, session: Session | undefined) => renderLayout({
    lang, t: translator(lang), page: id, csrfToken, computerName: await backend.computerName(), version: options.version, body,
    signedInAs: session?.user,
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    let url: URL;
    try { url = new URL(req.url ?? '/', 'http://localhost'); } catch { throw new HttpError(400, 'malformed request target'); }
    const path = url.pathname;
    const session = auth.session(req.headers);
    const decision = admitRequest({
      method: req.method ?? 'GET', action: ACTION_PATHS.has(path), readable: READ_PATHS.has(path), headers: req.headers, listenPort, csrfToken,
      auth: auth.facts(req.headers), tokenOnly: TOKEN_ONLY_PATHS.has(path),
    });
    if (!decision.ok) {
      log('warning', `refused ${req.method} ${path}: ${decision.reason}`);
      sendJson(res, decision.status, { error: decision.reason }, {
        ...(decision.allow ? { Allow: decision.allow } : {}),
        ...(decision.status === 401 ? { 'WWW-Authenticate': 'Bearer realm="altazion-update"' } : {}),
      });
      return;
    }
    const lang = negotiateLanguage(req.headers['accept-language']);
    const t = translator(lang);
    const html = (body: string) => send(res, 200, 'text/html; charset=utf-8', body, { Vary: 'Accept-Language' });

    const action = req.method === 'POST' ? ACTIONS[path] : undefined;
    if (action) {
      // admitRequest lets an action through only for an administrator: a session or the token.
      // Who acted: the signed-in administrator, or the token holder (a script may say who it runs for).
      const user = decision.by === 'session' ? session?.user
        : decision.by === 'token' ? (field({ user: req.headers['x-altazion-user'] }, 'user', false, USER_PATTERN) ?? 'administrator (token)')
        : undefined;
      if (user === undefined) throw new HttpError(401, SIGN_IN_HINT);
      const answer = await action({ body: await readJsonBody(req), backend, jobs, log, user, session, auth, portalUrl: portalUrl() });
      sendJson(res, answer.status, answer.body, answer.headers);
      return;
    }

    if (!READ_PATHS.has(path)) { sendJson(res, 404, { error: `no such page: ${path}` }); return; }
    switch (path) {
      case '/signin': {
        // The one-time link of `portal open`: a session cookie, and the session key for the page's
        // script in the fragment (never sent to a server), then the module list. Only a GET uses
        // the code (a HEAD, e.g. a link preview, must not spend it).
        if (req.method !== 'GET') { send(res, 204, 'text/plain', ''); return; }
        const opened = auth.redeem(url.searchParams.get('code'));
        if (!opened) {
          log('warning', 'refused a sign-in link (expired, already used or unknown)');
          send(res, 403, 'text/html; charset=utf-8', await page(lang, 'modules', `<p class="empty">${escapeHtml(t('auth.linkInvalid'))}</p>`, session), { Vary: 'Accept-Language' });
          return;
        }
        log('info', `${opened.user} signed in (session until ${new Date(opened.expiresAt).toISOString()})`);
        res.writeHead(303, { ...SECURITY_HEADERS, Location: `/#signin=${opened.key}`, 'Set-Cookie': auth.setCookie(opened), 'Content-Length': 0 });
        res.end();
        return;
      }
      case '/': {
        const [records, checked, scheduled] = await Promise.all([backend.modules(), backend.lastCheckedAt(), backend.scheduled()]);
        html(await page(lang, 'modules', renderModulesPage(t, records, checked, backend.applicationsConfig, lang, scheduled), session));
        return;
      }
      case '/fragment/modules':
        send(res, 200, 'text/html; charset=utf-8', renderModulesTable(t, await backend.modules(), backend.applicationsConfig, lang, await backend.scheduled()), { Vary: 'Accept-Language' });
        return;
      case '/database': {
        let body: string;
        try {
          body = renderDatabasePage(t, await backend.database(), undefined, lang);
        } catch (error) {
          // The reason in the page's language when the core gave it as a message (an unreachable database is data).
          const reason = toAltazionError(error).worded;
          body = renderDatabasePage(t, undefined, typeof reason === 'string' ? reason : renderMessage(reason, lang), lang);
        }
        html(await page(lang, 'database', body, session));
        return;
      }
      case '/history':
        html(await page(lang, 'history', renderHistoryPage(t, await backend.history(), lang), session));
        return;
      case '/health': {
        let body: string;
        try { body = renderHealthPage(t, await backend.health(), undefined, lang); } catch (error) { body = renderHealthPage(t, undefined, toAltazionError(error).message, lang); }
        html(await page(lang, 'health', body, session));
        return;
      }
      case '/history/log': {
        const text = await backend.historyLog(url.searchParams.get('id') ?? '');
        if (text === undefined) { sendJson(res, 404, { error: 'no such log' }); return; }
        send(res, 200, 'text/plain; charset=utf-8', text);
        return;
      }
      case '/assets/app.js': send(res, 200, 'text/javascript; charset=utf-8', APP_JS); return;
      case '/assets/style.css': send(res, 200, 'text/css; charset=utf-8', STYLE_CSS); return;
      case '/assets/favicon.svg':
      case '/favicon.ico': send(res, 200, 'image/svg+xml', FAVICON_SVG); return;
      case '/api/modules': sendJson(res, 200, await backend.modules()); return;
      case '/api/history': sendJson(res, 200, (await backend.history()) ?? []); return;
      case '/api/health': sendJson(res, 200, (await backend.health()) ?? []); return;
      case '/api/database': sendJson(res, 200, (await backend.database()) ?? null); return;
      case '/api/job': {
        const current = jobs.current();
        sendJson(res, 200, current ? { snapshot: current.snapshot, messages: current.messages, firstSeq: current.firstSeq } : null);
        return;
      }
      case '/api/schedule': sendJson(res, 200, await backend.scheduled()); return;
      case '/api/events': {
        const headers = { ...SECURITY_HEADERS, 'Content-Type': 'text/event-stream; charset=utf-8', 'X-Accel-Buffering': 'no' };
        // A HEAD has no body to stream: the headers, and done (no stream held open).
        if (req.method === 'HEAD') { res.writeHead(200, headers); res.end(); return; }
        res.writeHead(200, { ...headers, Connection: 'keep-alive' });
        const current = jobs.current();
        res.write(encodeSse({ event: 'snapshot', retryMs: 3000, data: { job: current?.snapshot ?? null, messages: current?.messages ?? [], firstSeq: current?.firstSeq ?? 1 } }));
        clients.add(res);
        const timer = setInterval(() => res.write(encodeSseComment('keep-alive')), KEEPALIVE_MS);
        res.on('close', () => { clearInterval(timer); clients.delete(res); });
        return;
      }
      default:
        sendJson(res, 404, { error: `no such page: ${path}` });
    }
  }

  const server = http.createServer((req, res) => {
    res.setHeader(PORTAL_MARKER_HEADER, options.version);
    handle(req, res).catch((error) => {
      const status = error instanceof HttpError ? error.status
        : error instanceof AltazionError && error.code === 'E_NOT_FOUND' ? 404
        : error instanceof AltazionError && error.exitCode === 2 ? 400
        : error instanceof AltazionError && error.exitCode === 4 ? 409 : 500;
      if (status === 500) log('warning', `portal error on ${req.method} ${req.url}: ${(error as Error).stack ?? error}`);
      if (res.headersSent) { res.end(); return; }
      // The core's message id and parameters too: the page words the refusal in its own language.
      const ref = error instanceof AltazionError ? error.messageRef : undefined;
      sendJson(res, status, { error: (error as Error).message ?? String(error), ...(ref ? { messageId: ref.id, ...(ref.params ? { params: ref.params } : {}) } : {}) });
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(error.code === 'EADDRINUSE' ? new PortInUseError(options.port) : error));
    server.listen(options.port, PORTAL_HOST, () => resolve());
  });
  listenPort = (server.address() as AddressInfo).port;
  const url = portalUrl();
  log('info', `portal listening on http://${PORTAL_HOST}:${listenPort}/`);

  return {
    url,
    port: listenPort,
    csrfToken,
    auth,
    jobs,
    eventClients: () => clients.size,
    close: async () => {
      for (const res of clients) res.end();
      clients.clear();
      await new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); });
    },
  };
}

// Every state-changing endpoint of the portal, in one table. The server admits a request (Host,
// method, Origin, CSRF token, and an administrator: a signed-in session or the admin token;
// security.ts) before any of these run, for every path listed here and only for them: adding an
// action here makes it admin-only. Each runs knowing who acted, and records it (logs, history).
import type { OutgoingHttpHeaders } from 'node:http';
import type { PortalAuth, Session } from './auth';
import type { JobManager } from './jobs';
import type { JobRequest, PortalBackend } from './types';
import { AltazionError } from '../../core/errors';
import { msg } from '../../core/messages';
import { canonicalModuleName } from '../../core/modules';
import { localText } from '../../schedule/plan';
import { scheduleFor } from './pages';

export class HttpError extends Error {
  constructor(readonly status: number, message: string) { super(message); }
}

export interface ActionContext {
  body: Record<string, unknown>;
  backend: PortalBackend;
  jobs: JobManager;
  log: (level: 'info' | 'warning', message: string) => void;
  /** Who acts: the signed-in administrator, or who the admin token's holder says they are. */
  user: string;
  /** The caller's session, when signed in (signing out ends it). */
  session?: Session;
  auth: PortalAuth;
  /** The portal's own address (the sign-in link points there). */
  portalUrl: string;
}

export interface ActionAnswer { status: number; body: unknown; headers?: OutgoingHttpHeaders }

export type Action = (ctx: ActionContext) => Promise<ActionAnswer>;

const NAME_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;
const SCRIPT_PATTERN = /^[^\r\n\0]{1,128}$/;
/** Who an administrator says they are (recorded with their actions): a Windows account name. */
export const USER_PATTERN = /^[^\r\n\0<>"]{1,128}$/;

export function field(body: Record<string, unknown>, name: string, required: boolean, pattern?: RegExp): string | undefined {
  const value = body[name];
  if (value === undefined || value === null || value === '') {
    if (required) throw new HttpError(400, `"${name}" is required`);
    return undefined;
  }
  if (typeof value !== 'string' || value.length > 200 || (pattern && !pattern.test(value))) throw new HttpError(400, `"${name}": invalid value`);
  return value;
}

async function startJob(ctx: ActionContext, request: JobRequest, what: string): Promise<ActionAnswer> {
  const outcome = await ctx.jobs.start(request);
  if (!outcome.started) return { status: 409, body: { error: `another install is running: ${outcome.owner.requestedBy} (pid ${outcome.owner.pid})`, owner: outcome.owner } };
  ctx.log('info', `${what} requested from the portal by ${ctx.user} (job ${outcome.job.id})`);
  return { status: 202, body: { id: outcome.job.id, job: outcome.job } };
}

let schedulingQueue: Promise<unknown> = Promise.resolve();

export const ACTIONS: Readonly<Record<string, Action>> = {
  '/api/install': (ctx) => {
    const name = field(ctx.body, 'name', true, NAME_PATTERN)!;
    return startJob(ctx, { kind: 'install', name, instance: field(ctx.body, 'instance', false) ?? '', user: ctx.user }, `install of ${name}`);
  },
  '/api/database/run-script': (ctx) => {
    const script = field(ctx.body, 'script', true, SCRIPT_PATTERN)!;
    return startJob(ctx, { kind: 'db-script', name: 'database', instance: field(ctx.body, 'instance', false) ?? '', script, user: ctx.user }, `db-script ${script}`);
  },
  '/api/database/mark-applied': (ctx) => {
    const script = field(ctx.body, 'script', true, SCRIPT_PATTERN)!;
    return startJob(ctx, { kind: 'db-mark-applied', name: 'database', instance: field(ctx.body, 'instance', false) ?? '', script, user: ctx.user }, `db-mark-applied ${script}`);
  },
  '/api/check': async (ctx) => {
    ctx.log('info', `check requested from the portal by ${ctx.user}`);
    return { status: 200, body: await ctx.backend.checkNow() };
  },
  '/api/schedule': (ctx) => {
    const name = field(ctx.body, 'name', true, NAME_PATTERN)!;
    const at = field(ctx.body, 'at', false);
    const instance = field(ctx.body, 'instance', false) ?? '';
    // One plan per module instance (the row shows one): two administrators clicking at once get one
    // plan, and the second is told whose it is. Checked and written one request at a time.
    const scheduling = schedulingQueue.then(async () => {
      const planned = scheduleFor(await ctx.backend.scheduled(), { Name: canonicalModuleName(name), Instance: instance });
      if (planned) {
        throw new AltazionError('E_BUSY', msg('schedule.alreadyPlanned', { module: canonicalModuleName(name), at: localText(new Date(planned.At)), user: planned.User, id: planned.Id }), { target: planned.Id });
      }
      const entry = await ctx.backend.schedule({ name, instance, ...(at ? { at } : {}), user: ctx.user });
      ctx.log('info', `install of ${name} scheduled from the portal by ${ctx.user} for ${entry.At} (${entry.Id})`);
      return { status: 201, body: entry };
    });
    schedulingQueue = scheduling.catch(() => undefined);
    return scheduling;
  },
  '/api/schedule/cancel': async (ctx) => {
    const id = field(ctx.body, 'id', true, NAME_PATTERN)!;
    const entry = await ctx.backend.cancelSchedule(id);
    ctx.log('info', `scheduled install ${id} cancelled from the portal by ${ctx.user}`);
    return { status: 200, body: entry };
  },
  // `portal open` / Open-AltazionPortal: the admin token's holder gets a one-time sign-in link (auth.ts).
  '/api/signin': async (ctx) => {
    const who = field(ctx.body, 'user', false, USER_PATTERN) ?? ctx.user;
    const { code, expiresAt } = ctx.auth.issueCode(who);
    ctx.log('info', `one-time sign-in link issued for ${who}`);
    return { status: 200, body: { url: `${ctx.portalUrl}signin?code=${encodeURIComponent(code)}`, expiresAt: new Date(expiresAt).toISOString(), user: who } };
  },
  '/api/signout': async (ctx) => {
    if (ctx.session) ctx.auth.end(ctx.session);
    ctx.log('info', `${ctx.user} signed out`);
    return { status: 200, body: { ok: true }, headers: { 'Set-Cookie': ctx.auth.clearCookie() } };
  },
};

/** The state-changing endpoints: POST only, for administrators, with Origin and CSRF checks. */
export const ACTION_PATHS: ReadonlySet<string> = new Set(Object.keys(ACTIONS));
/** Actions only the administrator token itself may do: minting a one-time sign-in link. */
export const TOKEN_ONLY_PATHS: ReadonlySet<string> = new Set(['/api/signin']);

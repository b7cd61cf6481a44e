// The portal on a real sandbox, over real HTTP on 127.0.0.1: crafted hostile requests are refused
// and change nothing; actions without an administrator's sign-in are refused and change nothing; a
// real install runs from the API with live events and is recorded with who asked; the install lock
// is shared with the command line (exit 4 naming the portal).
import { expect } from 'chai';
import { promises as fs } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { runCheck } from '../../../src/check/run-check';
import { createContext } from '../../../src/cli/context';
import { instanceLayout } from '../../../src/config/paths';
import { installModules } from '../../../src/install';
import { acquireInstallLock, currentOwner } from '../../../src/install-state/lock';
import { silentOutput } from '../../../src/output/output';
import { ACTION_PATHS } from '../../../src/service/portal/actions';
import { READ_PATHS } from '../../../src/service/portal/server';
import { startService, type RunningService } from '../../../src/service/run';
import { runCli } from '../../helpers/cli';
import { holdFile } from '../../helpers/lock-holder';
import { diffTrees, makeSandbox, treeHashes, type TestSandbox } from '../../helpers/sandbox';
import { signIn, signInLink, type PortalSession } from '../../helpers/portal-auth';

interface Reply { status: number; headers: http.IncomingHttpHeaders; body: string }

function request(port: number, method: string, urlPath: string, headers: Record<string, string> = {}, body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    // A fresh connection each time: a refused request's unread body may end a kept-alive one.
    const req = http.request({ host: '127.0.0.1', port, method, path: urlPath, agent: false, headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => { text += d; }).on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', (error) => reject(new Error(`${method} ${urlPath}: ${error.message}`)));
    req.end(body);
  });
}

/** Everything in the sandbox except the service's own log (refusals are logged, by design). */
async function snapshot(box: TestSandbox): Promise<Map<string, string>> {
  const hashes = await treeHashes(box.base);
  for (const key of [...hashes.keys()]) if (key.includes(path.join('bin', 'updates', 'logs'))) hashes.delete(key);
  return hashes;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('portal over HTTP (sandbox)', function () {
  this.timeout(120_000);
  let box: TestSandbox;
  let service: RunningService;
  let port: number;
  let token: string;
  let origin: string;
  let admin: PortalSession;

  before(async () => {
    box = await makeSandbox();
    await runCheck(createContext({ root: box.Root }, silentOutput(), process.env), { report: false });
    service = await startService(createContext({ root: box.Root }, silentOutput(), process.env), { port: 0, periodicChecks: false, install: installModules });
    port = service.portal.port;
    origin = `http://127.0.0.1:${port}`;
    const page = await request(port, 'GET', '/');
    token = /<meta name="csrf-token" content="([^"]+)">/.exec(page.body)![1]!;
    admin = await signIn(box.Root, 'CONTOSO\\jdupont');
  });
  after(async () => {
    await service?.stop();
    await box?.remove();
  });

  /** What a signed-in browser on the portal sends with an action. */
  const goodHeaders = () => ({ origin, 'x-csrf-token': token, 'content-type': 'application/json', 'sec-fetch-site': 'same-origin', cookie: admin.cookie, 'x-session-key': admin.key });
  /** The same browser, not signed in (any local user). */
  const anonymousHeaders = () => (({ cookie: _c, 'x-session-key': _k, ...h }) => h)(goodHeaders());
  const installBody = JSON.stringify({ name: 'ecommerce', instance: '' });

  it('serves the module list in French with security headers, English on request', async () => {
    const page = await request(port, 'GET', '/');
    expect(page.status).to.equal(200);
    expect(page.body).to.contain('Version installée').and.contain('>Installer<').and.contain('data-install="ecommerce"');
    expect(page.headers['content-security-policy']).to.contain("default-src 'self'").and.contain("frame-ancestors 'none'");
    expect(page.headers['x-frame-options']).to.equal('DENY');
    expect(page.headers['x-content-type-options']).to.equal('nosniff');
    expect(page.headers['referrer-policy']).to.equal('no-referrer');
    const english = await request(port, 'GET', '/', { 'accept-language': 'en-US,en;q=0.9' });
    expect(english.body).to.contain('Installed version').and.contain('>Install<');
    const modules = JSON.parse((await request(port, 'GET', '/api/modules')).body) as Array<Record<string, unknown>>;
    expect(modules.find((m) => m.Name === 'ecommerce')).to.include({ InstalledVersion: '25.9.12.3', AvailableVersion: '25.10.1.2', UpdateAvailable: true });
    const js = await request(port, 'GET', '/assets/app.js');
    expect(js.headers['content-type']).to.match(/^text\/javascript/);
  });

  it('refuses hostile requests (foreign Host, foreign or missing Origin, bad token, cross-site, GET on an action) and changes nothing, nor does reading every page', async () => {
    const before = await snapshot(box);
    const attempts: Array<[string, Promise<Reply>, number]> = [
      ['foreign Host (GET page)', request(port, 'GET', '/', { host: 'attacker.example:' + port }), 403],
      ['foreign Host (GET api)', request(port, 'GET', '/api/modules', { host: 'rebind.evil.example' }), 403],
      ['foreign Host (POST)', request(port, 'POST', '/api/install', { ...goodHeaders(), host: 'attacker.example:' + port, origin: `http://attacker.example:${port}` }, installBody), 403],
      ['foreign Origin', request(port, 'POST', '/api/install', { ...goodHeaders(), origin: 'http://evil.example' }, installBody), 403],
      ['missing Origin', request(port, 'POST', '/api/install', (({ origin: _o, ...h }) => h)(goodHeaders()), installBody), 403],
      ['missing token', request(port, 'POST', '/api/install', (({ 'x-csrf-token': _t, ...h }) => h)(goodHeaders()), installBody), 403],
      ['wrong token', request(port, 'POST', '/api/install', { ...goodHeaders(), 'x-csrf-token': token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A') }, installBody), 403],
      ['cross-site fetch', request(port, 'POST', '/api/install', { ...goodHeaders(), 'sec-fetch-site': 'cross-site' }, installBody), 403],
      // Chromium's headers for an <img> and a no-cors fetch on another site's page: the read is refused.
      ['cross-site <img> of the database page', request(port, 'GET', '/database', { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors', 'sec-fetch-dest': 'image' }), 403],
      ['same-site fetch of the API (another localhost port)', request(port, 'GET', '/api/database', { 'sec-fetch-site': 'same-site', 'sec-fetch-mode': 'no-cors', 'sec-fetch-dest': 'empty' }), 403],
      ['cross-site list of plans', request(port, 'GET', '/api/schedule', { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors', 'sec-fetch-dest': 'script' }), 403],
      ['link followed from another site', request(port, 'GET', '/history', { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' }), 200],
      ['GET on install', request(port, 'GET', '/api/install?name=ecommerce'), 405],
      ['GET on run-script', request(port, 'GET', '/api/database/run-script?script=x'), 405],
      ['GET on mark-applied', request(port, 'GET', '/api/database/mark-applied?script=x'), 405],
      ['PUT on install', request(port, 'PUT', '/api/install', goodHeaders(), installBody), 405],
      ['form post (no JSON)', request(port, 'POST', '/api/install', { ...goodHeaders(), 'content-type': 'application/x-www-form-urlencoded' }, 'name=ecommerce'), 415],
      ['run-script without token', request(port, 'POST', '/api/database/run-script', (({ 'x-csrf-token': _t, ...h }) => h)(goodHeaders()), JSON.stringify({ script: '2025-10/0001' })), 403],
      ['mark-applied, foreign Origin', request(port, 'POST', '/api/database/mark-applied', { ...goodHeaders(), origin: 'http://localhost.evil.example' }, JSON.stringify({ script: '2025-10/0001' })), 403],
      ['check now, no Origin', request(port, 'POST', '/api/check', (({ origin: _o, ...h }) => h)(goodHeaders()), '{}'), 403],
    ];
    for (const [what, reply, expected] of attempts) {
      expect((await reply).status, what).to.equal(expected);
    }
    // Reading every page and API changes nothing either (health is the repair checks in dry-run).
    for (const page of ['/', '/database', '/history', '/health', '/fragment/modules', '/api/modules', '/api/history', '/api/health', '/api/database', '/api/job']) {
      expect((await request(port, 'GET', page)).status, page).to.be.oneOf([200]);
    }
    // Give a (wrongly) started install time to show up before comparing.
    await new Promise((r) => setTimeout(r, 500));
    expect(JSON.parse((await request(port, 'GET', '/api/job')).body), 'no job started').to.equal(null);
    expect(diffTrees(before, await snapshot(box))).to.deep.equal([]);
  });

  it('refuses every action to anyone not signed in as an administrator (401) and changes nothing', async () => {
    const before = await snapshot(box);
    const bodies: Record<string, string> = {
      '/api/install': installBody, '/api/check': '{}', '/api/signout': '{}',
      '/api/database/run-script': JSON.stringify({ script: '2025-10/0001' }), '/api/database/mark-applied': JSON.stringify({ script: '2025-10/0001' }),
      '/api/schedule': JSON.stringify({ name: 'ecommerce', instance: '' }), '/api/schedule/cancel': JSON.stringify({ id: 'any' }),
    };
    // Every action of the table (actions.ts), whichever issue added it: a new one needs a body here.
    expect(Object.keys(bodies).sort()).to.deep.equal([...ACTION_PATHS].filter((p) => p !== '/api/signin').sort());
    for (const [action, body] of Object.entries(bodies)) {
      const anonymous = await request(port, 'POST', action, anonymousHeaders(), body);
      expect(anonymous.status, `${action} anonymous`).to.equal(401);
      expect(anonymous.headers['www-authenticate']).to.equal('Bearer realm="altazion-update"');
      expect(JSON.parse(anonymous.body).error).to.contain('altazion-update portal open');
      // The cookie alone, as an IIS application browsed on http://localhost/ would receive it.
      const cookieOnly = await request(port, 'POST', action, { ...anonymousHeaders(), cookie: admin.cookie }, body);
      expect(cookieOnly.status, `${action} cookie without its key`).to.equal(401);
      const wrongToken = await request(port, 'POST', action, { host: `localhost:${port}`, 'content-type': 'application/json', authorization: 'Bearer not-the-token-not-the-token-not-the-token' }, body);
      expect(wrongToken.status, `${action} wrong bearer`).to.equal(401);
    }
    // A session cannot mint sign-in links: that takes the token file.
    expect((await request(port, 'POST', '/api/signin', goodHeaders(), '{}')).status).to.equal(401);
    await new Promise((r) => setTimeout(r, 500));
    expect(JSON.parse((await request(port, 'GET', '/api/job')).body), 'no job started').to.equal(null);
    expect(diffTrees(before, await snapshot(box))).to.deep.equal([]);
  });

  it('every action, even from a signed-in administrator, needs the same-origin Origin and the CSRF token; no GET acts, whoever asks', async () => {
    const before = await snapshot(box);
    const scheduledBefore = (await request(port, 'GET', '/api/schedule')).body;
    const { token: adminToken } = JSON.parse(await fs.readFile(instanceLayout(box.Root).portalToken, 'utf8')) as { token: string };
    const bodies: Record<string, string> = {
      '/api/install': installBody, '/api/check': '{}', '/api/signout': '{}', '/api/signin': JSON.stringify({ user: 'CONTOSO\\mallory' }),
      '/api/database/run-script': JSON.stringify({ script: '2025-10/0001' }), '/api/database/mark-applied': JSON.stringify({ script: '2025-10/0001' }),
      '/api/schedule': JSON.stringify({ name: 'logistique', instance: '' }), '/api/schedule/cancel': JSON.stringify({ id: 'any' }),
    };
    // Every action of the table (actions.ts), whichever issue added it: a new one needs a body here.
    expect(Object.keys(bodies).sort()).to.deep.equal([...ACTION_PATHS].sort());
    const without = (name: string) => (({ [name]: _drop, ...h }: Record<string, string>) => h)(goodHeaders());
    for (const [action, body] of Object.entries(bodies)) {
      const refusals: Array<[string, Record<string, string>, number]> = [
        ['foreign Origin', { ...goodHeaders(), origin: 'http://evil.example' }, 403],
        ['another localhost port (an IIS site)', { ...goodHeaders(), origin: 'http://localhost:80' }, 403],
        ['no Origin', without('origin'), 403],
        ['no CSRF token', without('x-csrf-token'), 403],
        ['wrong CSRF token', { ...goodHeaders(), 'x-csrf-token': token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A') }, 403],
        ['same-site fetch', { ...goodHeaders(), 'sec-fetch-site': 'same-site' }, 403],
        ['cross-site fetch', { ...goodHeaders(), 'sec-fetch-site': 'cross-site' }, 403],
        // The admin token does not let a browser page act from elsewhere either.
        ['the admin token from a foreign page', { host: `localhost:${port}`, 'content-type': 'application/json', origin: 'http://evil.example', authorization: `Bearer ${adminToken}` }, 403],
      ];
      if (action === '/api/signin') refusals.length = 0; // token-only: covered by the 401 below and the token tests
      for (const [what, headers, status] of refusals) {
        const reply = await request(port, 'POST', action, headers, body);
        expect(reply.status, `${action}: ${what} (${reply.body})`).to.equal(status);
      }
      for (const method of ['PUT', 'DELETE', 'PATCH']) {
        expect((await request(port, method, action, goodHeaders(), body)).status, `${method} ${action}`).to.equal(405);
      }
      // A GET with every credential a signed-in browser has reads at most (GET /api/schedule lists).
      const get = await request(port, 'GET', `${action}?${new URLSearchParams(JSON.parse(body) as Record<string, string>).toString()}`, goodHeaders());
      expect(get.status, `GET ${action}`).to.equal(READ_PATHS.has(action) ? 200 : 405);
    }
    // Every page and API a GET answers, anonymous and signed in: 200, nothing changes (/signin without a
    // valid code is refused, /history/log without an id has no log; the event stream is read briefly).
    const expected = (page: string) => (page === '/signin' ? 403 : page === '/history/log' ? 404 : 200);
    for (const page of [...READ_PATHS].filter((p) => p !== '/api/events')) {
      for (const [who, headers] of [['anonymous', {}], ['signed in', goodHeaders()]] as const) {
        const reply = await request(port, 'GET', page, headers);
        expect(reply.status, `GET ${page} (${who})`).to.equal(expected(page));
        expect(reply.body, `GET ${page} (${who})`).not.to.contain('no such page');
        // A HEAD never spends a sign-in link (204 without one either).
        expect((await request(port, 'HEAD', page, headers)).status, `HEAD ${page} (${who})`).to.equal(page === '/signin' ? 204 : expected(page));
      }
    }
    const stream = await new Promise<string>((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port, path: '/api/events', headers: goodHeaders() }, (res) => {
        res.setEncoding('utf8').once('data', (d: string) => { req.destroy(); resolve(d); });
      });
      req.on('error', reject);
    });
    expect(stream).to.contain('event: snapshot');
    expect((await request(port, 'GET', '/no-such-page', goodHeaders())).status, 'unlisted path').to.equal(404);
    await new Promise((r) => setTimeout(r, 500));
    expect(JSON.parse((await request(port, 'GET', '/api/job')).body), 'no job started').to.equal(null);
    expect((await request(port, 'GET', '/api/schedule')).body, 'nothing scheduled').to.equal(scheduledBefore);
    expect(diffTrees(before, await snapshot(box))).to.deep.equal([]);
    // And the administrator is still signed in (no refused sign-out went through).
    expect((await request(port, 'POST', '/api/schedule/cancel', goodHeaders(), JSON.stringify({ id: 'none' }))).status).not.to.equal(401);
  });

  it('the token file is readable by administrators only; a sign-in link works once', async () => {
    const layout = instanceLayout(box.Root);
    expect((await fs.stat(layout.portalPrivate)).mode & 0o777).to.equal(0o700);
    expect((await fs.stat(layout.portalToken)).mode & 0o077).to.equal(0);
    const link = new URL(await signInLink(box.Root));
    expect((await request(port, 'HEAD', link.pathname + link.search)).status, 'a HEAD does not spend the link').to.equal(204);
    const first = await request(port, 'GET', link.pathname + link.search);
    expect(first.status).to.equal(303);
    expect(first.headers['set-cookie']![0]).to.match(new RegExp(`^altazion_session_${port}=[^;]+; Path=/; HttpOnly; SameSite=Strict; Max-Age=28800$`));
    expect(first.headers.location).to.match(/^\/#signin=.+/);
    const again = await request(port, 'GET', link.pathname + link.search);
    expect(again.status).to.equal(403);
    expect(again.body).to.contain('a expiré ou a déjà servi');
    // The page shows who is signed in (cookie) or how to sign in.
    expect((await request(port, 'GET', '/', { cookie: admin.cookie })).body).to.contain('Connecté en administrateur : CONTOSO\\jdupont').and.contain('data-signed-in="true"');
    expect((await request(port, 'GET', '/')).body).to.contain('altazion-update portal open').and.contain('data-signed-in="false"');
  });

  it('scripts may act with the token itself (Authorization: Bearer), recorded as who they say', async () => {
    const { token: adminToken } = JSON.parse(await fs.readFile(instanceLayout(box.Root).portalToken, 'utf8')) as { token: string };
    const reply = await request(port, 'POST', '/api/check', { 'content-type': 'application/json', authorization: `Bearer ${adminToken}`, 'x-altazion-user': 'CONTOSO\\deploy' }, '{}');
    expect(reply.status, reply.body).to.equal(200);
    const text = await fs.readFile(path.join(box.Root, 'bin', 'updates', 'logs', 'service.log'), 'utf8');
    expect(text).to.contain('check requested from the portal by CONTOSO\\\\deploy');
  });

  it('installs from the API with live events, refuses a second install (409) and a CLI install (exit 4) meanwhile', async () => {
    // A process holding a file in the module folder keeps the install waiting for handles.
    const holder = await holdFile(path.join(box.Apps, 'ecommerce', 'default.htm'), 'explorer.exe');
    const events: string[] = [];
    const sse = http.get({ host: '127.0.0.1', port, path: '/api/events', headers: { host: `localhost:${port}` } }, (res) => {
      res.setEncoding('utf8').on('data', (d: string) => events.push(d));
    });
    try {
      const started = await request(port, 'POST', '/api/install', goodHeaders(), installBody);
      expect(started.status).to.equal(202);
      const { id } = JSON.parse(started.body) as { id: string };
      expect(id).to.be.a('string').and.not.equal('');

      const lock = await waitFor('the install lock', async () => {
        const text = await fs.readFile(path.join(box.Root, 'bin', 'updates', 'install.lock'), 'utf8').catch(() => undefined);
        return text ? (JSON.parse(text) as { pid: number; requestedBy: string; user: string }) : undefined;
      });
      expect(lock).to.include({ pid: process.pid, requestedBy: 'portal', user: 'CONTOSO\\jdupont' });

      const second = await request(port, 'POST', '/api/install', goodHeaders(), JSON.stringify({ name: 'gestioncommerciale' }));
      expect(second.status).to.equal(409);
      expect(JSON.parse(second.body).owner).to.include({ requestedBy: 'portal', pid: process.pid, user: lock.user });

      const cli = await runCli(['install', '--root', box.Root, '--name', 'gestioncommerciale', '--json'], { kind: 'bundle' });
      expect(cli.code, cli.stderr).to.equal(4);
      const error = cli.errors()[0]!;
      expect(error.code).to.equal('E_BUSY');
      expect(error.message).to.include(`pid ${process.pid}`).and.include('requested by portal').and.include(`user ${lock.user}`);

      await holder.stop();
      const job = await waitFor('the install to finish', async () => {
        const current = JSON.parse((await request(port, 'GET', '/api/job')).body) as { snapshot: { state: string; results?: Array<Record<string, unknown>> } } | null;
        return current && current.snapshot.state !== 'running' ? current.snapshot : undefined;
      }, 90_000);
      expect(job.state).to.equal('done');
      expect(job.results![0]).to.include({ Name: 'ecommerce', Result: 'Installed', ToVersion: '25.10.1.2' });

      const modules = JSON.parse((await request(port, 'GET', '/api/modules')).body) as Array<Record<string, unknown>>;
      expect(modules.find((m) => m.Name === 'ecommerce')).to.include({ InstalledVersion: '25.10.1.2', UpdateAvailable: false });
      const stream = events.join('');
      expect(stream).to.contain('event: job').and.contain('event: output').and.contain('"type":"progress"');
      expect(stream).to.match(/"state":"done"/);

      const history = JSON.parse((await request(port, 'GET', '/api/history')).body) as Array<Record<string, unknown>>;
      expect(history[0]).to.include({ Name: 'ecommerce', Result: 'Installed', RequestedBy: 'portal', User: 'CONTOSO\\jdupont' });
      const log = await request(port, 'GET', `/history/log?id=${encodeURIComponent(String(history[0]!.Id))}`);
      expect(log.status).to.equal(200);
      expect(log.body).to.contain('ecommerce').and.contain('requested by portal (CONTOSO\\jdupont)');
      const serviceLog = await fs.readFile(path.join(box.Root, 'bin', 'updates', 'logs', 'service.log'), 'utf8');
      expect(serviceLog).to.contain('install of ecommerce requested from the portal by CONTOSO\\\\jdupont');
    } finally {
      sse.destroy();
      await holder.stop();
    }
  });

  it('schedules and cancels an install for the signed-in administrator, recorded as who scheduled it', async () => {
    const reply = await request(port, 'POST', '/api/schedule', goodHeaders(), JSON.stringify({ name: 'logistique', instance: '', at: '2099-01-01T02:00:00Z' }));
    expect(reply.status, reply.body).to.equal(201);
    const entry = JSON.parse(reply.body) as Record<string, unknown>;
    expect(entry).to.include({ RequestedBy: 'portal', User: 'CONTOSO\\jdupont', State: 'Pending' });
    const listed = await runCli(['schedule', 'list', '--root', box.Root, '--json'], { kind: 'bundle' });
    expect(listed.objects('Altazion.ScheduledInstall').map((e) => [e.Id, e.User])).to.deep.equal([[entry.Id, 'CONTOSO\\jdupont']]);
    const pending = JSON.parse((await request(port, 'GET', '/api/schedule')).body) as Array<Record<string, unknown>>;
    expect(pending.map((e) => [e.Id, e.State, e.User]), 'GET /api/schedule lists it').to.deep.include([entry.Id, 'Pending', 'CONTOSO\\jdupont']);
    const cancel = await request(port, 'POST', '/api/schedule/cancel', goodHeaders(), JSON.stringify({ id: entry.Id }));
    expect(cancel.status, cancel.body).to.equal(200);
    const serviceLog = await fs.readFile(path.join(box.Root, 'bin', 'updates', 'logs', 'service.log'), 'utf8');
    expect(serviceLog).to.contain('install of logistique scheduled from the portal by CONTOSO\\\\jdupont')
      .and.contain(`scheduled install ${String(entry.Id)} cancelled from the portal by CONTOSO\\\\jdupont`);
  });

  it('two administrators scheduling the same module at once: one plan, the other told whose it is (409); a plan already started cannot be cancelled (409, not a server error)', async () => {
    const body = JSON.stringify({ name: 'gestioncommerciale', instance: '', at: '2099-01-02T02:00:00Z' });
    const replies = await Promise.all([1, 2].map(() => request(port, 'POST', '/api/schedule', goodHeaders(), body)));
    expect(replies.map((r) => r.status).sort(), replies.map((r) => r.body).join('\n')).to.deep.equal([201, 409]);
    const planned = JSON.parse(replies.find((r) => r.status === 201)!.body) as { Id: string };
    const refused = JSON.parse(replies.find((r) => r.status === 409)!.body) as { error: string; messageId?: string };
    expect(refused.error).to.contain(planned.Id).and.contain('CONTOSO\\jdupont');
    // Worded by the page in its language.
    expect(refused.messageId).to.equal('schedule.alreadyPlanned');
    const pending = (JSON.parse((await request(port, 'GET', '/api/schedule')).body) as Array<{ Id: string; Names: string[] }>).filter((e) => e.Names.includes('gestioncommerciale'));
    expect(pending.map((e) => e.Id), 'one plan for the module').to.deep.equal([planned.Id]);
    // The service claims a due plan by renaming it: cancelling it then is a conflict, told as such.
    const dir = path.join(box.Root, 'bin', 'updates', 'schedule');
    await fs.rename(path.join(dir, `${planned.Id}.json`), path.join(dir, `${planned.Id}.running`));
    try {
      const cancel = await request(port, 'POST', '/api/schedule/cancel', goodHeaders(), JSON.stringify({ id: planned.Id }));
      expect(cancel.status, cancel.body).to.equal(409);
      expect(JSON.parse(cancel.body)).to.include({ messageId: 'schedule.alreadyRunning' });
    } finally {
      await fs.rm(path.join(dir, `${planned.Id}.running`), { force: true });
    }
    const text = await fs.readFile(path.join(box.Root, 'bin', 'updates', 'logs', 'service.log'), 'utf8');
    expect(text, 'no server error logged').not.to.contain('portal error on POST /api/schedule');
  });

  it('a malformed request line is bad input (400), not a server error; HEAD on the event stream answers at once and holds no stream', async () => {
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => socket.end(`GET http://a:b:c/ HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`));
      let text = '';
      socket.setEncoding('utf8').on('data', (d: string) => { text += d; }).on('end', () => resolve(text)).on('error', reject);
    });
    expect(raw.split('\r\n')[0]).to.equal('HTTP/1.1 400 Bad Request');
    const streams = service.portal.eventClients();
    const head = await request(port, 'HEAD', '/api/events');
    expect(head.status).to.equal(200);
    expect(head.headers['content-type']).to.match(/^text\/event-stream/);
    expect(service.portal.eventClients(), 'no stream held for a HEAD').to.equal(streams);
    const text = await fs.readFile(path.join(box.Root, 'bin', 'updates', 'logs', 'service.log'), 'utf8');
    expect(text, 'no server error logged').not.to.contain('portal error on GET http://a:b:c/');
  });

  it('answers 409 naming the command line when the CLI holds the install lock', async () => {
    const owner = { ...currentOwner('cli', 'install gestioncommerciale 25.10.1.2'), pid: process.pid };
    const lock = await acquireInstallLock(instanceLayout(box.Root), owner);
    try {
      const reply = await request(port, 'POST', '/api/install', goodHeaders(), JSON.stringify({ name: 'logistique' }));
      expect(reply.status).to.equal(409);
      expect(JSON.parse(reply.body).owner).to.include({ requestedBy: 'cli', pid: process.pid, user: owner.user, description: owner.description });
      expect(JSON.parse((await request(port, 'GET', '/api/job')).body).snapshot.name, 'no new job').to.equal('ecommerce');
    } finally {
      await lock.release();
    }
  });

  it('writes its log under bin/updates/logs', async () => {
    const text = await fs.readFile(path.join(box.Root, 'bin', 'updates', 'logs', 'service.log'), 'utf8');
    expect(text).to.contain('portal listening on http://127.0.0.1:').and.contain('refused POST /api/install');
  });
});

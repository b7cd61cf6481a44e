// The portal in a real browser (Chromium from the Debian package, playwright-core): the legacy
// module list, Installer with live progress to the end and updated versions, the other pages,
// English by Accept-Language, the database manual flow; actions only for an administrator signed in
// through `portal open`. Screenshots go to test-artifacts/.
import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { runCheck } from '../../src/check/run-check';
import { createContext } from '../../src/cli/context';
import { installModules } from '../../src/install';
import { silentOutput } from '../../src/output/output';
import { READ_PATHS } from '../../src/service/portal/server';
import { startService, type RunningService } from '../../src/service/run';
import { chromiumAvailable, CHROMIUM, launchChromium, screenshotPath, type LaunchedBrowser } from '../helpers/browser';
import { holdFile } from '../helpers/lock-holder';
import { runCli } from '../helpers/cli';
import { signIn, signInLink } from '../helpers/portal-auth';
import { diffTrees, makeSandbox, treeHashes, type TestSandbox } from '../helpers/sandbox';

/** The bit of the DOM the page functions use (the tests compile without the DOM library). */
type Doc = { document: { querySelector(selector: string): { textContent: string | null } | null } };

/** What a describe block's tests use: the sandbox, the portal's address and a Chromium page on it. */
interface Portal { box: TestSandbox; url: string; page: Page }

/**
 * Registers, in the calling describe block, the hooks that give its tests a portal: a sandbox (made with
 * `sandbox`) checked once, the service on a free port, Chromium with a page that accepts every dialog and,
 * unless `signedIn` is false, has opened a sign-in link as an administrator would; all of it closed after.
 * `onReady` receives them once the before hook has made them. Skips without Chromium.
 */
function usePortal(sandbox: Parameters<typeof makeSandbox>[0], onReady: (portal: Portal) => void, signedIn = true): void {
  let box: TestSandbox | undefined;
  let service: RunningService | undefined;
  let browser: LaunchedBrowser | undefined;

  before(async function () {
    if (!chromiumAvailable()) {
      console.warn(`    SKIPPED: ${CHROMIUM} is missing (apt-get install -y chromium); the portal browser tests did not run`);
      this.skip();
    }
    box = await makeSandbox(sandbox);
    await runCheck(createContext({ root: box.Root }, silentOutput(), process.env), { report: false });
    service = await startService(createContext({ root: box.Root }, silentOutput(), process.env), { port: 0, periodicChecks: false, install: installModules });
    browser = await launchChromium();
    const page = await browser.context.newPage();
    page.on('dialog', (dialog) => { void dialog.accept(); });
    if (signedIn) await page.goto(await signInLink(box.Root));
    onReady({ box, url: service.portal.url, page });
  });
  after(async () => {
    await browser?.close();
    await service?.stop();
    await box?.remove();
  });
}

describe('portal in Chromium (e2e)', function () {
  this.timeout(180_000);
  let box: TestSandbox;
  let page: Page;
  let url: string;
  usePortal({}, (portal) => ({ box, page, url } = portal));

  const row = (name: string) => page.locator(`#modules tr[data-module="${name}"]`);

  it('shows the module list like the legacy page, in French', async () => {
    await page.goto(url);
    expect(await page.title()).to.contain('Mises à jour Altazion');
    const headers = await page.locator('table.modules thead th').allTextContents();
    expect(headers.slice(0, 5)).to.deep.equal(['Module', 'Chemin', 'Version installée', 'Version disponible', 'État']);
    for (const name of ['gestioncommerciale', 'ecommerce', 'logistique']) {
      await expect(await row(name).locator('td.installed').textContent()).to.equal('25.9.12.3');
      expect(await row(name).locator('td.available').textContent()).to.contain('25.10.1.2');
      expect(await row(name).locator('button[data-install]', { hasText: 'Installer' }).count(), name).to.equal(1);
      expect(await row(name).locator('button[data-schedule]').textContent(), name).to.equal('Installer cette nuit à 02:00');
    }
    expect(await page.locator('nav a').allTextContents()).to.deep.equal(['Modules', 'Base de données', 'Historique', 'État du serveur']);
    await page.screenshot({ path: await screenshotPath('portal-modules-fr.png'), fullPage: true });
  });

  it('Installer shows live progress to the end and the versions are updated', async () => {
    // A process holding a file keeps the install in its "wait for handles" step long enough to see it.
    const holder = await holdFile(path.join(box.Apps, 'ecommerce', 'default.htm'), 'explorer.exe');
    try {
      await page.goto(url);
      await row('ecommerce').locator('button[data-install]').click();
      await page.locator('#job .step', { hasText: 'attente de la libération des fichiers' }).waitFor({ timeout: 30_000 });
      expect(await page.locator('#job h2').textContent()).to.contain('Installation de ecommerce en cours');
      // Every Installer button is disabled while an install runs (one at a time).
      expect(await page.locator('button[data-install]:enabled').count()).to.equal(0);
      const width = await page.locator('#job .bar > div').evaluate((el) => (el as unknown as { style: { width: string } }).style.width);
      expect(parseFloat(width)).to.be.greaterThan(0).and.lessThan(100);
      await page.screenshot({ path: await screenshotPath('portal-install-progress.png'), fullPage: true });
    } finally {
      await holder.stop();
    }
    await page.locator('#job .result[data-state="done"]').waitFor({ timeout: 90_000 });
    expect(await page.locator('#job .result').textContent()).to.contain('Installation terminée : ecommerce 25.10.1.2');
    await page.waitForFunction(() => (globalThis as unknown as Doc).document.querySelector('#modules tr[data-module="ecommerce"] td.installed')?.textContent === '25.10.1.2');
    expect(await row('ecommerce').locator('button[data-install]').count()).to.equal(0);
    expect(await row('ecommerce').locator('.badge').textContent()).to.equal('À jour');
    expect(await row('logistique').locator('button[data-install]:enabled').count()).to.equal(1);
    await page.screenshot({ path: await screenshotPath('portal-install-done.png'), fullPage: true });
  });

  it('lists the install in the history with its log', async () => {
    await page.goto(url + 'history');
    const first = page.locator('table.history tbody tr').first();
    expect(await first.locator('td.name').textContent()).to.contain('ecommerce');
    expect(await first.locator('.badge').textContent()).to.equal('Installé');
    await page.screenshot({ path: await screenshotPath('portal-history.png'), fullPage: true });
    const [log] = await Promise.all([page.waitForEvent('response', (r) => r.url().includes('/history/log')), first.locator('a', { hasText: 'Voir le journal' }).click()]);
    expect(log.status()).to.equal(200);
    expect(await page.locator('body').textContent()).to.contain('ecommerce');
  });

  it('shows the read-only health summary', async () => {
    await page.goto(url + 'health');
    expect(await page.locator('table.health tbody tr').count()).to.be.greaterThan(3);
    const checks = await page.locator('table.health tbody tr td:first-child').allTextContents();
    expect(checks).to.include('feed');
    await page.screenshot({ path: await screenshotPath('portal-health.png'), fullPage: true });
  });

  it('a page of another site on this machine (another localhost port) cannot make the signed-in browser act: forms, fetches, links refused, nothing changes', async () => {
    const before = await snapshot(box);
    const historyBefore = await (await page.request.get(url + 'api/history')).text();
    // What an IIS application or any local web server could serve to the administrator's browser:
    // the same site as the portal (localhost), so the SameSite=Strict cookie does go with its requests.
    const hostile = http.createServer((_req, res) => { res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }); res.end('<!doctype html><title>intranet</title><p>intranet</p>'); });
    await new Promise<void>((resolve) => hostile.listen(0, '127.0.0.1', () => resolve()));
    const hostileUrl = `http://localhost:${(hostile.address() as AddressInfo).port}/`;
    const tab = await page.context().newPage();
    const answered: Array<[string, number]> = [];
    tab.on('response', (r) => { if (r.url().startsWith(url)) answered.push([`${r.request().method()} ${new URL(r.url()).pathname}`, r.status()]); });
    try {
      for (const [action, body] of [...ACTIONS, ['/api/signout', {}] as [string, unknown]]) {
        const target = url + action.slice(1);
        await tab.goto(hostileUrl);
        // A JSON fetch with the portal's headers needs a CORS preflight, which the portal never grants.
        const fetched = await tab.evaluate(async ([t, b]) => {
          const g = globalThis as unknown as { fetch: (u: string, o: unknown) => Promise<{ status: number }> };
          const simple = await g.fetch(t as string, { method: 'POST', mode: 'no-cors', credentials: 'include', headers: { 'Content-Type': 'text/plain' }, body: JSON.stringify(b) }).then(() => 'sent', () => 'blocked');
          const json = await g.fetch(t as string, { method: 'POST', credentials: 'include', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': 'guessed' }, body: JSON.stringify(b) }).then((r) => String(r.status), () => 'blocked');
          return [simple, json];
        }, [target, body] as const);
        expect(fetched[1], `${action}: JSON fetch from the other site`).to.equal('blocked');
        // A form posting JSON as text/plain (the classic CSRF), which navigates the tab to the answer.
        const [response] = await Promise.all([
          tab.waitForResponse((r) => r.url() === target && r.request().method() === 'POST' && r.request().resourceType() === 'document'),
          tab.waitForURL(target),
          tab.evaluate(([t, b]) => {
            type El = { setAttribute(n: string, v: string): void; appendChild(c: El): void; submit(): void };
            const d = (globalThis as unknown as { document: { createElement(n: string): El; body: El } }).document;
            const form = d.createElement('form');
            form.setAttribute('method', 'POST');
            form.setAttribute('action', t as string);
            form.setAttribute('enctype', 'text/plain');
            const input = d.createElement('input');
            input.setAttribute('name', JSON.stringify(b).slice(0, -1) + (JSON.stringify(b) === '{}' ? '' : ',') + '"x":"');
            input.setAttribute('value', '"}');
            form.appendChild(input);
            d.body.appendChild(form);
            form.submit();
          }, [target, body] as const),
        ]);
        expect(response.status(), `${action}: form post from the other site`).to.equal(403);
        // A link to the action, followed: a GET, which never acts.
        await tab.goto(hostileUrl);
        await tab.evaluate((t) => {
          type El = { setAttribute(n: string, v: string): void; appendChild(c: El): void; textContent: string };
          const d = (globalThis as unknown as { document: { createElement(n: string): El; body: El } }).document;
          const a = d.createElement('a');
          a.setAttribute('id', 'go');
          a.setAttribute('href', t);
          a.textContent = 'go';
          d.body.appendChild(a);
        }, `${target}?${new URLSearchParams(body as Record<string, string>).toString()}`);
        const [navigated] = await Promise.all([tab.waitForResponse((r) => r.url().startsWith(target + '?')), tab.waitForURL((u) => u.href.startsWith(target + '?')), tab.click('#go')]);
        expect(navigated.status(), `${action}: link from the other site`).to.equal(READ_PATHS.has(action) ? 200 : 405);
      }
    } finally {
      await tab.close();
      await new Promise<void>((resolve) => { hostile.close(() => resolve()); hostile.closeAllConnections(); });
    }
    expect(answered.filter(([what, status]) => what.startsWith('POST') && status !== 403), 'every POST refused').to.deep.equal([]);
    expect(answered.filter(([what]) => what.startsWith('POST')).length, 'the POSTs reached the portal').to.be.at.least(ACTIONS.length + 1);
    expect(await (await page.request.get(url + 'api/history')).text(), 'no install').to.equal(historyBefore);
    expect(diffTrees(before, await snapshot(box))).to.deep.equal([]);
    // The administrator's own tab is still signed in (the other site's sign-out was refused too).
    await page.goto(url);
    expect(await page.locator('#auth').textContent()).to.contain('Connecté en administrateur');
  });

  it('is in English when the browser prefers English', async () => {
    const englishBrowser = await launchChromium({ locale: 'en-US' });
    const english = await englishBrowser.context.newPage();
    await english.goto(url);
    expect(await english.locator('table.modules thead th').nth(2).textContent()).to.equal('Installed version');
    expect(await english.locator('button[data-install]').first().textContent()).to.equal('Install');
    await english.screenshot({ path: await screenshotPath('portal-modules-en.png'), fullPage: true });
    await englishBrowser.close();
  });
});

describe('portal in Chromium: customised database, manual flow (e2e)', function () {
  this.timeout(180_000);
  let page: Page;
  let url: string;
  usePortal({ customize: ['E.clients'] }, (portal) => ({ page, url } = portal));

  it('Installer on the customised database asks for a manual action', async () => {
    await page.goto(url);
    await page.locator('#modules tr[data-module="database"] button[data-install]').click();
    await page.locator('#job .result[data-state]').waitFor({ timeout: 90_000 });
    expect(await page.locator('#job .result').textContent()).to.contain('action manuelle');
    // The customisation report (install warnings) in French too; object names and types are data.
    const log = (await page.locator('#job ol.log').textContent())!;
    expect(log).to.contain('base de données : Modifié : E.clients (table) - colonnes ajoutées').and.contain('PERSONNALISÉS : E.clients');
    expect(log).not.to.match(/\b(database|customised|Modified|columns|allowed|not transactional)\b/);
    await page.screenshot({ path: await screenshotPath('portal-database-manual.png'), fullPage: true });
  });

  it('shows the customisation report and the pending scripts with their content; runs one and marks one applied', async () => {
    await page.goto(url + 'database');
    expect(await page.locator('main p.intro').textContent()).to.contain('personnalisée');
    expect(await page.locator('.drift').textContent()).to.match(/clients/i);
    const scripts = page.locator('article.script');
    const pendingBefore = await page.locator('article.script button[data-run-script]').count();
    expect(pendingBefore).to.be.greaterThan(1);
    const first = scripts.filter({ has: page.locator('button[data-run-script]') }).first();
    await first.locator('summary').click();
    expect((await first.locator('pre.sql').textContent())!.trim()).not.to.equal('');
    await page.screenshot({ path: await screenshotPath('portal-database.png'), fullPage: true });

    const runId = (await first.getAttribute('data-script'))!;
    await first.locator('button[data-run-script]').click();
    await page.locator('#job .result[data-state="done"]', { hasText: `Script ${runId} exécuté.` }).waitFor({ timeout: 90_000 });
    await page.waitForFunction((id) => (globalThis as unknown as Doc).document.querySelector(`article.script[data-script="${id}"] .badge.c-Applied`) !== null, runId, { timeout: 90_000 });

    const next = page.locator('article.script').filter({ has: page.locator('button[data-mark-applied]') }).first();
    const markId = (await next.getAttribute('data-script'))!;
    await next.locator('button[data-mark-applied]').click();
    await page.waitForFunction((id) => (globalThis as unknown as Doc).document.querySelector(`article.script[data-script="${id}"] .badge.c-AppliedManually`) !== null, markId, { timeout: 90_000 });
    expect(await page.locator('article.script button[data-run-script]').count()).to.equal(pendingBefore - 2);
    await page.screenshot({ path: await screenshotPath('portal-database-after.png'), fullPage: true });
  });
});

/** Everything in the sandbox except the service's own log (refusals are logged, by design). */
async function snapshot(box: TestSandbox): Promise<Map<string, string>> {
  const hashes = await treeHashes(box.base);
  for (const key of [...hashes.keys()]) if (key.includes(path.join('bin', 'updates', 'logs'))) hashes.delete(key);
  return hashes;
}

/** A POST from the page itself, as its script would send it (CSRF token from the page, session key if any). */
function postFromPage(page: Page, action: string, body: unknown, sessionKey?: string): Promise<number> {
  return page.evaluate(async ([a, b, key]) => {
    const g = globalThis as unknown as { document: { querySelector(s: string): { getAttribute(n: string): string | null } | null }; fetch: (u: string, o: unknown) => Promise<{ status: number }> };
    const csrf = g.document.querySelector('meta[name="csrf-token"]')!.getAttribute('content')!;
    const headers: Record<string, string> = { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf };
    if (key) headers['X-Session-Key'] = key;
    return (await g.fetch(a as string, { method: 'POST', credentials: 'same-origin', headers, body: JSON.stringify(b) })).status;
  }, [action, body, sessionKey] as const);
}

const ACTIONS: Array<[string, unknown]> = [
  ['/api/install', { name: 'logistique', instance: '' }],
  ['/api/check', {}],
  ['/api/database/run-script', { script: '2025-10/0001' }],
  ['/api/database/mark-applied', { script: '2025-10/0001' }],
  ['/api/schedule', { name: 'logistique', instance: '' }],
  ['/api/schedule/cancel', { id: '20990101T020000-abcdef' }],
];

describe('portal in Chromium: actions only for a signed-in administrator (e2e)', function () {
  this.timeout(180_000);
  let box: TestSandbox;
  let page: Page;
  let url: string;
  usePortal({}, (portal) => ({ box, page, url } = portal), false);

  it('without the secret: read only, every action refused, nothing changes', async () => {
    const before = await snapshot(box);
    await page.goto(url);
    expect(await page.locator('#auth').textContent()).to.contain('altazion-update portal open');
    expect(await page.locator('button[data-install]').count()).to.be.greaterThan(0);
    expect(await page.locator('button[data-install]:enabled').count(), 'Installer disabled').to.equal(0);
    expect(await page.locator('#check-now:enabled').count(), 'check disabled').to.equal(0);
    expect(await page.locator('button[data-schedule]').count()).to.be.greaterThan(0);
    expect(await page.locator('button[data-schedule]:enabled').count(), '"Installer cette nuit" disabled').to.equal(0);
    await page.locator('#modules tr[data-module="logistique"] button[data-install]').click({ force: true });
    for (const [action, body] of ACTIONS) expect(await postFromPage(page, action, body), action).to.equal(401);
    await page.screenshot({ path: await screenshotPath('portal-read-only.png'), fullPage: true });
    // With a session cookie but not its key (what another application on localhost may receive).
    const stolen = await signIn(box.Root);
    const [name, value] = stolen.cookie.split('=') as [string, string];
    await page.context().addCookies([{ name, value, url }]);
    await page.reload();
    expect(await page.locator('body').getAttribute('data-signed-in')).to.equal('true');
    expect(await page.locator('button[data-install]:enabled').count(), 'no key: still read only').to.equal(0);
    expect(await page.locator('#auth').textContent()).to.contain('altazion-update portal open');
    for (const [action, body] of ACTIONS) expect(await postFromPage(page, action, body), `${action} with the cookie only`).to.equal(401);
    await page.context().clearCookies();
    expect(await page.locator('#job').isHidden()).to.equal(true);
    expect(diffTrees(before, await snapshot(box))).to.deep.equal([]);
  });

  it('with it: `portal open` signs the browser in, the install runs and is recorded with who did it; sign-out ends it', async () => {
    const open = await runCli(['portal', 'open', '--no-browser', '--root', box.Root, '--json'], { kind: 'bundle' });
    expect(open.code, open.stdout + open.stderr).to.equal(0);
    const link = open.objects('Altazion.PortalSignIn')[0]!;
    expect(link).to.include({ Opened: false, Portal: url });
    expect(String(link.Url)).to.match(/\/signin\?code=/);
    await page.goto(String(link.Url));
    expect(page.url(), 'the key left the address bar').to.equal(url);
    expect(await page.locator('#auth').textContent()).to.contain(`Connecté en administrateur : ${link.User}`);
    expect(await page.evaluate(() => (globalThis as unknown as { localStorage: { getItem(k: string): string | null } }).localStorage.getItem('altazion-session-key'))).to.be.a('string');
    const logistique = page.locator('#modules tr[data-module="logistique"]');
    await logistique.locator('button[data-install]', { hasText: 'Installer' }).click();
    await page.locator('#job .result[data-state="done"]').waitFor({ timeout: 90_000 });
    expect(await page.locator('#job .result').textContent()).to.contain('Installation terminée : logistique 25.10.1.2');
    const history = JSON.parse(await (await page.request.get(url + 'api/history')).text()) as Array<Record<string, unknown>>;
    expect(history[0]).to.include({ Name: 'logistique', Result: 'Installed', RequestedBy: 'portal', User: link.User });
    await page.screenshot({ path: await screenshotPath('portal-signed-in.png'), fullPage: true });
    // The link served once: a second visit is refused and does not sign anyone in.
    const again = await page.context().newPage();
    const reply = await again.goto(String(link.Url));
    expect(reply!.status()).to.equal(403);
    await again.close();

    // Signed in again from another tab (`portal open` once more: a new session): this tab, not reloaded, still acts.
    const second = await page.context().newPage();
    await second.goto(await signInLink(box.Root, link.User as string));
    await second.close();
    await page.locator('#check-now').click();
    await page.locator('#last-check', { hasText: /Vérification terminée|Action réservée/ }).waitFor({ timeout: 60_000 });
    expect(await page.locator('#last-check').textContent(), 'the tab opened before acts with the new session').to.contain('Vérification terminée');

    await page.locator('#sign-out').click();
    await page.waitForFunction(() => (globalThis as unknown as { document: { body: { getAttribute(n: string): string | null } } }).document.body.getAttribute('data-signed-in') === 'false');
    expect(await page.locator('button[data-install]:enabled').count()).to.equal(0);
    expect(await postFromPage(page, '/api/check', {})).to.equal(401);
  });
});

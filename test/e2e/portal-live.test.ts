// The portal in Chromium, day-to-day: ten tabs stay live on one shared event stream; every page and
// the live install box are in French (messages of the core worded from their ids: a page fails on
// any English sentence that is not explicitly marked as English); hook output streams into the box;
// a module being installed reads as such in another tab; a new job starts without the previous
// job's colour; "Installer cette nuit à 02:00" schedules (once, whoever clicks) and "Annuler" cancels; a
// failed check is told in French.
import { expect } from 'chai';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { runCheck } from '../../src/check/run-check';
import { createContext } from '../../src/cli/context';
import { instanceLayout } from '../../src/config/paths';
import { installModules } from '../../src/install';
import { listScheduledInstalls } from '../../src/schedule';
import { silentOutput } from '../../src/output/output';
import { startService, type RunningService } from '../../src/service/run';
import { chromiumAvailable, CHROMIUM, launchChromium, screenshotPath, type LaunchedBrowser } from '../helpers/browser';
import { signInLink } from '../helpers/portal-auth';
import { makeSandbox, setInstallConfig, type TestSandbox } from '../helpers/sandbox';

/** English words that no French sentence of the portal contains. */
const ENGLISH = /\b(the|is|are|was|were|not|does|cannot|could|with|from|after|before|which|this|that|has|have|been|will|would|should|yet|of|and|to|by|for|its|installed|failed|running|waiting|rolled|back|step|folder|exist|found|missing|available|downloaded|verified|hook|script\(s\)|schema|standard object)\b/i;

/** Visible text of the page outside data (translate="no") and outside text explicitly marked English. */
async function frenchText(page: Page, options: { allowMarkedEnglish: boolean }): Promise<{ text: string; markedEnglish: string[] }> {
  return page.evaluate((allow) => {
    const doc = (globalThis as unknown as { document: any }).document;
    const marked: string[] = Array.from(doc.querySelectorAll('main [lang="en"], #job [lang="en"]')).map((e: any) => e.textContent);
    const clone = doc.querySelector('body').cloneNode(true);
    for (const e of Array.from(clone.querySelectorAll('[translate="no"], script, style, code, pre' + (allow ? ', [lang="en"]' : ''))) as any[]) e.remove();
    return { text: clone.textContent.replace(/\s+/g, ' '), markedEnglish: marked };
  }, options.allowMarkedEnglish);
}

async function expectFrench(page: Page, where: string, allowMarkedEnglish = false): Promise<void> {
  const { text, markedEnglish } = await frenchText(page, { allowMarkedEnglish });
  if (!allowMarkedEnglish) expect(markedEnglish, `${where}: English text`).to.deep.equal([]);
  const match = ENGLISH.exec(text);
  expect(match, `${where}: English in "${match ? text.slice(Math.max(0, match.index - 80), match.index + 80) : ''}"`).to.equal(null);
}

/** A hook interpreter for the test: runs the .ps1 given after -File as a Node script. */
async function nodeHookInterpreter(dir: string): Promise<string> {
  const file = path.join(dir, 'hook-node.sh');
  await fs.writeFile(file, `#!/bin/sh\nwhile [ "$1" != "-File" ]; do shift; done\nexec "${process.execPath}" "$2"\n`, { mode: 0o755 });
  return file;
}

/** A hook that prints lines, then waits for `release` to exist, then exits with `code`. */
function pausingHook(release: string, lines: string[], code: number): string {
  return `const fs = require('fs');
${lines.map((l) => `console.log(${JSON.stringify(l)});`).join('\n')}
const deadline = Date.now() + 120000;
(function wait() {
  if (fs.existsSync(${JSON.stringify(release)}) || Date.now() > deadline) process.exit(${code});
  setTimeout(wait, 50);
})();
`;
}

describe('portal in Chromium: ten tabs, everything in French, hook output, maintenance windows (e2e)', function () {
  this.timeout(300_000);
  let box: TestSandbox;
  let service: RunningService;
  let browser: LaunchedBrowser;
  let url: string;
  let tmp: string;
  const pages: Page[] = [];

  before(async function () {
    if (!chromiumAvailable()) {
      console.warn(`    SKIPPED: ${CHROMIUM} is missing (apt-get install -y chromium); the portal browser tests did not run`);
      this.skip();
    }
    box = await makeSandbox({ customize: ['E.clients'] });
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'altazion-live-'));
    await setInstallConfig(box, { powershell: await nodeHookInterpreter(tmp) });
    const scripts = path.join(box.Root, 'bin', 'updates', 'scripts');
    await fs.mkdir(scripts, { recursive: true });
    await fs.writeFile(path.join(scripts, 'PREINSTALL_ecommerce.ps1'), pausingHook(path.join(tmp, 'release-ecommerce'), ['Vidage du cache applicatif', 'Cache vidé'], 0));
    await fs.writeFile(path.join(scripts, 'PREINSTALL_logistique.ps1'), pausingHook(path.join(tmp, 'release-logistique'), ['Contrôle des tâches planifiées'], 3));
    await runCheck(createContext({ root: box.Root }, silentOutput(), process.env), { report: false });
    service = await startService(createContext({ root: box.Root }, silentOutput(), process.env), { port: 0, periodicChecks: false, install: installModules });
    url = service.portal.url;
    browser = await launchChromium({ locale: 'fr-FR' });
  });
  after(async () => {
    await browser?.close();
    await service?.stop();
    await box?.remove();
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  it('ten tabs all load and share one event stream', async () => {
    for (let i = 0; i < 10; i++) {
      const page = await browser.context.newPage();
      page.on('dialog', (dialog) => { void dialog.accept(); });
      // The first tab opens the sign-in link of `portal open` (actions are for administrators): the
      // browser, every tab of it, is then signed in.
      await page.goto(i === 0 ? await signInLink(box.Root) : url);
      await page.locator('table.modules').waitFor({ timeout: 30_000 });
      pages.push(page);
    }
    // Every tab is wired (one holds the stream, the others follow it).
    const roles = await Promise.all(pages.map((p) => p.waitForFunction(() => (globalThis as any).document.body.getAttribute('data-stream')).then((h) => h.jsonValue())));
    expect(roles.filter((r) => r === 'leader')).to.have.length(1);
    expect(roles.filter((r) => r === 'follower')).to.have.length(9);
    expect(service.portal.eventClients()).to.equal(1);
    await expectFrench(pages[0]!, 'modules page');
  });

  it('an install started in the last tab shows live in all ten, with the hook output, in French; another tab sees the module as being installed', async () => {
    const last = pages[9]!;
    await last.locator('#modules tr[data-module="ecommerce"] button[data-install]').click();
    for (const [i, page] of pages.entries()) {
      await page.locator('#job ol.log li.hook', { hasText: 'PREINSTALL | Cache vidé' }).waitFor({ timeout: 60_000 });
      expect(await page.locator('#job .step').textContent(), `tab ${i + 1}`).to.contain('script d’administration PREINSTALL');
    }
    await expectFrench(pages[3]!, 'install box while running');
    // The folder is renamed aside while the hook runs: a fresh page says "installing", not "not installed".
    const fresh = pages[4]!;
    await fresh.goto(url);
    const row = fresh.locator('#modules tr[data-module="ecommerce"]');
    expect(await row.locator('.badge').textContent()).to.equal('Installation en cours');
    expect(await row.locator('.detail').textContent()).to.contain('installation en cours : 25.9.12.3 → 25.10.1.2');
    expect(await row.textContent()).not.to.contain('Non installé');
    expect(await row.locator('button[data-install]').count()).to.equal(0);
    await expectFrench(fresh, 'modules page during an install');
    await fresh.screenshot({ path: await screenshotPath('portal-live-installing.png'), fullPage: true });

    await fs.writeFile(path.join(tmp, 'release-ecommerce'), '');
    for (const [i, page] of pages.entries()) {
      await page.locator('#job .result[data-state="done"]').waitFor({ timeout: 90_000 });
      expect(await page.locator('#job .result').textContent(), `tab ${i + 1}`).to.contain('Installation terminée : ecommerce 25.10.1.2');
    }
    await expectFrench(pages[0]!, 'install box when done');
  });

  it('the next job starts without the previous colour; a failing hook is told in French', async () => {
    const page = pages[0]!;
    expect(await page.locator('#job').getAttribute('class')).to.contain('done');
    await page.locator('#modules tr[data-module="logistique"] button[data-install]').click();
    await page.locator('#job ol.log li.hook', { hasText: 'Contrôle des tâches planifiées' }).waitFor({ timeout: 60_000 });
    for (const p of pages) expect(await p.locator('#job').getAttribute('class')).to.equal('job');
    await fs.writeFile(path.join(tmp, 'release-logistique'), '');
    await page.locator('#job .result[data-state="failed"]').waitFor({ timeout: 90_000 });
    const result = await page.locator('#job .result').textContent();
    expect(result).to.contain('le script d’administration PREINSTALL').and.contain('code de sortie 3').and.contain('retour à la version 25.9.12.3');
    await expectFrench(page, 'install box after a failure');
    await page.screenshot({ path: await screenshotPath('portal-live-failed.png'), fullPage: true });
  });

  it('"Installer cette nuit à 02:00" schedules the install, "Annuler" cancels it; a second click from a page not yet refreshed is told, in French, whose plan it is', async () => {
    const page = pages[1]!;
    const stale = pages[2]!;
    await Promise.all([page.goto(url), stale.goto(url)]);
    const row = page.locator('#modules tr[data-module="gestioncommerciale"]');
    await row.locator('button[data-schedule]').click();
    await row.locator('.scheduled', { hasText: 'Installation planifiée le' }).waitFor({ timeout: 30_000 });
    expect(await row.locator('.scheduled').textContent()).to.match(/\d{2}\/\d{2}\/\d{4} 02:00/);
    expect((await service.portal.jobs.current())?.snapshot.name).not.to.equal('gestioncommerciale');
    await expectFrench(page, 'modules page with a schedule');
    // Another administrator's page, loaded before: its button is still there; clicking it plans nothing more.
    const staleRow = stale.locator('#modules tr[data-module="gestioncommerciale"]');
    await staleRow.locator('button[data-schedule]').click();
    const refused = stale.locator('#job .result[data-state="refused"]');
    await refused.waitFor({ timeout: 30_000 });
    expect(await refused.textContent()).to.match(/^gestioncommerciale est déjà planifiée le .*02:00 par SANDBOX\\admin \(/);
    await staleRow.locator('.scheduled', { hasText: 'Installation planifiée le' }).waitFor({ timeout: 30_000 });
    await expectFrench(stale, 'a second plan refused');
    const planned = (await listScheduledInstalls(instanceLayout(box.Root))).filter((e) => e.Names.includes('gestioncommerciale'));
    expect(planned, 'one plan').to.have.length(1);
    await row.locator('button[data-cancel-schedule]').click();
    await row.locator('button[data-schedule]').waitFor({ timeout: 30_000 });
  });

  it('a failed check is told in French, the system\'s own English text marked as such', async () => {
    const page = pages[3]!;
    await page.goto(url);
    await fs.rename(box.Feed, `${box.Feed}.off`);
    try {
      await page.locator('#check-now').click();
      await page.locator('#last-check', { hasText: 'La vérification a échoué' }).waitFor({ timeout: 60_000 });
      expect(await page.locator('#last-check [lang="en"]').textContent()).to.contain('release-index.json');
      await expectFrench(page, 'a failed check', true);
    } finally {
      await fs.rename(`${box.Feed}.off`, box.Feed);
    }
  });

  it('every page is in French: modules, database, history, server health', async () => {
    const page = pages[2]!;
    for (const [where, address] of [['modules', ''], ['database', 'database'], ['history', 'history'], ['health', 'health']] as const) {
      await page.goto(url + address);
      await expectFrench(page, where);
    }
    expect(await page.locator('table.health tbody tr').count()).to.be.greaterThan(3);
    expect(await page.locator('table.health').textContent()).to.contain('aucune installation interrompue');
    await page.screenshot({ path: await screenshotPath('portal-live-health-fr.png'), fullPage: true });
  });

  it('the English detector does find English: the same pages for an English browser', async () => {
    const english = await launchChromium({ locale: 'en-US' });
    try {
      const page = await english.context.newPage();
      for (const address of ['', 'history', 'health']) {
        await page.goto(url + address);
        const { text } = await frenchText(page, { allowMarkedEnglish: false });
        expect(ENGLISH.test(text), address || 'modules').to.equal(true);
      }
    } finally {
      await english.close();
    }
  });
});

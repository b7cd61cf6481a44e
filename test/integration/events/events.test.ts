// The Event Log and the notifications on a sandbox: the events of SPEC-less issue 22 (updates found,
// install started / succeeded / failed / rolled back, manual action on the database, repair fixed
// something, feed refused) land in the sandbox's Event Log file with their documented ids, and go
// by e-mail (a local SMTP server) and webhook (a local HTTP receiver). A notification that fails
// never fails the install, and no secret (SMTP password, webhook URL) is ever printed.
import { expect } from 'chai';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { runCheck } from '../../../src/check/run-check';
import { EVENT_IDS, EVENT_SOURCE } from '../../../src/core/events';
import { runInstall } from '../../../src/install';
import { sandboxEventLogPath } from '../../../src/platform/sandbox';
import { updateSandboxState } from '../../../src/platform/sandbox/state';
import { runRepair } from '../../../src/repair';
import { mailText, startHttpReceiver, startSmtpReceiver, type HttpReceiver, type SmtpReceiver } from '../../helpers/receivers';
import { makeBox, runCli, type Box } from '../install/fixtures';

const PASSWORD = 'S3cret-Pa55word!';
const HOOK_TOKEN = 'IncomingWebhook/0123456789abcdef-SECRET-TOKEN';

interface LoggedEvent { time: string; log: string; source: string; id: number; level: string; message: string }

async function eventLog(box: Box): Promise<LoggedEvent[]> {
  const text = await fs.readFile(sandboxEventLogPath(box.HostState), 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as LoggedEvent);
}

async function configureNotifications(box: Box, smtp: { port: number; user?: string; password?: string }, webhook: string, extra = ''): Promise<void> {
  const file = path.join(box.Root, 'bin', 'updates', 'updater.config');
  const text = (await fs.readFile(file, 'utf8')).replace(/\s*<notifications[\s\S]*<\/notifications>/, '');
  const auth = smtp.user ? ` user="${smtp.user}" password="${smtp.password}"` : '';
  const section = `<notifications language="fr" on="updatesFound,installSucceeded,installFailed,manualAction,repairFixed,feedRefused">
    <email host="127.0.0.1" port="${smtp.port}" security="none"${auth} from="altazion@example.test" to="admin@example.test, ops@example.test" />
    <webhook url="${webhook}" />
  </notifications>${extra}`;
  await fs.writeFile(file, text.replace('</updater>', `  ${section}\n</updater>`));
}

describe('Event Log and notifications (sandbox, local SMTP and HTTP receivers)', function () {
  this.timeout(300_000);
  let box: Box;
  let smtp: SmtpReceiver;
  let hook: HttpReceiver;

  before(async () => {
    box = await makeBox(['ecommerce', 'logistique', 'database'], ['E.clients']);
    smtp = await startSmtpReceiver({ user: 'altazion', password: PASSWORD });
    hook = await startHttpReceiver(200);
  });
  beforeEach(async () => {
    await box.reset();
    smtp.mails.length = 0;
    hook.bodies.length = 0;
    hook.status = 200;
    await configureNotifications(box, { port: smtp.port, user: 'altazion', password: PASSWORD }, `${hook.url}/${HOOK_TOKEN}`);
  });
  after(async () => {
    await smtp?.close();
    await hook?.close();
    await box?.remove();
  });

  it('a check reports the updates found once (Event Log 1000, mail, webhook), not again at the next check', async () => {
    await runCheck(box.ctx(), { report: false });
    const events = (await eventLog(box)).filter((e) => e.id === EVENT_IDS.updatesFound.id);
    expect(events).to.have.length(1);
    expect(events[0]).to.include({ log: 'Application', source: EVENT_SOURCE, level: 'Information' });
    expect(events[0]!.message).to.contain('Mises à jour disponibles sur').and.contain('ecommerce 25.9.12.3 → 25.10.1.2');
    expect(smtp.mails).to.have.length(1);
    expect(smtp.mails[0]!.to).to.have.members(['admin@example.test', 'ops@example.test']);
    expect(smtp.mails[0]!.user).to.equal('altazion');
    expect(mailText(smtp.mails[0]!.raw)).to.contain('Subject: [Altazion Update] SANDBOX').and.contain('mises à jour disponibles').and.contain('logistique 25.9.12.3 → 25.10.1.2');
    expect(hook.bodies).to.have.length(1);
    expect(hook.bodies[0]!.path).to.equal(`/${HOOK_TOKEN}`);
    expect(hook.bodies[0]!.contentType).to.match(/^application\/json/);
    const body = JSON.parse(hook.bodies[0]!.body) as { text: string };
    expect(Object.keys(body)).to.deep.equal(['text']);
    expect(body.text).to.contain('ecommerce 25.9.12.3 → 25.10.1.2');

    await runCheck(box.ctx(), { report: false });
    expect((await eventLog(box)).filter((e) => e.id === EVENT_IDS.updatesFound.id)).to.have.length(1);
    expect(smtp.mails).to.have.length(1);
  });

  it('webhooks go out through the proxy of updater.config, like the feed', async () => {
    // The receiver plays the proxy: a proxied plain-http request names the whole URL.
    await configureNotifications(box, { port: smtp.port, user: 'altazion', password: PASSWORD }, `http://hooks.invalid/${HOOK_TOKEN}`, `\n  <proxy url="${hook.url}" />`);
    await runCheck(box.ctx(), { report: false });
    expect(hook.bodies.map((b) => b.path)).to.deep.equal([`http://hooks.invalid/${HOOK_TOKEN}`]);
    expect(JSON.parse(hook.bodies[0]!.body)).to.have.property('text');
  });

  it('an install writes started and succeeded (1100, 1101) and notifies the success', async () => {
    const run = await runInstall(box.ctx(), { names: ['ecommerce'] });
    expect(run.exitCode).to.equal(0);
    const ids = (await eventLog(box)).map((e) => e.id);
    expect(ids).to.include.members([EVENT_IDS.installStarted.id, EVENT_IDS.installSucceeded.id]);
    const succeeded = (await eventLog(box)).find((e) => e.id === EVENT_IDS.installSucceeded.id)!;
    expect(succeeded.message).to.match(/^ecommerce 25\.9\.12\.3 → 25\.10\.1\.2 installé sur SANDBOX/);
    expect(smtp.mails.map((m) => mailText(m.raw))).to.satisfy((mails: string[]) => mails.some((m) => m.includes('ecommerce 25.10.1.2 installé')));
    expect(hook.bodies.some((b) => b.body.includes('installé'))).to.equal(true);
  });

  it('a failed install that rolled back is a warning 1103, notified as a failure', async () => {
    await updateSandboxState(box.HostState, (s) => { s.faults = { failStartPool: ['ecommerce'] }; });
    const run = await runInstall(box.ctx(), { names: ['ecommerce'] });
    expect(run.records[0]!.Result).to.equal('RolledBack');
    const rolledBack = (await eventLog(box)).find((e) => e.id === EVENT_IDS.installRolledBack.id)!;
    expect(rolledBack.level).to.equal('Warning');
    expect(rolledBack.message).to.contain('a échoué et a été annulée').and.contain('retour à la version 25.9.12.3');
    expect(smtp.mails.some((m) => mailText(m.raw).includes('installation de ecommerce 25.10.1.2 annulée'))).to.equal(true);
  });

  it('the customised database is a manual action (1200), notified', async () => {
    const run = await runInstall(box.ctx(), { names: ['database'] });
    expect(run.records[0]!.Result).to.equal('ManualActionRequired');
    const manual = (await eventLog(box)).find((e) => e.id === EVENT_IDS.manualAction.id)!;
    expect(manual.level).to.equal('Warning');
    expect(manual.message).to.contain('Action manuelle requise sur SANDBOX').and.contain('personnalisée');
    expect(smtp.mails.some((m) => mailText(m.raw).includes('action manuelle requise'))).to.equal(true);
  });

  it('a refused feed is an error 1400, reported once however often the service retries', async () => {
    const index = path.join(box.Feed, 'release-index.json');
    await fs.writeFile(index, (await fs.readFile(index, 'utf8')).replace('"indexVersion"', ' "indexVersion"'));
    for (let i = 0; i < 3; i++) await runCheck(box.ctx(), { report: false }).then(() => expect.fail('a tampered index was accepted'), () => undefined);
    const refused = (await eventLog(box)).filter((e) => e.id === EVENT_IDS.feedRefused.id);
    expect(refused).to.have.length(1);
    expect(refused[0]!.level).to.equal('Error');
    expect(refused[0]!.message).to.contain('a été refusé');
    expect(smtp.mails.filter((m) => mailText(m.raw).includes('flux de mises à jour refusé'))).to.have.length(1);
  });

  it('repair that fixes something writes 1300', async () => {
    const offline = path.join(box.Apps, 'ecommerce', 'app_offline.htm');
    await fs.writeFile(offline, 'maintenance');
    await runRepair(box.ctx(), { dryRun: false, checks: ['app-offline'] });
    const fixed = (await eventLog(box)).find((e) => e.id === EVENT_IDS.repairFixed.id)!;
    expect(fixed.message).to.contain('Le dépannage a corrigé 1 problème(s)').and.contain('app-offline');
  });

  it('failing notifications never fail the install; what is said names the hosts, never a secret', async () => {
    // Wrong password for the SMTP server, and a webhook that refuses the POST.
    await configureNotifications(box, { port: smtp.port, user: 'altazion', password: `${PASSWORD}-wrong` }, `${hook.url}/${HOOK_TOKEN}`);
    hook.status = 403;
    const result = await runCli(['install', '--root', box.Root, '--name', 'ecommerce', '--json']);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.records.find((r) => r.Name === 'ecommerce')).to.include({ Result: 'Installed' });
    const warnings = result.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; level?: string; message?: string }).filter((l) => l.type === 'log' && l.level === 'warning').map((l) => l.message!);
    expect(warnings.some((w) => w.startsWith('the e-mail (127.0.0.1) notification could not be sent'))).to.equal(true);
    expect(warnings.some((w) => w.startsWith(`the webhook (${new URL(hook.url).host}) notification could not be sent: HTTP 403`))).to.equal(true);
    const everything = [result.stdout, result.stderr, await fs.readFile(path.join(box.Root, 'bin', 'updates', 'history.jsonl'), 'utf8'), JSON.stringify(await eventLog(box))].join('\n');
    for (const secret of [PASSWORD, HOOK_TOKEN, '0123456789abcdef']) expect(everything, secret).not.to.contain(secret);
    expect((await eventLog(box)).some((e) => e.id === EVENT_IDS.notificationFailed.id)).to.equal(true);
  });

  it('an unreachable SMTP server and webhook do not fail the install either', async () => {
    await smtp.close();
    const closedPort = smtp.port;
    await configureNotifications(box, { port: closedPort }, 'http://127.0.0.1:9/hook');
    const run = await runInstall(box.ctx(), { names: ['logistique'] });
    expect(run.exitCode).to.equal(0);
    expect(run.records[0]!.Result).to.equal('Installed');
    smtp = await startSmtpReceiver({ user: 'altazion', password: PASSWORD });
  });

  it('updater.config notification errors name the field and never echo a secret', async () => {
    const file = path.join(box.Root, 'bin', 'updates', 'updater.config');
    const text = await fs.readFile(file, 'utf8');
    await fs.writeFile(file, text.replace(/<webhook url="[^"]*"/, `<webhook url="ftp://hooks.example.test/${HOOK_TOKEN}"`));
    const result = await runCli(['install', '--root', box.Root, '--name', 'ecommerce', '--dry-run']);
    expect(result.code).to.equal(2);
    expect(result.stderr).to.contain('<notifications><webhook> #1 @url');
    expect(result.stderr).not.to.contain(HOOK_TOKEN);
  });
});

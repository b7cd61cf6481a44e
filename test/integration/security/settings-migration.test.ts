// Existing installs keep their settings (src/security/settings.ts): updater.config moves from
// bin/config (module identities may write there) to bin/updates (administrators only) the first
// time something that may change the server runs; reads leave it where it is; bad input changes
// nothing; an old copy that differs is ignored with a warning.
import { expect } from 'chai';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { createContext } from '../../../src/cli/context';
import { installModules } from '../../../src/install';
import { silentOutput } from '../../../src/output/output';
import { SandboxRights } from '../../../src/platform/sandbox/rights';
import { startService } from '../../../src/service/run';
import { runCli } from '../../helpers/cli';
import { makeSandbox, treeDigest, type TestSandbox } from '../../helpers/sandbox';

describe('updater.config moves out of bin/config without losing settings', function () {
  this.timeout(180_000);
  let box: TestSandbox;
  let current: string;
  let legacy: string;
  let settings: Buffer;

  beforeEach(async () => {
    box = await makeSandbox();
    current = box.UpdaterConfig;
    legacy = path.join(box.Root, 'bin', 'config', 'updater.config');
    // As an earlier version left it: the settings in bin/config (with a check interval of its own),
    // the folder writable by every module identity.
    // It may carry what issue 22 added (weekly windows, notifications): they move with it.
    const text = (await fs.readFile(current, 'utf8')).replace('intervalMinutes="240"', 'intervalMinutes="95"').replace('</updater>', `  <maintenance>
    <window days="saturday" start="02:00" end="05:00" />
    <autoInstall module="logistique" />
  </maintenance>
  <notifications language="en" on="installFailed">
    <webhook url="http://127.0.0.1:9/hook" />
  </notifications>
</updater>`);
    await fs.writeFile(legacy, text);
    await fs.rm(current);
    settings = Buffer.from(text);
    const host = JSON.parse(await fs.readFile(box.HostState, 'utf8')) as { rights: Record<string, string[]> };
    host.rights[path.dirname(legacy)] = ['IIS AppPool\\gestcom', 'NT AUTHORITY\\NetworkService'];
    await fs.writeFile(box.HostState, JSON.stringify(host));
  });
  afterEach(() => box.remove());

  const exists = (p: string) => fs.stat(p).then(() => true, () => false);

  it('reads leave it in place; a dry run says what it would do and changes nothing', async () => {
    const before = await treeDigest(box.base);
    const get = await runCli(['get', '--root', box.Root, '--json'], { kind: 'bundle' });
    expect(get.code, get.stdout).to.equal(0);
    expect(get.objects('Altazion.Update').length).to.be.greaterThan(0);
    const dry = await runCli(['repair', '--root', box.Root, '--check', 'settings', '--dry-run', '--json'], { kind: 'bundle' });
    // English text for scripts, the message ids and parameters beside it for the portal (French), and
    // the instance root every record of repair carries.
    expect(dry.objects('Altazion.RepairResult')).to.deep.equal([{
      Check: 'settings', Target: legacy, Status: 'WouldFix', Root: box.Root,
      Action: `move ${legacy} to ${current}`, ActionId: 'repair.settings.move', ActionParams: { legacy, file: current },
      Detail: `the settings are in ${legacy}, which module identities may be allowed to write: they would move to ${current}`,
      DetailId: 'settings.wouldMove', DetailParams: { legacy, file: current },
    }]);
    expect(await treeDigest(box.base)).to.equal(before);
    expect(await exists(current)).to.equal(false);
  });

  it('the first check moves it, byte for byte, out of the module identities\' reach, and uses it', async () => {
    const rights = new SandboxRights(box.HostState);
    expect((await rights.othersAccess(legacy)).write.map((w) => w.sid)).to.deep.equal(['IIS AppPool\\gestcom', 'NT AUTHORITY\\NetworkService']);
    const check = await runCli(['check', '--root', box.Root, '--json'], { kind: 'bundle' });
    expect(check.code, check.stdout + check.stderr).to.equal(0);
    expect(check.messages.some((m) => m.type === 'log' && /moved the settings from .*bin\/config\/updater\.config/.test(String((m as { message: string }).message)))).to.equal(true);
    expect((await fs.readFile(current)).equals(settings)).to.equal(true);
    expect(await exists(legacy)).to.equal(false);
    expect((await rights.othersAccess(current)).write).to.deep.equal([]);
    // What it says is what runs: the interval of the old file.
    const ctx = createContext({ root: box.Root }, silentOutput(), process.env);
    const config = await ctx.config();
    expect(config.file).to.equal(current);
    expect(config.checkIntervalMinutes).to.equal(95);
    expect(config.maintenance.modules).to.deep.equal(['logistique']);
    expect(config.notifications.language).to.equal('en');
    expect(config.notifications.webhooks).to.have.length(1);
    expect((await runCli(['repair', '--root', box.Root, '--check', 'settings', '--json'], { kind: 'bundle' })).objects('Altazion.RepairResult')[0]).to.include({ Status: 'Ok', Target: current });
  });

  it('the service moves it when it starts', async () => {
    const service = await startService(createContext({ root: box.Root }, silentOutput(), process.env), { port: 0, periodicChecks: false, install: installModules });
    await service.stop();
    expect((await fs.readFile(current)).equals(settings)).to.equal(true);
    expect(await exists(legacy)).to.equal(false);
    expect(await fs.readFile(path.join(box.Root, 'bin', 'updates', 'logs', 'service.log'), 'utf8')).to.contain('moved the settings from');
  });

  it('finishes an interrupted move; ignores, with a warning, an old copy that differs', async () => {
    await fs.copyFile(legacy, current); // a crash between writing the new file and removing the old one
    const repair = await runCli(['repair', '--root', box.Root, '--check', 'settings', '--json'], { kind: 'bundle' });
    expect(repair.objects('Altazion.RepairResult')[0]).to.include({ Status: 'Fixed', Detail: `deleted ${legacy}, a leftover copy of ${current}` });
    expect(await exists(legacy)).to.equal(false);
    // Someone (a module identity may) writes bin/config/updater.config again: it is not read.
    await fs.writeFile(legacy, settings.toString().replace(/location="[^"]*"/, 'location="http://evil.example/"'));
    const check = await runCli(['check', '--root', box.Root, '--json'], { kind: 'bundle' });
    expect(check.code, check.stdout).to.equal(0);
    expect(check.messages.some((m) => m.type === 'log' && m.level === 'warning' && String((m as { message: string }).message).includes(`${legacy} is ignored`))).to.equal(true);
    const again = await runCli(['repair', '--root', box.Root, '--check', 'settings', '--json'], { kind: 'bundle' });
    expect(again.objects('Altazion.RepairResult')[0]).to.include({ Status: 'Warning', Target: legacy });
  });

  it('a malformed old file is bad input: exit 2 naming the file and field, nothing moved', async () => {
    await fs.writeFile(legacy, settings.toString().replace(/port="\d+"/, 'port="eighty"'));
    const before = await treeDigest(box.base);
    const check = await runCli(['check', '--root', box.Root, '--json'], { kind: 'bundle' });
    expect(check.code).to.equal(2);
    expect(check.errors()[0]!.message).to.equal(`${legacy}: <portal> @port: "eighty" is not a whole number`);
    expect(await exists(current)).to.equal(false);
    expect(await treeDigest(box.base)).to.equal(before);
  });
});

// Maintenance windows on a sandbox, with a clock the test drives (nothing waits for real):
// `install --at` from the command line, listed and cancelled; the schedule survives a restart of the
// service, which runs it when its time comes; a missed window is reported; the weekly-window policy
// of updater.config installs chosen modules and never a customised database.
import { expect } from 'chai';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { runCheck } from '../../../src/check/run-check';
import { EVENT_IDS } from '../../../src/core/events';
import { installModules, listInstallHistory } from '../../../src/install';
import { sandboxEventLogPath } from '../../../src/platform/sandbox';
import { startService, type RunningService } from '../../../src/service/run';
import { FakeClock } from '../../helpers/fake-clock';
import { startWorker } from '../../helpers/workers';
import { makeBox, runCli, type Box } from '../install/fixtures';

const local = (y: number, mo: number, d: number, h = 0, mi = 0) => new Date(y, mo - 1, d, h, mi);

describe('maintenance windows in the service (sandbox, test clock)', function () {
  this.timeout(300_000);
  let box: Box;
  let service: RunningService | undefined;

  const start = async (clock: FakeClock) => {
    service = await startService(box.ctx(), { port: 0, periodicChecks: false, install: installModules, clock });
    await clock.asleep();
    return service;
  };
  const stop = async () => { await service?.stop(); service = undefined; };
  const scheduled = async () => (await runCli(['schedule', 'list', '--root', box.Root, '--json'])).records;
  const installedVersion = async (module: string) => JSON.parse(await fs.readFile(path.join(box.appPath(module), 'altazion-package.json'), 'utf8')).version as string;

  before(async () => {
    box = await makeBox(['ecommerce', 'logistique', 'gestioncommerciale', 'database'], ['E.clients']);
    await runCheck(box.ctx(), { report: false });
  });
  afterEach(stop);
  after(async () => { await box?.remove(); });

  it('install --at refuses bad times and unknown modules (exit 2, the value named) and schedules nothing', async () => {
    for (const [args, expected] of [
      [['--at', '25:00'], /--at: "25:00" is not a time/],
      [['--at', '2001-01-01 02:00'], /--at: 2001-01-01 02:00 is in the past/],
      [['--at', '02:00', '--dry-run'], /--at schedules an install: it cannot go with --dry-run/],
      [['--at', '02:00', '--name', 'nosuchmodule'], /module nosuchmodule is not declared/],
      [['--at', '02:00', '--version', '25.x'], /--version: "25\.x" is not a version/],
    ] as const) {
      const run = await runCli(['install', '--root', box.Root, '--name', 'ecommerce', ...args]);
      expect(run.code, run.stderr).to.equal(2);
      expect(run.stderr).to.match(expected);
    }
    expect(existsSync(path.join(box.Root, 'bin', 'updates', 'schedule'))).to.equal(false);
  });

  it('install --at is listed, survives a restart of the service and runs when its time comes', async () => {
    const add = await runCli(['install', '--root', box.Root, '--name', 'ecommerce', '--at', '2099-01-01 02:00', '--json']);
    expect(add.code, add.stderr).to.equal(0);
    const [entry] = add.records;
    expect(entry).to.include({ Instance: null, RequestedBy: 'cli', State: 'Pending' });
    expect(entry!.Names).to.deep.equal(['ecommerce']);
    expect(new Date(entry!.At as string).getTime()).to.equal(local(2099, 1, 1, 2).getTime());
    expect((await scheduled()).map((e) => e.Id)).to.deep.equal([entry!.Id]);
    expect(entry!.User).to.be.a('string').and.not.equal('');
    // Scheduled by someone else than the service's account (as the portal records its signed-in
    // administrator): the service acts for them.
    const stored = path.join(box.Root, 'bin', 'updates', 'schedule', `${String(entry!.Id)}.json`);
    await fs.writeFile(stored, JSON.stringify({ ...JSON.parse(await fs.readFile(stored, 'utf8')), User: 'CONTOSO\\planner' }));

    // A first service sees it, is stopped before its time (a reboot) and changes nothing.
    const clock1 = new FakeClock(local(2098, 12, 31, 23));
    await start(clock1);
    await clock1.set(local(2099, 1, 1, 1, 0));
    await stop();
    expect(await installedVersion('ecommerce')).to.equal('25.9.12.3');
    expect((await scheduled()).map((e) => e.Id)).to.deep.equal([entry!.Id]);

    // The service after the restart runs it at 02:00, not before.
    const clock2 = new FakeClock(local(2099, 1, 1, 1, 30));
    await start(clock2);
    // It looks again every minute (a schedule added meanwhile is seen), sooner when one is due.
    expect(clock2.sleeps.at(-1)).to.equal(60_000);
    await clock2.set(local(2099, 1, 1, 1, 59));
    expect(await installedVersion('ecommerce')).to.equal('25.9.12.3');
    await clock2.set(local(2099, 1, 1, 2, 0));
    expect(await installedVersion('ecommerce')).to.equal('25.10.1.2');
    expect(await scheduled()).to.deep.equal([]);
    const [last] = await listInstallHistory(box.ctx().layout);
    // Run by the service, for whoever scheduled it.
    expect(last).to.include({ Name: 'ecommerce', Result: 'Installed', RequestedBy: 'service', User: 'CONTOSO\\planner' });
  });

  it('a cancelled install never runs', async () => {
    const add = await runCli(['install', '--root', box.Root, '--name', 'logistique', '--at', '2099-01-02 02:00', '--json']);
    const id = add.records[0]!.Id as string;
    const cancel = await runCli(['schedule', 'cancel', id, '--root', box.Root, '--json']);
    expect(cancel.code, cancel.stderr).to.equal(0);
    expect(await scheduled()).to.deep.equal([]);
    const again = await runCli(['schedule', 'cancel', id, '--root', box.Root]);
    expect(again.code).to.equal(2);
    expect(again.stderr).to.contain(`no scheduled install with id ${id}`);
    const clock = new FakeClock(local(2099, 1, 2, 1));
    await start(clock);
    await clock.set(local(2099, 1, 2, 2, 30));
    expect(await installedVersion('logistique')).to.equal('25.9.12.3');
  });

  it('an install whose window passed while the service was down is not run, and is reported (history, Event Log 1500)', async () => {
    await runCli(['install', '--root', box.Root, '--name', 'gestioncommerciale', '--at', '2099-01-03 02:00', '--json']);
    const clock = new FakeClock(local(2099, 1, 3, 5));
    await start(clock);
    expect(await scheduled()).to.deep.equal([]);
    const history = await listInstallHistory(box.ctx().layout);
    expect(history.filter((h) => h.Name === 'gestioncommerciale' && h.Result === 'Installed')).to.deep.equal([]);
    const [last] = history;
    expect(last).to.include({ Name: 'gestioncommerciale', Result: 'Failed', RequestedBy: 'service', MessageId: 'schedule.missed' });
    const events = (await fs.readFile(sandboxEventLogPath(box.HostState), 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as { id: number });
    expect(events.some((e) => e.id === EVENT_IDS.scheduleMissed.id)).to.equal(true);
  });

  it('a scheduled install waits while a live install holds the lock, and runs once its holder is gone (its stale lock taken over)', async () => {
    const add = await runCli(['install', '--root', box.Root, '--name', 'gestioncommerciale', '--at', '2099-01-04 02:00', '--json']);
    expect(add.code, add.stderr).to.equal(0);
    const id = add.records[0]!.Id as string;
    const installs = async (module: string) => (await listInstallHistory(box.ctx().layout))
      .filter((h) => h.Name === module && h.Result === 'Installed').map((h) => ({ ToVersion: h.ToVersion, RequestedBy: h.RequestedBy }));
    const holder = await startWorker('test/helpers/lock-worker.ts');
    try {
      expect((await holder.ask({ op: 'acquire', root: box.Root })).op).to.equal('won');
      const clock = new FakeClock(local(2099, 1, 4, 1, 59));
      await start(clock);
      await clock.set(local(2099, 1, 4, 2, 0));
      // A live holder: nothing installed, the entry stays for the next look.
      expect(await installs('gestioncommerciale')).to.deep.equal([]);
      expect((await scheduled()).map((e) => [e.Id, e.State])).to.deep.equal([[id, 'Pending']]);
      // Killed: its lock is stale, and the service's next look takes it over like the command line would.
      await holder.kill('SIGKILL');
      await clock.set(local(2099, 1, 4, 2, 1));
      expect(await scheduled()).to.deep.equal([]);
      expect(await installs('gestioncommerciale')).to.deep.equal([{ ToVersion: '25.10.1.2', RequestedBy: 'service' }]);
    } finally {
      await holder.kill();
    }
  });

  it('the weekly window installs the chosen modules by itself, once, and never the customised database', async () => {
    const file = path.join(box.Root, 'bin', 'updates', 'updater.config');
    await fs.writeFile(file, (await fs.readFile(file, 'utf8')).replace('</updater>', `  <maintenance>
    <window days="saturday,sunday" start="02:00" end="05:00" />
    <autoInstall module="logistique" />
    <autoInstall module="database" />
  </maintenance>
</updater>`));
    // 2099-01-09 is a Friday: outside the window nothing happens.
    const clock = new FakeClock(local(2099, 1, 9, 3));
    await start(clock);
    expect(await installedVersion('logistique')).to.equal('25.9.12.3');
    await clock.set(local(2099, 1, 10, 2, 1));
    expect(await installedVersion('logistique')).to.equal('25.10.1.2');
    const history = await listInstallHistory(box.ctx().layout);
    expect(history.filter((h) => h.Name === 'database')).to.deep.equal([]);
    expect(history.filter((h) => h.Name === 'logistique' && h.Result === 'Installed')).to.have.length(1);
  });
});

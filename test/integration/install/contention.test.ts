// Several installs started at the same instant by real processes, just after the install lock's
// holder died (SIGKILL), round after round. Some rounds the dead holder was itself an install killed
// at a random step (its journal is left too). Each round must end with: exactly one Installed per
// module in the history (the recovery's included), every other process told E_BUSY (exit 4) naming
// a live holder or finding the module up to date, every backup holding the version its name says,
// the modules exactly new, pools and services as they began, no journal, no lock.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { INSTALL_STEPS } from '../../../src/install-state/journal';
import { listInstallHistory } from '../../../src/install/history';
import { currentOwner, inspectInstallLock } from '../../../src/install-state/lock';
import { linuxStartOf } from '../../../src/io/process-identity';
import { startWorker, type Worker } from '../../helpers/workers';
import { hashTree, journals, makeBox, runCli, type Box } from './fixtures';

const ROUNDS = Number(process.env.ALTAZION_INSTALL_STRESS_ROUNDS ?? 60);
const RACERS = 4;
const MODULES = [{ name: 'ecommerce', folder: 'ecommerce' }, { name: 'logistique', folder: 'logistique' }];

interface Done { op: string; pid: number; exitCode: number; records?: Array<{ Name: string; Result: string; BackupPath: string | null }>; errors?: Array<{ code: string; message: string }>; thrown?: { code: string; message: string } }

describe(`install contention: ${ROUNDS} rounds of ${RACERS} processes racing after the lock's holder died`, function () {
  this.timeout(1_200_000);
  let box: Box;
  let racers: Worker[];
  const oldHashes: Record<string, Record<string, string>> = {};
  const newHashes: Record<string, Record<string, string>> = {};
  let hostBefore: unknown;

  before(async () => {
    box = await makeBox(MODULES.map((m) => m.name));
    await runCli(['check', '--root', box.Root, '--json']);
    // The pristine copy with the packages in the cache: each round is the race and the install.
    const pristine = path.join(path.dirname(box.base), 'pristine');
    await fs.rm(pristine, { recursive: true, force: true });
    await fs.cp(box.base, pristine, { recursive: true, verbatimSymlinks: true });
    for (const m of MODULES) oldHashes[m.name] = await hashTree(box.appPath(m.folder));
    hostBefore = JSON.parse(await fs.readFile(box.HostState, 'utf8'));
    const once = await runCli(['install', '--root', box.Root, '--json']);
    expect(once.code, once.stderr).to.equal(0);
    for (const m of MODULES) newHashes[m.name] = await hashTree(box.appPath(m.folder));
    racers = await Promise.all(Array.from({ length: RACERS }, () => startWorker('test/helpers/install-worker.ts')));
  });
  after(async () => {
    await Promise.all((racers ?? []).map((r) => r.kill()));
    await box?.remove();
  });

  it('one Installed per module, the others told who holds the lock, backups true to their names, host as it began', async () => {
    const layout = box.ctx().layout;
    let crashed = 0;
    for (let round = 0; round < ROUNDS; round++) {
      await box.reset();
      if (round % 10 === 3) {
        // The holder was an install killed at some step: lock and journal left behind.
        const step = INSTALL_STEPS[(round * 7) % INSTALL_STEPS.length];
        const killed = await runCli(['install', '--root', box.Root, '--name', 'ecommerce', '--json'], { ALTAZION_TEST_CRASH_AT: step });
        expect(killed.signal, `round ${round}: crash at ${step}`).to.equal('SIGKILL');
        crashed++;
      } else {
        // The holder was any process that took the lock and died: its lock as the lock module writes it.
        const victim = spawn('sleep', ['1000'], { stdio: 'ignore' });
        const start = linuxStartOf(victim.pid!);
        await fs.writeFile(layout.installLock, JSON.stringify({ ...currentOwner('service', 'install'), pid: victim.pid, nonce: `victim-${round}`, process: start ? { start } : {} }));
        victim.kill('SIGKILL');
        await new Promise((r) => victim.once('exit', r));
      }
      expect((await inspectInstallLock(layout)).state, `round ${round}`).to.equal('stale');

      for (const r of racers) r.send({ op: 'install', root: box.Root, names: MODULES.map((m) => m.name) });
      const answers = await Promise.all(racers.map((r) => r.next<Done>()));
      const where = `round ${round}: ${JSON.stringify(answers)}`;
      const racerPids = racers.map((r) => r.pid);
      for (const a of answers) {
        if (a.thrown) {
          expect(a.thrown.code, where).to.equal('E_BUSY');
          expect(a.exitCode).to.equal(4);
          // The holder it names is one of the racers (never the dead one).
          const named = Number(/pid (\d+)/.exec(a.thrown.message)?.[1]);
          expect(racerPids, where).to.include(named);
        } else {
          expect(a.exitCode, where).to.equal(0);
          for (const r of a.records!) expect(['Installed', 'UpToDate'], where).to.include(r.Result);
        }
      }
      const history = await listInstallHistory(layout);
      for (const m of MODULES) {
        expect(history.filter((h) => h.Name === m.name && h.Result === 'Installed'), `${where}: Installed ${m.name}`).to.have.length(1);
        expect(await hashTree(box.appPath(m.folder)), `${where}: ${m.name} files`).to.deep.equal(newHashes[m.name]);
      }
      // Every backup beside the modules holds the version its name says (the previous one).
      for (const name of (await fs.readdir(box.Apps)).filter((n) => n.includes('.altazion-'))) {
        const m = MODULES.find((x) => name.startsWith(`${x.folder}.altazion-backup-${box.InstalledVersion}-`));
        expect(m, `${where}: ${name} left beside the modules`).to.not.equal(undefined);
        expect(await hashTree(path.join(box.Apps, name)), `${where}: ${name}`).to.deep.equal(oldHashes[m!.name]);
      }
      expect(JSON.parse(await fs.readFile(box.HostState, 'utf8')), `${where}: pools and services`).to.deep.equal(hostBefore);
      expect(await journals(box), where).to.deep.equal([]);
      expect((await inspectInstallLock(layout)).state, where).to.equal('free');
    }
    expect(crashed).to.be.greaterThan(0);
  });
});

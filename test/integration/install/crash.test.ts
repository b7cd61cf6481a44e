// SIGKILL of a real install process at every step (journaled or not) (ALTAZION_TEST_CRASH_AT, read at the
// CLI edge). `get` then reports it on the module's record, naming the command that finishes it, and
// changes nothing; `repair` finishes it: each module is exactly old or exactly new (every file
// hashed), no app_offline.htm, no staged/failed folder beside it (past the point of no return the
// previous folder stays as the backup), pools and services as before, no journal, no lock left.
import { expect } from 'chai';
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { runInstall } from '../../../src/install';
import { INSTALL_STEPS, POINT_OF_NO_RETURN, stepIndex, type InstallStep } from '../../../src/install-state/journal';
import { listInstallHistory } from '../../../src/install/history';
import { fingerprint, hashTree, journals, makeBox, runCli, siblingsOf, type Box } from './fixtures';

const MODULES = [
  { name: 'ecommerce', folder: 'ecommerce', steps: INSTALL_STEPS.filter(() => true) },
  { name: 'logistique', folder: 'logistique', steps: INSTALL_STEPS.filter((s) => s !== 'app-offline') },
];

describe('install killed at every step, then recovered by the next command', function () {
  this.timeout(900_000);
  let box: Box;
  const oldHashes: Record<string, Record<string, string>> = {};
  const newHashes: Record<string, Record<string, string>> = {};
  let hostBefore: string;

  before(async () => {
    box = await makeBox(['ecommerce', 'logistique']);
    hostBefore = await fs.readFile(box.HostState, 'utf8');
    for (const m of MODULES) oldHashes[m.name] = await hashTree(box.appPath(m.folder));
    const run = await runInstall(box.ctx(), { names: MODULES.map((m) => m.name) });
    expect(run.exitCode).to.equal(0);
    for (const m of MODULES) newHashes[m.name] = await hashTree(box.appPath(m.folder));
    await box.reset();
  });
  after(() => box.remove());

  for (const m of MODULES) {
    it(`${m.name}: every step`, async () => {
      for (const step of m.steps as InstallStep[]) {
        await box.reset();
        const killed = await runCli(['install', '--root', box.Root, '--name', m.name, '--json'], { ALTAZION_TEST_CRASH_AT: step });
        expect(killed.signal, `install should die at ${step}: ${killed.stderr}`).to.equal('SIGKILL');
        expect(await journals(box), `journal left at ${step}`).to.have.length(1);

        const forward = stepIndex(step) >= stepIndex(POINT_OF_NO_RETURN);
        const before = await fingerprint(box);
        const get = await runCli(['get', '--root', box.Root, '--json']);
        expect(get.code, get.stderr).to.equal(0);
        expect(await fingerprint(box), `get after a crash at ${step} changed something`).to.equal(before);
        const reported = get.records.find((r) => r.Name === m.name)!;
        expect(reported.Status).to.equal('ManualActionRequired');
        expect(reported.Detail).to.match(/was interrupted at step [\w:-]+/).and.include('repair --check journal');

        const repair = await runCli(['repair', '--check', 'journal', '--root', box.Root, '--json']);
        expect(repair.code, repair.stderr + repair.stdout).to.equal(0);
        const files = await hashTree(box.appPath(m.folder));
        expect(files, `${m.name} after a crash at ${step} must be exactly ${forward ? 'new' : 'old'}`).to.deep.equal(forward ? newHashes[m.name] : oldHashes[m.name]);
        expect(Object.keys(files)).to.not.include('app_offline.htm');
        const siblings = await siblingsOf(box);
        if (forward) {
          // The previous folder is the backup, as after an install that was not interrupted.
          expect(siblings.map((n) => n.replace(/-\d{8}T.*$/, '')), `leftovers after ${step}`).to.deep.equal([`${m.folder}.altazion-backup-${box.InstalledVersion}`]);
          expect(await hashTree(path.join(box.Apps, siblings[0]))).to.deep.equal(oldHashes[m.name]);
        } else {
          expect(siblings, `leftovers after ${step}`).to.deep.equal([]);
        }
        expect(await journals(box)).to.deep.equal([]);
        expect(await fs.access(path.join(box.Root, 'bin', 'updates', 'install.lock')).then(() => true, () => false)).to.equal(false);
        const host = JSON.parse(await fs.readFile(box.HostState, 'utf8'));
        expect(host, `host state after ${step}`).to.deep.equal(JSON.parse(hostBefore));
        const after = await runCli(['get', '--root', box.Root, '--json']);
        const record = after.records.find((r) => r.Name === m.name)!;
        expect(record.InstalledVersion).to.equal(forward ? box.AvailableVersion : box.InstalledVersion);
        const history = await listInstallHistory(box.ctx().layout);
        expect(history[0].Result).to.equal(forward ? 'Installed' : 'RolledBack');
        // The journal names the last step it recorded (hook phases without a script are not journaled).
        expect(history[0].Message).to.match(/interrupted at step [a-z:A-Z-]+/);
      }
    });
  }
});

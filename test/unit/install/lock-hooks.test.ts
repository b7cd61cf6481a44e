import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { instanceLayout } from '../../../src/config/paths';
import { hookArguments, withTrailingSeparator } from '../../../src/install/hooks';
import { acquireInstallLock, currentOwner, readInstallLock } from '../../../src/install/lock';

describe('install lock', () => {
  let dir: string;
  beforeEach(async () => { dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lock-test-')); });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  it('one holder at a time; the second is told who holds it (E_BUSY, exit 4)', async () => {
    const layout = instanceLayout(dir);
    // A live process other than us holds it.
    const other = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1e9)'], { stdio: 'ignore' });
    try {
      const owner = { ...currentOwner('portal', 'install ecommerce 25.10.1.2'), pid: other.pid! };
      const first = await acquireInstallLock(layout, owner);
      expect(await readInstallLock(layout)).to.deep.equal(owner);
      const error = await acquireInstallLock(layout, currentOwner('cli', 'install gestcom')).then(() => undefined, (e) => e);
      expect(error.code).to.equal('E_BUSY');
      expect(error.exitCode).to.equal(4);
      expect(error.message).to.include(`pid ${other.pid}`).and.include('requested by portal').and.include('install ecommerce 25.10.1.2').and.include(owner.startedAt);
      await first.release();
      expect(await readInstallLock(layout)).to.equal(undefined);
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('takes over a lock whose process is gone, and never removes a lock it does not own', async () => {
    const layout = instanceLayout(dir);
    const dead = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    await new Promise((r) => dead.on('exit', r));
    await fs.mkdir(layout.updates, { recursive: true });
    await fs.writeFile(layout.installLock, JSON.stringify({ ...currentOwner('cli', 'crashed'), pid: dead.pid }));
    const lock = await acquireInstallLock(layout, currentOwner('cli', 'mine'));
    expect((await readInstallLock(layout))!.description).to.equal('mine');
    // Someone else's lock written over ours (e.g. after a takeover): release leaves it alone.
    const foreign = { ...currentOwner('cli', 'foreign'), startedAt: '2000-01-01T00:00:00.000Z' };
    await fs.writeFile(layout.installLock, JSON.stringify(foreign));
    await lock.release();
    expect((await readInstallLock(layout))!.description).to.equal('foreign');
  });
});

describe('hook command line and environment', () => {
  it('runs scripts as -File with no profile, non-interactive, execution policy bypassed', () => {
    expect(hookArguments('D:\\p\\bin\\updates\\scripts\\PREINSTALL_gestcom.ps1')).to.deep.equal(
      ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-File', 'D:\\p\\bin\\updates\\scripts\\PREINSTALL_gestcom.ps1']);
  });
  it('E_MODULE_PATH / E_BACKUP_PATH end with exactly one separator of the path flavour', () => {
    expect(withTrailingSeparator('D:\\simplement-e\\app\\gestcom', path.win32)).to.equal('D:\\simplement-e\\app\\gestcom\\');
    expect(withTrailingSeparator('D:\\simplement-e\\app\\gestcom\\', path.win32)).to.equal('D:\\simplement-e\\app\\gestcom\\');
    expect(withTrailingSeparator('/srv/apps/gestcom//', path.posix)).to.equal('/srv/apps/gestcom/');
  });
});

// A full, or read-only, volume under a module (a real small tmpfs mounted for the test when this
// machine allows it: root on Linux, as in CI) and an ENOSPC at any step: E_DISK_SPACE (exit 1)
// naming the volume and the bytes needed, never blamed on the package, and a complete rollback:
// module files, pools, services, no staged folder, no temporary file, no journal.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runInstall } from '../../../src/install';
import { isOurTempFile } from '../../../src/io/files';
import { updateSandboxState } from '../../../src/platform/sandbox/state';
import { hashTree, journals, makeBox, runCli, setInstallConfig, siblingsOf, type Box } from './fixtures';

function tryMount(dir: string, sizeKb: number): boolean {
  if (process.platform !== 'linux') return false;
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k`, 'altazion-test', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Moves a sandbox module onto `volume` (applicationspath.config and IIS follow). */
async function moveModule(box: Box, folder: string, volume: string): Promise<string> {
  const from = box.appPath(folder);
  const to = path.join(volume, folder);
  await fs.cp(from, to, { recursive: true });
  await fs.rm(from, { recursive: true });
  const config = path.join(box.Root, 'bin', 'config', 'applicationspath.config');
  await fs.writeFile(config, (await fs.readFile(config, 'utf8')).split(from).join(to));
  await updateSandboxState(box.HostState, (s) => {
    for (const app of s.applications) if (app.physicalPath.startsWith(from)) app.physicalPath = to + app.physicalPath.slice(from.length);
  });
  return to;
}

/** Fills the volume until at most `leave` bytes are free. */
async function fill(volume: string, leave: number): Promise<void> {
  const st = await fs.statfs(volume);
  const free = Number(st.bavail) * Number(st.bsize);
  if (free > leave) await fs.writeFile(path.join(volume, 'filler.bin'), Buffer.alloc(free - leave));
}

async function noTempFiles(folder: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string) => {
    for (const e of await fs.readdir(dir, { withFileTypes: true })) {
      if (isOurTempFile(e.name)) out.push(path.join(dir, e.name));
      if (e.isDirectory()) await walk(path.join(dir, e.name));
    }
  };
  await walk(folder);
  return out;
}

describe('a full or read-only volume under a module (real tmpfs)', function () {
  this.timeout(300_000);
  let box: Box;
  let volume: string;
  let mounted = false;
  let module: string;
  let filesBefore: Record<string, string>;
  let hostBefore: string;

  before(async function () {
    volume = await fs.mkdtemp(path.join(os.tmpdir(), 'altazion-small-volume-'));
    mounted = tryMount(volume, 4096);
    if (!mounted) {
      await fs.rm(volume, { recursive: true, force: true });
      this.skip(); // mounting needs root on Linux; the injected ENOSPC below runs everywhere
    }
    box = await makeBox(['ecommerce']);
    await runCli(['check', '--root', box.Root, '--json']);
    module = await moveModule(box, 'ecommerce', volume);
    // The free-space estimate before staging says yes (another process fills the disk meanwhile).
    await setInstallConfig(box, { minFreeMegabytes: '0' });
    await updateSandboxState(box.HostState, (s) => { s.faults = { freeBytes: 10 * 1024 ** 3 }; });
    filesBefore = await hashTree(module);
    hostBefore = await fs.readFile(box.HostState, 'utf8');
  });
  after(async () => {
    if (mounted) execFileSync('umount', [volume]);
    await fs.rm(volume, { recursive: true, force: true });
    await box?.remove();
  });

  it('full while staging: E_DISK_SPACE (exit 1) naming the volume and the bytes needed; rolled back completely', async () => {
    await fill(volume, 8 * 1024);
    const run = await runCli(['install', '--root', box.Root, '--name', 'ecommerce', '--json']);
    expect(run.code, run.stdout + run.stderr).to.equal(1);
    const [error] = run.errors;
    expect(error.code).to.equal('E_DISK_SPACE');
    expect(error.target).to.equal(volume);
    expect(String(error.message)).to.include(`the volume ${volume} is full`).and.match(/needs \d+ bytes/).and.match(/\d+ bytes \([\d.]+ MB\) are free/);
    expect(String(error.message)).to.not.match(/publisher|package is/i);
    expect(run.records[0].Result).to.equal('RolledBack');
    expect(await hashTree(module)).to.deep.equal(filesBefore);
    expect((await fs.readdir(volume)).sort()).to.deep.equal(['ecommerce', 'filler.bin']);
    expect(await noTempFiles(volume)).to.deep.equal([]);
    expect(await journals(box)).to.deep.equal([]);
    expect(await fs.readFile(box.HostState, 'utf8')).to.equal(hostBefore);
  });

  it('read-only: E_DISK_SPACE naming the volume as read-only; nothing changed', async () => {
    await fs.rm(path.join(volume, 'filler.bin'), { force: true });
    execFileSync('mount', ['-o', 'remount,ro', volume]);
    try {
      const run = await runCli(['install', '--root', box.Root, '--name', 'ecommerce', '--json']);
      expect(run.code, run.stdout + run.stderr).to.equal(1);
      expect(run.errors[0].code).to.equal('E_DISK_SPACE');
      expect(String(run.errors[0].message)).to.include(`the volume ${volume} is read-only`);
      expect(await hashTree(module)).to.deep.equal(filesBefore);
      expect(await journals(box)).to.deep.equal([]);
      expect(await fs.readFile(box.HostState, 'utf8')).to.equal(hostBefore);
    } finally {
      execFileSync('mount', ['-o', 'remount,rw', volume]);
    }
  });

  it('with room again, the same install succeeds', async () => {
    const run = await runCli(['install', '--root', box.Root, '--name', 'ecommerce', '--json']);
    expect(run.code, run.stdout + run.stderr).to.equal(0);
    expect(run.records[0].Result).to.equal('Installed');
  });
});

describe('ENOSPC at any step of an install (injected at the step seam)', function () {
  this.timeout(300_000);
  let box: Box;
  before(async () => { box = await makeBox(['ecommerce', 'logistique']); });
  after(() => box.remove());

  for (const step of ['stage', 'app-offline', 'swap-out', 'swap-in', 'verify'] as const) {
    it(`${step}: E_DISK_SPACE naming the volume, rolled back completely`, async () => {
      await box.reset();
      const before = await hashTree(box.appPath('ecommerce'));
      const host = await fs.readFile(box.HostState, 'utf8');
      const run = await runInstall(box.ctx(), {
        names: ['ecommerce'],
        onStep: (s) => {
          if (s !== step) return;
          const error = new Error(`ENOSPC: no space left on device, write`) as NodeJS.ErrnoException;
          error.code = 'ENOSPC';
          error.syscall = 'write';
          error.path = path.join(box.Apps, 'ecommerce', 'bin', 'x.dll');
          throw error;
        },
      });
      expect(run.exitCode).to.equal(1);
      expect(run.errors[0].code).to.equal('E_DISK_SPACE');
      expect(run.errors[0].message).to.match(/^the volume \/\S* is full \(ENOSPC writing .*x\.dll\): installing ecommerce/);
      expect(run.records[0].Result).to.equal('RolledBack');
      expect(await hashTree(box.appPath('ecommerce'))).to.deep.equal(before);
      expect(await fs.readFile(box.HostState, 'utf8')).to.equal(host);
      expect(await siblingsOf(box)).to.deep.equal([]);
      expect(await journals(box)).to.deep.equal([]);
    });
  }
});

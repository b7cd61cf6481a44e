// SPEC §12, issue 20 point 5: nothing the SYSTEM service executes or trusts (hook scripts and their
// folder, the interpreter, its settings and keys, the cache, journal and staging under bin/updates,
// the service's own files, the portal's secret) can be changed by a non-administrator, in a freshly
// created sandbox and after `service install` — including on an instance left in the state the
// review found (folders anyone may write, settings in bin/config that module identities may write).
//
// The judge here is independent of the product's code: the real owner and mode bits (lstat) against
// the administrators the sandbox's host state names (uid/gid 0 and its creator), plus the simulated
// grants of module identities in that state. The sandbox platform's own answer (repair --check acl)
// must agree with it.
import { expect } from 'chai';
import { promises as fs, type Stats } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createContext } from '../../../src/cli/context';
import { silentOutput } from '../../../src/output/output';
import { readSandboxState } from '../../../src/platform/sandbox/state';
import { runRepair } from '../../../src/repair';
import { startService } from '../../../src/service/run';
import { installModules } from '../../../src/install';
import { instanceLayout } from '../../../src/config/paths';
import { textOf } from '../../../src/core/messages';
import { checkHooksSafe } from '../../../src/install/hooks';
import { secureInstance } from '../../../src/service/secure-instance';
import { writePortalToken } from '../../../src/service/portal/token-file';
import { runCli } from '../../helpers/cli';
import { ace, FakeNtfs, PROGRAMDATA_ACL, PROGRAMFILES_ACL, RIGHTS, SID } from '../../helpers/fake-ntfs-bridge';
import { makeSandbox, type TestSandbox } from '../../helpers/sandbox';

interface Finding { path: string; why: string }

/** The path, or its nearest existing ancestor (a missing file in a folder others can write can be planted). */
async function existing(p: string): Promise<{ path: string; stats: Stats }> {
  for (let current = p; ; current = path.dirname(current)) {
    const stats = await fs.lstat(current).catch(() => undefined);
    if (stats) return { path: current, stats };
    if (path.dirname(current) === current) throw new Error(`nothing exists above ${p}`);
  }
}

async function walk(dir: string): Promise<string[]> {
  const out = [dir];
  for (const entry of await fs.readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(full)));
    else out.push(full);
  }
  return out;
}

/** Everything the service runs or trusts, and who besides the administrators could change it. */
async function nonAdminWritable(box: TestSandbox): Promise<Finding[]> {
  const state = await readSandboxState(box.HostState);
  const uids = new Set([0, ...(state.administrators?.uids ?? [])]);
  const gids = new Set([0, ...(state.administrators?.gids ?? [])]);
  const updates = path.join(box.Root, 'bin', 'updates');
  const subjects = new Set(await walk(updates));
  // The settings (where earlier versions kept them, until moved), the interpreter (the configured
  // one, else the sandbox's default) and the service's files.
  const legacy = path.join(box.Root, 'bin', 'config', 'updater.config');
  const settingsFile = (await fs.stat(path.join(updates, 'updater.config')).catch(() => undefined)) ? path.join(updates, 'updater.config') : legacy;
  subjects.add(settingsFile);
  const config = await fs.readFile(settingsFile, 'utf8');
  const interpreter = /powershell="([^"]+)"/.exec(config)?.[1] ?? '/usr/bin/pwsh';
  subjects.add(interpreter).add(path.dirname(interpreter));
  const service = state.services.find((s) => s.name === 'AltazionUpdate')!;
  for (const file of [...(service.run ?? []).slice(0, 2), /^"([^"]+)"/.exec(service.binaryPath)![1]!]) {
    if (!path.isAbsolute(file)) continue;
    subjects.add(file).add(path.dirname(file));
  }
  const findings: Finding[] = [];
  for (const subject of subjects) {
    const { path: p, stats } = await existing(subject);
    const where = p === subject ? p : `${p} (above the missing ${subject})`;
    if (stats.isSymbolicLink()) findings.push({ path: where, why: 'a symbolic link' });
    if (!uids.has(stats.uid)) findings.push({ path: where, why: `owned by uid ${stats.uid}` });
    if (stats.mode & 0o020 && !gids.has(stats.gid)) findings.push({ path: where, why: `writable by group ${stats.gid}` });
    if (stats.mode & 0o002) findings.push({ path: where, why: 'writable by everyone' });
    // Simulated module identities: a Modify grant on the path or on a folder above it, unless a
    // folder in between was made admin-only (it no longer inherits).
    for (const [granted, identities] of Object.entries(state.rights)) {
      const covers = subject === granted || subject.startsWith(granted + path.sep);
      const cut = (state.protectedPaths ?? []).some((p2) => (subject === p2 || subject.startsWith(p2 + path.sep)) && p2.startsWith(granted + path.sep));
      if (covers && !cut) findings.push({ path: subject, why: `Modify granted to ${identities.join(', ')}` });
    }
  }
  // The portal's secret: not even readable by others.
  const token = path.join(updates, 'portal', 'token.json');
  for (const p of [path.dirname(token), token]) {
    const stats = await fs.stat(p).catch(() => undefined);
    if (stats && stats.mode & 0o077) findings.push({ path: p, why: `mode ${(stats.mode & 0o777).toString(8)}: others may read the portal's secret` });
  }
  return findings;
}

async function aclCheck(box: TestSandbox, dryRun = true) {
  const ctx = createContext({ root: box.Root }, silentOutput(), process.env);
  return runRepair(ctx, { checks: ['acl', 'settings'], dryRun });
}

describe('what the SYSTEM service runs or trusts is writable by administrators only (sandbox)', function () {
  this.timeout(240_000);
  let box: TestSandbox;
  afterEach(() => box?.remove());

  it('in a freshly created sandbox, also once it checked, installed and ran its portal', async () => {
    box = await makeSandbox();
    expect(await nonAdminWritable(box)).to.deep.equal([]);
    const check = await runCli(['check', '--root', box.Root, '--json'], { kind: 'bundle' });
    expect(check.code, check.stdout).to.equal(0);
    const install = await runCli(['install', '--root', box.Root, '--name', 'ecommerce', '--json'], { kind: 'bundle' });
    expect(install.code, install.stdout).to.equal(0);
    const service = await startService(createContext({ root: box.Root }, silentOutput(), process.env), { port: 0, periodicChecks: false, install: installModules });
    try {
      expect(await fs.stat(path.join(box.Root, 'bin', 'updates', 'portal', 'token.json'))).to.be.ok;
      expect(await nonAdminWritable(box)).to.deep.equal([]);
      expect((await aclCheck(box)).map((r) => r.Status)).to.satisfy((s: string[]) => s.every((x) => x === 'Ok'));
    } finally {
      await service.stop();
    }
  });

  it('after `service install` on an instance left as the review found it', async function () {
    if (process.getuid?.() !== 0) this.skip(); // giving files to another account takes root (CI runs as root)
    box = await makeSandbox();
    const updates = path.join(box.Root, 'bin', 'updates');
    const config = path.join(box.Root, 'bin', 'config');
    // Settings where earlier versions kept them, bin\config writable by every module identity (the
    // old `rights` repair), and bin\updates as ProgramData's inheritance leaves it: anyone creates
    // files, someone else already did.
    await fs.rename(path.join(updates, 'updater.config'), path.join(config, 'updater.config'));
    const settings = await fs.readFile(path.join(config, 'updater.config'));
    const host = JSON.parse(await fs.readFile(box.HostState, 'utf8')) as { rights: Record<string, string[]> };
    host.rights[config] = ['IIS AppPool\\gestcom', 'IIS AppPool\\ecommerce', 'NT AUTHORITY\\NetworkService'];
    await fs.writeFile(box.HostState, JSON.stringify(host));
    for (const dir of [updates, path.join(updates, 'scripts')]) await fs.chmod(dir, 0o777);
    await fs.writeFile(path.join(updates, 'scripts', 'PREINSTALL_ecommerce.ps1'), '# dropped by a user\n');
    await fs.chown(path.join(updates, 'scripts', 'PREINSTALL_ecommerce.ps1'), 1000, 1000);
    await fs.mkdir(path.join(updates, 'cache'), { recursive: true });
    await fs.chown(path.join(updates, 'cache'), 1000, 1000);
    const before = await nonAdminWritable(box);
    expect(before.map((f) => f.why)).to.include.members(['writable by everyone', 'owned by uid 1000']);
    expect(before.filter((f) => f.path.endsWith(path.join('config', 'updater.config'))).map((f) => f.why), 'the settings in bin/config: module identities can write them')
      .to.deep.equal(['Modify granted to IIS AppPool\\gestcom, IIS AppPool\\ecommerce, NT AUTHORITY\\NetworkService']);
    // The product's own check sees the same.
    expect((await aclCheck(box)).filter((r) => r.Check === 'acl').map((r) => r.Status)).to.include('WouldFix');

    const run = await runCli(['service', 'install', '--root', box.Root, '--json'], { kind: 'bundle' });
    expect(run.code, run.stdout + run.stderr).to.equal(0);
    const record = run.objects('Altazion.Service')[0]!;
    expect(record).to.include({ Name: 'AltazionUpdate', Status: 'Installed', StartMode: 'AutomaticDelayed' });
    // What others could change until now is named, for the administrator to review.
    expect(record.WasWritableByOthers).to.include.members([updates, path.join(updates, 'scripts'), path.join(updates, 'scripts', 'PREINSTALL_ecommerce.ps1'), path.join(updates, 'cache')]);
    expect(run.messages.filter((m) => m.type === 'log' && m.level === 'warning').map((m) => (m as { message: string }).message).join('\n')).to.contain('PREINSTALL_ecommerce.ps1 could be changed by others');

    expect(await nonAdminWritable(box)).to.deep.equal([]);
    // The settings moved intact, out of the module identities' reach.
    expect((await fs.readFile(path.join(updates, 'updater.config'))).equals(settings)).to.equal(true);
    expect(await fs.stat(path.join(config, 'updater.config')).catch((e: NodeJS.ErrnoException) => e.code)).to.equal('ENOENT');
    const state = await readSandboxState(box.HostState);
    const service = state.services.find((s) => s.name === 'AltazionUpdate')!;
    expect(service).to.include({ startMode: 'AutomaticDelayed', account: 'LocalSystem' });
    expect(service.run!.slice(-4)).to.deep.equal(['service', 'run', '--root', box.Root]);
    expect((await aclCheck(box)).map((r) => r.Status).every((s) => s === 'Ok')).to.equal(true);

    // The judge is not blind: one file any user could change again is found, by it and by repair.
    const planted = path.join(updates, 'feed-state.json');
    await fs.writeFile(planted, '{}');
    await fs.chmod(planted, 0o666);
    expect(await nonAdminWritable(box)).to.deep.equal([{ path: planted, why: 'writable by everyone' }]);
    const acl = (await aclCheck(box)).filter((r) => r.Check === 'acl' && r.Status !== 'Ok');
    expect(acl.map((r) => [r.Status, r.Target])).to.deep.equal([['WouldFix', updates]]);
    expect(acl[0]!.Detail).to.contain(planted);
  });

});

// The Windows counterpart: the real WindowsRights, bridge client and protocol, and the product's own
// steps (service install's secureInstance, the hooks' check, repair --check acl, the portal's secret),
// against NTFS rights simulated in the test (fake-ntfs-bridge.ts) over a real folder tree: ProgramData
// and Program Files as Windows sets them up. The judge reads those rights itself, by SID.
describe('what the SYSTEM service runs or trusts is writable by administrators only (Windows, through the bridge)', function () {
  this.timeout(120_000);
  let tmp: string;
  afterEach(() => fs.rm(tmp, { recursive: true, force: true }));

  const ADMINS = new Set<string>([SID.administrators, SID.system, SID.trustedInstaller]);
  const WRITE = 0x2 | 0x4 | 0x10 | 0x40 | 0x100 | 0x10000 | 0x40000 | 0x80000 | 0x10000000 | 0x40000000;
  const READ = 0x1 | 0x80000000 | 0x10000000;

  /** Who besides the administrators can change (or, under the private folder, read) each path: from the simulated NTFS, not from the product. */
  async function judge(ntfs: FakeNtfs, trees: string[], files: string[], privateTree: string): Promise<Finding[]> {
    const subjects = [...files];
    for (const tree of trees) subjects.push(...(await walk(tree)));
    const findings: Finding[] = [];
    for (const p of new Set(subjects)) {
      if (!(await fs.lstat(p).catch(() => undefined))) continue;
      if (!ADMINS.has(ntfs.ownerOf(p))) findings.push({ path: p, why: `owned by ${ntfs.ownerOf(p)}` });
      const secret = p === privateTree || p.startsWith(privateTree + path.sep);
      for (const e of ntfs.effective(p)) {
        if (!e.allow || e.inheritOnly || ADMINS.has(e.sid)) continue;
        if (e.rights & WRITE) findings.push({ path: p, why: `${e.sid} can write` });
        else if (secret && e.rights & READ) findings.push({ path: p, why: `${e.sid} can read the secret` });
      }
    }
    return findings;
  }

  it('before: what the review found; after service install\'s securing: nothing, hooks allowed, repair Ok; a planted entry is found and fixed', async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'altazion-win-acl-'));
    const programData = path.join(tmp, 'ProgramData');
    const programFiles = path.join(tmp, 'Program Files');
    const root = path.join(programData, 'CPoint', '[e]');
    const config = path.join(root, 'bin', 'config');
    const updates = path.join(root, 'bin', 'updates');
    const scripts = path.join(updates, 'scripts');
    const script = path.join(scripts, 'PREINSTALL_ecommerce.ps1');
    const serviceFolder = path.join(programFiles, 'Altazion', 'Update');
    const interpreter = path.join(programFiles, 'PowerShell', '7', 'pwsh.exe');
    for (const dir of [config, scripts, path.join(updates, 'cache'), serviceFolder, path.dirname(interpreter)]) await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(path.join(config, 'applicationspath.config'), '<applications />');
    const settings = `<updater><feed location="${path.join(tmp, 'feed')}" /><install powershell="${interpreter}" /></updater>\n`;
    await fs.writeFile(path.join(config, 'updater.config'), settings);
    for (const file of [script, interpreter, path.join(serviceFolder, 'AltazionUpdateService.exe'), path.join(serviceFolder, 'node.exe'), path.join(updates, 'cache', 'a.zip')]) await fs.writeFile(file, '');

    const ntfs = new FakeNtfs({ [programData]: PROGRAMDATA_ACL, [programFiles]: PROGRAMFILES_ACL });
    // The seed's advice followed: module identities may write bin\config (the settings were there).
    ntfs.set(config, { explicit: [ace(SID.pool, RIGHTS.Modify)] });
    // ProgramData lets users create files: one did, and owns it (CREATOR OWNER: full control).
    ntfs.set(script, { owner: SID.user });
    ntfs.set(path.join(updates, 'cache'), { owner: SID.user });
    // A careless copy of the service's files, writable by every user.
    ntfs.set(path.join(serviceFolder, 'node.exe'), { explicit: [ace(SID.users, RIGHTS.Modify, { containerInherit: false, objectInherit: false })] });
    ntfs.set(interpreter, { owner: SID.trustedInstaller });
    const binaryPath = `"${path.join(serviceFolder, 'AltazionUpdateService.exe')}" "${root}"`;
    ntfs.services = [{ name: 'AltazionUpdate', displayName: 'Altazion - service de mise à jour', state: 'Running', startMode: 'AutomaticDelayed', binaryPath, account: 'LocalSystem' }];
    const platform = ntfs.platform();
    const ctx = { ...createContext({ root }, silentOutput(), process.env), platform: async () => platform };
    const trees = [updates, serviceFolder];
    const files = [path.join(config, 'updater.config'), path.join(updates, 'updater.config'), interpreter, path.dirname(interpreter)];
    const privateTree = path.join(updates, 'portal');

    const before = await judge(ntfs, trees, files, privateTree);
    expect(before).to.deep.include.members([
      { path: updates, why: `${SID.users} can write` }, { path: script, why: `owned by ${SID.user}` },
      { path: path.join(config, 'updater.config'), why: `${SID.pool} can write` }, { path: path.join(serviceFolder, 'node.exe'), why: `${SID.users} can write` },
    ]);
    // The product sees it too: the hook would not run, repair would fix bin\updates and the service's folder.
    const refused = await checkHooksSafe({ scripts: [script], folder: scripts, interpreter, rights: platform.rights }).then(() => undefined, (e: Error & { code: string }) => e);
    expect(refused?.code).to.equal('E_HOOK_UNSAFE');
    expect(refused?.message).to.contain(script).and.contain(SID.user);
    const dry = (await runRepair(ctx, { checks: ['acl'], dryRun: true })).map((r) => [r.Target, r.Status]);
    expect(dry).to.deep.include.members([[updates, 'WouldFix'], [serviceFolder, 'WouldFix'], [interpreter, 'Ok']]);

    // What `service install` does first on Windows, then the service's start (the portal's secret).
    const { wasWritableByOthers } = await secureInstance(ctx, binaryPath);
    expect(wasWritableByOthers).to.include.members([updates, scripts, script, path.join(updates, 'cache'), path.join(serviceFolder, 'node.exe')]);
    await writePortalToken(instanceLayout(root), platform.rights, { url: 'http://localhost:8080/', token: 'secret', pid: 1, startedAt: new Date().toISOString() });
    expect((await fs.readFile(path.join(updates, 'updater.config'), 'utf8')), 'the settings moved intact').to.equal(settings);
    expect(await fs.stat(path.join(config, 'updater.config')).catch((e: NodeJS.ErrnoException) => e.code)).to.equal('ENOENT');

    expect(await judge(ntfs, trees, files, privateTree)).to.deep.equal([]);
    await checkHooksSafe({ scripts: [script], folder: scripts, interpreter, rights: platform.rights });
    expect((await runRepair(ctx, { checks: ['acl'], dryRun: true })).filter((r) => r.Status !== 'Ok').map((r) => [r.Target, r.Status, r.Detail])).to.deep.equal([]);

    // The judge is not blind, and repair agrees: one file any user may change again.
    const planted = path.join(updates, 'feed-state.json');
    await fs.writeFile(planted, '{}');
    ntfs.set(planted, { explicit: [ace(SID.users, RIGHTS.Modify, { containerInherit: false, objectInherit: false })] });
    expect(await judge(ntfs, trees, files, privateTree)).to.deep.equal([{ path: planted, why: `${SID.users} can write` }]);
    const found = (await runRepair(ctx, { checks: ['acl'], dryRun: true })).filter((r) => r.Status !== 'Ok');
    expect(found.map((r) => [r.Target, r.Status])).to.deep.equal([[updates, 'WouldFix']]);
    expect(textOf(found[0]!.Detail as never)).to.contain(planted);
    expect((await runRepair(ctx, { checks: ['acl'], dryRun: false })).filter((r) => r.Status !== 'Ok').map((r) => [r.Target, r.Status])).to.deep.equal([[updates, 'Fixed']]);
    expect(await judge(ntfs, trees, files, privateTree)).to.deep.equal([]);
  });
});

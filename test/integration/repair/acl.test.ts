// `repair --check acl` (SPEC §8, §12) on a sandbox: what the SYSTEM service runs or trusts is made
// admin-only again when it is not (ours), reported Failed with what to do when it is not ours (the
// interpreter, the service's files); the dry run changes nothing, owners and modes included.
import { expect } from 'chai';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { setInstallConfig } from '../../helpers/sandbox';
import { changeHost, hashTree, makeSandbox, repair, statuses, type TestSandbox } from './sandbox-helpers';

describe('repair: acl', function () {
  this.timeout(120_000);
  let sb: TestSandbox;
  afterEach(() => sb?.cleanup());

  it('Ok on a fresh sandbox', async () => {
    sb = await makeSandbox();
    const records = await repair(sb, { checks: ['acl'] });
    // bin/updates, the portal's secret, the interpreter, the service's executable and its folder.
    expect(records.map((r) => [r.Target, r.Status])).to.deep.equal([
      [path.join(sb.root, 'bin', 'updates'), 'Ok'], [path.join(sb.root, 'bin', 'updates', 'portal'), 'Ok'], ['/usr/bin/pwsh', 'Ok'],
      [path.join(sb.base, 'updater', 'altazion-update.exe'), 'Ok'], [path.join(sb.base, 'updater'), 'Ok'],
    ]);
  });

  it('bin/updates writable by others and the portal secret readable: WouldFix (nothing changed), then Fixed, then Ok', async function () {
    if (process.getuid?.() !== 0) this.skip(); // giving files to another account takes root (CI runs as root)
    sb = await makeSandbox();
    const updates = path.join(sb.root, 'bin', 'updates');
    await fs.chmod(path.join(updates, 'scripts'), 0o777);
    await fs.writeFile(path.join(updates, 'scripts', 'ENDUPDATE_ecommerce.ps1'), '# hook');
    await fs.chown(path.join(updates, 'scripts', 'ENDUPDATE_ecommerce.ps1'), 54321, 54321);
    await fs.mkdir(path.join(updates, 'cache'), { recursive: true });
    await fs.chmod(path.join(updates, 'portal'), 0o755);
    await changeHost(sb, (s) => { s.rights[path.join(updates, 'cache')] = ['IIS AppPool\\gestcom']; });

    const before = await hashTree(sb.base);
    const dry = await repair(sb, { checks: ['acl'], dryRun: true });
    expect(dry.map((r) => [r.Target, r.Status]).slice(0, 3)).to.deep.equal([[updates, 'WouldFix'], [path.join(updates, 'portal'), 'WouldFix'], ['/usr/bin/pwsh', 'Ok']]);
    expect(dry[0]!.Detail).to.contain(`${path.join(updates, 'scripts')} writable by every local user`)
      .and.contain('ENDUPDATE_ecommerce.ps1 writable by user 54321 (owner)')
      .and.contain(`${path.join(updates, 'cache')} writable by IIS AppPool\\gestcom (Modify)`);
    expect(dry[1]!.Detail).to.contain('readable by every local user');
    expect(await hashTree(sb.base), 'the dry run changed nothing').to.equal(before);

    const fixed = await repair(sb, { checks: ['acl'] });
    expect(statuses(fixed)).to.deep.equal(['Fixed', 'Fixed', 'Ok', 'Ok', 'Ok']);
    expect(fixed[0]!.Action).to.match(/check what changed there meanwhile \(hook scripts, updater\.config\)/);
    expect((await fs.stat(path.join(updates, 'portal'))).mode & 0o777).to.equal(0o700);
    expect(statuses(await repair(sb, { checks: ['acl'] }))).to.deep.equal(['Ok', 'Ok', 'Ok', 'Ok', 'Ok']);
  });

  it('an interpreter or service files others can change are Failed, with what to do, and left alone', async function () {
    if (process.getuid?.() !== 0) this.skip(); // giving files to another account takes root (CI runs as root)
    sb = await makeSandbox();
    const interpreter = path.join(sb.base, 'tools', 'pwsh');
    await fs.mkdir(path.dirname(interpreter));
    await fs.writeFile(interpreter, '#!/bin/sh\n');
    await fs.chmod(interpreter, 0o777);
    await setInstallConfig(sb.info, { powershell: interpreter });
    const exe = path.join(sb.base, 'updater', 'altazion-update');
    await fs.mkdir(path.dirname(exe));
    await fs.writeFile(exe, '');
    await fs.chown(exe, 54321, 54321);
    await changeHost(sb, (s) => { s.services.find((x) => x.name === 'AltazionUpdate')!.binaryPath = `"${exe}" service run`; });
    const records = await repair(sb, { checks: ['acl'] });
    const failed = records.filter((r) => r.Status === 'Failed');
    expect(failed.map((r) => r.Target)).to.deep.equal([interpreter, exe]);
    expect(failed[0]!.Action).to.match(/<install powershell="\.\.\."> in updater\.config/);
    expect(failed[1]!.Action).to.match(/service install/);
    expect((await fs.stat(interpreter)).mode & 0o777, 'not ours to change').to.equal(0o777);
  });
});

// Hooks run as SYSTEM under the service: an install runs one only when nobody but administrators can
// change it, its folder or the interpreter (src/install/hooks.ts checkHooksSafe). In the sandbox,
// "administrators" are uid/gid 0 and whoever created it; another owner, another group's write bit or
// the others' write bit make a path writable by a non-administrator. Otherwise the install stops
// before anything changes, with E_HOOK_UNSAFE naming the file and who else can write it.
import { expect } from 'chai';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { runInstall } from '../../../src/install';
import { createHash } from 'node:crypto';
import { hashTree, makeBox, setInstallConfig, siblingsOf, type Box } from './fixtures';

/** The modules, the host and the instance root, except what any run may write (verified packages in the cache, logs, history). */
async function fingerprint(box: Box): Promise<string> {
  const root = await hashTree(box.Root);
  for (const key of Object.keys(root)) if (/^bin\/updates\/(cache|logs|history|install\.lock)/.test(key)) delete root[key];
  return createHash('sha256').update(JSON.stringify({ apps: await hashTree(box.Apps), root, state: await fs.readFile(box.HostState, 'utf8') })).digest('hex');
}

describe('hook scripts writable by a non-administrator are not run', function () {
  this.timeout(120_000);
  let box: Box;
  let interpreter: string;
  let ran: string;
  let script: string;

  before(async () => { box = await makeBox(['ecommerce']); });
  after(() => box.remove());
  beforeEach(async () => {
    await box.reset();
    // A stand-in for PowerShell that notes each script it is given.
    interpreter = path.join(box.base, 'interpreter', 'pwsh.sh');
    ran = path.join(box.base, 'ran.txt');
    await fs.mkdir(path.dirname(interpreter), { recursive: true });
    await fs.writeFile(interpreter, `#!/bin/sh\nfor a in "$@"; do last="$a"; done\necho "$last" >> "${ran}"\n`, { mode: 0o755 });
    await setInstallConfig(box, { powershell: interpreter });
    script = path.join(box.Root, 'bin', 'updates', 'scripts', 'PREINSTALL_ecommerce.ps1');
    await fs.writeFile(script, "Write-Output 'backup done'\n", { mode: 0o644 });
  });

  async function refused(what: RegExp, who: RegExp): Promise<void> {
    const before = await fingerprint(box);
    const run = await runInstall(box.ctx(), { names: ['ecommerce'] });
    expect(run.records[0]).to.include({ Name: 'ecommerce', Result: 'Failed' });
    expect(run.exitCode).to.equal(2);
    expect(run.errors[0]!.code).to.equal('E_HOOK_UNSAFE');
    expect(run.errors[0]!.message).to.match(what).and.match(who).and.match(/stopped before any change/);
    expect(await fingerprint(box), 'nothing changed').to.equal(before);
    expect(await siblingsOf(box), 'no staging left').to.deep.equal([]);
    expect(await fs.readFile(ran, 'utf8').catch(() => ''), 'no hook ran').to.equal('');
  }

  it('runs a hook only administrators can change', async () => {
    const run = await runInstall(box.ctx(), { names: ['ecommerce'] });
    expect(run.records[0]!.Result, run.records[0]!.Message).to.equal('Installed');
    expect((await fs.readFile(ran, 'utf8')).trim()).to.equal(script);
  });

  it('refuses a script every local user can write (mode o+w)', async () => {
    await fs.chmod(script, 0o666);
    await refused(new RegExp(`the hook script ${script.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} can be changed by`), /every local user/);
  });

  it('refuses a script owned by a non-administrator', async function () {
    if (process.getuid?.() !== 0) this.skip(); // giving files to another account takes root (CI runs as root)
    await fs.chown(script, 54321, 0);
    await refused(/the hook script .*PREINSTALL_ecommerce\.ps1 can be changed by/, /user 54321 \(owner\) \[uid:54321\]/);
  });

  it('refuses when the scripts folder lets another group create files', async function () {
    if (process.getuid?.() !== 0) this.skip(); // giving files to another account takes root (CI runs as root)
    const folder = path.dirname(script);
    await fs.chown(folder, 0, 54321);
    await fs.chmod(folder, 0o775);
    await refused(/the hook scripts folder .*scripts can be changed by/, /\[gid:54321\]/);
  });

  it('refuses an interpreter a non-administrator can change', async () => {
    await fs.chmod(interpreter, 0o757);
    await refused(/the hook interpreter .*pwsh\.sh can be changed by/, /every local user/);
  });

  it('checks only when a hook will run: without scripts, the rights of the folder do not matter', async () => {
    await fs.rm(script);
    await fs.chmod(path.dirname(script), 0o777);
    const run = await runInstall(box.ctx(), { names: ['ecommerce'] });
    expect(run.records[0]!.Result, run.records[0]!.Message).to.equal('Installed');
  });
});

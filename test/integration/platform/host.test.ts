// Servers as they are (issue 18): not elevated -> E_REQUIREMENT "run as administrator" before
// anything changes; no IIS -> web modules have no pools, services and the database still work.
// On the sandbox's simulated host (state.json `host`), through the bundle.
import { expect } from 'chai';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { runCli } from '../../helpers/cli';
import { diffTrees, makeSandbox, setInstallConfig, treeHashes, type TestSandbox } from '../../helpers/sandbox';

async function setHost(box: TestSandbox, host: Record<string, unknown>): Promise<void> {
  const state = JSON.parse(await fs.readFile(box.HostState, 'utf8')) as Record<string, unknown>;
  state.host = host;
  await fs.writeFile(box.HostState, JSON.stringify(state, null, 2));
}

describe('the host as it is: elevation and IIS', function () {
  this.timeout(120_000);
  let box: TestSandbox;
  beforeEach(async () => { box = await makeSandbox(); await runCli(['check', '--root', box.Root, '--json'], { kind: 'bundle' }); });
  afterEach(async () => { await box.remove(); });

  for (const args of [['install', '--name', 'ecommerce'], ['repair']]) {
    it(`${args[0]} refuses with E_REQUIREMENT "run as administrator" (exit 3) before anything changes when not elevated`, async () => {
      await setHost(box, { elevated: false });
      const before = await treeHashes(box.base);
      const run = await runCli([...args, '--root', box.Root, '--json'], { kind: 'bundle' });
      expect(run.code, run.stderr).to.equal(3);
      const [error] = run.errors();
      expect(error).to.include({ code: 'E_REQUIREMENT' });
      expect(error!.message).to.match(/^run as administrator: /);
      expect(diffTrees(before, await treeHashes(box.base))).to.deep.equal([]);
      // --dry-run only reads: allowed.
      const dry = await runCli([...args, '--dry-run', '--root', box.Root, '--json'], { kind: 'bundle' });
      expect(dry.errors().filter((e) => e.code === 'E_REQUIREMENT')).to.deep.equal([]);
    });
  }

  it('without IIS, get still reports every module; web modules have no pool, the service module its service', async () => {
    await setHost(box, { iisInstalled: false });
    const run = await runCli(['get', '--root', box.Root, '--json'], { kind: 'bundle' });
    expect(run.code, run.stderr).to.equal(0);
    const names = run.objects('Altazion.Update').map((r) => r.Name);
    expect(names).to.include.members(['ecommerce', 'logistique', 'database']);
    const plan = await runCli(['install', '--dry-run', '--name', 'ecommerce', '--root', box.Root, '--json'], { kind: 'bundle' });
    const result = plan.objects('Altazion.InstallResult')[0]!;
    expect(String(result.Message)).to.not.match(/pool\(s\) ecommerce/);
    const service = await runCli(['install', '--name', 'logistique', '--root', box.Root, '--json'], { kind: 'bundle' });
    expect(service.objects('Altazion.InstallResult')[0]).to.include({ Name: 'logistique', Result: 'Installed' });
  });

  it('hook output is decoded with the host\'s console code page (850): the install log reads the accents right', async () => {
    await setHost(box, { oemCodePage: 850 });
    // The configured PowerShell stands for Windows PowerShell 5.1 on a French server: cp850 bytes.
    const interpreter = path.join(box.base, 'powershell-cp850.sh');
    await fs.writeFile(interpreter, "#!/bin/sh\nprintf 'D:\\\\Sites\\\\Pr\\202sentation\\\\\\r\\n'; printf 'Acc\\212s refus\\202.\\r\\n' >&2\n", { mode: 0o755 });
    await setInstallConfig(box, { powershell: interpreter });
    await fs.writeFile(path.join(box.Root, 'bin', 'updates', 'scripts', 'STARTUPDATE_ecommerce.ps1'), '"hello"\n');
    const run = await runCli(['install', '--name', 'ecommerce', '--root', box.Root, '--json'], { kind: 'bundle' });
    const result = run.objects('Altazion.InstallResult')[0]!;
    expect(result.Result, String(result.Message)).to.equal('Installed');
    const log = await fs.readFile(String(result.LogPath), 'utf8');
    expect(log).to.contain('| D:\\Sites\\Présentation\\').and.contain('! Accès refusé.');
  });
});

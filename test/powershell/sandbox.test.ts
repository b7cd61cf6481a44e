// The BUILT module (dist/Altazion.Update, the executable in its bin/) in a real PowerShell engine,
// against a sandbox server made by the real executable: no ALTAZION_UPDATE_EXE, so the module
// must find its own bin/altazion-update, as it does once copied into a PSModulePath folder.
import { expect } from 'chai';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assertNoTerminatingError, builtModuleManifest, linuxExecutable, objectsOfType, psQuote, runExecutableJson, runPwsh, type PsResult } from '../helpers/pwsh';

interface Sandbox { root: string; feed: string }

const scratch: string[] = [];

function createSandbox(): Sandbox {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'altazion-ps-sandbox-'));
  scratch.push(dir);
  const root = path.join(dir, 'root');
  const feed = path.join(dir, 'feed');
  const records = runExecutableJson(linuxExecutable(), ['sandbox', 'create', '--root', root, '--feed', feed]);
  expect(records[0].typeName).to.equal('Altazion.Sandbox');
  return { root, feed };
}

describe('PowerShell module (built) against a sandbox server, real executable', function () {
  this.timeout(180_000);
  let manifest: string;
  let importModule: string;
  // The module must find bin/altazion-update by itself.
  const env = { ALTAZION_UPDATE_EXE: undefined, ALTAZION_ROOT: undefined };

  before(() => {
    manifest = builtModuleManifest();
    // bin/: the Linux executable the tests run, and the Windows folder (dist/windows) as it ships.
    const bin = path.join(path.dirname(manifest), 'bin');
    expect(existsSync(path.join(bin, 'altazion-update')), 'dist/Altazion.Update/bin/altazion-update').to.equal(true);
    for (const file of ['altazion-update.exe', 'node.exe', 'altazion-update.cjs', 'altazion-update-main.cjs', 'AltazionBridge.dll', 'AltazionBridge.Iis.dll', 'AltazionUpdateService.exe', 'edge-js']) {
      expect(existsSync(path.join(bin, file)), `dist/Altazion.Update/bin/${file}`).to.equal(true);
    }
    expect(readdirSync(bin).filter((f) => f !== 'altazion-update').sort()).to.deep.equal(readdirSync(path.join(path.dirname(path.dirname(manifest)), 'windows')).sort());
    importModule = `Import-Module ${psQuote(manifest)} -ErrorAction Stop\n`;
  });

  after(() => {
    for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('installs by copying the folder into a PSModulePath folder: imported by name, runs its own executable', async () => {
    const sb = createSandbox();
    const modules = mkdtempSync(path.join(os.tmpdir(), 'altazion-psmodulepath-'));
    scratch.push(modules); // ~190 MB: the Linux executable and the Windows folder
    cpSync(path.dirname(manifest), path.join(modules, 'Altazion.Update'), { recursive: true });
    const result = await runPwsh(`
      Import-Module Altazion.Update -ErrorAction Stop
      'base:' + (Get-Module Altazion.Update).ModuleBase
      'names:' + ((Get-AltazionUpdate -Root ${psQuote(sb.root)} | ForEach-Object Name) -join ',')
    `, { env: { ...env, PSModulePath: modules } });
    assertNoTerminatingError(result);
    expect(result.error, JSON.stringify(result.error)).to.deep.equal([]);
    expect(result.output).to.include(`base:${path.join(modules, 'Altazion.Update')}`);
    expect(result.output).to.include('names:gestioncommerciale,ecommerce,logistique,database');
  });

  it('Get-AltazionUpdate -Refresh lists every module with the versions of the signed feed, with progress and verbose lines', async () => {
    const sb = createSandbox();
    const result = await runPwsh(`${importModule}
      $all = @(Get-AltazionUpdate -Root ${psQuote(sb.root)} -Refresh -Verbose)
      $all
      'published-type:' + $all[0].PublishedAt.GetType().Name
    `, { env });
    assertNoTerminatingError(result);
    expect(result.error, JSON.stringify(result.error)).to.deep.equal([]);
    const updates = objectsOfType(result, 'Altazion.Update');
    expect(updates.map((u) => u.properties?.Name)).to.have.members(['gestioncommerciale', 'ecommerce', 'logistique', 'database']);
    const ecommerce = updates.find((u) => u.properties?.Name === 'ecommerce')!.properties!;
    expect(ecommerce).to.include({ Instance: '', Kind: 'web', UpdateAvailable: true, Status: 'UpdateAvailable' });
    expect(String(ecommerce.AvailableVersion)).to.not.equal(String(ecommerce.InstalledVersion));
    expect(result.output).to.include('published-type:DateTime');
    expect(result.verbose.some((v) => /signed by/.test(v.message)), 'verbose line about the verified feed').to.equal(true);
    expect(result.progress.length).to.be.greaterThan(0);
  });

  it('binds module names by value and objects by property name, one answer per module', async () => {
    const sb = createSandbox();
    const result = await runPwsh(`${importModule}
      'byvalue:' + ((@('ecommerce', 'logistique') | Get-AltazionUpdate -Root ${psQuote(sb.root)} | ForEach-Object Name) -join ',')
      'byproperty:' + ((Get-AltazionUpdate -Root ${psQuote(sb.root)} | Where-Object Kind -eq 'web' | Get-AltazionUpdate -Root ${psQuote(sb.root)} | ForEach-Object Name) -join ',')
    `, { env });
    assertNoTerminatingError(result);
    expect(result.error, JSON.stringify(result.error)).to.deep.equal([]);
    expect(result.output).to.include('byvalue:ecommerce,logistique');
    expect(result.output).to.include('byproperty:gestioncommerciale,ecommerce');
  });

  it('bad input gives an ErrorRecord named after the error code: unknown module (stops with -ErrorAction Stop), missing root, tampered feed', async () => {
    const sb = createSandbox();
    const index = path.join(sb.feed, 'release-index.json');
    const original = readFileSync(index, 'utf8');
    const result = await runPwsh(`${importModule}
      foreach ($attempt in @(
          # Non-terminating since issue 19 (the other names are reported): -ErrorAction Stop makes it stop here.
          { Get-AltazionUpdate -Root ${psQuote(sb.root)} -Name ecommerce, nosuchmodule -ErrorAction Stop },
          { Get-AltazionUpdate -Root ${psQuote(path.join(sb.root, 'missing'))} },
          { [System.IO.File]::WriteAllText(${psQuote(index)}, ${psQuote(original.replace(/"size":\s*(\d+)/, '"size": 1$1'))}); Get-AltazionUpdate -Root ${psQuote(sb.root)} -Refresh }
      )) {
        try { & $attempt | Out-Null; 'not-terminated' }
        catch { [pscustomobject]@{ Id = $_.FullyQualifiedErrorId; Category = [string]$_.CategoryInfo.Category; Target = [string]$_.TargetObject; Hint = $_.ErrorDetails.RecommendedAction; Message = $_.Exception.Message } }
      }
    `, { env });
    assertNoTerminatingError(result);
    expect(result.output).to.not.include('not-terminated');
    const caught = result.output.map((o) => (o as { properties: Record<string, string> }).properties);
    expect(caught.map((c) => [c.Id, c.Category])).to.deep.equal([
      ['E_NOT_FOUND,Get-AltazionUpdate', 'ObjectNotFound'],
      ['E_CONFIG,Get-AltazionUpdate', 'InvalidData'],
      ['E_FEED_SIGNATURE,Get-AltazionUpdate', 'SecurityError'],
    ]);
    expect(caught[0].Target).to.equal('nosuchmodule');
    expect(caught[0].Hint).to.contain('ecommerce');
    expect(caught[1].Message).to.contain(path.join(sb.root, 'missing'));
    expect(caught[2].Message).to.contain('release-index.json');
    // Nothing was accepted from the tampered feed.
    expect(existsSync(path.join(sb.root, 'bin', 'updates', 'status.xml'))).to.equal(false);
  });

  it('Install-AltazionUpdate -WhatIf shows the plan and changes nothing; piped updates then install in one go', async () => {
    const sb = createSandbox();
    const root = psQuote(sb.root);
    const whatIf = await runPwsh(`${importModule}
      Get-AltazionUpdate -Root ${root} -Name ecommerce, logistique -Refresh | Install-AltazionUpdate -Root ${root} -WhatIf
      'after:' + ((Get-AltazionUpdate -Root ${root} -Name ecommerce, logistique | ForEach-Object { $_.Name + '=' + $_.Status }) -join ',')
    `, { env });
    assertNoTerminatingError(whatIf);
    expect(whatIf.error, JSON.stringify(whatIf.error)).to.deep.equal([]);
    const planned = objectsOfType(whatIf, 'Altazion.InstallResult').map((r) => r.properties!);
    expect(planned.map((r) => [r.Name, r.Result])).to.have.deep.members([['ecommerce', 'WhatIf'], ['logistique', 'WhatIf']]);
    const lines = whatIf.host.filter((h) => h.text.startsWith('What if:')).map((h) => h.text);
    expect(lines).to.have.length(2);
    for (const r of planned) {
      expect(lines.some((l) => l.includes(`${r.Name} (main instance) from ${r.FromVersion} to ${r.ToVersion}`)), `${r.Name} in ${lines}`).to.equal(true);
    }
    expect(whatIf.output).to.include('after:ecommerce=UpdateAvailable,logistique=UpdateAvailable');

    const installed = await runPwsh(`${importModule}
      Get-AltazionUpdate -Root ${root} | Where-Object { $_.Name -eq 'ecommerce' -or $_.Name -eq 'logistique' } | Install-AltazionUpdate -Root ${root} -Confirm:$false
      'after:' + ((Get-AltazionUpdate -Root ${root} -Name ecommerce, logistique | ForEach-Object { $_.Name + '=' + $_.Status }) -join ',')
    `, { env });
    assertNoTerminatingError(installed);
    expect(installed.error, JSON.stringify(installed.error)).to.deep.equal([]);
    const results = objectsOfType(installed, 'Altazion.InstallResult').map((r) => r.properties!);
    expect(results.map((r) => [r.Name, r.Result])).to.have.deep.members([['ecommerce', 'Installed'], ['logistique', 'Installed']]);
    expect(installed.output).to.include('after:ecommerce=UpToDate,logistique=UpToDate');
    // Progress of the install reached PowerShell, each activity completed.
    const completed = installed.progress.filter((p) => p.recordType === 'Completed').map((p) => p.activity);
    expect(completed.some((a) => a.includes('ecommerce'))).to.equal(true);
    expect(installed.prompt).to.deep.equal([]);
  });

  it('Install-AltazionUpdate -At schedules the install for the service, -WhatIf schedules nothing; Get-AltazionScheduledInstall lists it, Unregister-AltazionScheduledInstall cancels it', async () => {
    const sb = createSandbox();
    const root = psQuote(sb.root);
    const whatIf = await runPwsh(`${importModule}
      Install-AltazionUpdate -Root ${root} -Name ecommerce -At ([datetime]'2099-01-01T02:00:00') -WhatIf
    `, { env });
    assertNoTerminatingError(whatIf);
    expect(whatIf.host.some((h) => h.text.startsWith('What if:') && h.text.includes('ecommerce at 2099-01-01 02:00'))).to.equal(true);
    expect(existsSync(path.join(sb.root, 'bin', 'updates', 'schedule'))).to.equal(false);
    const scheduled = await runPwsh(`${importModule}
      Install-AltazionUpdate -Root ${root} -Name ecommerce -At ([datetime]'2099-01-01T02:00:00') -Confirm:$false
    `, { env });
    assertNoTerminatingError(scheduled);
    expect(scheduled.error, JSON.stringify(scheduled.error)).to.deep.equal([]);
    const [entry] = objectsOfType(scheduled, 'Altazion.ScheduledInstall').map((r) => r.properties!);
    expect(entry).to.include({ RequestedBy: 'cmdlet', State: 'Pending' });
    expect(new Date(entry!.At as string).getTime()).to.equal(new Date(2099, 0, 1, 2, 0).getTime());
    expect(existsSync(path.join(sb.root, 'bin', 'updates', 'schedule', `${entry!.Id}.json`))).to.equal(true);

    const cancelled = await runPwsh(`${importModule}
      'listed:' + ((Get-AltazionScheduledInstall -Root ${root} -Name ecommerce | ForEach-Object Id) -join ',')
      'other:' + ((Get-AltazionScheduledInstall -Root ${root} -Name logistique | ForEach-Object Id) -join ',')
      Get-AltazionScheduledInstall -Root ${root} | Unregister-AltazionScheduledInstall -Root ${root} -Confirm:$false
      'after:' + @(Get-AltazionScheduledInstall -Root ${root}).Count
    `, { env });
    assertNoTerminatingError(cancelled);
    expect(cancelled.error, JSON.stringify(cancelled.error)).to.deep.equal([]);
    expect(cancelled.output).to.include(`listed:${entry!.Id}`);
    expect(cancelled.output).to.include('other:');
    expect(objectsOfType(cancelled, 'Altazion.ScheduledInstall').map((r) => r.properties!.Id)).to.deep.equal([entry!.Id]);
    expect(cancelled.output).to.include('after:0');
    expect(existsSync(path.join(sb.root, 'bin', 'updates', 'schedule', `${entry!.Id}.json`))).to.equal(false);
  });

  it('Repair-AltazionUpdater -WhatIf reports every check and changes nothing', async () => {
    const sb = createSandbox();
    const state = path.join(path.dirname(sb.root), 'host', 'state.json');
    const before = existsSync(state) ? readFileSync(state, 'utf8') : '';
    // A stale app_offline.htm keeps a site "in maintenance" (SPEC §2): the dry run must say WouldFix.
    const ecommerceFolder = (objectsOfType(await runPwsh(`${importModule} Get-AltazionUpdate -Root ${psQuote(sb.root)} -Name ecommerce`, { env }), 'Altazion.Update')[0].properties!.Path) as string;
    writeFileSync(path.join(ecommerceFolder, 'app_offline.htm'), '<html>maintenance</html>');
    const result: PsResult = await runPwsh(`${importModule}
      Repair-AltazionUpdater -Root ${psQuote(sb.root)} -WhatIf
    `, { env });
    assertNoTerminatingError(result);
    const checks = objectsOfType(result, 'Altazion.RepairResult').map((r) => r.properties!);
    expect(new Set(checks.map((c) => c.Check))).to.include.members(['service', 'feed', 'app-offline', 'pools', 'disk']);
    const appOffline = checks.find((c) => c.Check === 'app-offline' && c.Status === 'WouldFix');
    expect(appOffline, JSON.stringify(checks)).to.not.equal(undefined);
    expect(result.host.some((h) => h.text.startsWith('What if:') && h.text.includes('app-offline'))).to.equal(true);
    expect(existsSync(path.join(ecommerceFolder, 'app_offline.htm'))).to.equal(true);
    expect(existsSync(state) ? readFileSync(state, 'utf8') : '').to.equal(before);
  });
});

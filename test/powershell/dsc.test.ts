// The DSC resource AltazionUpdate (docs/dsc) loaded in a real PowerShell engine and run against a
// sandbox server with the built module and the real executable; the Ansible example (docs/ansible)
// checked against the properties the resource declares.
import { expect } from 'chai';
import yaml from 'js-yaml';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assertNoTerminatingError, builtModuleManifest, linuxExecutable, psQuote, repoRoot, runExecutableJson, runPwsh } from '../helpers/pwsh';

const dscManifest = path.join(repoRoot, 'docs', 'dsc', 'AltazionUpdateDsc', 'AltazionUpdateDsc.psd1');
const dscModule = path.join(repoRoot, 'docs', 'dsc', 'AltazionUpdateDsc', 'AltazionUpdateDsc.psm1');

interface DscProperty { Name: string; Key: boolean; Mandatory: boolean; NotConfigurable: boolean }

async function resourceProperties(): Promise<DscProperty[]> {
  const result = await runPwsh(`
    $ast = [System.Management.Automation.Language.Parser]::ParseFile(${psQuote(dscModule)}, [ref]$null, [ref]$null)
    $class = $ast.Find({ param($n) $n -is [System.Management.Automation.Language.TypeDefinitionAst] -and $n.Name -eq 'AltazionUpdate' }, $true)
    foreach ($member in $class.Members) {
      if ($member -isnot [System.Management.Automation.Language.PropertyMemberAst]) { continue }
      $attribute = $member.Attributes.Where({ $_.TypeName.Name -eq 'DscProperty' })[0]
      if ($null -eq $attribute) { continue }
      $flags = @($attribute.NamedArguments | ForEach-Object { $_.ArgumentName })
      [pscustomobject]@{ Name = $member.Name; Key = $flags -contains 'Key'; Mandatory = $flags -contains 'Mandatory'; NotConfigurable = $flags -contains 'NotConfigurable' }
    }
  `);
  assertNoTerminatingError(result);
  return (result.output as { properties: DscProperty }[]).map((o) => o.properties);
}

describe('DSC resource AltazionUpdate and the Ansible example', function () {
  this.timeout(240_000);

  it('declares Name and Instance as keys, Version (not Ensure) as required, and the read-only versions', async () => {
    const properties = await resourceProperties();
    const by = (flag: keyof DscProperty) => properties.filter((p) => p[flag] === true).map((p) => p.Name);
    expect(by('Key')).to.deep.equal(['Name', 'Instance']);
    expect(by('Mandatory')).to.deep.equal(['Version']);
    expect(properties.map((p) => p.Name)).to.not.include('Ensure');
    expect(by('NotConfigurable')).to.deep.equal(['InstalledVersion', 'AvailableVersion', 'Status']);
  });

  it('Test/Get/Set keep a module at the latest or at a pinned version on a sandbox server', async () => {
    const manifest = builtModuleManifest();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'altazion-dsc-'));
    const root = path.join(dir, 'root');
    runExecutableJson(linuxExecutable(), ['sandbox', 'create', '--root', root, '--feed', path.join(dir, 'feed')]);
    const env = {
      ALTAZION_UPDATE_EXE: undefined,
      // RequiredModules = Altazion.Update: resolved through PSModulePath, as on a server.
      PSModulePath: [path.dirname(path.dirname(manifest)), path.dirname(path.dirname(dscManifest))].join(path.delimiter),
    };
    const result = await runPwsh(`using module ${psQuote(dscManifest)}
      function New-Resource([string]$Name, [string]$Version) {
        $r = [AltazionUpdate]::new()
        $r.Name = $Name; $r.Instance = 'Main'; $r.Version = $Version; $r.Root = ${psQuote(root)}
        return $r
      }
      # No check ran yet: status.xml knows no available version. Test() must ask the feed itself.
      $latest = New-Resource 'ecommerce' 'Latest'
      $stale = $latest.Get()
      'stale-get:' + $stale.InstalledVersion + '>' + $stale.AvailableVersion + ':' + $stale.Status
      'latest-test-before:' + $latest.Test()
      $got = $latest.Get()
      'latest-get:' + $got.InstalledVersion + '>' + $got.AvailableVersion + ':' + $got.Status + ':' + $got.Version
      $latest.Set()
      'latest-test-after:' + $latest.Test()

      $installed = $got.InstalledVersion
      $pinnedSame = New-Resource 'logistique' $installed
      'pinned-same:' + $pinnedSame.Test()
      $pinnedNew = New-Resource 'logistique' $got.AvailableVersion
      'pinned-new-before:' + $pinnedNew.Test()
      $pinnedNew.Set()
      'pinned-new-after:' + $pinnedNew.Test() + ':' + $pinnedNew.Get().InstalledVersion

      $missing = New-Resource 'gestioncommerciale' '99.1'
      try { $missing.Set(); 'set-did-not-fail' } catch { 'set-failed:' + $_.Exception.Message }
      $bad = New-Resource 'ecommerce' 'newest'
      try { $bad.Test(); 'bad-test-did-not-fail' } catch { 'bad-test-failed:' + $_.Exception.Message }

      # Get never throws: a module not declared here, and one whose version is Unknown.
      $absent = New-Resource 'integration' 'Latest'
      try { $g = $absent.Get(); 'absent-get:' + $g.Status + ':' + $absent.Test() } catch { 'absent-get-threw:' + $_.Exception.Message }
      $gestcom = Get-AltazionUpdate -Root ${psQuote(root)} -Name gestioncommerciale
      [System.IO.File]::Delete([System.IO.Path]::Combine($gestcom.Path, 'altazion-package.json'))
      $unknown = New-Resource 'gestioncommerciale' 'Latest'
      try { $g = $unknown.Get(); 'unknown-get:' + $g.InstalledVersion + ':' + $g.Version + ':' + $unknown.Test() } catch { 'unknown-get-threw:' + $_.Exception.Message }
    `, { env });
    assertNoTerminatingError(result);
    const out = result.output.filter((o): o is string => typeof o === 'string');
    const get = out.find((o) => o.startsWith('latest-get:'))!;
    const [, installed, available] = /^latest-get:([\d.]+)>([\d.]+):UpdateAvailable:/.exec(get) ?? [];
    expect(installed, get).to.be.a('string');
    expect(installed).to.not.equal(available);
    expect(out.find((o) => o.startsWith('stale-get:')), JSON.stringify(out)).to.match(/^stale-get:[\d.]+>:/);
    expect(get).to.match(/:[\d.]+$/); // Version reports what is installed
    expect(out).to.include.members([
      'absent-get:NotInstalled:False',
      'unknown-get:Unknown:Unknown:False',
      'latest-test-before:False',
      'latest-test-after:True',
      'pinned-same:True',
      'pinned-new-before:False',
      `pinned-new-after:True:${available}`,
    ]);
    const failed = out.find((o) => o.startsWith('set-failed:'));
    expect(failed, JSON.stringify(out)).to.be.a('string');
    expect(failed).to.contain('99.1');
    expect(out.find((o) => o.startsWith('bad-test-failed:'))).to.contain("Version 'newest' is not valid");
    expect(result.prompt).to.deep.equal([]);
  });

  it('the Ansible playbook uses win_dsc with the AltazionUpdate resource and only its properties', async () => {
    const properties = await resourceProperties();
    const configurable = properties.filter((p) => !p.NotConfigurable).map((p) => p.Name);
    const required = properties.filter((p) => p.Key || p.Mandatory).map((p) => p.Name);
    const plays = yaml.load(readFileSync(path.join(repoRoot, 'docs', 'ansible', 'altazion-update.yml'), 'utf8')) as { tasks: Record<string, unknown>[] }[];
    const dscTasks = plays.flatMap((play) => play.tasks).map((task) => task['ansible.windows.win_dsc'] as Record<string, unknown> | undefined).filter(Boolean);
    expect(dscTasks.length).to.be.at.least(2);
    for (const task of dscTasks) {
      expect(task!.resource_name).to.equal('AltazionUpdate');
      const given = Object.keys(task!).filter((k) => k !== 'resource_name' && k !== 'module_version');
      for (const key of given) expect(configurable, `win_dsc option ${key}`).to.include(key);
      for (const key of required) expect(given, `win_dsc task gives ${key}`).to.include(key);
    }
  });
});

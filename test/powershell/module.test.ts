// The module's public surface, checked in a real engine: manifest, exported cmdlets, the exact
// parameter list of each cmdlet (a change must come with a change here), help for every cmdlet and
// parameter, output properties documented against the record contract (src/core/records.ts), and
// a table view per record type.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { assertNoTerminatingError, psQuote, repoRoot, runPwsh, sourceModuleManifest } from '../helpers/pwsh';

const moduleDir = path.dirname(sourceModuleManifest);

/** Property names of an exported interface in src/core/records.ts (the NDJSON record contract). */
function recordProperties(interfaceName: string): string[] {
  const source = readFileSync(path.join(repoRoot, 'src', 'core', 'records.ts'), 'utf8');
  const body = new RegExp(`export interface ${interfaceName} \\{([^}]*)\\}`).exec(source)?.[1];
  if (!body) throw new Error(`interface ${interfaceName} not found in src/core/records.ts`);
  return [...body.matchAll(/^\s*([A-Z]\w*)\??:/gm)].map((m) => m[1]);
}

const RECORDS: Record<string, string> = {
  'Altazion.Update': 'UpdateRecord',
  'Altazion.InstallResult': 'InstallResultRecord',
  'Altazion.RepairResult': 'RepairResultRecord',
  'Altazion.DatabaseScript': 'DatabaseScriptRecord',
  'Altazion.ScheduledInstall': 'ScheduledInstallRecord',
  'Altazion.PortalSignIn': 'PortalSignInRecord',
};
// In Get-Command's order (by name).
const CMDLET_OUTPUT: Record<string, string> = {
  'Get-AltazionScheduledInstall': 'Altazion.ScheduledInstall',
  'Get-AltazionUpdate': 'Altazion.Update',
  'Install-AltazionUpdate': 'Altazion.InstallResult',
  'Open-AltazionPortal': 'Altazion.PortalSignIn',
  'Repair-AltazionUpdater': 'Altazion.RepairResult',
  'Unregister-AltazionScheduledInstall': 'Altazion.ScheduledInstall',
};

// name: [type, position, by value, by property name]
const REMOTING: Record<string, [string, number, boolean, boolean]> = {
  ComputerName: ['String[]', -2147483648, false, false],
  Session: ['PSSession[]', -2147483648, false, false],
  ThrottleLimit: ['Int32', -2147483648, false, false],
  Credential: ['PSCredential', -2147483648, false, false],
};
// name: [type, position, by value, by property name]
const EXPECTED_PARAMETERS: Record<string, Record<string, [string, number, boolean, boolean]>> = {
  'Get-AltazionUpdate': {
    Name: ['String[]', 0, true, true],
    Instance: ['String', -2147483648, false, true],
    Refresh: ['SwitchParameter', -2147483648, false, false],
    Root: ['String', -2147483648, false, true],
    ...REMOTING,
  },
  'Install-AltazionUpdate': {
    Name: ['String[]', 0, true, true],
    Instance: ['String', -2147483648, false, true],
    Version: ['String', -2147483648, false, false],
    Reinstall: ['SwitchParameter', -2147483648, false, false],
    AllowDowngrade: ['SwitchParameter', -2147483648, false, false],
    IgnoreDatabaseCustomization: ['SwitchParameter', -2147483648, false, false],
    Script: ['String', -2147483648, false, false],
    MarkApplied: ['String', -2147483648, false, false],
    ExportScripts: ['String', -2147483648, false, false],
    At: ['DateTime', -2147483648, false, false],
    WaitSeconds: ['Int32', -2147483648, false, false],
    Force: ['SwitchParameter', -2147483648, false, false],
    Root: ['String', -2147483648, false, true],
    ...REMOTING,
    WhatIf: ['SwitchParameter', -2147483648, false, false],
    Confirm: ['SwitchParameter', -2147483648, false, false],
  },
  'Repair-AltazionUpdater': {
    Check: ['String[]', 0, true, true],
    Root: ['String', -2147483648, false, true],
    ...REMOTING,
    WhatIf: ['SwitchParameter', -2147483648, false, false],
    Confirm: ['SwitchParameter', -2147483648, false, false],
  },
  'Get-AltazionScheduledInstall': {
    Name: ['String[]', 0, true, true],
    Root: ['String', -2147483648, false, false],
  },
  'Unregister-AltazionScheduledInstall': {
    Id: ['String[]', 0, true, true],
    Root: ['String', -2147483648, false, false],
    WhatIf: ['SwitchParameter', -2147483648, false, false],
    Confirm: ['SwitchParameter', -2147483648, false, false],
  },
  'Open-AltazionPortal': {
    Root: ['String', -2147483648, false, false],
    NoBrowser: ['SwitchParameter', -2147483648, false, false],
    PassThru: ['SwitchParameter', -2147483648, false, false],
  },
};
/** Cmdlets that read nothing from the pipeline (their help says None). */
const NO_PIPELINE_INPUT = new Set(['Open-AltazionPortal']);

describe('PowerShell module: public surface (real engine)', function () {
  this.timeout(120_000);

  it('has a 5.1/Core manifest exporting exactly the six cmdlets, with its format file', async () => {
    const result = await runPwsh(`
      $m = Test-ModuleManifest -Path ${psQuote(sourceModuleManifest)} -ErrorAction Stop
      'version:' + $m.PowerShellVersion
      'editions:' + ($m.CompatiblePSEditions -join ',')
      'formats:' + ($m.ExportedFormatFiles | ForEach-Object { [System.IO.Path]::GetFileName($_) })
      Import-Module ${psQuote(sourceModuleManifest)} -ErrorAction Stop
      'commands:' + ((Get-Command -Module Altazion.Update | ForEach-Object Name) -join ',')
      'confirm-impact:' + ((Get-Command -Module Altazion.Update | ForEach-Object { $_.Name + '=' + $_.ScriptBlock.Attributes.Where({ $_ -is [System.Management.Automation.CmdletBindingAttribute] })[0].ConfirmImpact }) -join ',')
      'should-process:' + ((Get-Command -Module Altazion.Update | ForEach-Object { $_.Name + '=' + $_.ScriptBlock.Attributes.Where({ $_ -is [System.Management.Automation.CmdletBindingAttribute] })[0].SupportsShouldProcess }) -join ',')
    `);
    const output = result.output.filter((o): o is string => typeof o === 'string');
    assertNoTerminatingError(result);
    expect(result.error, JSON.stringify(result.error)).to.deep.equal([]);
    expect(output).to.include('version:5.1');
    expect(output).to.include('editions:Desktop,Core');
    expect(output).to.include('formats:Altazion.Update.Format.ps1xml');
    expect(output).to.include('commands:Get-AltazionScheduledInstall,Get-AltazionUpdate,Install-AltazionUpdate,Open-AltazionPortal,Repair-AltazionUpdater,Unregister-AltazionScheduledInstall');
    expect(output, JSON.stringify(output)).to.include('confirm-impact:Get-AltazionScheduledInstall=None,Get-AltazionUpdate=None,Install-AltazionUpdate=High,Open-AltazionPortal=None,Repair-AltazionUpdater=Medium,Unregister-AltazionScheduledInstall=Medium');
    expect(output).to.include('should-process:Get-AltazionScheduledInstall=False,Get-AltazionUpdate=False,Install-AltazionUpdate=True,Open-AltazionPortal=False,Repair-AltazionUpdater=True,Unregister-AltazionScheduledInstall=True');
    const manifest = readFileSync(sourceModuleManifest, 'utf8');
    expect(manifest).to.match(/CompatiblePSEditions\s*=\s*@\('Desktop',\s*'Core'\)/);
    expect(manifest).to.match(/FunctionsToExport\s*=\s*@\('Get-AltazionUpdate', 'Install-AltazionUpdate', 'Repair-AltazionUpdater', 'Get-AltazionScheduledInstall', 'Unregister-AltazionScheduledInstall', 'Open-AltazionPortal'\)/);
  });

  it('each cmdlet has exactly the expected parameters, types, positions and pipeline bindings', async () => {
    const result = await runPwsh(`
      Import-Module ${psQuote(sourceModuleManifest)} -ErrorAction Stop
      $common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
      foreach ($command in Get-Command -Module Altazion.Update) {
        foreach ($parameter in $command.Parameters.Values) {
          if ($common -contains $parameter.Name -and $parameter.Name -ne 'WhatIf' -and $parameter.Name -ne 'Confirm') { continue }
          $attribute = $parameter.Attributes.Where({ $_ -is [System.Management.Automation.ParameterAttribute] })[0]
          [pscustomobject]@{ Command = $command.Name; Name = $parameter.Name; Type = $parameter.ParameterType.Name; Position = $attribute.Position; ByValue = $attribute.ValueFromPipeline; ByPropertyName = $attribute.ValueFromPipelineByPropertyName }
        }
      }
    `);
    assertNoTerminatingError(result);
    const actual: Record<string, Record<string, [string, number, boolean, boolean]>> = {};
    for (const o of result.output as { properties: { Command: string; Name: string; Type: string; Position: number; ByValue: boolean; ByPropertyName: boolean } }[]) {
      const p = o.properties;
      (actual[p.Command] ??= {})[p.Name] ??= [p.Type, p.Position, p.ByValue, p.ByPropertyName];
    }
    for (const command of Object.keys(EXPECTED_PARAMETERS)) {
      expect(Object.keys(actual[command]).sort(), command).to.deep.equal(Object.keys(EXPECTED_PARAMETERS[command]).sort());
      expect(actual[command], command).to.deep.equal(EXPECTED_PARAMETERS[command]);
    }
  });

  it('Get-Help shows a synopsis, a description, every parameter, the outputs and several examples for each cmdlet', async () => {
    const result = await runPwsh(`
      Import-Module ${psQuote(sourceModuleManifest)} -ErrorAction Stop
      $common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
      foreach ($command in Get-Command -Module Altazion.Update) {
        $help = Get-Help $command.Name -Full
        $described = @{}
        foreach ($p in @($help.parameters.parameter)) { $described[$p.name] = (@($p.description | ForEach-Object { $_.Text }) -join ' ').Trim() }
        $missing = @($command.Parameters.Keys | Where-Object { ($common -notcontains $_ -or $_ -eq 'WhatIf' -or $_ -eq 'Confirm') -and [string]::IsNullOrWhiteSpace($described[$_]) })
        [pscustomobject]@{
          Command = $command.Name
          Synopsis = [string]$help.Synopsis
          Description = (@($help.description | ForEach-Object { $_.Text }) -join ' ')
          MissingParameterHelp = $missing -join ','
          Examples = @($help.examples.example).Count
          Outputs = (@($help.returnValues.returnValue | ForEach-Object { $_.type.name }) -join ' ')
          Inputs = (@($help.inputTypes.inputType | ForEach-Object { $_.type.name }) -join ' ')
        }
      }
    `);
    assertNoTerminatingError(result);
    const helps = (result.output as { properties: Record<string, string | number> }[]).map((o) => o.properties);
    expect(helps.map((h) => h.Command).sort()).to.deep.equal(Object.keys(CMDLET_OUTPUT).sort());
    for (const help of helps) {
      const name = help.Command as string;
      expect(String(help.Synopsis).length, `${name} synopsis`).to.be.greaterThan(20);
      expect(String(help.Synopsis), `${name} synopsis is not the generated syntax`).to.not.contain('[-');
      expect(String(help.Description).length, `${name} description`).to.be.greaterThan(200);
      expect(help.MissingParameterHelp, `${name}: parameters without help`).to.equal('');
      expect(help.Examples as number, `${name} examples`).to.be.at.least(4);
      expect(String(help.Inputs), `${name} inputs`).to.contain(NO_PIPELINE_INPUT.has(name) ? 'None' : 'System.String');
      const outputs = String(help.Outputs);
      const typeName = CMDLET_OUTPUT[name];
      expect(outputs, `${name} outputs`).to.contain(typeName);
      for (const property of recordProperties(RECORDS[typeName])) {
        expect(outputs, `${name}: output property ${property} documented`).to.match(new RegExp(`\\b${property}\\b`));
      }
    }
  });

  it('the comment-based help is found by the parser itself (AST GetHelpContent) in each Public file', async () => {
    const result = await runPwsh(`
      foreach ($file in [System.IO.Directory]::GetFiles(${psQuote(path.join(moduleDir, 'Public'))}, '*.ps1')) {
        $ast = [System.Management.Automation.Language.Parser]::ParseFile($file, [ref]$null, [ref]$null)
        $functions = @($ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.FunctionDefinitionAst] }, $false))
        $help = $functions[0].GetHelpContent()
        $declared = @($functions[0].Body.ParamBlock.Parameters | ForEach-Object { $_.Name.VariablePath.UserPath.ToUpperInvariant() })
        [pscustomobject]@{
          File = [System.IO.Path]::GetFileNameWithoutExtension($file)
          Functions = $functions.Count
          Function = $functions[0].Name
          Undocumented = (@($declared | Where-Object { -not $help.Parameters.ContainsKey($_) }) -join ',')
          Examples = $help.Examples.Count
        }
      }
    `);
    assertNoTerminatingError(result);
    const files = (result.output as { properties: Record<string, unknown> }[]).map((o) => o.properties);
    expect(files.map((f) => f.File).sort()).to.deep.equal(Object.keys(CMDLET_OUTPUT).sort());
    for (const file of files) {
      expect(file.Functions, `${file.File}: one function per file`).to.equal(1);
      expect(file.Function).to.equal(file.File);
      expect(file.Undocumented, `${file.File}: .PARAMETER for every parameter`).to.equal('');
      expect(file.Examples as number).to.be.at.least(4);
    }
  });

  it('the format file has a table view for each record type (and its deserialized form), on record properties only', () => {
    const xml = readFileSync(path.join(moduleDir, 'Altazion.Update.Format.ps1xml'), 'utf8');
    const views = [...xml.matchAll(/<View>([\s\S]*?)<\/View>/g)].map((m) => m[1]);
    for (const [typeName, recordInterface] of Object.entries(RECORDS)) {
      const view = views.find((v) => v.includes(`<TypeName>${typeName}</TypeName>`));
      expect(view, `view for ${typeName}`).to.be.a('string');
      expect(view).to.contain(`<TypeName>Deserialized.${typeName}</TypeName>`);
      expect(view).to.contain('<TableControl>');
      const shown = [...view!.matchAll(/<PropertyName>(\w+)<\/PropertyName>/g)].map((m) => m[1]);
      expect(shown.length).to.be.at.least(4);
      const known = recordProperties(recordInterface);
      for (const property of shown) expect(known, `${typeName} view shows ${property}`).to.include(property);
    }
  });

  it('every error code of src/core/errors.ts becomes an ErrorRecord with its own category (NotSpecified only for E_FAILED and E_INTERNAL)', async () => {
    const source = readFileSync(path.join(repoRoot, 'src', 'core', 'errors.ts'), 'utf8');
    const codes = [...new Set([...source.matchAll(/'(E_[A-Z_]+)'/g)].map((m) => m[1]))];
    expect(codes.length).to.be.greaterThan(20);
    const result = await runPwsh(`
      Import-Module ${psQuote(sourceModuleManifest)} -ErrorAction Stop
      foreach ($code in @(${codes.map(psQuote).join(', ')})) {
        $record = & (Get-Module Altazion.Update) { param($c) New-AltazionErrorRecord -Code $c -Message 'm' -Target 't' } $code
        $code + '=' + $record.CategoryInfo.Category
      }
    `);
    assertNoTerminatingError(result);
    const unmapped = (result.output as string[]).filter((line) => line.endsWith('=NotSpecified') && !/^E_(FAILED|INTERNAL)=/.test(line));
    expect(result.output).to.have.length(codes.length);
    expect(unmapped).to.deep.equal([]);
  });

  it('every Private and Public file holds exactly one function named like the file', async () => {
    const result = await runPwsh(`
      foreach ($folder in 'Private', 'Public') {
        foreach ($file in [System.IO.Directory]::GetFiles([System.IO.Path]::Combine(${psQuote(moduleDir)}, $folder), '*.ps1')) {
          $ast = [System.Management.Automation.Language.Parser]::ParseFile($file, [ref]$null, [ref]$null)
          $names = @($ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.FunctionDefinitionAst] }, $false) | ForEach-Object Name)
          $folder + '/' + [System.IO.Path]::GetFileNameWithoutExtension($file) + '=' + ($names -join ',')
        }
      }
    `);
    assertNoTerminatingError(result);
    const lines = result.output as string[];
    expect(lines.length).to.be.greaterThan(8);
    for (const line of lines) {
      const [file, names] = line.split('=');
      expect(names, line).to.equal(file.split('/')[1]);
    }
  });
});

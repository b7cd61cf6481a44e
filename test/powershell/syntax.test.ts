// Every PowerShell file we ship or document is parsed by the engine's own parser, and any syntax
// Windows PowerShell 5.1 lacks is rejected (the module declares PowerShellVersion 5.1).
import { expect } from 'chai';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assertNoTerminatingError, psQuote, repoRoot, runPwsh } from '../helpers/pwsh';

const checker = path.join(repoRoot, 'test', 'powershell', 'fixtures', 'Test-PS51Syntax.ps1');

function powershellFiles(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...powershellFiles(full));
    else if (/\.(ps1|psm1|psd1)$/i.test(entry.name)) found.push(full);
  }
  return found;
}

interface Finding { File: string; Line: number; Rule: string; Text: string }

async function check(files: string[]): Promise<Finding[]> {
  const result = await runPwsh(`& ${psQuote(checker)} -Path @(${files.map(psQuote).join(', ')})`);
  assertNoTerminatingError(result);
  expect(result.error, JSON.stringify(result.error)).to.deep.equal([]);
  return result.output.map((o) => (o as { properties: Finding }).properties);
}

describe('PowerShell files: parsed by the engine, Windows PowerShell 5.1 syntax only', function () {
  this.timeout(120_000);

  it('every .ps1/.psm1/.psd1 under powershell/ and docs/ parses and uses only 5.1 syntax', async () => {
    const files = [...powershellFiles(path.join(repoRoot, 'powershell')), ...powershellFiles(path.join(repoRoot, 'docs'))];
    // The module alone has a manifest, a root module and a dozen function files.
    expect(files.length).to.be.greaterThan(12);
    expect(files.some((f) => f.endsWith('.psd1'))).to.equal(true);
    const findings = await check(files);
    expect(findings, JSON.stringify(findings, null, 1)).to.deep.equal([]);
  });

  it('the check rejects each PowerShell 7 construct (it can fail)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ps51-'));
    const samples: Record<string, string> = {
      TernaryOperator: '$a = $true ? 1 : 2',
      PipelineChainOperator: 'Get-Item x && Get-Item y',
      NullCoalescingOperator: '$b = $null ?? 3',
      NullCoalescingAssignment: '$c ??= 4',
      NullConditionalAccess: '${d}?.Length',
      CleanBlock: 'function F { process { 1 } clean { 2 } }',
      BackgroundOperator: 'Get-Item x &',
      'PowerShell7Parameter:ForEach-Object': '1..3 | ForEach-Object -Parallel { $_ }',
      'PowerShell7Parameter:ConvertFrom-Json': "'{}' | ConvertFrom-Json -AsHashtable",
      PowerShell7Variable: 'if ($IsWindows) { 1 }',
      UnicodeEscape: '"`u{263A}"',
      ParseError: 'function {',
    };
    const files = Object.entries(samples).map(([rule, code], index) => {
      const file = path.join(dir, `sample${index}.ps1`);
      writeFileSync(file, code + '\n');
      return { rule, file };
    });
    const findings = await check(files.map((f) => f.file));
    for (const { rule, file } of files) {
      expect(findings.filter((f) => f.File === file).map((f) => f.Rule), `${rule} in ${samples[rule]}`).to.include(rule);
    }
    // And 5.1-compatible equivalents pass.
    const ok = path.join(dir, 'ok.ps1');
    writeFileSync(ok, 'if ($true) { $a = 1 } else { $a = 2 }\n$p = [System.Diagnostics.ProcessStartInfo]::new()\n"a" | ForEach-Object { $_ }\n');
    expect(await check([ok])).to.deep.equal([]);
  });
});

// The Restart Manager script of src/platform/windows/locks.ts: its command line, its output parser,
// and (where the tools exist here) that the PowerShell parses and the C# compiles as C# 5, the
// language Windows PowerShell 5.1's Add-Type compiles.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { buildLocksScript, locksCommand, MAX_ENCODED_COMMAND, parseLocksOutput, powershellExe } from '../../../src/platform/windows/locks';
import { compileCSharp5, dotnetSdk } from '../../helpers/csharp';
import { psQuote, runPwsh } from '../../helpers/pwsh';

function csharpOf(script: string): string {
  return script.slice(script.indexOf("@'") + 3, script.indexOf("\n'@"));
}

describe('Restart Manager lock holders (Windows)', () => {
  it('runs powershell.exe from System32 with the script encoded and the folders in the environment', () => {
    const folders = ['D:\\simplement-e\\app\\gestcom\\', 'C:\\Program Files\\CPoint\\[e]\\ecommerce'];
    const command = locksCommand({ SystemRoot: 'C:\\Windows', PATH: 'x' }, folders);
    expect(command.file).to.equal('C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe');
    expect(command.args.slice(0, 4)).to.deep.equal(['-NoLogo', '-NoProfile', '-NonInteractive', '-EncodedCommand']);
    expect(Buffer.from(command.args[4], 'base64').toString('utf16le')).to.equal(buildLocksScript());
    expect(command.args[4].length).to.be.below(MAX_ENCODED_COMMAND);
    expect(JSON.parse(command.env.ALTAZION_LOCK_FOLDERS!)).to.deep.equal(folders);
    expect(command.env.PATH).to.equal('x');
    expect(powershellExe({})).to.equal('C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe');
  });

  it('uses the documented Restart Manager sequence and asks the owner of each process', () => {
    const script = buildLocksScript();
    for (const call of ['RmStartSession', 'RmRegisterResources', 'RmGetList', 'RmEndSession', 'ERROR_MORE_DATA = 234', 'GetOwner', 'Shell.Application', 'LocationURL']) {
      expect(script).to.contain(call);
    }
    // No path is pasted into the script: folders only come from the environment.
    expect(script).to.not.match(/[A-Z]:\\/);
  });

  it('parses the script output: one object per holder, noise ignored, duplicates merged', () => {
    const stdout = [
      '\uFEFF{"pid":4242,"image":"explorer.exe","user":"SRV01\\\\admin","path":"D:\\\\app\\\\gestcom","source":"explorer"}',
      'WARNING: something PowerShell printed',
      '{"pid":4242,"image":"explorer.exe","user":"SRV01\\\\admin","path":"D:\\\\APP\\\\gestcom","source":"restart-manager"}',
      '{"pid":912,"image":"cmd.exe","user":"SRV01\\\\support","path":"D:\\\\app\\\\gestcom\\\\bin","source":"current-directory"}',
      '{"pid":7,"image":"","user":"","path":"D:\\\\app\\\\api","source":"restart-manager"}',
      '{"pid":"x"}',
      '{ broken',
      '',
    ].join('\r\n');
    expect(parseLocksOutput(stdout)).to.deep.equal([
      { pid: 4242, image: 'explorer.exe', user: 'SRV01\\admin', path: 'D:\\app\\gestcom' },
      { pid: 912, image: 'cmd.exe', user: 'SRV01\\support', path: 'D:\\app\\gestcom\\bin' },
      { pid: 7, image: 'pid 7', user: 'unknown user', path: 'D:\\app\\api' },
    ]);
    expect(parseLocksOutput('')).to.deep.equal([]);
  });

  it('the script parses in a real PowerShell engine', async function () {
    this.timeout(120000);
    if (spawnSync('dotnet', ['--version']).status !== 0) this.skip();
    const result = await runPwsh(`$errors = $null
$null = [System.Management.Automation.Language.Parser]::ParseInput(${psQuote(buildLocksScript())}, [ref]$null, [ref]$errors)
@($errors | ForEach-Object { $_.Message })`);
    expect(result.error.map((e) => e.message)).to.deep.equal([]);
    expect(result.output).to.deep.equal([]);
  });

  it('the script\'s own functions, run in a real engine, print what parseLocksOutput reads', async function () {
    this.timeout(120000);
    if (spawnSync('dotnet', ['--version']).status !== 0) this.skip();
    // Only Test-Inside, Write-Holder and Format-JsonString are taken from the script (Add-Type and CIM are Windows-only);
    // Get-Owner is replaced by a stand-in answering like Win32_Process for pid 4242.
    const result = await runPwsh(`$errors = $null
$ast = [System.Management.Automation.Language.Parser]::ParseInput(${psQuote(buildLocksScript())}, [ref]$null, [ref]$errors)
foreach ($f in $ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.FunctionDefinitionAst] -and $n.Name -in 'Test-Inside', 'Write-Holder', 'Format-JsonString' }, $true)) { . ([scriptblock]::Create($f.Extent.Text)) }
function Get-Owner([int]$procId) { if ($procId -eq 4242) { return @('explorer.exe', 'SRV01\\admin') } else { return @('', '') } }
Write-Holder 4242 '' 'D:\\app\\gestcom' 'restart-manager' 'Windows Explorer'
Write-Holder 77 '' 'D:\\app\\api' 'restart-manager' 'Some App'
Write-Holder 91 'cmd.exe' 'D:\\app\\gestcom\\bin' 'current-directory'
Write-Holder 5 'odd"name' ('C:\\tab' + [char]9 + 'x') 'restart-manager'
"inside:" + (Test-Inside 'D:\\App\\GestCom\\bin' 'd:\\app\\gestcom\\') + (Test-Inside 'D:\\app\\gestcom' 'D:\\app\\gestcom') + (Test-Inside 'D:\\app\\gestcom2' 'D:\\app\\gestcom')`);
    expect(result.error.map((e) => e.message)).to.deep.equal([]);
    const lines = result.output.map(String);
    expect(lines.pop()).to.equal('inside:TrueTrueFalse');
    expect(parseLocksOutput(lines.join('\n'))).to.deep.equal([
      { pid: 4242, image: 'explorer.exe', user: 'SRV01\\admin', path: 'D:\\app\\gestcom' },
      { pid: 77, image: 'Some App', user: 'unknown user', path: 'D:\\app\\api' },
      { pid: 91, image: 'cmd.exe', user: 'unknown user', path: 'D:\\app\\gestcom\\bin' },
      { pid: 5, image: 'odd"name', user: 'unknown user', path: 'C:\\tab\tx' },
    ]);
  });

  it('the C# of the script compiles as C# 5 (Windows PowerShell 5.1 Add-Type)', function () {
    this.timeout(120000);
    const sdk = dotnetSdk();
    if (!sdk) this.skip();
    const run = compileCSharp5(sdk!, 'library', { 'locks.cs': csharpOf(buildLocksScript()) });
    expect(run.status, run.output).to.equal(0);
  });
});

// The C# bridge as it ships: built with the .NET SDK against the .NET Framework 4.8 reference
// assemblies in C# 5 (tools/windows-native.mjs, as build.mjs does), IIS isolated in its own assembly
// bound to Microsoft.Web.Administration 7.0.0.0 with Microsoft's key, and the protocol run for real:
// the net48 assembly loaded into a PowerShell engine (the .NET here), as powershell.exe loads it.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
// @ts-expect-error plain ESM helper shared with build.mjs
import { buildCSharp } from '../../../../tools/windows-native.mjs';
import { POWERSHELL_BRIDGE_SCRIPT, powershellBridgeArgs, powershellExe } from '../../../../src/platform/windows/bridge-hosts';
import { decodeAnswer, encodeRequest } from '../../../../src/platform/windows/bridge-protocol';
import { psQuote, runPwsh } from '../../../helpers/pwsh';

const hasDotnet = spawnSync('dotnet', ['--version']).status === 0;

describe('the C# bridge, built as it ships', function () {
  this.timeout(300_000);
  let out: string;

  before(function () {
    if (!hasDotnet) this.skip();
    out = mkdtempSync(path.join(os.tmpdir(), 'altazion-bridge-'));
    buildCSharp(out);
  });
  after(() => { if (out) rmSync(out, { recursive: true, force: true }); });

  it('compiles as C# 5 for .NET Framework 4.8, with nothing of IIS in the core and no stand-in shipped', async () => {
    for (const file of ['AltazionBridge.dll', 'AltazionBridge.Iis.dll', 'AltazionUpdateService.exe']) expect(existsSync(path.join(out, file)), file).to.equal(true);
    expect(existsSync(path.join(out, 'Microsoft.Web.Administration.dll')), 'the compile-time reference is never shipped').to.equal(false);
    for (const project of ['src/platform/windows/bridge/AltazionBridge.csproj', 'src/platform/windows/bridge/Iis/AltazionBridge.Iis.csproj', 'src/service/host/AltazionUpdateService.csproj']) {
      const text = readFileSync(project, 'utf8');
      expect(text, project).to.contain('<LangVersion>5</LangVersion>').and.contain('<TargetFramework>net48</TargetFramework>').and.contain('Microsoft.NETFramework.ReferenceAssemblies.net48');
    }
    const refs = await runPwsh(`foreach ($f in 'AltazionBridge.dll', 'AltazionBridge.Iis.dll', 'AltazionUpdateService.exe') {
  $a = [Reflection.Assembly]::LoadFile([IO.Path]::Combine(${psQuote(out)}, $f))
  $f + ': ' + (($a.GetReferencedAssemblies() | ForEach-Object { $_.FullName }) -join ' | ')
  $f + ' runtime: ' + $a.ImageRuntimeVersion
}`);
    expect(refs.error.map((e) => e.message)).to.deep.equal([]);
    const lines = refs.output.map(String);
    const core = lines.find((l) => l.startsWith('AltazionBridge.dll: '))!;
    const iis = lines.find((l) => l.startsWith('AltazionBridge.Iis.dll: '))!;
    expect(core).to.not.contain('Microsoft.Web.Administration');
    expect(iis).to.contain('Microsoft.Web.Administration, Version=7.0.0.0, Culture=neutral, PublicKeyToken=31bf3856ad364e35');
    expect(lines.filter((l) => l.includes(' runtime: '))).to.deep.equal(['AltazionBridge.dll runtime: v4.0.30319', 'AltazionBridge.Iis.dll runtime: v4.0.30319', 'AltazionUpdateService.exe runtime: v4.0.30319']);
  });

  it('answers the protocol: every call in order, failures as codes, never an exception', async () => {
    const request = encodeRequest([
      { op: 'bridge.operations' },
      { op: 'nope' },
      { op: 'acl.read' },
      { op: 'locks.holders', paths: 'D:\\app' },
      { op: 'host.info' },
      { op: 'acl.inherit', owner: 'S-1-5-32-544' },
    ]);
    const run = await runPwsh(`[void][Reflection.Assembly]::LoadFrom(${psQuote(path.join(out, 'AltazionBridge.dll'))})
[Altazion.Bridge.Bridge]::HandleJson(${psQuote(request)})
[Altazion.Bridge.Bridge]::HandleJson('{"calls": 3}')
[Altazion.Bridge.Bridge]::HandleJson('not json')`);
    expect(run.error.map((e) => e.message)).to.deep.equal([]);
    const [answer, notArray, notJson] = run.output.map(String);
    const results = decodeAnswer(answer!, 6, 'test');
    expect(results[0]).to.deep.include({ ok: true });
    expect((results[0] as { value: string[] }).value).to.include.members(['services.list', 'services.query', 'services.start', 'services.stop', 'services.setStartMode', 'services.create', 'services.delete',
      'locks.holders', 'acl.read', 'acl.grant', 'acl.setProtected', 'acl.inherit', 'accounts.resolve', 'host.info', 'eventlog.register', 'eventlog.write']);
    expect(results[1]).to.deep.equal({ ok: false, error: { code: 'UNKNOWN_OPERATION', message: "unknown bridge operation 'nope'", type: 'Altazion.Bridge.BridgeException' } });
    expect(results[2]).to.deep.equal({ ok: false, error: { code: 'BAD_REQUEST', message: "argument 'path' is missing", type: 'Altazion.Bridge.BridgeException' } });
    expect(results[3]).to.deep.equal({ ok: false, error: { code: 'BAD_REQUEST', message: "argument 'paths' must be an array of strings", type: 'Altazion.Bridge.BridgeException' } });
    // Windows APIs do not exist here: the call fails alone, with a code.
    expect(results[4]).to.deep.include({ ok: false });
    expect((results[4] as { error: { code: string } }).error.code).to.equal('NOT_SUPPORTED');
    // restrictToAdministrators' reset below an admin-only folder (issue 20): its arguments are checked first.
    expect(results[5]).to.deep.equal({ ok: false, error: { code: 'BAD_REQUEST', message: "argument 'path' is missing", type: 'Altazion.Bridge.BridgeException' } });
    expect(() => decodeAnswer(notArray!, 1, 'test')).to.throw(/refused the request: the request must be an object with a "calls" array/);
    expect(() => decodeAnswer(notJson!, 1, 'test')).to.throw(/refused the request: unexpected character at offset 0/);
  });

  it('round-trips text with accents, quotes and control characters through its JSON', async () => {
    const text = 'D:\\Sites\\Présentation\\ "Accès refusé"\t\u0001 AUTORITE NT\\Système 日本';
    const run = await runPwsh(`[void][Reflection.Assembly]::LoadFrom(${psQuote(path.join(out, 'AltazionBridge.dll'))})
[Altazion.Bridge.Json]::Write([Altazion.Bridge.Json]::Parse(${psQuote(JSON.stringify({ text, n: 1.5, list: [true, null, -2] }))}))`);
    expect(run.error.map((e) => e.message)).to.deep.equal([]);
    expect(JSON.parse(String(run.output[0]))).to.deep.equal({ text, n: 1.5, list: [true, null, -2] });
  });

  it('the Windows PowerShell script parses, runs System32\'s powershell.exe encoded, and answers UTF-8 bytes', async () => {
    expect(powershellExe({ SystemRoot: 'C:\\Windows' })).to.equal('C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe');
    const args = powershellBridgeArgs();
    expect(args.slice(0, 6)).to.deep.equal(['-NoLogo', '-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-EncodedCommand']);
    expect(Buffer.from(args[6]!, 'base64').toString('utf16le')).to.equal(POWERSHELL_BRIDGE_SCRIPT);
    expect(POWERSHELL_BRIDGE_SCRIPT).to.contain('[Console]::OpenStandardInput()').and.contain('[Console]::OpenStandardOutput()').and.contain('$env:ALTAZION_BRIDGE_DLL');
    const parsed = await runPwsh(`$errors = $null
$null = [System.Management.Automation.Language.Parser]::ParseInput(${psQuote(POWERSHELL_BRIDGE_SCRIPT)}, [ref]$null, [ref]$errors)
@($errors | ForEach-Object { $_.Message })`);
    expect(parsed.output).to.deep.equal([]);
  });
});

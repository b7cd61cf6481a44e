// Test scaffolding: compiles C# written for Windows (Windows PowerShell 5.1's Add-Type, the .NET Framework 4
// csc.exe) as C# 5 with the .NET SDK's Roslyn compiler, when the SDK is installed here.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The SDK's csc.dll and the reference assemblies of its newest targeting pack. */
export interface DotnetSdk { csc: string; refs: string[] }

/** The .NET SDK's Roslyn compiler and reference assemblies, or undefined when no SDK is installed here. */
export function dotnetSdk(): DotnetSdk | undefined {
  const which = spawnSync('dotnet', ['--list-sdks'], { encoding: 'utf8' });
  if (which.status !== 0) return undefined;
  const last = which.stdout.trim().split('\n').pop();
  const match = last && /^(\S+) \[(.+)\]$/.exec(last);
  if (!match) return undefined;
  const csc = path.join(match[2]!, match[1]!, 'Roslyn', 'bincore', 'csc.dll');
  const packs = path.join(path.dirname(match[2]!), 'packs', 'Microsoft.NETCore.App.Ref');
  if (!existsSync(csc) || !existsSync(packs)) return undefined;
  const refDir = path.join(packs, readdirSync(packs).sort().pop()!, 'ref');
  const tfm = readdirSync(refDir).sort().pop()!;
  return { csc, refs: readdirSync(path.join(refDir, tfm)).filter((f) => f.endsWith('.dll')).map((f) => path.join(refDir, tfm, f)) };
}

/**
 * Compiles `sources` (file name -> C# text) with -langversion:5 into a library or an exe named after the
 * first source, in a temporary folder removed after. Returns csc's exit status and its stdout + stderr.
 */
export function compileCSharp5(sdk: DotnetSdk, target: 'library' | 'exe', sources: Record<string, string>): { status: number | null; output: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'altazion-csc-'));
  try {
    const files = Object.entries(sources).map(([name, text]) => { const file = path.join(dir, name); writeFileSync(file, text); return file; });
    const out = path.join(dir, path.basename(files[0]!, '.cs') + (target === 'library' ? '.dll' : '.exe'));
    const rsp = path.join(dir, 'csc.rsp');
    writeFileSync(rsp, ['-nologo', '-noconfig', '-nostdlib', '-langversion:5', `-t:${target}`, `-out:${out}`, ...sdk.refs.map((r) => `-r:"${r}"`), ...files.map((f) => `"${f}"`)].join('\n'));
    const run = spawnSync('dotnet', [sdk.csc, `@${rsp}`], { encoding: 'utf8' });
    return { status: run.status, output: run.stdout + run.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// The two hosts of the bridge (see bridge-client.ts): edge-js in this process, and Windows
// PowerShell 5.1 in a child process. Both load AltazionBridge.dll from the folder of node.exe.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { BRIDGE_ASSEMBLY, type BridgeTransport } from './bridge-client';
import type { ConsoleDecoder } from './console-text';

/** Windows PowerShell 5.1, by absolute path (never through PATH: the service runs as SYSTEM). */
export function powershellExe(env: NodeJS.ProcessEnv): string {
  const systemRoot = env.SystemRoot ?? env.SYSTEMROOT ?? env.windir ?? 'C:\\Windows';
  return `${systemRoot.replace(/[\\/]+$/, '')}\\System32\\WindowsPowerShell\\v1.0\\powershell.exe`;
}

/**
 * The script powershell.exe runs: the request from stdin (UTF-8), the bridge assembly from
 * ALTAZION_BRIDGE_DLL (Assembly.LoadFrom, what `Add-Type -Path` does), the answer as UTF-8 bytes on
 * stdout, whatever the console's code page. A failure to load the bridge is answered in the protocol.
 */
export const POWERSHELL_BRIDGE_SCRIPT = [
  `$ErrorActionPreference = 'Stop'`,
  `$utf8 = New-Object System.Text.UTF8Encoding($false)`,
  `try {`,
  `  $request = (New-Object System.IO.StreamReader([Console]::OpenStandardInput(), $utf8)).ReadToEnd()`,
  `  [void][System.Reflection.Assembly]::LoadFrom($env:ALTAZION_BRIDGE_DLL)`,
  `  $answer = [Altazion.Bridge.Bridge]::HandleJson($request)`,
  `} catch {`,
  `  $answer = '{"v":1,"error":{"code":"HOST","message":' + (ConvertTo-Json ([string]$_.Exception.Message)) + '}}'`,
  `}`,
  `$bytes = $utf8.GetBytes($answer)`,
  `$stdout = [Console]::OpenStandardOutput()`,
  `$stdout.Write($bytes, 0, $bytes.Length)`,
  `$stdout.Flush()`,
].join('\r\n');

export function powershellBridgeArgs(): string[] {
  return ['-NoLogo', '-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-EncodedCommand', Buffer.from(POWERSHELL_BRIDGE_SCRIPT, 'utf16le').toString('base64')];
}

export function powershellTransport(env: NodeJS.ProcessEnv, folder: string, decode: () => Promise<ConsoleDecoder>, exe = powershellExe(env)): BridgeTransport {
  return (request) => new Promise((resolve, reject) => {
    const child = spawn(exe, powershellBridgeArgs(), {
      env: { ...env, ALTAZION_BRIDGE_DLL: path.win32.join(folder, BRIDGE_ASSEMBLY) },
      cwd: os.tmpdir(), // never inside a module folder
      windowsHide: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.stdin.on('error', () => undefined); // a host that exits without reading (EPIPE) is reported below
    child.on('error', (error) => reject(new Error(`${exe} could not start: ${error.message}`)));
    child.on('close', (code) => {
      const stdout = Buffer.concat(out).toString('utf8');
      if (stdout.trim()) { resolve(stdout); return; }
      void decode().then((toText) => {
        const stderr = toText(Buffer.concat(err)).trim().split(/\r?\n/).slice(0, 3).join(' ');
        reject(new Error(`${exe} exited with code ${code} without an answer${stderr ? `: ${stderr}` : ''}`));
      });
    });
    child.stdin.end(request, 'utf8');
  });
}

interface EdgeModule { func(options: { assemblyFile: string; typeName: string; methodName: string }): (input: unknown, callback: (error: Error | null, result: unknown) => void) => void }

/** Loads edge-js (shipped in <folder>\edge-js) and binds the bridge's EdgeEntry.Invoke. */
export function edgeTransport(folder: string): BridgeTransport {
  const edgeFolder = path.join(folder, 'edge-js');
  const edge = createRequire(path.join(edgeFolder, 'package.json'))(edgeFolder) as EdgeModule;
  const invoke = edge.func({ assemblyFile: path.join(folder, BRIDGE_ASSEMBLY), typeName: 'Altazion.Bridge.EdgeEntry', methodName: 'Invoke' });
  return (request) => new Promise((resolve, reject) => invoke(request, (error, result) => (error ? reject(error) : resolve(String(result)))));
}

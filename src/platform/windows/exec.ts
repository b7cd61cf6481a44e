// Runs a Windows tool (sc.exe, appcmd.exe) without a shell: arguments are passed as they are.
import { execFile } from 'node:child_process';

export interface ToolResult { code: number; stdout: string; stderr: string }

export function runTool(file: string, args: readonly string[], timeoutMs = 120_000): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    execFile(file, [...args], { windowsHide: true, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error && typeof (error as NodeJS.ErrnoException).code === 'string') { reject(error); return; } // could not start (ENOENT...)
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

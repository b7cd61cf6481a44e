// The edge of `service install` / `service uninstall` on Windows: writes and compiles the service
// host, runs sc.exe (plans from windows-service.ts). Windows only; the command refuses elsewhere.
import { execFile } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { AltazionError } from '../core/errors';
import { UPDATER_SERVICE } from '../core/product';
import type { Context } from '../cli/context';
import { secureInstance } from '../security/secure-instance';
import {
  cscCandidates, planServiceInstall, planServiceUninstall, SC_SERVICE_DOES_NOT_EXIST, SC_SERVICE_EXISTS,
  SC_SERVICE_NOT_ACTIVE, SERVICE_HOST_SOURCE,
} from './windows-service';

interface RunResult { code: number; output: string }

function run(file: string, args: string[]): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(file, args, { windowsHide: true, encoding: 'utf8' }, (error, stdout, stderr) => {
      const code = error ? (typeof (error as NodeJS.ErrnoException & { code?: unknown }).code === 'number' ? Number((error as { code?: unknown }).code) : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}`.trim() });
    });
  });
}

export function requireWindows(command: string, hostPlatform: NodeJS.Platform = process.platform): void {
  if (hostPlatform !== 'win32') {
    throw new AltazionError('E_USAGE', `service ${command} registers the Windows service ${UPDATER_SERVICE.name}: it only works on Windows (this machine runs ${hostPlatform})`, {
      hint: 'here, run the service in the foreground: altazion-update service run --root <instance root> (or under systemd)',
    });
  }
}

export async function installWindowsService(ctx: Context): Promise<Record<string, unknown>> {
  const updaterExe = process.execPath;
  if (/^node(\.exe)?$/i.test(path.basename(updaterExe))) {
    throw new AltazionError('E_USAGE', `service install must be run from altazion-update.exe (this process runs ${updaterExe})`, { target: updaterExe });
  }
  const plan = planServiceInstall({ updaterExe, root: ctx.root, updatesDir: ctx.layout.updates, join: path.win32.join });
  // What the SYSTEM service runs or trusts is made admin-only before it is registered (SPEC §12).
  const { secured, wasWritableByOthers } = await secureInstance(ctx, `"${updaterExe}" service run --root "${ctx.root}"`);
  const windir = ctx.env.WINDIR ?? ctx.env.windir ?? 'C:\\Windows';
  const csc = cscCandidates(windir, path.win32.join).find((c) => existsSync(c));
  if (!csc) {
    throw new AltazionError('E_PLATFORM', `the .NET Framework 4 C# compiler was not found (${cscCandidates(windir, path.win32.join).join(', ')}): it builds the small service host`, {
      hint: 'install the .NET Framework 4.8 feature (Install-WindowsFeature NET-Framework-45-Core), then run service install again',
    });
  }
  await fs.mkdir(plan.hostDir, { recursive: true });
  await fs.writeFile(plan.hostSource, SERVICE_HOST_SOURCE, 'utf8');
  ctx.output.verbose(`compiling ${plan.hostExe} with ${csc}`);
  const compiled = await run(csc, plan.compile);
  if (compiled.code !== 0) throw new AltazionError('E_PLATFORM', `compiling the service host failed (csc.exe exit ${compiled.code}): ${compiled.output}`, { target: plan.hostSource });
  for (const args of plan.sc) {
    ctx.output.verbose(`sc.exe ${args.join(' ')}`);
    const result = await run('sc.exe', args);
    if (result.code === SC_SERVICE_EXISTS && args[0] === 'create') {
      throw new AltazionError('E_USAGE', `the service ${UPDATER_SERVICE.name} already exists`, { hint: 'altazion-update service uninstall, then service install again' });
    }
    if (result.code !== 0) throw new AltazionError('E_PLATFORM', `sc.exe ${args[0]} ${UPDATER_SERVICE.name} failed (exit ${result.code}): ${result.output}`, { target: UPDATER_SERVICE.name });
  }
  return { Name: UPDATER_SERVICE.name, DisplayName: UPDATER_SERVICE.displayName, StartMode: 'AutomaticDelayed', Host: plan.hostExe, Executable: updaterExe, Root: ctx.root, Status: 'Installed', AdminOnly: secured, WasWritableByOthers: wasWritableByOthers };
}

export async function uninstallWindowsService(ctx: Context): Promise<Record<string, unknown>> {
  for (const args of planServiceUninstall()) {
    const result = await run('sc.exe', args);
    if (result.code === 0 || result.code === SC_SERVICE_NOT_ACTIVE) {
      if (args[0] === 'stop' && result.code === 0) await new Promise((r) => setTimeout(r, 3000)); // let it stop before delete
      continue;
    }
    if (result.code === SC_SERVICE_DOES_NOT_EXIST) {
      return { Name: UPDATER_SERVICE.name, Status: 'NotInstalled' };
    }
    throw new AltazionError('E_PLATFORM', `sc.exe ${args[0]} ${UPDATER_SERVICE.name} failed (exit ${result.code}): ${result.output}`, { target: UPDATER_SERVICE.name });
  }
  await fs.rm(path.win32.join(ctx.layout.updates, 'service'), { recursive: true, force: true }).catch(() => undefined);
  return { Name: UPDATER_SERVICE.name, Status: 'Removed' };
}

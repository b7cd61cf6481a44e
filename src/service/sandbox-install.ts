// `service install` / `service uninstall` on a sandbox: the update service is registered in the
// simulated service control manager (it then really runs `service run` when started), and, as on
// Windows, what it runs or trusts is made admin-only first (SPEC §12).
import type { Context } from '../context/context';
import { UPDATER_SERVICE } from '../core/product';
import { updateSandboxState } from '../platform/sandbox/state';
import type { SandboxPlatform } from '../platform/sandbox';
import { secureInstance } from './secure-instance';

const quote = (part: string) => (/[\s"]/.test(part) ? `"${part}"` : part);

export async function installSandboxService(ctx: Context, platform: SandboxPlatform, command: readonly string[]): Promise<Record<string, unknown>> {
  const run = [...command, 'service', 'run', '--root', ctx.root];
  const binaryPath = run.map((part, i) => (i < command.length ? `"${part}"` : quote(part))).join(' ');
  const { secured, wasWritableByOthers } = await secureInstance(ctx, binaryPath);
  await updateSandboxState(platform.stateFile, (state) => {
    const existing = state.services.find((s) => s.name.toLowerCase() === UPDATER_SERVICE.name.toLowerCase());
    const service = {
      name: UPDATER_SERVICE.name, displayName: UPDATER_SERVICE.displayName, state: existing?.state ?? 'Stopped' as const,
      startMode: 'AutomaticDelayed' as const, binaryPath, account: 'LocalSystem', run,
      ...(existing?.pid ? { pid: existing.pid } : {}),
    };
    state.services = [...state.services.filter((s) => s !== existing), service];
  });
  return {
    Name: UPDATER_SERVICE.name, DisplayName: UPDATER_SERVICE.displayName, StartMode: 'AutomaticDelayed', Host: platform.computerName,
    Executable: command[0], Root: ctx.root, Status: 'Installed', AdminOnly: secured, WasWritableByOthers: wasWritableByOthers,
  };
}

export async function uninstallSandboxService(platform: SandboxPlatform): Promise<Record<string, unknown>> {
  let found = false;
  await updateSandboxState(platform.stateFile, (state) => {
    const existing = state.services.find((s) => s.name.toLowerCase() === UPDATER_SERVICE.name.toLowerCase());
    if (!existing) return;
    found = true;
    if (existing.pid) { try { process.kill(existing.pid, 'SIGTERM'); } catch { /* already gone */ } }
    state.services = state.services.filter((s) => s !== existing);
  });
  return { Name: UPDATER_SERVICE.name, Status: found ? 'Removed' : 'NotInstalled' };
}

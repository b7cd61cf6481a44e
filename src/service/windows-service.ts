// `service install` / `service uninstall` on Windows (SPEC §9), pure: what to copy, which ACL, which
// service. A Node process does not speak the service control protocol, so the service is a small
// ServiceBase host (src/service/host, built with the product, shipped beside node.exe) that runs the
// updater. `service install` copies the shipped Windows folder to %ProgramFiles%\Altazion\Update,
// writable by Administrators and SYSTEM only (a protected ACL: nothing inherited; local users read
// and execute, as in the rest of %ProgramFiles%), and registers
//   "<that folder>\AltazionUpdateService.exe" "<instance root>"
// as AltazionUpdate: Automatic (Delayed Start), restart on failure. Nothing is compiled on the server.
import { EVENT_SOURCE } from '../core/events';
import { SERVICE_HOST_EXE, UPDATER_SERVICE } from '../core/product';
import type { BridgeCall } from '../platform/windows/bridge-protocol';

/** Quotes one argument the way CommandLineToArgvW / the MS C runtime parse it back. */
export function quoteWindowsArg(arg: string): string {
  if (arg !== '' && !/[\s"]/.test(arg)) return arg;
  let out = '"';
  let backslashes = 0;
  for (const ch of arg) {
    if (ch === '\\') { backslashes++; continue; }
    if (ch === '"') { out += '\\'.repeat(backslashes * 2 + 1) + '"'; backslashes = 0; continue; }
    out += '\\'.repeat(backslashes) + ch;
    backslashes = 0;
  }
  return out + '\\'.repeat(backslashes * 2) + '"';
}

export { SERVICE_HOST_EXE };
/** What `service install` copies from the shipped folder (the folder of node.exe). */
export const INSTALLED_FILES = ['node.exe', 'altazion-update.exe', 'altazion-update.cjs', 'altazion-update-main.cjs', 'mssql.cjs', 'iconv-lite.cjs', 'nodemailer.cjs', 'AltazionBridge.dll', 'AltazionBridge.Iis.dll', SERVICE_HOST_EXE, `${SERVICE_HOST_EXE}.config`, 'edge-js'];
/**
 * Not shipped, copied too when present: `node_modules`, where an administrator installs mssql's
 * msnodesqlv8 driver beside node.exe for Integrated Security (docs/database.md). Without it the
 * service's database runs (portal, maintenance windows) would not find the driver the command finds.
 */
export const INSTALLED_IF_PRESENT = ['node_modules'];
export const SERVICE_DESCRIPTION = 'Vérifie les mises à jour Altazion Office et sert le portail local (altazion-update).';
/** Restart after 1 min, 1 min, then 5 min; the failure count resets after a day. */
export const RESTART_DELAYS_MS = [60_000, 60_000, 300_000];

export function installFolder(env: NodeJS.ProcessEnv, join: (...parts: string[]) => string): string {
  return join(env.ProgramFiles ?? env.PROGRAMFILES ?? 'C:\\Program Files', 'Altazion', 'Update');
}

/** The service command line: the host, then the instance root. */
export function serviceBinPath(hostExe: string, root: string): string {
  return [hostExe, root].map(quoteWindowsArg).join(' ');
}

export interface ServiceInstallPlan {
  folder: string;
  copy: Array<{ from: string; to: string }>;
  /** Bridge calls, after the folder was made admin-only (rights.restrictToAdministrators, before the files land: they inherit it): the event source, the service. */
  eventSource: BridgeCall;
  create: BridgeCall & { binaryPath: string };
}

export function planServiceInstall(input: { shippedFolder: string; folder: string; root: string; join: (...parts: string[]) => string }): ServiceInstallPlan {
  const hostExe = input.join(input.folder, SERVICE_HOST_EXE);
  return {
    folder: input.folder,
    copy: [...INSTALLED_FILES, ...INSTALLED_IF_PRESENT].map((file) => ({ from: input.join(input.shippedFolder, file), to: input.join(input.folder, file) })),
    eventSource: { op: 'eventlog.register', source: EVENT_SOURCE },
    create: {
      op: 'services.create', name: UPDATER_SERVICE.name, displayName: UPDATER_SERVICE.displayName, description: SERVICE_DESCRIPTION,
      binaryPath: serviceBinPath(hostExe, input.root), startMode: 'AutomaticDelayed', restartDelaysMs: RESTART_DELAYS_MS, resetSeconds: 86_400, failureFlag: true,
    },
  };
}

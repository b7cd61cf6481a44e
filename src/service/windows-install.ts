// The edge of `service install` / `service uninstall` on Windows (plans in windows-service.ts):
// copies the shipped folder under %ProgramFiles%, sets its ACL, registers the event source and the
// service, all through the bridge. Windows only; the commands refuse elsewhere.
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { AltazionError } from '../core/errors';
import { UPDATER_SERVICE } from '../core/product';
import type { Context } from '../context/context';
import { readPortalState } from '../config/portal-state';
import { secureInstance } from './secure-instance';
import { reportEvent } from '../events';
import type { WindowsPlatform } from '../platform/windows';
import { allPortsTaken, fallbackNotice, firstFreePort, isPortFree, portalPorts, portalUrl, runningLegacyService } from './portal-port';
import { installFolder, planServiceInstall } from './windows-service';

export function requireWindows(command: string, hostPlatform: NodeJS.Platform = process.platform): void {
  if (hostPlatform !== 'win32') {
    throw new AltazionError('E_USAGE', `service ${command} registers the Windows service ${UPDATER_SERVICE.name}: it only works on Windows (this machine runs ${hostPlatform})`, {
      hint: 'here, run the service in the foreground: altazion-update service run --root <instance root> (or under systemd)',
    });
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** How long `service install` waits for the started service to report its portal's URL. */
const PORTAL_WAIT_MS = 30_000;

export async function installWindowsService(ctx: Context): Promise<Record<string, unknown>> {
  const platform = (await ctx.platform()) as WindowsPlatform;
  const shippedFolder = path.win32.dirname(process.execPath);
  if (!existsSync(path.win32.join(shippedFolder, 'AltazionUpdateService.exe'))) {
    throw new AltazionError('E_CONFIG', `the service host AltazionUpdateService.exe is not beside ${process.execPath}: run service install from the shipped folder (the module's bin)`, { target: shippedFolder });
  }
  const plan = planServiceInstall({ shippedFolder, folder: installFolder(ctx.env, path.win32.join), root: ctx.root, join: path.win32.join });
  const [existing] = await platform.bridge.call<unknown[]>({ op: 'services.query', names: [UPDATER_SERVICE.name] });
  if (existing) throw new AltazionError('E_USAGE', `the service ${UPDATER_SERVICE.name} already exists`, { hint: 'altazion-update service uninstall, then service install again' });
  // The port the service will take (service run decides again at each start): both taken is bad
  // configuration, refused before any change; the fallback is said now, here and in the event log.
  const config = await ctx.config();
  const ports = portalPorts(config);
  const choice = await firstFreePort(ports, isPortFree);
  if (choice.port === undefined) throw allPortsTaken(ports, config.file);
  const notice = choice.taken.length > 0 ? fallbackNotice(choice.taken[0]!, choice.port, runningLegacyService(await platform.services.list())) : undefined;
  if (notice) ctx.output.warn(notice);
  // What the SYSTEM service runs or trusts is made admin-only before it is registered (SPEC §12):
  // bin\updates (settings moved there first), the portal's secret; then the service's own folder,
  // before the files land in it (they inherit its ACL; files already there are reset to inherit).
  const { secured, wasWritableByOthers } = await secureInstance(ctx, plan.create.binaryPath);
  await fs.mkdir(plan.folder, { recursive: true });
  await platform.rights.restrictToAdministrators(plan.folder, { othersMayRead: true });
  for (const { from, to } of plan.copy) {
    if (existsSync(from)) await fs.cp(from, to, { recursive: true, force: true });
  }
  await platform.bridge.call(plan.eventSource);
  if (notice) await reportEvent(ctx, { kind: 'portalFallback', notice });
  await platform.bridge.call(plan.create, UPDATER_SERVICE.name);
  const started = Date.now();
  await platform.services.start(UPDATER_SERVICE.name);
  // The portal's URL as the service reports it once listening (bin\updates\portal.json), else the predicted one.
  let url = portalUrl(choice.port);
  for (let waited = 0; waited < PORTAL_WAIT_MS; waited += 500) {
    const state = await readPortalState(ctx.layout.portalState);
    if (state && Date.parse(state.startedAt) >= started - 1000) { url = state.url; break; }
    await sleep(500);
  }
  return {
    Name: UPDATER_SERVICE.name, DisplayName: UPDATER_SERVICE.displayName, StartMode: 'AutomaticDelayed', Folder: plan.folder, Command: plan.create.binaryPath, Root: ctx.root,
    PortalUrl: url, Status: 'Installed', AdminOnly: [...new Set([...secured, plan.folder])], WasWritableByOthers: wasWritableByOthers,
  };
}

export async function uninstallWindowsService(ctx: Context): Promise<Record<string, unknown>> {
  const platform = (await ctx.platform()) as WindowsPlatform;
  const service = await platform.services.get(UPDATER_SERVICE.name);
  if (!service) return { Name: UPDATER_SERVICE.name, Status: 'NotInstalled' };
  await platform.services.stop(UPDATER_SERVICE.name);
  // The host lets a running install finish or roll back (up to 10 min) before it reports Stopped.
  for (let waited = 0; (await platform.services.get(UPDATER_SERVICE.name))?.state !== 'Stopped'; waited += 2) {
    if (waited >= 660) throw new AltazionError('E_PLATFORM', `${UPDATER_SERVICE.name} did not stop within 11 minutes`, { target: UPDATER_SERVICE.name });
    await sleep(2000);
  }
  await platform.bridge.call({ op: 'services.delete', name: UPDATER_SERVICE.name }, UPDATER_SERVICE.name);
  const folder = installFolder(ctx.env, path.win32.join);
  await fs.rm(folder, { recursive: true, force: true }).catch(() => undefined);
  return { Name: UPDATER_SERVICE.name, Status: 'Removed', Folder: folder };
}

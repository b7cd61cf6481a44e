// Which port the portal listens on (SPEC §9): <portal port> of updater.config, or, when a program
// already listens there (the legacy EMainServer serves the old portal on 8080), <portal fallbackPort>.
// Both ports taken is bad configuration: exit 2 naming both. An explicit `--port` (or port 0, a free
// port: the demo) is used as given, without fallback.
import net from 'node:net';
import { AltazionError } from '../core/errors';
import { msg, type Message } from '../core/messages';
import { LEGACY_PORTAL_PORT } from '../core/product';
import type { ServiceInfo } from '../platform/types';
import { isOurUpdaterService, isUpdaterService } from '../repair/decisions';
import { PORTAL_HOST, PortInUseError } from './portal/server';

/** The ports to try, in order (pure). */
export function portalPorts(config: { portalPort: number; portalFallbackPort: number }, explicitPort?: number): number[] {
  if (explicitPort !== undefined) return [explicitPort];
  if (config.portalPort === 0) return [0];
  return [config.portalPort, config.portalFallbackPort];
}

export function portalUrl(port: number): string {
  return `http://localhost:${port}/`;
}

/** A legacy updater service (EMainServer...) that runs: the likely holder of the old portal's port. */
export function runningLegacyService(services: readonly ServiceInfo[]): ServiceInfo | undefined {
  return services.find((s) => isUpdaterService(s) && !isOurUpdaterService(s) && s.state === 'Running');
}

/**
 * What the service says (service log, console, Event Log, portal.json for repair and the health page)
 * when it takes the fallback port (pure; a message, worded in French on the portal).
 */
export function fallbackNotice(taken: number, fallback: number, legacy?: Pick<ServiceInfo, 'name' | 'displayName'>): Message {
  const who = legacy
    ? msg('portal.fallback.legacy', { name: legacy.name, displayName: legacy.displayName, port: LEGACY_PORTAL_PORT })
    : msg('portal.fallback.other');
  return msg('portal.fallback', { taken, host: PORTAL_HOST, who, fallback, url: portalUrl(fallback) });
}

/** Both ports in use (`ports`: <portal port>, then <portal fallbackPort>). */
export function allPortsTaken(ports: readonly number[], configFile: string): AltazionError {
  return new AltazionError('E_CONFIG', msg('portal.portsTaken', { port: ports[0]!, fallback: ports[ports.length - 1]!, host: PORTAL_HOST }), {
    target: configFile,
    hint: msg('portal.portsTakenHint', { file: configFile, port: ports[0]! }),
  });
}

/** The first port of `ports` that `isFree` says is free, and those taken before it (undefined: all taken). */
export async function firstFreePort(ports: readonly number[], isFree: (port: number) => Promise<boolean>): Promise<{ port?: number; taken: number[] }> {
  const taken: number[] = [];
  for (const port of ports) {
    if (await isFree(port)) return { port, taken };
    taken.push(port);
  }
  return { taken };
}

/** Whether the portal could listen on 127.0.0.1:`port` now (`service install` predicts what the service will take). */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, PORTAL_HOST, () => probe.close(() => resolve(true)));
  });
}

/**
 * Listens on the first port of `ports` that is free (`listen` rejects with PortInUseError when one
 * is taken); `taken` lists those that were in use before it. Other errors are thrown as they are.
 */
export async function listenOnFirstFree<T>(ports: readonly number[], listen: (port: number) => Promise<T>, configFile: string): Promise<{ listening: T; taken: number[] }> {
  const taken: number[] = [];
  for (const port of ports) {
    try {
      return { listening: await listen(port), taken };
    } catch (error) {
      if (!(error instanceof PortInUseError)) throw error;
      taken.push(port);
    }
  }
  throw ports.length === 1 ? new PortInUseError(ports[0]!) : allPortsTaken(ports, configFile);
}

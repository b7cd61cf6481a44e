// Which port the portal listens on (SPEC §9): <portal port> of updater.config, or, when a program
// already listens there (the legacy EMainServer serves the old portal on 8080), <portal fallbackPort>.
// Both ports taken is bad configuration: exit 2 naming both. An explicit `--port` (or port 0, a free
// port: the demo) is used as given, without fallback.
import net from 'node:net';
import { AltazionError } from '../core/errors';
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

/** What the service says (service log, console, Windows event log) when it takes the fallback port (pure). */
export function fallbackNotice(taken: number, fallback: number, legacy?: Pick<ServiceInfo, 'name' | 'displayName'>): string {
  const who = legacy
    ? `the legacy service ${legacy.name} ("${legacy.displayName}") runs on this server and serves the old portal on port ${LEGACY_PORTAL_PORT}`
    : 'another program listens there';
  return `port ${taken} on ${PORTAL_HOST} is in use (${who}): the portal listens on the fallback port ${fallback} instead, ${portalUrl(fallback)} (<portal fallbackPort> in updater.config)`;
}

export function allPortsTaken(ports: readonly number[], configFile: string): AltazionError {
  return new AltazionError('E_CONFIG', `portal ports ${ports.join(' and ')} on ${PORTAL_HOST} are ${ports.length === 2 ? 'both' : 'all'} in use: the portal cannot start`, {
    target: configFile,
    hint: `set <portal port="..." fallbackPort="..."/> in ${configFile} to free ports, or stop the program that listens on port ${ports[0]}`,
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

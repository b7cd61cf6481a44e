// Starts the portal for the demo: the real service (src/service) on the sandbox root, without the
// periodic check (the demo checked once already; "Vérifier maintenant" checks on demand).
import type { Context } from '../context/context';
import { installModules } from '../install';
import { startService } from '../service/run';

export interface RunningPortal { url: string; close(): Promise<void> }

export async function startDemoPortal(ctx: Context, port: number): Promise<RunningPortal | undefined> {
  const service = await startService(ctx, { port, periodicChecks: false, install: installModules });
  return { url: service.portal.url, close: () => service.stop() };
}

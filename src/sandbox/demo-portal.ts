// Starts the portal for the demo: the real service (src/service) on the sandbox root, without the
// periodic check (the demo checked once already; "Vérifier maintenant" checks on demand).
import type { Context } from '../context/context';
import { installModules } from '../install';
import { startService } from '../service/run';

/** How long the demo's sign-in link works (a real `portal open` link: 2 minutes). */
const DEMO_LINK_MS = 60 * 60 * 1000;

export interface RunningPortal {
  url: string;
  /** A one-time link that signs the demo's user in as an administrator (actions need one). */
  signInUrl: string;
  close(): Promise<void>;
}

export async function startDemoPortal(ctx: Context, port: number): Promise<RunningPortal | undefined> {
  const service = await startService(ctx, { port, periodicChecks: false, install: installModules });
  const { code } = service.portal.auth.issueCode('demo', DEMO_LINK_MS);
  return { url: service.portal.url, signInUrl: `${service.portal.url}signin?code=${encodeURIComponent(code)}`, close: () => service.stop() };
}

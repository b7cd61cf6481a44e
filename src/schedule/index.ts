// Scheduling an install for a maintenance window (the command line's `install --at`, the cmdlet's
// `-At`, the portal's "Installer cette nuit à 02:00"): the modules are checked now (an unknown
// name is refused at once), the install runs later in the update service (src/service/scheduler.ts).
import { operatorName } from '../io/operator';
import type { Context } from '../context/context';
import { canonicalModuleName } from '../core/modules';
import { checkVersionArgument } from '../core/version';
import { discoverSelected } from '../discovery/updates';
import { DEFAULT_WINDOW_MINUTES, type ScheduledInstall } from './plan';
import { addScheduledInstall, newScheduleId } from './store';

export interface ScheduleRequest {
  names: string[];
  instance?: string;
  version?: string;
  force?: boolean;
  at: Date;
  requestedBy: string;
  /** Who schedules it (the portal's signed-in administrator); default: this process's user. */
  user?: string;
  /** Minutes after `at` during which it may still start (default 120). */
  windowMinutes?: number;
}

export async function scheduleInstall(ctx: Context, request: ScheduleRequest): Promise<ScheduledInstall> {
  const names = request.names.map(canonicalModuleName);
  // Refused now as `install --version` would be, not when the service runs it in the night.
  checkVersionArgument(request.version);
  // Refuses unknown modules and instances now, naming applicationspath.config.
  await discoverSelected(ctx, { names, ...(request.instance !== undefined ? { instance: request.instance } : {}) });
  const now = ctx.now();
  return addScheduledInstall(ctx.layout, {
    Id: newScheduleId(now),
    Names: names,
    Instance: request.instance ?? null,
    Version: request.version ?? null,
    Force: Boolean(request.force),
    At: request.at.toISOString(),
    NotAfter: new Date(request.at.getTime() + (request.windowMinutes ?? DEFAULT_WINDOW_MINUTES) * 60_000).toISOString(),
    RequestedBy: request.requestedBy,
    User: request.user ?? operatorName(ctx.env),
    CreatedAt: now.toISOString(),
  });
}

export { cancelScheduledInstall, listScheduledInstalls, ScheduledInstallType } from './store';

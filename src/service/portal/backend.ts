// The portal's backend on a real instance root: the same use cases as the CLI (collectUpdates,
// installModules, listInstallHistory, runRepair dry-run, the database flows), so the page and
// `altazion-update get/install/repair/db` always agree.
import { promises as fs } from 'node:fs';
import type { Context } from '../../context/context';
import { isInside } from '../../config/paths';
import { AltazionError } from '../../core/errors';
import type { InstallResultRecord } from '../../core/records';
import { diskAnalysisCache, memoryAnalysisCache, type AnalysisCache } from '../../database/flow/analysis';
import { databaseOverview } from '../../database/flow/queries';
import { collectUpdates, readStatus } from '../../discovery/updates';
import { listInstallHistory } from '../../install/history';
import { runningInstall } from '../../install-state/lock';
import type { Output } from '../../output/output';
import { runRepair } from '../../repair';
import { cancelScheduledInstall, listScheduledInstalls, scheduleInstall } from '../../schedule';
import { DEFAULT_NIGHT_TIME, parseAt } from '../../schedule/plan';
import { coalesce } from './cache';
import type { DatabaseScriptView, DatabaseView, HistoryEntryView, JobRequest, PortalBackend } from './types';

/** installModules of src/install (InstallOptions of the team contract). */
export type InstallFn = (ctx: Context, options: {
  names?: string[]; instance?: string; script?: string; markApplied?: string;
  requestedBy?: 'cli' | 'portal' | 'cmdlet' | 'service'; signal?: AbortSignal; version?: string; force?: boolean; user?: string;
}) => Promise<InstallResultRecord[]>;

export interface BackendDeps {
  /** The service's context (the root and layout; reads). */
  ctx: Context;
  /** A fresh context for one read: updater.config edits show without a restart (default: ctx). */
  readContext?: () => Context;
  /** A context whose output is `output` (one per job: its messages go to the page). */
  contextFor: (output: Output) => Context;
  install: InstallFn;
  checkNow: () => Promise<{ ok: boolean; error?: string }>;
  /** The port the portal really listens on (the health check probes it, not only the configured one). */
  portalPort?: () => number | undefined;
  /** Where the database analysis is kept between requests (default: in memory, in front of the snapshot on disk). */
  analysisCache?: AnalysisCache;
  /** Called after the portal added or cancelled a scheduled install (the service's scheduler looks again). */
  onScheduleChanged?: () => void;
}

const MAX_LOG_BYTES = 2 * 1024 * 1024;
/** How old the shared module list may be (a CLI install elsewhere shows within this delay). */
export const MODULES_TTL_MS = 1000;

export function createPortalBackend(deps: BackendDeps): PortalBackend {
  const { ctx } = deps;
  // One database analysis per change of the database, whatever the number of pages and requests.
  const analysisCache = deps.analysisCache ?? memoryAnalysisCache(diskAnalysisCache(ctx));
  const fresh = (): Context => { const read: Context & { analysisCache: AnalysisCache } = { ...(deps.readContext ?? (() => ctx))(), analysisCache }; return read; };
  // An interrupted install shows on its module (collectUpdates reads the journals; the service, not a page view, finishes it).
  const modules = coalesce(() => collectUpdates(fresh(), {}), MODULES_TTL_MS);
  return {
    applicationsConfig: ctx.layout.applicationsConfig,
    computerName: async () => (await ctx.platform()).computerName,
    modules: () => modules.get(),
    lastCheckedAt: async () => (await readStatus(ctx.layout.statusXml))?.checkedAt,
    // The same stale-holder check as the CLI: a lock left by a dead process is no running install.
    lockOwner: () => runningInstall(ctx.layout),
    checkNow: async () => {
      try { return await deps.checkNow(); } finally { modules.invalidate(); }
    },

    history: async () => (await listInstallHistory(ctx.layout)).map((e): HistoryEntryView => ({ ...e, Id: e.Id })),

    historyLog: async (id) => {
      const entry = (await listInstallHistory(ctx.layout)).find((e) => e.Id === id);
      if (!entry?.LogPath) return undefined;
      // Only logs the updater wrote (under bin\updates) are served.
      if (!isInside(entry.LogPath, ctx.layout.updates)) return undefined;
      const handle = await fs.open(entry.LogPath, 'r').catch(() => undefined);
      if (!handle) return undefined;
      try {
        const { size } = await handle.stat();
        const length = Math.min(size, MAX_LOG_BYTES);
        const buffer = Buffer.alloc(length);
        await handle.read(buffer, 0, length, size - length);
        return buffer.toString('utf8');
      } finally {
        await handle.close();
      }
    },

    health: () => {
      const port = deps.portalPort?.();
      // Probe the portal that is running (the demo and tests use a free port, not <portal port>).
      const base = fresh();
      const healthCtx: Context = port === undefined ? base : { ...base, config: async () => ({ ...(await base.config()), portalPort: port }) };
      return runRepair(healthCtx, { dryRun: true });
    },

    database: async (): Promise<DatabaseView> => {
      const readCtx = fresh();
      const db = (await modules.get()).find((m) => m.Name === 'database');
      if (!db) return { installed: false, customized: false, drift: { modified: [], missing: [], extra: [] }, scripts: [] };
      // Status, scripts and the content of those still to run (for review), from one analysis.
      const { status, scripts, diffs } = await databaseOverview(readCtx);
      return {
        installed: true,
        installedVersion: status.InstalledVersion ?? db.InstalledVersion,
        availableVersion: status.PackageVersion ?? db.AvailableVersion ?? undefined,
        customized: status.Customized === true,
        manual: status.Status === 'ManualActionRequired',
        detail: status.Detail,
        ...(status.DetailId ? { detailId: status.DetailId, ...(status.DetailParams ? { detailParams: status.DetailParams } : {}) } : {}),
        action: status.Action,
        ...(status.ActionId ? { actionId: status.ActionId, ...(status.ActionParams ? { actionParams: status.ActionParams } : {}) } : {}),
        drift: { modified: status.Modified, missing: status.Missing, extra: status.Extra },
        scripts: scripts as DatabaseScriptView[],
        diffs,
      };
    },

    scheduled: () => listScheduledInstalls(ctx.layout),
    schedule: async ({ name, instance, at, user }) => {
      const now = ctx.now();
      const when = parseAt(at ?? DEFAULT_NIGHT_TIME, now, 'at');
      try {
        return await scheduleInstall(ctx, { names: [name], instance, at: when, requestedBy: 'portal', ...(user ? { user } : {}) });
      } finally {
        deps.onScheduleChanged?.();
      }
    },
    cancelSchedule: async (id) => {
      try { return await cancelScheduledInstall(ctx.layout, id); } finally { deps.onScheduleChanged?.(); }
    },

    runJob: async (job: JobRequest, output: Output, signal: AbortSignal) => {
      const jobCtx = deps.contextFor(output);
      const base = {
        names: job.names ?? (job.name ? [job.name] : []), instance: job.instance ?? '', requestedBy: job.requestedBy ?? 'portal' as const, signal,
        ...(job.version ? { version: job.version } : {}), ...(job.force ? { force: true } : {}), ...(job.user ? { user: job.user } : {}),
      };
      try {
        switch (job.kind) {
          case 'install': return await deps.install(jobCtx, base);
          case 'db-script': return await deps.install(jobCtx, { ...base, script: job.script });
          case 'db-mark-applied': return await deps.install(jobCtx, { ...base, markApplied: job.script });
          default: throw new AltazionError('E_USAGE', `unknown job kind ${(job as JobRequest).kind}`);
        }
      } finally {
        modules.invalidate();
      }
    },
  };
}

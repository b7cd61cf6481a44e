// `service run`: the background service (SPEC §9). One process: the periodic check (jittered
// interval, backoff while the feed is down, never two at once) and the portal, everything logged
// to bin\updates\logs\service.log (rotated). Also used by `demo` (portal only, no periodic check).
// The portal takes <portal port>, or <portal fallbackPort> when that one is in use (portal-port.ts),
// says so (service log, console, Windows event log), and records where it listens in
// bin\updates\portal.json for repair and the other tools.
import path from 'node:path';
import { runCheck } from '../check/run-check';
import { tidyBackups } from '../install/backup';
import { recoverInterruptedInstalls } from '../install/recovery';
import type { Context } from '../context/context';
import { removePortalState, writePortalState } from '../config/portal-state';
import { unknownSettingMessage } from '../config/updater-config';
import { PRODUCT_VERSION } from '../core/product';
import { Output, silentOutput } from '../output/output';
import { abortableSleep, CheckRunner } from './check-runner';
import { RotatingLog } from './logger';
import { createPortalBackend, type InstallFn } from './portal/backend';
import { fallbackNotice, listenOnFirstFree, portalPorts, runningLegacyService } from './portal-port';
import { startPortal, type RunningPortal } from './portal/server';
import { removePortalToken, writePortalToken } from './portal/token-file';
import { moveLegacySettings } from '../security/settings';
import { DEFAULT_JITTER_FRACTION } from './schedule';
import { MaintenanceScheduler } from './scheduler';
import { AltazionError } from '../core/errors';
import { msg, recordText, textOf, type Message } from '../core/messages';
import { reportEvent } from '../events';
import { appendInstallHistory } from '../install/history';
import { localText } from '../schedule/plan';
import { diskAnalysisCache, memoryAnalysisCache } from '../database/flow/analysis';
import { declaresDatabaseModule } from '../database/flow/configuration';
import { checkDatabaseForService } from '../database/flow/queries';
import { SERVICE_CHECK_INTERVAL_MS } from '../database/service-check';
import { watchDatabase } from './database-watch';

export const SERVICE_LOG_MAX_BYTES = 5 * 1024 * 1024;
export const SERVICE_LOG_KEEP = 5;
/** First retry after a failed check; doubles up to the check interval. */
export const BACKOFF_BASE_MS = 60_000;

export interface ServiceOptions {
  /** Portal port as given (`--port`; 0 = a free port), no fallback; default: <portal port>, else <portal fallbackPort>. */
  port?: number;
  /** Told what an administrator must know (the fallback port taken): the command prints it. */
  notice?: (message: Message) => void;
  /** Run the periodic check (the demo does not). */
  periodicChecks: boolean;
  /** Delay before the first check (default 10 s: let the machine finish booting). */
  firstCheckDelayMs?: number;
  install: InstallFn;
  /** The minute check of the database for `get` (default: every SERVICE_CHECK_INTERVAL_MS with periodicChecks). */
  databaseCheckIntervalMs?: number;
  /** The scheduler's clock (tests drive it; default: the real one). */
  clock?: { now: () => Date; sleep: (ms: number, signal: AbortSignal) => Promise<void> };
}

export interface RunningService {
  portal: RunningPortal;
  runner: CheckRunner;
  scheduler: MaintenanceScheduler;
  log: RotatingLog;
  stop(): Promise<void>;
}

export async function startService(ctx: Context, options: ServiceOptions): Promise<RunningService> {
  // Settings still in bin\config (earlier versions) move to bin\updates before anything trusts them.
  const settings = await moveLegacySettings(ctx);
  const config = await ctx.config();
  const log = new RotatingLog({ file: path.join(ctx.layout.updaterLogs, 'service.log'), maxBytes: SERVICE_LOG_MAX_BYTES, keep: SERVICE_LOG_KEEP });
  const logOutput = () => new Output({ json: true, verbose: true, stdout: log.stream(), stderr: log.stream() });
  const write = (level: 'info' | 'warning', message: string) => log.write(JSON.stringify({ v: 1, type: 'log', level, message }));
  if (settings.state === 'moved' || settings.state === 'finished') write('info', textOf(settings.detail));
  else if (settings.state === 'not-moved' || settings.state === 'legacy-ignored') write('warning', textOf(settings.detail));
  // Names updater.config holds that this version ignores: on the console by ctx.config(), here once;
  // the contexts of the checks, jobs and the minute watch below do not repeat them (withOutput).
  for (const unknown of config.unknown) write('warning', textOf(unknownSettingMessage(config.file, unknown)));
  // A fresh context per check and per job: updater.config edits are picked up without a restart.
  const contextFor = (output: Output, options?: { quiet?: boolean }) => ctx.withOutput(output, options);
  const stopping = new AbortController();
  let intervalMinutes = config.checkIntervalMinutes;

  // The service finishes what a crash interrupted (under the install lock; a running install
  // skips it) and compresses the backups of finished installs, at start and with every check.
  let tidying: Promise<void> = Promise.resolve();
  const recoverAndTidy = () => (tidying = tidying.then(recoverAndTidyNow));
  const recoverAndTidyNow = async () => {
    const jobCtx = contextFor(logOutput());
    try {
      for (const o of await recoverInterruptedInstalls(jobCtx, { dryRun: false })) write(o.status === 'done' ? 'info' : 'warning', `interrupted install ${o.id}: ${o.detail}`);
    } catch (error) {
      write('warning', `recovery of an interrupted install failed: ${(error as Error).message}`);
    }
    try {
      await tidyBackups(jobCtx, (line) => write('info', line), stopping.signal);
    } catch (error) {
      write('warning', `backups: ${(error as Error).message}`);
    }
  };
  await recoverAndTidy();

  const runner = new CheckRunner({
    check: async (signal) => {
      write('info', 'checking the feed');
      await runCheck(contextFor(logOutput()), { report: false, signal });
      write('info', 'check finished');
      await recoverAndTidy();
    },
    // updater.config is read again before each wait: a changed interval applies without a restart;
    // a config broken meanwhile keeps the last good interval (the check itself reports the error).
    schedule: async () => {
      try {
        intervalMinutes = (await contextFor(logOutput()).config()).checkIntervalMinutes;
      } catch { /* keep the last good value */ }
      return { intervalMinutes, jitterFraction: DEFAULT_JITTER_FRACTION };
    },
    backoffBaseMs: BACKOFF_BASE_MS,
    random: Math.random,
    sleep: abortableSleep,
    log: write,
    firstDelayMs: options.firstCheckDelayMs ?? 10_000,
  });

  let listeningPort: number | undefined;
  let scheduler: MaintenanceScheduler | undefined;
  // One analysis per change of the database for the portal's pages and the minute check alike.
  const analysisCache = memoryAnalysisCache(diskAnalysisCache(ctx));
  const backend = createPortalBackend({
    analysisCache,
    onScheduleChanged: () => scheduler?.wake(),
    portalPort: () => listeningPort,
    ctx: contextFor(logOutput()),
    readContext: () => contextFor(logOutput()),
    contextFor,
    // After each portal install, its backup is compressed (or pruned) in the background.
    install: async (jobCtx, installOptions) => {
      const records = await options.install(jobCtx, installOptions);
      if (records.some((r) => r.Result === 'Installed')) void recoverAndTidy();
      return records;
    },
    checkNow: async () => {
      const result = await runner.trigger(stopping.signal);
      return result.ok ? { ok: true } : { ok: false, error: result.error };
    },
  });
  const ports = portalPorts(config, options.port);
  // The Event Log is where an administrator looks when the service misbehaves (reportEvent: a failure
  // to write there — source not registered, no bridge — is logged and changes nothing else).
  let bound: { listening: RunningPortal; taken: number[] };
  try {
    bound = await listenOnFirstFree(ports, (port) => startPortal({ backend, port, makeJobOutput: logOutput, version: PRODUCT_VERSION, log: write }), config.file);
  } catch (error) {
    write('warning', `the portal cannot start: ${(error as Error).message}`);
    if (options.periodicChecks) await reportEvent(contextFor(logOutput()), { kind: 'portalFailed', message: error instanceof AltazionError ? error.worded : (error as Error).message });
    throw error;
  }
  const portal = bound.listening;
  listeningPort = portal.port;
  // A new administrator token at each start, readable by Administrators and SYSTEM only: reading it
  // is how `portal open` proves its user is one (portal/auth.ts).
  const adminToken = portal.auth.adminToken;
  try {
    await writePortalToken(ctx.layout, (await ctx.platform()).rights, { url: portal.url, token: adminToken, pid: process.pid, startedAt: new Date().toISOString() });
  } catch (error) {
    await portal.close();
    throw error;
  }
  let reason: Message | undefined;
  if (bound.taken.length > 0) {
    const services = await ctx.platform().then((platform) => platform.services.list()).catch(() => []);
    reason = fallbackNotice(bound.taken[0]!, portal.port, runningLegacyService(services));
    write('warning', textOf(reason));
    options.notice?.(reason);
    await reportEvent(contextFor(logOutput()), { kind: 'portalFallback', notice: reason });
  }
  await writePortalState(ctx.layout.portalState, {
    url: portal.url, port: portal.port, configuredPort: ports[0]!, fallback: bound.taken.length > 0, ...(reason ? { reason } : {}),
    pid: process.pid, startedAt: new Date().toISOString(),
  }).catch((error: Error) => write('warning', `could not record the portal's URL in ${ctx.layout.portalState}: ${error.message}`));
  const clock = options.clock ?? { now: () => new Date(), sleep: abortableSleep };
  scheduler = new MaintenanceScheduler({
    layout: ctx.layout,
    now: clock.now,
    sleep: clock.sleep,
    start: async (request) => {
      const outcome = await portal.jobs.start(request);
      return outcome.started ? { started: true, done: portal.jobs.whenIdle() } : { started: false, who: `${outcome.owner.requestedBy}, pid ${outcome.owner.pid}` };
    },
    policy: async () => (await contextFor(logOutput()).config()).maintenance,
    modules: () => backend.modules(),
    missed: async (entry) => {
      const reason = msg('schedule.missed', { notAfter: localText(new Date(entry.NotAfter)) });
      const at = localText(new Date(entry.At));
      for (const name of entry.Names.length ? entry.Names : ['*']) {
        await appendInstallHistory(ctx.layout, {
          Id: entry.Id, Name: name, Instance: entry.Instance ?? '', FromVersion: '', ToVersion: entry.Version ?? '', Result: 'Failed',
          StartedAt: entry.At, DurationSeconds: 0, DowntimeSeconds: 0, BackupPath: null, LogPath: null, ...recordText('Message', reason), PendingScripts: [],
          RequestedBy: 'service', User: entry.User, ComputerName: (await ctx.platform()).computerName,
        }).catch(() => undefined);
      }
      await reportEvent(contextFor(logOutput()), { kind: 'scheduleMissed', modules: entry.Names.join(', ') || '*', at, reason });
    },
    log: write,
  });
  const scheduleLoop = scheduler.loop(stopping.signal);
  write('info', `service started (pid ${process.pid}), portal ${portal.url}, checks ${options.periodicChecks ? `every ${config.checkIntervalMinutes} min` : 'on demand only'}`);
  const loop = options.periodicChecks ? runner.loop(stopping.signal) : Promise.resolve();
  const databaseCheckIntervalMs = options.databaseCheckIntervalMs ?? (options.periodicChecks ? SERVICE_CHECK_INTERVAL_MS : undefined);
  const databaseLoop = databaseCheckIntervalMs === undefined ? Promise.resolve() : watchDatabase({
    hasDatabase: () => declaresDatabaseModule(ctx),
    check: async () => {
      // Silent: a warning about the connection string would otherwise fill the log once a minute
      // (commands and the portal still print it); the watch logs failures and changes itself.
      const { status, analysed } = await checkDatabaseForService(contextFor(silentOutput(), { quiet: true }), { cache: analysisCache, checkedBy: `service pid ${process.pid}` });
      return { analysed, status: status.Status };
    },
    intervalMs: databaseCheckIntervalMs,
    sleep: abortableSleep,
    log: write,
  }, stopping.signal);

  let stopped: Promise<void> | undefined;
  return {
    portal,
    runner,
    scheduler,
    log,
    stop: () => {
      stopped ??= (async () => {
        write('info', 'stopping');
        stopping.abort();
        await portal.close();
        await removePortalToken(ctx.layout, adminToken).catch(() => undefined);
        await removePortalState(ctx.layout.portalState, process.pid).catch(() => undefined);
        // A running install is asked to stop (it rolls back cleanly) and awaited.
        await portal.jobs.settle(true);
        await loop;
        await scheduleLoop;
        await databaseLoop;
        // A compression in flight stops at its next file (the partial archive is removed; the
        // folder stays and is compressed next time).
        await tidying;
        write('info', 'service stopped');
      })();
      return stopped;
    },
  };
}

/**
 * Resolves on the first stop request: Ctrl+C (SIGINT), SIGTERM, Ctrl+Break (SIGBREAK, Windows),
 * and, with `stdinClose`, the end of stdin (how the Windows service host asks us to stop).
 */
export function waitForStopRequest(stdinClose: boolean): Promise<string> {
  return new Promise((resolve) => {
    const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', ...(process.platform === 'win32' ? ['SIGBREAK' as NodeJS.Signals] : [])];
    const done = (why: string) => {
      for (const s of signals) process.removeListener(s, handlers.get(s)!);
      resolve(why);
    };
    const handlers = new Map(signals.map((s) => [s, () => done(s)] as const));
    for (const [s, h] of handlers) process.once(s, h);
    if (stdinClose) {
      process.stdin.on('end', () => done('stdin closed'));
      process.stdin.on('close', () => done('stdin closed'));
      process.stdin.resume();
    }
  });
}

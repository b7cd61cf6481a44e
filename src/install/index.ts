// `install` (SPEC §3, §6): plan first (pure), then, unless --dry-run, apply module by module under
// the one install lock. Returns one Altazion.InstallResult per selected module.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { AltazionError, ExitCode, exitCodeFor, toAltazionError, type ErrorCode } from '../core/errors';
import { canonicalModuleName, moduleNames, type ModuleKind } from '../core/modules';
import type { InstallResultRecord } from '../core/records';
import type { Context } from '../cli/context';
import { loadFeed, writeStatusFromIndex } from '../check/run-check';
import { discoverModules, selectModules } from '../discovery/discover';
import { downloadPackage, findCachedPackage } from '../feed/download';
import type { ReleaseEntry } from '../feed/types';
import { applyModuleInstall, type StepObserver } from './apply';
import { appendInstallHistory } from './history';
import { listHookFiles } from './hooks';
import { acquireInstallLock, currentOwner } from './lock';
import { installLogPath } from './log';
import { planInstall, type ModulePlan } from './plan';
import { installDatabaseModule } from './database';
import { moveLegacySettingsAndReport } from '../security/settings';

export interface InstallOptions {
  names?: string[];
  instance?: string;
  version?: string;
  dryRun?: boolean;
  force?: boolean;
  script?: string;
  markApplied?: string;
  exportScripts?: string;
  requestedBy?: 'cli' | 'portal' | 'cmdlet';
  /** Who asked (recorded in the history, the lock and the install log): the portal's signed-in administrator; default: this process's user. */
  user?: string;
  signal?: AbortSignal;
  /** Test seam (fault injection, simulated crashes): called before each journaled step. */
  onStep?: StepObserver;
}

export interface InstallRun {
  records: InstallResultRecord[];
  /** Why modules failed or rolled back (the database flow reports its own). */
  errors: AltazionError[];
  exitCode: ExitCode;
}

function userName(): string {
  try { return os.userInfo().username; } catch { return 'unknown'; }
}

export function newInstallId(now: Date): string {
  return `${now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '')}-${randomBytes(3).toString('hex')}`;
}

/** Exit code of a run: a failure beats bad input, which beats a manual action; all good is 0. */
export function exitCodeOf(codes: readonly (ErrorCode | undefined)[]): ExitCode {
  const exits = codes.filter((c): c is ErrorCode => c !== undefined).map(exitCodeFor);
  for (const wanted of [ExitCode.Failed, ExitCode.BadInput, ExitCode.ManualActionRequired]) if (exits.includes(wanted)) return wanted;
  return ExitCode.Ok;
}

function whatIf(plan: ModulePlan, startedAt: string): InstallResultRecord {
  const verb = plan.action === 'install' ? 'would install' : plan.action === 'database' ? 'would update the database' : plan.action === 'held' ? 'held' : plan.action === 'up-to-date' ? 'nothing to do' : 'cannot install';
  return {
    Name: plan.name, Instance: plan.instance, FromVersion: plan.fromVersion, ToVersion: plan.toVersion, Result: 'WhatIf',
    StartedAt: startedAt, DurationSeconds: 0, DowntimeSeconds: 0, BackupPath: null, LogPath: null,
    Message: `${verb}: ${plan.reason}`, PendingScripts: [],
  };
}

export async function runInstall(ctx: Context, options: InstallOptions): Promise<InstallRun> {
  const { output, layout } = ctx;
  // --dry-run changes nothing: the settings stay where they are.
  if (!options.dryRun) await moveLegacySettingsAndReport(ctx);
  const names = (options.names ?? []).map(canonicalModuleName);
  const dbOnlyAction = options.script ?? options.markApplied ?? options.exportScripts;
  if (dbOnlyAction !== undefined && names.some((n) => n !== 'database')) {
    throw new AltazionError('E_USAGE', '--script, --mark-applied and --export-scripts apply to the database only: use them with --name database', { target: names.join(',') });
  }

  const { verified, source } = await loadFeed(ctx);
  const catalogKinds = new Map<string, ModuleKind>(Object.entries(verified.index.modules).map(([k, m]) => [k, m.kind]));
  const releases = new Map<string, ReleaseEntry[]>(Object.entries(verified.index.modules).map(([k, m]) => [k, m.releases]));
  const platform = await ctx.platform();
  const installed = await discoverModules({ layout, pathApi: ctx.pathApi, platform, catalogKinds });
  const selected = selectModules(installed, dbOnlyAction !== undefined ? ['database'] : names, options.instance);
  const unmatched = names.filter((n) => !selected.some((m) => m.name === n));
  if (unmatched.length > 0 || (options.instance !== undefined && selected.length === 0)) {
    const what = unmatched.length > 0 ? `module ${unmatched.join(', ')}` : `instance "${options.instance}"`;
    throw new AltazionError('E_NOT_FOUND', `${what} is not declared in ${layout.applicationsConfig}`, {
      target: unmatched[0] ?? options.instance, hint: `declared: ${installed.map((m) => m.name + (m.instance ? `[${m.instance}]` : '')).join(', ') || 'none'}`,
    });
  }
  const plans = planInstall({
    installed, selected, releases, catalogKinds, version: options.version, force: options.force,
    hookFiles: await listHookFiles(layout.scripts), moduleAliases: moduleNames,
  });
  const startedAt = ctx.now().toISOString();
  if (options.dryRun) return { records: plans.map((p) => whatIf(p, startedAt)), errors: [], exitCode: ExitCode.Ok };

  const config = await ctx.config();
  const user = options.user ?? userName();
  const lock = await acquireInstallLock(layout, currentOwner(options.requestedBy ?? 'cli', `install ${plans.filter((p) => p.action === 'install' || p.action === 'database').map((p) => `${p.name} ${p.toVersion}`).join(', ') || '(nothing)'}`, ctx.now(), user));
  const records: InstallResultRecord[] = [];
  const errors: AltazionError[] = [];
  const codes: (ErrorCode | undefined)[] = [];
  const simple = (plan: ModulePlan, Result: InstallResultRecord['Result'], Message: string): InstallResultRecord => ({
    Name: plan.name, Instance: plan.instance, FromVersion: plan.fromVersion, ToVersion: plan.toVersion, Result, StartedAt: ctx.now().toISOString(),
    DurationSeconds: 0, DowntimeSeconds: 0, BackupPath: null, LogPath: null, Message, PendingScripts: [],
  });
  try {
    for (const plan of plans) {
      if (options.signal?.aborted) break;
      if (plan.action === 'database' || (dbOnlyAction !== undefined && plan.kind === 'database' && plan.release)) {
        const result = await installDatabaseModule(ctx, plan, source, options);
        records.push(result.record);
        codes.push(result.code);
        await appendInstallHistory(layout, { ...result.record, Id: newInstallId(ctx.now()), RequestedBy: options.requestedBy ?? 'cli', User: user, ComputerName: platform.computerName });
        continue;
      }
      if (plan.action === 'up-to-date') { records.push(simple(plan, 'UpToDate', plan.reason)); codes.push(undefined); continue; }
      if (plan.action === 'held') { records.push(simple(plan, 'ManualActionRequired', plan.reason)); codes.push('E_REQUIREMENT'); continue; }
      if (plan.action === 'unavailable') {
        records.push(simple(plan, 'Failed', plan.reason));
        codes.push(options.version ? 'E_NOT_FOUND' : 'E_FAILED');
        errors.push(new AltazionError(options.version ? 'E_NOT_FOUND' : 'E_FAILED', plan.reason, { target: plan.name }));
        continue;
      }
      const id = newInstallId(ctx.now());
      const logPath = installLogPath(layout.updaterLogs, id);
      const progress = output.startProgress(`Installing ${plan.name}${plan.instance ? ` [${plan.instance}]` : ''} ${plan.toVersion}`);
      let packageFile: string;
      try {
        const release = plan.release!;
        packageFile = (await findCachedPackage(layout.cache, release)) ?? (await downloadPackage({
          source, release, cacheDir: layout.cache, signal: options.signal,
          onProgress: ({ received, total }) => progress(`downloading ${(received / 1048576).toFixed(1)} / ${(total / 1048576).toFixed(1)} MB`, total ? (received / total) * 10 : 0),
        })).path;
      } catch (error) {
        const err = toAltazionError(error);
        progress('failed', 100, true);
        const record = simple(plan, 'Failed', `${err.message}; nothing was changed`);
        records.push(record);
        codes.push(err.code);
        errors.push(err);
        await appendInstallHistory(layout, { ...record, Id: id, RequestedBy: options.requestedBy ?? 'cli', User: user, ComputerName: platform.computerName });
        continue;
      }
      const outcome = await applyModuleInstall({
        layout, pathApi: ctx.pathApi, platform, install: config.install, env: ctx.env, now: ctx.now,
        requestedBy: `${options.requestedBy ?? 'cli'} (${user})`, host: os.hostname(),
        progress: (status, percent) => progress(status, 10 + percent * 0.9),
        warn: (message) => output.warn(message),
        onStep: options.onStep,
      }, { id, plan, packageFile, logPath });
      progress(outcome.record.Result, 100, true);
      records.push(outcome.record);
      codes.push(outcome.error?.code);
      if (outcome.error) errors.push(outcome.error);
      await appendInstallHistory(layout, { ...outcome.record, Id: id, RequestedBy: options.requestedBy ?? 'cli', User: user, ComputerName: platform.computerName });
    }
    // What `get` shows next: the versions of the index this install verified.
    if (records.some((r) => r.Result === 'Installed')) await writeStatusFromIndex(ctx, verified);
  } finally {
    await lock.release();
  }
  return { records, errors, exitCode: exitCodeOf(codes) };
}

/** The contract others call (portal, service): the records only. */
export async function installModules(ctx: Context, options: InstallOptions): Promise<InstallResultRecord[]> {
  return (await runInstall(ctx, options)).records;
}

export { acquireInstallLock, readInstallLock, type LockOwner } from './lock';
export { listInstallHistory, type InstallHistoryEntry } from './history';
export { findInterruptedInstalls, recoverInterruptedInstalls, type RecoveryOutcome } from './recovery';

// `install` (SPEC §3, §6): plan first (pure), then, unless --dry-run, apply module by module under
// the one install lock. Returns one Altazion.InstallResult per selected module.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { AltazionError, ExitCode, exitCodeFor, toAltazionError, type ErrorCode } from '../core/errors';
import { canonicalModuleName, moduleNames, type ModuleKind } from '../core/modules';
import type { InstallResultRecord } from '../core/records';
import type { Context } from '../cli/context';
import { loadFeed, writeStatusFromIndex } from '../check/run-check';
import { discoverModules, readApplications, selectModules } from '../discovery/discover';
import { isVersion } from '../core/version';
import { diskErrorOr } from '../io/disk';
import { downloadPackage, findCachedPackage } from '../feed/download';
import type { ReleaseEntry } from '../feed/types';
import { applyModuleInstall, type StepObserver } from './apply';
import { appendInstallHistory } from './history';
import { listHookFiles } from './hooks';
import { acquireInstallLock, currentOwner, describeOwner } from './lock';
import { recoverInterruptedInstalls, reportInterruptedInstalls, sweepTempFilesOfInstalls } from './recovery';
import { installLogPath } from './log';
import { planInstall, type ModulePlan } from './plan';
import { installDatabaseModule } from './database';

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
  /** Wait this long for a running install to finish instead of failing at once with E_BUSY (exit 4). */
  waitSeconds?: number;
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

/**
 * The arguments, checked before anything is touched (exit 2, nothing changed): a --version that is
 * not a version, a module or an instance that applicationspath.config does not declare.
 */
async function checkArguments(ctx: Context, options: InstallOptions, names: string[]): Promise<void> {
  if (options.version !== undefined && !isVersion(options.version)) {
    throw new AltazionError('E_USAGE', `--version: "${options.version}" is not a version (numbers separated by dots: a release like 25.10 or a build like 25.10.1.2)`, {
      target: options.version, hint: 'altazion-update get lists the installed and available versions',
    });
  }
  const declared = await readApplications(ctx.layout);
  const describeDeclared = () => declared.map((m) => m.name + (m.instance ? ` [${m.instance}]` : '')).join(', ') || 'none';
  const unknown = names.filter((n) => !declared.some((d) => d.name === n));
  if (unknown.length > 0) {
    throw new AltazionError('E_NOT_FOUND', `module ${unknown.join(', ')} is not declared in ${ctx.layout.applicationsConfig}`, { target: unknown[0], hint: `declared: ${describeDeclared()}` });
  }
  if (options.instance !== undefined) {
    const wanted = options.instance.toLowerCase();
    const candidates = names.length ? declared.filter((d) => names.includes(d.name)) : declared;
    if (!candidates.some((d) => d.instance.toLowerCase() === wanted)) {
      const instances = [...new Set(candidates.map((d) => (d.instance ? `"${d.instance}"` : '"" (the main instance)')))];
      throw new AltazionError('E_NOT_FOUND', `--instance: "${options.instance}" is not declared${names.length ? ` for ${names.join(', ')}` : ''} in ${ctx.layout.applicationsConfig}; declared instances: ${instances.join(', ') || 'none'}`, {
        target: options.instance, hint: `declared: ${describeDeclared()}`,
      });
    }
  }
}

export async function runInstall(ctx: Context, options: InstallOptions): Promise<InstallRun> {
  const { output, layout } = ctx;
  const names = (options.names ?? []).map(canonicalModuleName);
  const dbOnlyAction = options.script ?? options.markApplied ?? options.exportScripts;
  if (dbOnlyAction !== undefined && names.some((n) => n !== 'database')) {
    throw new AltazionError('E_USAGE', '--script, --mark-applied and --export-scripts apply to the database only: use them with --name database', { target: names.join(',') });
  }
  await checkArguments(ctx, options, dbOnlyAction !== undefined ? ['database'] : names);

  // A dry run only reads: an interrupted install is reported, not finished (SPEC §8).
  if (options.dryRun) {
    await reportInterruptedInstalls(ctx);
    const { plans } = await planRun(ctx, options, names, dbOnlyAction);
    const startedAt = ctx.now().toISOString();
    return { records: plans.map((p) => whatIf(p, startedAt)), errors: [], exitCode: ExitCode.Ok };
  }

  const what = dbOnlyAction !== undefined ? 'database' : names.join(', ') || 'every module with an update';
  const lock = await acquireInstallLock(layout, currentOwner(options.requestedBy ?? 'cli', `install ${what}`, ctx.now()), {
    waitSeconds: options.waitSeconds, signal: options.signal,
    onWait: (holder) => output.warn(`waiting up to ${options.waitSeconds} s for another install to finish: ${describeOwner(holder)}`),
  });
  try {
    // Under this very lock, first finish what a crash left (or refuse a journal we cannot trust).
    const recovered = await recoverInterruptedInstalls(ctx, { dryRun: false, lock, strict: true });
    for (const o of recovered) {
      if (o.status === 'done') output.info(o.detail);
      else output.warn(`interrupted install ${o.id}: ${o.detail}`);
    }
    // What a write killed before its rename left (module folders, journals): ours to remove now.
    for (const { folder, files } of await sweepTempFilesOfInstalls(ctx, false)) output.verbose(`removed temporary files left in ${folder}: ${files.join(', ')}`);
    const unfinished = recovered.find((o) => o.status === 'failed');
    if (unfinished) {
      throw new AltazionError('E_FAILED', `an interrupted install could not be finished, so nothing is installed: ${unfinished.detail}`, {
        target: unfinished.file, hint: 'see its install log; then run altazion-update repair --check journal',
      });
    }
    return await installPlanned(ctx, options, names, dbOnlyAction);
  } finally {
    await lock.release();
  }
}

async function planRun(ctx: Context, options: InstallOptions, names: string[], dbOnlyAction: string | undefined) {
  const { verified, source } = await loadFeed(ctx);
  const catalogKinds = new Map<string, ModuleKind>(Object.entries(verified.index.modules).map(([k, m]) => [k, m.kind]));
  const releases = new Map<string, ReleaseEntry[]>(Object.entries(verified.index.modules).map(([k, m]) => [k, m.releases]));
  const platform = await ctx.platform();
  const installed = await discoverModules({ layout: ctx.layout, pathApi: ctx.pathApi, platform, catalogKinds });
  const selected = selectModules(installed, dbOnlyAction !== undefined ? ['database'] : names, options.instance);
  const plans = planInstall({
    installed, selected, releases, catalogKinds, version: options.version, force: options.force,
    hookFiles: await listHookFiles(ctx.layout.scripts), moduleAliases: moduleNames,
  });
  return { plans, verified, source, platform };
}

async function installPlanned(ctx: Context, options: InstallOptions, names: string[], dbOnlyAction: string | undefined): Promise<InstallRun> {
  const { output, layout } = ctx;
  const { plans, verified, source, platform } = await planRun(ctx, options, names, dbOnlyAction);
  const config = await ctx.config();
  const records: InstallResultRecord[] = [];
  const errors: AltazionError[] = [];
  const codes: (ErrorCode | undefined)[] = [];
  const simple = (plan: ModulePlan, Result: InstallResultRecord['Result'], Message: string): InstallResultRecord => ({
    Name: plan.name, Instance: plan.instance, FromVersion: plan.fromVersion, ToVersion: plan.toVersion, Result, StartedAt: ctx.now().toISOString(),
    DurationSeconds: 0, DowntimeSeconds: 0, BackupPath: null, LogPath: null, Message, PendingScripts: [],
  });
  // The history is a record, not the install: a full disk there must not turn a result into a crash.
  const remember = async (record: InstallResultRecord, id: string) => {
    try {
      await appendInstallHistory(layout, { ...record, Id: id, RequestedBy: options.requestedBy ?? 'cli', User: userName(), ComputerName: platform.computerName });
    } catch (error) {
      output.warn(`the install history could not be written: ${toAltazionError(await diskErrorOr(error, 'recording the install', layout.updates)).message}`);
    }
  };
  for (const plan of plans) {
    if (options.signal?.aborted) break;
    if (plan.action === 'database' || (dbOnlyAction !== undefined && plan.kind === 'database' && plan.release)) {
      const result = await installDatabaseModule(ctx, plan, source, options);
      records.push(result.record);
      codes.push(result.code);
      // Each failed module has its error record (the cmdlets raise it as an ErrorRecord).
      if (result.code && (result.record.Result === 'Failed' || result.record.Result === 'RolledBack')) {
        errors.push(result.error ?? new AltazionError(result.code, result.record.Message, { target: plan.name }));
      }
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
      const err = toAltazionError(await diskErrorOr(error, `downloading ${plan.name} ${plan.toVersion}`, layout.cache, { under: layout.cache, bytes: plan.release!.size }));
      progress('failed', 100, true);
      const record = simple(plan, 'Failed', `${err.message}; nothing was changed`);
      records.push(record);
      codes.push(err.code);
      errors.push(err);
      await remember(record, id);
      continue;
    }
    const outcome = await applyModuleInstall({
      layout, pathApi: ctx.pathApi, platform, install: config.install, env: ctx.env, now: ctx.now,
      requestedBy: options.requestedBy ?? 'cli', host: os.hostname(),
      progress: (status, percent) => progress(status, 10 + percent * 0.9),
      warn: (message) => output.warn(message),
      onStep: options.onStep,
    }, { id, plan, packageFile, logPath });
    progress(outcome.record.Result, 100, true);
    records.push(outcome.record);
    codes.push(outcome.error?.code);
    if (outcome.error) errors.push(outcome.error);
    await remember(outcome.record, id);
  }
  // What `get` shows next: the versions of the index this install verified.
  if (records.some((r) => r.Result === 'Installed')) {
    await writeStatusFromIndex(ctx, verified).catch(async (error) => output.warn(`status.xml could not be written: ${toAltazionError(await diskErrorOr(error, 'writing status.xml', layout.statusXml)).message}`));
  }
  return { records, errors, exitCode: exitCodeOf(codes) };
}

/** The contract others call (portal, service): the records only. */
export async function installModules(ctx: Context, options: InstallOptions): Promise<InstallResultRecord[]> {
  return (await runInstall(ctx, options)).records;
}

export { acquireInstallLock, readInstallLock, runningInstall, type LockOwner } from './lock';
export { listInstallHistory, type InstallHistoryEntry } from './history';
export { findInterruptedInstalls, recoverInterruptedInstalls, reportInterruptedInstalls, type RecoveryOutcome } from './recovery';
export { compressPendingBackups } from './backup';

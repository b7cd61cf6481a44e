// `install` (SPEC §3, §6): plan first (pure), then, unless --dry-run, apply module by module under
// the one install lock. Returns one Altazion.InstallResult per selected module.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { operatorName } from '../io/operator';
import { AltazionError, ExitCode, exitCodeFor, toAltazionError, type ErrorCode } from '../core/errors';
import { msg, recordMessage, recordText, type Message, type MessageId } from '../core/messages';
import { canonicalModuleName, moduleNames, type ModuleKind } from '../core/modules';
import type { InstallResultRecord } from '../core/records';
import type { Context } from '../context/context';
import { writeStatusFromIndex } from '../check/run-check';
import { loadFeed } from '../feed/load';
import { discoverModules, readApplications, reportUnmatchedSelection, selectModules } from '../discovery/discover';
import { checkVersionArgument } from '../core/version';
import { diskErrorOr } from '../io/disk';
import { downloadPackage, downloadWaitMessage, findCachedPackage } from '../feed/download';
import type { ReleaseEntry } from '../feed/types';
import { applyModuleInstall, type StepObserver } from './apply';
import { appendInstallHistory } from './history';
import { listHookFiles } from './hooks';
import { moveLegacySettingsAndReport } from '../security/settings';
import { acquireInstallLock, currentOwner, describeOwner } from '../install-state/lock';
import { recoverInterruptedInstalls, reportInterruptedInstalls, sweepTempFilesOfInstalls } from './recovery';
import { installLogPath } from './log';
import { planInstall, versionNotInFeed, type ModulePlan } from './plan';
import { installDatabaseModule } from './database';
import type { OperationalEvent } from '../core/events';
import { reportEvent } from '../events';

export interface InstallOptions {
  names?: string[];
  instance?: string;
  version?: string;
  dryRun?: boolean;
  /** --force: reinstall, downgrade, unmet requirements and a customised database at once. */
  force?: boolean;
  reinstall?: boolean;
  allowDowngrade?: boolean;
  ignoreDatabaseCustomization?: boolean;
  /**
   * Reports a --name (or --instance) that matches nothing and lets the others proceed (the cmdlets:
   * one non-terminating error per unknown name). Without it such a name stops the run (bad input).
   */
  onUnknownSelection?: (error: AltazionError) => void;
  script?: string;
  markApplied?: string;
  exportScripts?: string;
  /** Who asks: 'service' is the update service running a scheduled install or its weekly window. */
  requestedBy?: 'cli' | 'portal' | 'cmdlet' | 'service';
  /**
   * Who acted (recorded in the history, the lock, the install log and the Event Log): the portal's
   * signed-in administrator, or for the service the one who scheduled the install; default: this
   * process's user.
   */
  user?: string;
  /** Wait this long for a running install to finish instead of failing at once with E_BUSY (exit 4). */
  waitSeconds?: number;
  signal?: AbortSignal;
  /** Test seam (fault injection, simulated crashes): called before each journaled step. */
  onStep?: StepObserver;
  /**
   * Each module's result, and each error, as soon as that module ends (the command line prints it
   * at once, so a cmdlet or a remote session passes it on while the next module installs).
   */
  onRecord?: (record: InstallResultRecord) => void;
  onError?: (error: AltazionError) => void;
}

export interface InstallRun {
  records: InstallResultRecord[];
  /** Why modules failed or rolled back (the database flow reports its own). */
  errors: AltazionError[];
  exitCode: ExitCode;
}

/** Megabytes with one decimal, for progress lines. */
function megabytes(bytes: number): number {
  return Math.round(bytes / 104857.6) / 10;
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

function whatIf(plan: ModulePlan, startedAt: string, finishedFirst: boolean): InstallResultRecord {
  // What the real run would answer: WhatIf only for what it would install; up to date, held or
  // unavailable are said as such (not "would install 25.10 over 25.10", which -WhatIf would show).
  // A module whose interrupted install the real run finishes first is planned again then: WhatIf.
  const Result = plan.action === 'up-to-date' ? 'UpToDate'
    : finishedFirst ? 'WhatIf'
      : plan.action === 'held' ? 'ManualActionRequired' : plan.action === 'unavailable' ? 'Failed' : 'WhatIf';
  const verb = plan.action === 'install' ? 'would install' : plan.action === 'database' ? 'would update the database' : plan.action === 'held' ? 'held' : plan.action === 'up-to-date' ? 'nothing to do' : 'cannot install';
  return {
    Name: plan.name, Instance: plan.instance, FromVersion: plan.fromVersion, ToVersion: plan.toVersion, Result,
    StartedAt: startedAt, DurationSeconds: 0, DowntimeSeconds: 0, BackupPath: null, LogPath: null,
    Message: `${verb}: ${plan.reason}`, PendingScripts: [],
  };
}

/**
 * The arguments, checked before anything is touched (exit 2, nothing changed): a --version that is
 * not a version, a module or an instance that applicationspath.config does not declare.
 */
async function checkArguments(ctx: Context, options: InstallOptions, names: string[]): Promise<void> {
  checkVersionArgument(options.version, 'altazion-update get lists the installed and available versions');
  // The cmdlets (onUnknownSelection) report an unknown name and go on with the others: checked when planning.
  if (options.onUnknownSelection) return;
  const declared = await readApplications(ctx.layout);
  reportUnmatchedSelection(ctx.layout.applicationsConfig, declared, selectModules(declared, names, options.instance), names, options.instance);
}

export async function runInstall(ctx: Context, options: InstallOptions): Promise<InstallRun> {
  const { output, layout } = ctx;
  const names = (options.names ?? []).map(canonicalModuleName);
  const dbOnlyAction = options.script ?? options.markApplied ?? options.exportScripts;
  if (dbOnlyAction !== undefined && names.some((n) => n !== 'database')) {
    throw new AltazionError('E_USAGE', '--script, --mark-applied and --export-scripts apply to the database only: use them with --name database', { target: names.join(',') });
  }
  await checkArguments(ctx, options, dbOnlyAction !== undefined ? ['database'] : names);
  // Bad arguments changed nothing; --dry-run changes nothing either: the settings stay where they are.
  if (!options.dryRun) await moveLegacySettingsAndReport(ctx);

  // A dry run only reads: an interrupted install is reported, not finished (SPEC §8); no lock.
  if (options.dryRun) {
    const interrupted = await reportInterruptedInstalls(ctx);
    // The real run finishes these first: what it then does for their modules is not known here.
    const finishedFirst = (plan: ModulePlan) => interrupted.some((i) => !i.journal || (i.journal.module === plan.name && i.journal.instance === plan.instance));
    const { plans, source, verified } = await planRun(ctx, options, names, dbOnlyAction);
    const startedAt = ctx.now().toISOString();
    // The database goes through its own flow read-only: the scripts that would run, or exit 3 with the report.
    const { records, errors, codes, record, error } = collectResults(options);
    for (const plan of plans) {
      // A --version the feed lacks is bad input whatever else holds the module back (an interrupted
      // install the real run would first finish): what the install says, exit 2, not a WhatIf to confirm.
      const notInFeed = plan.action === 'unavailable' && options.version !== undefined
        ? versionNotInFeed(plan.name, options.version, verified.index.modules[plan.name]?.releases ?? []) : undefined;
      if (notInFeed) {
        record({ ...whatIf(plan, startedAt, false), Message: notInFeed });
        codes.push('E_NOT_FOUND');
        error(new AltazionError('E_NOT_FOUND', notInFeed, { target: plan.name }));
        continue;
      }
      if (!isDatabaseRun(plan, dbOnlyAction)) {
        const recovering = finishedFirst(plan);
        record(whatIf(plan, startedAt, recovering));
        if (recovering) continue;
        // The exit code and error of the real run (see installPlanned).
        if (plan.action === 'held') codes.push('E_REQUIREMENT');
        if (plan.action === 'unavailable') { const err = unavailableError(plan, options); codes.push(err.code); error(err); }
        continue;
      }
      const result = await installDatabaseModule(ctx, plan, source, { ...options, dryRun: true, id: newInstallId(ctx.now()) });
      record(result.record);
      codes.push(result.code);
      if (result.code && result.record.Result === 'Failed') error(databaseFailure(result, plan));
    }
    return { records, errors, exitCode: exitCodeOf(codes) };
  }

  const what = dbOnlyAction !== undefined ? 'database' : names.join(', ') || 'every module with an update';
  const lock = await acquireInstallLock(layout, currentOwner(options.requestedBy ?? 'cli', `install ${what}`, ctx.now(), options.user ?? operatorName(ctx.env)), {
    waitSeconds: options.waitSeconds, signal: options.signal,
    onWait: (holder) => output.warn(msg('lock.waiting', { seconds: options.waitSeconds ?? 0, who: describeOwner(holder) })),
  });
  // Event Log and notifications: sent while the install goes on, awaited once the lock is released
  // (a slow mail server never holds the install lock; a failing one never fails the install).
  const reports: Promise<void>[] = [];
  try {
    // Under this very lock, first finish what a crash left (or refuse a journal we cannot trust):
    // web, service and database installs alike.
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
    return await installPlanned(ctx, options, names, dbOnlyAction, (event) => { reports.push(reportEvent(ctx, event)); });
  } finally {
    await lock.release();
    await Promise.all(reports);
  }
}

/** The results of a run, each passed on to the caller as it is known (see InstallOptions.onRecord). */
function collectResults(options: InstallOptions) {
  const records: InstallResultRecord[] = [];
  const errors: AltazionError[] = [];
  const codes: (ErrorCode | undefined)[] = [];
  return {
    records, errors, codes,
    record: (record: InstallResultRecord) => { records.push(record); options.onRecord?.(record); },
    error: (error: AltazionError) => { errors.push(error); options.onError?.(error); },
  };
}

/** Why the database flow failed, as an error record (the cmdlets raise it as an ErrorRecord). */
function databaseFailure(result: Awaited<ReturnType<typeof installDatabaseModule>>, plan: ModulePlan): AltazionError {
  return result.error ?? new AltazionError(result.code!, recordMessage(result.record.Message, result.record.MessageId, result.record.MessageParams), { target: plan.name });
}

/** A module with no release to install: the asked --version is not in the feed (bad input), or none is. */
function unavailableError(plan: ModulePlan, options: InstallOptions): AltazionError {
  return new AltazionError(options.version ? 'E_NOT_FOUND' : 'E_FAILED', plan.reason, { target: plan.name });
}

function isDatabaseRun(plan: ModulePlan, dbOnlyAction: string | undefined): boolean {
  return plan.action === 'database' || (dbOnlyAction !== undefined && plan.kind === 'database' && plan.release !== undefined);
}

async function planRun(ctx: Context, options: InstallOptions, names: string[], dbOnlyAction: string | undefined) {
  const { verified, source } = await loadFeed(ctx, { reportRefusal: !options.dryRun });
  const catalogKinds = new Map<string, ModuleKind>(Object.entries(verified.index.modules).map(([k, m]) => [k, m.kind]));
  const releases = new Map<string, ReleaseEntry[]>(Object.entries(verified.index.modules).map(([k, m]) => [k, m.releases]));
  const platform = await ctx.platform();
  const installed = await discoverModules({ layout: ctx.layout, pathApi: ctx.pathApi, platform, catalogKinds });
  const selected = selectModules(installed, dbOnlyAction !== undefined ? ['database'] : names, options.instance);
  reportUnmatchedSelection(ctx.layout.applicationsConfig, installed, selected, names, options.instance, options.onUnknownSelection);
  const plans = planInstall({
    installed, selected, releases, catalogKinds, version: options.version, force: options.force,
    reinstall: options.reinstall, allowDowngrade: options.allowDowngrade,
    hookFiles: await listHookFiles(ctx.layout.scripts), moduleAliases: moduleNames,
  });
  return { plans, verified, source, platform };
}

async function installPlanned(ctx: Context, options: InstallOptions, names: string[], dbOnlyAction: string | undefined, report: (event: OperationalEvent) => void): Promise<InstallRun> {
  const { output, layout } = ctx;
  const { plans, verified, source, platform } = await planRun(ctx, options, names, dbOnlyAction);
  if (plans.length === 0) return { records: [], errors: [], exitCode: ExitCode.Ok };
  const config = await ctx.config();
  const user = options.user ?? operatorName(ctx.env);
  // Who acted, worded in the Event Log and the notifications ("requested by the portal (CONTOSO\\jdupont)").
  const whoActed = msg(`who.${options.requestedBy ?? 'cli'}`, { user });
  const { records, errors, codes, record: settle, error: fail } = collectResults(options);
  const reportResult = (record: InstallResultRecord) => {
    const module = `${record.Name}${record.Instance ? ` [${record.Instance}]` : ''}`;
    const message = record.MessageId ? { id: record.MessageId, ...(record.MessageParams ? { params: record.MessageParams } : {}) } as Message : record.Message;
    const base = { module, from: record.FromVersion, to: record.ToVersion };
    if (record.Result === 'Installed') report({ kind: 'installSucceeded', ...base, downtimeSeconds: record.DowntimeSeconds });
    else if (record.Result === 'Failed') report({ kind: 'installFailed', ...base, message });
    else if (record.Result === 'RolledBack') report({ kind: 'installRolledBack', ...base, message });
    else if (record.Result === 'ManualActionRequired' && record.Name === 'database') report({ kind: 'manualAction', module, to: record.ToVersion, message });
  };
  const simple = (plan: ModulePlan, Result: InstallResultRecord['Result'], message: string | Message): InstallResultRecord => ({
    Name: plan.name, Instance: plan.instance, FromVersion: plan.fromVersion, ToVersion: plan.toVersion, Result, StartedAt: ctx.now().toISOString(),
    DurationSeconds: 0, DowntimeSeconds: 0, BackupPath: null, LogPath: null, ...recordText('Message', message), PendingScripts: [],
  });
  // The history is a record, not the install: a full disk there must not turn a result into a crash.
  const remember = async (record: InstallResultRecord, id: string) => {
    try {
      await appendInstallHistory(layout, { ...record, Id: id, RequestedBy: options.requestedBy ?? 'cli', User: user, ComputerName: platform.computerName });
    } catch (error) {
      output.warn(msg('install.historyNotWritten', { error: toAltazionError(await diskErrorOr(error, 'recording the install', layout.updates)).worded }));
    }
  };
  for (const [index, plan] of plans.entries()) {
    if (options.signal?.aborted) {
      // Asked to stop (Ctrl+C, the cmdlet's pipeline stopped): the module in progress was finished
      // or rolled back; the next ones are not started, each reported.
      for (const skipped of plans.slice(index)) {
        const error = new AltazionError('E_STOPPED', `${skipped.name}${skipped.instance ? ` [${skipped.instance}]` : ''} was not started: the install was stopped`, { target: skipped.name, hint: 'run the install again to install it' });
        fail(error);
        codes.push(error.code);
      }
      break;
    }
    if (isDatabaseRun(plan, dbOnlyAction)) {
      if (plan.action === 'database' && !options.exportScripts) report({ kind: 'installStarted', module: plan.name, from: plan.fromVersion, to: plan.toVersion, requestedBy: whoActed });
      // The database flow writes its own history entry (who, from where, what ran), for `user` too.
      const result = await installDatabaseModule(ctx, plan, source, { ...options, user, id: newInstallId(ctx.now()) });
      settle(result.record);
      if (!options.exportScripts) reportResult(result.record);
      codes.push(result.code);
      // Each failed module has its error record (the cmdlets raise it as an ErrorRecord).
      if (result.code && (result.record.Result === 'Failed' || result.record.Result === 'RolledBack')) fail(databaseFailure(result, plan));
      continue;
    }
    if (plan.action === 'up-to-date') { settle(simple(plan, 'UpToDate', plan.reason)); codes.push(undefined); continue; }
    if (plan.action === 'held') { settle(simple(plan, 'ManualActionRequired', plan.reason)); codes.push('E_REQUIREMENT'); continue; }
    if (plan.action === 'unavailable') {
      settle(simple(plan, 'Failed', plan.reason));
      const err = unavailableError(plan, options);
      codes.push(err.code);
      fail(err);
      continue;
    }
    const id = newInstallId(ctx.now());
    const logPath = installLogPath(layout.updaterLogs, id);
    report({ kind: 'installStarted', module: `${plan.name}${plan.instance ? ` [${plan.instance}]` : ''}`, from: plan.fromVersion, to: plan.toVersion, requestedBy: whoActed });
    const progress = output.startProgress(msg('progress.installing', { module: `${plan.name}${plan.instance ? ` [${plan.instance}]` : ''}`, version: plan.toVersion }));
    let packageFile: string;
    try {
      const release = plan.release!;
      packageFile = (await findCachedPackage(layout.cache, release)) ?? (await downloadPackage({
        source, release, cacheDir: layout.cache, signal: options.signal,
        onWait: (holder) => output.info(downloadWaitMessage(release, holder)),
        onProgress: ({ received, total }) => progress(msg('progress.downloadingMb', { received: megabytes(received), total: megabytes(total) }), total ? (received / total) * 10 : 0),
      })).path;
    } catch (error) {
      const err = toAltazionError(await diskErrorOr(error, `downloading ${plan.name} ${plan.toVersion}`, layout.cache, { under: layout.cache, bytes: plan.release!.size }));
      progress(msg('progress.failed'), 100, true);
      const record = simple(plan, 'Failed', msg('install.nothingChanged', { error: err.worded }));
      settle(record);
      reportResult(record);
      codes.push(err.code);
      fail(err);
      await remember(record, id);
      continue;
    }
    const outcome = await applyModuleInstall({
      layout, pathApi: ctx.pathApi, platform, install: config.install, env: ctx.env, now: ctx.now,
      requestedBy: `${options.requestedBy ?? 'cli'} (${user})`, host: os.hostname(),
      progress: (step, percent) => progress({ id: `step.${step}` as MessageId }, 10 + percent * 0.9),
      warn: (message) => output.warn(message),
      // Hook scripts' output, line by line, as it comes (the portal shows it in the install box).
      hookOutput: (phase, line) => output.info(msg('hook.output', { phase, line })),
      onStep: options.onStep,
    }, { id, plan, packageFile, logPath });
    progress({ id: `result.${outcome.record.Result}` as MessageId }, 100, true);
    settle(outcome.record);
    reportResult(outcome.record);
    codes.push(outcome.error?.code);
    if (outcome.error) fail(outcome.error);
    await remember(outcome.record, id);
  }
  // What `get` shows next: the versions of the index this install verified.
  if (records.some((r) => r.Result === 'Installed')) {
    await writeStatusFromIndex(ctx, verified).catch(async (error) => output.warn(msg('install.statusNotWritten', { error: toAltazionError(await diskErrorOr(error, 'writing status.xml', layout.statusXml)).worded })));
  }
  return { records, errors, exitCode: exitCodeOf(codes) };
}

/** The contract others call (portal, service): the records only. */
export async function installModules(ctx: Context, options: InstallOptions): Promise<InstallResultRecord[]> {
  return (await runInstall(ctx, options)).records;
}

export { acquireInstallLock, readInstallLock, runningInstall, type LockOwner } from '../install-state/lock';
export { listInstallHistory, type InstallHistoryEntry } from './history';
export { findInterruptedInstalls, recoverInterruptedInstalls, reportInterruptedInstalls, type RecoveryOutcome } from './recovery';
export { compressPendingBackups } from './backup';

// Finishing installs interrupted by a crash (SPEC §6 step 5, §8). Only `install`, `repair` and the
// service recover, and only under the install lock: each journal left by a process that is gone
// is rolled back (before the point of no return) or forward (after it). Reads (`get`, `db ...`,
// `--dry-run`, the portal's pages, DSC Test) only report it and name the command that finishes it
// (reportInterruptedInstalls). A journal is obeyed only when journal-rules.ts finds every path,
// pool and service in it to be its module's; any other is refused, exit 2, nothing touched.
import { promises as fs } from 'node:fs';
import { AltazionError, toAltazionError } from '../core/errors';
import { msg } from '../core/messages';
import type { Context } from '../context/context';
import { readApplications, serviceExecutable } from '../discovery/discover';
import { isInside, samePath } from '../config/paths';
import { isOurTempFile, sweepTempFiles } from '../io/files';
import { processRuns } from '../io/process-identity';
import { appendInstallHistory } from './history';
import { pastPointOfNoReturn, readJournals, type InstallJournal } from '../install-state/journal';
import { journalProblem, type JournalFacts } from './journal-rules';
import { acquireInstallLock, currentOwner, identityOf, tokenDirOf, type InstallLock } from '../install-state/lock';
import { InstallLog } from './log';
import { rollBack, rollForward, type RestoreEnv } from './restore';

/** What finishes an interrupted install, as reads name it. */
export const FINISH_COMMAND = 'altazion-update repair --check journal (Repair-AltazionUpdater), or the next install';

export interface InterruptedInstall {
  file: string;
  journal?: InstallJournal;
  /** 'roll-back' | 'roll-forward' decided from the journal; 'unreadable' when it cannot be read. */
  action: 'roll-back' | 'roll-forward' | 'unreadable';
  problem?: string;
}

export interface RecoveryOutcome {
  id: string;
  module: string;
  instance: string;
  step: string;
  action: 'roll-back' | 'roll-forward' | 'unreadable';
  /** Done (or would be done with dryRun), failed, skipped (an install runs), or refused (not a journal we obey). */
  status: 'done' | 'would-do' | 'failed' | 'skipped' | 'refused';
  detail: string;
  file: string;
  /** The error behind a failed or refused outcome. */
  error?: AltazionError;
}

function decide(journal: InstallJournal): 'roll-back' | 'roll-forward' {
  return journal.direction === 'rollback' || !pastPointOfNoReturn(journal) ? 'roll-back' : 'roll-forward';
}

/** Journals whose installing process is gone (read only: nothing is changed). */
export async function findInterruptedInstalls(ctx: Pick<Context, 'layout'>): Promise<InterruptedInstall[]> {
  const files = await readJournals(ctx.layout);
  const out: InterruptedInstall[] = [];
  for (const f of files) {
    if (!f.journal) { out.push({ file: f.file, action: 'unreadable', problem: f.problem }); continue; }
    const j = f.journal;
    // Still running (or another machine's, which cannot be checked): not interrupted.
    if (typeof j.pid === 'number' && typeof j.host === 'string' && (await processRuns(identityOf(j), tokenDirOf(ctx.layout))) !== false) continue;
    out.push({ file: f.file, journal: j, action: decide(j) });
  }
  return out;
}

/** One line per interrupted install, naming the command that finishes it (for reads). */
export function describeInterrupted(item: InterruptedInstall): string {
  const j = item.journal;
  if (!j) return `an install journal cannot be read (${item.file}: ${item.problem}): run ${FINISH_COMMAND} to have it checked`;
  const what = item.action === 'roll-back' ? `it will be rolled back to ${j.fromVersion}` : `it will be finished (${j.toVersion} is in place)`;
  return `the install of ${j.module}${j.instance ? ` [${j.instance}]` : ''} ${j.toVersion} was interrupted at step ${j.step} (${item.file}); ${what} by ${FINISH_COMMAND}`;
}

/** The warning reads give (nothing is changed). */
export async function reportInterruptedInstalls(ctx: Pick<Context, 'layout' | 'output'>): Promise<InterruptedInstall[]> {
  const found = await findInterruptedInstalls(ctx).catch(() => [] as InterruptedInstall[]);
  for (const item of found) ctx.output.warn(describeInterrupted(item));
  return found;
}

/** What journal-rules.ts checks a journal against: applicationspath.config, IIS and the services. */
async function journalFacts(ctx: Context): Promise<Omit<JournalFacts, 'file'>> {
  const declared = await readApplications(ctx.layout);
  const platform = await ctx.platform();
  const [applications, services] = await Promise.all([platform.iis.listApplications(), platform.services.list()]);
  return {
    pathApi: ctx.pathApi,
    declared,
    logsDir: ctx.layout.updaterLogs,
    poolsFor: (modulePath, entry) => [...new Set([
      ...(entry.appPool ? [entry.appPool] : []),
      ...applications.filter((a) => samePath(a.physicalPath, modulePath)).map((a) => a.appPool),
    ])],
    servicesFor: (modulePath, entry) => [...new Set([
      ...(entry.serviceName ? [entry.serviceName] : []),
      ...services.filter((s) => isInside(serviceExecutable(s.binaryPath), modulePath)).map((s) => s.name),
    ])],
  };
}

function refusal(file: string, field: string, problem: string): AltazionError {
  return new AltazionError('E_JOURNAL_INVALID', msg('journal.refused', { file, field, problem }), { target: file, hint: msg('journal.refusedHint') });
}

/** Each interrupted install with the reason recovery refuses it, if any. */
async function judge(ctx: Context, found: InterruptedInstall[]): Promise<Array<{ item: InterruptedInstall; refused?: AltazionError }>> {
  if (found.length === 0) return [];
  const facts = await journalFacts(ctx);
  return found.map((item) => {
    if (!item.journal) return { item, refused: refusal(item.file, '(file)', item.problem ?? 'cannot be read') };
    const problem = journalProblem(item.journal, { ...facts, file: item.file });
    return problem ? { item, refused: refusal(item.file, problem.field, problem.problem) } : { item };
  });
}

function describe(i: InterruptedInstall) {
  return { id: i.journal?.id ?? i.file, module: i.journal?.module ?? '?', instance: i.journal?.instance ?? '', step: i.journal?.step ?? '?', action: i.action, file: i.file };
}

export interface RecoveryOptions {
  dryRun: boolean;
  /** The install lock, when the caller holds it already (install, the service's jobs). */
  lock?: InstallLock;
  /** Refuse everything (E_JOURNAL_INVALID thrown, nothing done) when one journal is refused: install does. */
  strict?: boolean;
}

export async function recoverInterruptedInstalls(ctx: Context, options: RecoveryOptions): Promise<RecoveryOutcome[]> {
  if (options.dryRun) {
    return (await judge(ctx, await findInterruptedInstalls(ctx))).map(({ item, refused }) => refused
      ? { ...describe(item), status: 'refused', detail: refused.message, error: refused }
      : { ...describe(item), status: 'would-do', detail: `${item.action === 'roll-back' ? 'would restore' : 'would finish'} ${item.journal!.module} ${item.action === 'roll-back' ? item.journal!.fromVersion : item.journal!.toVersion} (interrupted at step ${item.journal!.step})` });
  }
  if (!options.lock && (await findInterruptedInstalls(ctx)).length === 0) return [];
  let lock = options.lock;
  if (!lock) {
    try {
      lock = await acquireInstallLock(ctx.layout, currentOwner('recovery', 'recovery of an interrupted install', ctx.now()));
    } catch (error) {
      if (error instanceof AltazionError && error.code === 'E_BUSY') {
        return (await findInterruptedInstalls(ctx)).map((i) => ({ ...describe(i), status: 'skipped', detail: error.message }));
      }
      throw error;
    }
  }
  try {
    // Under the lock, look again: what was interrupted a moment ago may have been finished since.
    const judged = await judge(ctx, await findInterruptedInstalls(ctx));
    const firstRefused = judged.find((j) => j.refused);
    if (options.strict && firstRefused) throw firstRefused.refused!;
    const outcomes: RecoveryOutcome[] = [];
    for (const { item, refused } of judged) {
      if (refused) { outcomes.push({ ...describe(item), status: 'refused', detail: refused.message, error: refused }); continue; }
      outcomes.push(await recoverOne(ctx, item));
    }
    return outcomes;
  } finally {
    if (!options.lock) await lock.release();
  }
}

async function recoverOne(ctx: Context, item: InterruptedInstall): Promise<RecoveryOutcome> {
  const journal = item.journal!;
  const platform = await ctx.platform();
  const log = new InstallLog(journal.logPath, ctx.now);
  const env: RestoreEnv = { layout: ctx.layout, platform, log };
  log.line(`recovery by pid ${process.pid}: install ${journal.id} was interrupted at step ${journal.step}`);
  const base = { Name: journal.module, Instance: journal.instance, FromVersion: journal.fromVersion, ToVersion: journal.toVersion, StartedAt: journal.startedAt, LogPath: journal.logPath, PendingScripts: [] as string[] };
  const durationSeconds = Math.round((ctx.now().getTime() - Date.parse(journal.startedAt)) / 10) / 100;
  const downtimeSeconds = journal.offlineAt ? Math.round((ctx.now().getTime() - Date.parse(journal.offlineAt)) / 10) / 100 : 0;
  try {
    // A write killed between its temporary file and its rename leaves the temporary file.
    const swept = await sweepTempFiles(journal.modulePath);
    if (swept.length) log.line(`removed temporary files ${swept.join(', ')} from ${journal.modulePath}`);
    if (item.action === 'roll-back') {
      await rollBack(env, journal);
      const detail = `install ${journal.id} of ${journal.module} ${journal.toVersion} was interrupted at step ${journal.step}: rolled back to ${journal.fromVersion}`;
      await appendInstallHistory(ctx.layout, { ...base, Id: journal.id, Result: 'RolledBack', DurationSeconds: durationSeconds, DowntimeSeconds: downtimeSeconds, BackupPath: null, Message: detail, RequestedBy: journal.requestedBy, User: 'recovery', ComputerName: platform.computerName });
      return { ...describe(item), status: 'done', detail };
    }
    const backup = await rollForward(env, journal);
    const detail = `install ${journal.id} of ${journal.module} was interrupted at step ${journal.step} after the new folder was in place: finished, ${journal.toVersion} installed (hook ENDUPDATE not run)`;
    await appendInstallHistory(ctx.layout, { ...base, Id: journal.id, Result: 'Installed', DurationSeconds: durationSeconds, DowntimeSeconds: downtimeSeconds, BackupPath: backup, Message: detail, RequestedBy: journal.requestedBy, User: 'recovery', ComputerName: platform.computerName });
    return { ...describe(item), status: 'done', detail };
  } catch (error) {
    const err = toAltazionError(error);
    log.line(`recovery failed: ${err.message}`);
    return { ...describe(item), status: 'failed', detail: `${journal.module}: ${err.message}`, error: err };
  }
}

/**
 * Our temporary files left by a write killed before its rename, in every declared module folder and
 * in the journal folder (written only under the install lock: call this under it, or when no
 * install runs). `dryRun` only lists them.
 */
export async function sweepTempFilesOfInstalls(ctx: Pick<Context, 'layout'>, dryRun: boolean): Promise<Array<{ folder: string; files: string[] }>> {
  const out: Array<{ folder: string; files: string[] }> = [];
  const folders = [...(await readApplications(ctx.layout).catch(() => [])).map((e) => e.path), ctx.layout.journal];
  for (const folder of folders) {
    const files = dryRun
      ? (await fs.readdir(folder).catch(() => [] as string[])).filter(isOurTempFile)
      : await sweepTempFiles(folder);
    if (files.length) out.push({ folder, files });
  }
  return out;
}

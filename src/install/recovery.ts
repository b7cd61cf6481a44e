// Finishing installs interrupted by a crash (SPEC §6 step 5). Run before every command (registered
// in src/cli/run.ts) and by `repair`: under the install lock (so never while an install runs), each
// journal left on disk is rolled back (before the point of no return) or forward (after it).
import os from 'node:os';
import { AltazionError, toAltazionError } from '../core/errors';
import type { Context } from '../context/context';
import { appendInstallHistory } from './history';
import { pastPointOfNoReturn, readJournals, type InstallJournal } from './journal';
import { acquireInstallLock, currentOwner, processAlive, readInstallLock } from './lock';
import { InstallLog } from './log';
import { rollBack, rollForward, type RestoreEnv } from './restore';

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
  /** Done (or would be done with dryRun), or failed with the reason in detail. */
  status: 'done' | 'would-do' | 'failed' | 'skipped';
  detail: string;
}

function decide(journal: InstallJournal): 'roll-back' | 'roll-forward' {
  return journal.direction === 'rollback' || !pastPointOfNoReturn(journal) ? 'roll-back' : 'roll-forward';
}

/** Journals whose install is not running any more (its process is gone). */
export async function findInterruptedInstalls(ctx: Pick<Context, 'layout'>): Promise<InterruptedInstall[]> {
  const files = await readJournals(ctx.layout);
  const out: InterruptedInstall[] = [];
  for (const f of files) {
    if (!f.journal) { out.push({ file: f.file, action: 'unreadable', problem: f.problem }); continue; }
    const j = f.journal;
    const sameHost = j.host.toLowerCase() === os.hostname().toLowerCase();
    if (sameHost && j.pid !== process.pid && processAlive(j.pid)) {
      // Still running... unless the pid was reused: the live lock says who runs.
      const lock = await readInstallLock(ctx.layout);
      if (lock && lock.pid === j.pid) continue;
    }
    if (sameHost && j.pid === process.pid) continue;
    out.push({ file: f.file, journal: j, action: decide(j) });
  }
  return out;
}

export async function recoverInterruptedInstalls(ctx: Context, options: { dryRun: boolean }): Promise<RecoveryOutcome[]> {
  const found = await findInterruptedInstalls(ctx);
  if (found.length === 0) return [];
  const outcomes: RecoveryOutcome[] = [];
  const describe = (i: InterruptedInstall) => ({
    id: i.journal?.id ?? i.file, module: i.journal?.module ?? '?', instance: i.journal?.instance ?? '', step: i.journal?.step ?? '?', action: i.action,
  });
  if (options.dryRun) {
    return found.map((i) => ({ ...describe(i), status: i.action === 'unreadable' ? 'failed' : 'would-do',
      detail: i.action === 'unreadable' ? `${i.file}: ${i.problem}` : `${i.action === 'roll-back' ? 'would restore' : 'would finish'} ${i.journal!.module} ${i.action === 'roll-back' ? i.journal!.fromVersion : i.journal!.toVersion} (interrupted at step ${i.journal!.step})` }));
  }
  let lock;
  try {
    lock = await acquireInstallLock(ctx.layout, currentOwner('recovery', 'recovery of an interrupted install', ctx.now()));
  } catch (error) {
    if (error instanceof AltazionError && error.code === 'E_BUSY') {
      return found.map((i) => ({ ...describe(i), status: 'skipped', detail: error.message }));
    }
    throw error;
  }
  try {
    const config = await ctx.config();
    const platform = await ctx.platform();
    for (const item of found) {
      if (!item.journal) {
        outcomes.push({ ...describe(item), status: 'failed', detail: `${item.file}: ${item.problem}; inspect it and the module folders, then delete it` });
        continue;
      }
      const journal = item.journal;
      const log = new InstallLog(journal.logPath, ctx.now);
      const env: RestoreEnv = { layout: ctx.layout, platform, log, keepBackups: config.install.keepBackups };
      log.line(`recovery by pid ${process.pid}: install ${journal.id} was interrupted at step ${journal.step}`);
      const base = { Name: journal.module, Instance: journal.instance, FromVersion: journal.fromVersion, ToVersion: journal.toVersion, StartedAt: journal.startedAt, LogPath: journal.logPath, PendingScripts: [] as string[] };
      const durationSeconds = Math.round((ctx.now().getTime() - Date.parse(journal.startedAt)) / 10) / 100;
      const downtimeSeconds = journal.offlineAt ? Math.round((ctx.now().getTime() - Date.parse(journal.offlineAt)) / 10) / 100 : 0;
      try {
        if (item.action === 'roll-back') {
          await rollBack(env, journal);
          const detail = `install ${journal.id} of ${journal.module} ${journal.toVersion} was interrupted at step ${journal.step}: rolled back to ${journal.fromVersion}`;
          await appendInstallHistory(ctx.layout, { ...base, Id: journal.id, Result: 'RolledBack', DurationSeconds: durationSeconds, DowntimeSeconds: downtimeSeconds, BackupPath: null, Message: detail, RequestedBy: journal.requestedBy, User: 'recovery', ComputerName: platform.computerName });
          outcomes.push({ ...describe(item), status: 'done', detail });
        } else {
          const archive = await rollForward(env, journal);
          const detail = `install ${journal.id} of ${journal.module} was interrupted at step ${journal.step} after the new folder was in place: finished, ${journal.toVersion} installed (hook ENDUPDATE not run)`;
          await appendInstallHistory(ctx.layout, { ...base, Id: journal.id, Result: 'Installed', DurationSeconds: durationSeconds, DowntimeSeconds: downtimeSeconds, BackupPath: archive, Message: detail, RequestedBy: journal.requestedBy, User: 'recovery', ComputerName: platform.computerName });
          outcomes.push({ ...describe(item), status: 'done', detail });
        }
      } catch (error) {
        const err = toAltazionError(error);
        log.line(`recovery failed: ${err.message}`);
        outcomes.push({ ...describe(item), status: 'failed', detail: `${journal.module}: ${err.message}` });
      }
    }
  } finally {
    await lock.release();
  }
  return outcomes;
}

/** The before-every-command step: finish interrupted installs and say so (never blocks the command). */
export async function recoverBeforeCommand(ctx: Context): Promise<void> {
  const found = await findInterruptedInstalls(ctx).catch(() => []);
  if (found.length === 0) return;
  let outcomes: RecoveryOutcome[];
  try {
    outcomes = await recoverInterruptedInstalls(ctx, { dryRun: false });
  } catch (error) {
    ctx.output.warn(`interrupted install(s) found but not finished: ${toAltazionError(error).message}`);
    return;
  }
  for (const o of outcomes) {
    if (o.status === 'done') ctx.output.info(o.detail);
    else if (o.status === 'failed') ctx.output.warn(`interrupted install ${o.id} could not be finished: ${o.detail}`);
    else ctx.output.verbose(`interrupted install ${o.id}: ${o.detail}`);
  }
}

// Putting a module back (rollback) or finishing it (roll forward), from the journal alone, so the
// same code serves a failing install and the recovery of a crashed one. Every operation is
// idempotent: it looks at what is on disk and on the host, and does only what is still missing.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { AltazionError } from '../core/errors';
import type { InstanceLayout } from '../config/paths';
import { renameWithRetry, sleep } from '../io/files';
import type { LockHolder, Platform, PoolState, ServiceState } from '../platform/types';
import { pastPointOfNoReturn, removeJournal, writeJournal, type InstallJournal } from '../install-state/journal';
import type { InstallLog } from './log';

export interface RestoreEnv {
  layout: InstanceLayout;
  platform: Platform;
  log: InstallLog;
  /** How long a pool or service may take to reach the wanted state. */
  stateTimeoutMs?: number;
}

const exists = (p: string) => fs.stat(p).then(() => true, () => false);

export function describeHolders(holders: readonly LockHolder[]): string {
  return holders.map((h) => `${h.image} (pid ${h.pid}, user ${h.user}) holds ${h.path}`).join('; ');
}

export async function waitForPool(platform: Platform, name: string, want: PoolState, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 50; ; delay = Math.min(delay * 2, 1000)) {
    const pool = await platform.iis.getPool(name);
    if (!pool) throw new AltazionError('E_PLATFORM', `application pool "${name}" no longer exists`, { target: name });
    if (pool.state === want) return;
    if (Date.now() > deadline) throw new AltazionError('E_PLATFORM', `application pool "${name}" is ${pool.state}, still not ${want} after ${Math.round(timeoutMs / 1000)} s`, { target: name });
    await sleep(delay);
  }
}

export async function waitForService(platform: Platform, name: string, want: ServiceState, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 50; ; delay = Math.min(delay * 2, 1000)) {
    const service = await platform.services.get(name);
    if (!service) throw new AltazionError('E_PLATFORM', `service "${name}" no longer exists`, { target: name });
    if (service.state === want) return;
    if (Date.now() > deadline) throw new AltazionError('E_PLATFORM', `service "${name}" is ${service.state}, still not ${want} after ${Math.round(timeoutMs / 1000)} s`, { target: name });
    await sleep(delay);
  }
}

/** Holders of files in `folder`; a platform that cannot tell (no Restart Manager) answers none. */
export async function holdersOf(platform: Platform, folder: string, log: InstallLog): Promise<LockHolder[]> {
  try {
    return await platform.locks.holders([folder]);
  } catch (error) {
    log.line(`cannot list the processes holding files in ${folder}: ${(error as Error).message}`);
    return [];
  }
}

/** A rename of a module folder: retried on transient errors; a lasting lock names its holders. */
export async function renameFolder(platform: Platform, from: string, to: string, log: InstallLog): Promise<void> {
  try {
    await renameWithRetry(from, to, (a, b) => platform.fs.rename(a, b));
    log.line(`renamed ${from} -> ${to}`);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (['EBUSY', 'EPERM', 'EACCES', 'ENOTEMPTY'].includes(code)) {
      const holders = await holdersOf(platform, from, log);
      throw new AltazionError('E_LOCKED', `cannot rename ${from} (${code}): ${holders.length ? describeHolders(holders) : 'a process holds a file inside'}`, { target: from, cause: error });
    }
    throw error;
  }
}

async function removeAppOffline(journal: InstallJournal, log: InstallLog): Promise<void> {
  if (!journal.appOfflinePath || journal.appOfflineExisted) return;
  if (await exists(journal.appOfflinePath)) {
    await fs.rm(journal.appOfflinePath, { force: true });
    log.line(`removed ${journal.appOfflinePath}`);
  }
}

/** The app_offline.htm the install wrote, which the swap moved into the backup folder. */
export async function removeOwnAppOffline(journal: InstallJournal): Promise<void> {
  if (!journal.appOfflinePath || journal.appOfflineExisted) return;
  await fs.rm(path.join(journal.backupPath, path.basename(journal.appOfflinePath)), { force: true });
}

/** Pools and service back to the state they had before the install; returns what could not be restored. */
async function restoreStates(env: RestoreEnv, journal: InstallJournal): Promise<string[]> {
  const timeout = env.stateTimeoutMs ?? 120_000;
  const { platform, log } = env;
  const problems: string[] = [];
  const attempt = async (what: string, action: () => Promise<void>) => {
    try {
      await action();
    } catch (error) {
      const message = `${what}: ${(error as Error).message}`;
      log.line(`could not restore ${message}`);
      problems.push(message);
    }
  };
  if (journal.service) {
    const { name, prior } = journal.service;
    await attempt(`service ${name}`, async () => {
      const now = (await platform.services.get(name))?.state;
      if (prior === 'Running' && now !== 'Running') {
        log.line(`starting service ${name} (was Running)`);
        await platform.services.start(name);
        await waitForService(platform, name, 'Running', timeout);
      } else if (prior === 'Stopped' && now !== 'Stopped') {
        await platform.services.stop(name);
        await waitForService(platform, name, 'Stopped', timeout);
      }
    });
  }
  for (const { name, prior } of journal.pools) {
    await attempt(`pool ${name}`, async () => {
      const now = (await platform.iis.getPool(name))?.state;
      if ((prior === 'Started' || prior === 'Starting') && now !== 'Started') {
        log.line(`starting pool ${name} (was ${prior})`);
        await platform.iis.startPool(name);
        await waitForPool(platform, name, 'Started', timeout);
      } else if (prior === 'Stopped' && now !== 'Stopped') {
        await platform.iis.stopPool(name);
        await waitForPool(platform, name, 'Stopped', timeout);
      }
    });
  }
  return problems;
}

/** Stops whatever of the module's pools/service runs (it may run the new folder), so folders can move. */
async function quiesce(env: RestoreEnv, journal: InstallJournal): Promise<void> {
  const timeout = env.stateTimeoutMs ?? 120_000;
  const { platform, log } = env;
  if (journal.service && (await platform.services.get(journal.service.name))?.state !== 'Stopped') {
    log.line(`stopping service ${journal.service.name} to restore the folder`);
    await platform.services.stop(journal.service.name);
    await waitForService(platform, journal.service.name, 'Stopped', timeout);
  }
  for (const { name } of journal.pools) {
    if ((await platform.iis.getPool(name))?.state !== 'Stopped') {
      log.line(`stopping pool ${name} to restore the folder`);
      await platform.iis.stopPool(name);
      await waitForPool(platform, name, 'Stopped', timeout);
    }
  }
}

/**
 * Puts the previous version back exactly: the old folder in place (never a mix), no staged or
 * failed folder left, app_offline.htm gone, pools and service as they were. Removes the journal
 * once the folder is back. Returns the pools/services that could not be put back in their state
 * (an IIS or service problem the admin must see; repair reports them too).
 */
export async function rollBack(env: RestoreEnv, journal: InstallJournal): Promise<string[]> {
  const { platform, log, layout } = env;
  // Before the point of no return a journal already means "roll back": rewriting it would be a
  // write that a full disk can refuse, and the rollback must work on a full disk. Past it, the
  // direction must be recorded or a crash now would be finished forward.
  if (journal.direction !== 'rollback' && pastPointOfNoReturn(journal)) {
    journal.direction = 'rollback';
    await writeJournal(layout, journal);
  }
  journal.direction = 'rollback';
  // The staged copy first: on a full disk, it is what frees the space.
  await fs.rm(journal.stagingPath, { recursive: true, force: true });
  log.line(`rolling back ${journal.module}${journal.instance ? `[${journal.instance}]` : ''} (step ${journal.step})`);
  const [moduleThere, backupThere] = await Promise.all([exists(journal.modulePath), exists(journal.backupPath)]);
  if (backupThere) {
    // The old folder was moved aside: whatever is in the module path now is the new version.
    if (moduleThere) await quiesce(env, journal);
    if (moduleThere) await renameFolder(platform, journal.modulePath, journal.failedPath, log);
    await renameFolder(platform, journal.backupPath, journal.modulePath, log);
  } else if (!moduleThere) {
    throw new AltazionError('E_FAILED', `${journal.modulePath} and its backup ${journal.backupPath} are both missing: restore the module by hand`, { target: journal.modulePath });
  }
  await fs.rm(journal.stagingPath, { recursive: true, force: true });
  await fs.rm(journal.failedPath, { recursive: true, force: true });
  await removeAppOffline(journal, log);
  const problems = await restoreStates(env, journal);
  await removeJournal(layout, journal.id);
  log.line(problems.length
    ? `rollback: the previous version is in place, but ${problems.join('; ')}`
    : 'rollback complete: the previous version is in place, pools and services as they were');
  return problems;
}

/**
 * Finishes an install past its point of no return: back online; the previous folder stays beside
 * the module as the backup (compressed later, see backup.ts). Returns the backup folder.
 */
export async function rollForward(env: RestoreEnv, journal: InstallJournal): Promise<string | null> {
  const { log, layout } = env;
  log.line(`finishing ${journal.module}${journal.instance ? `[${journal.instance}]` : ''} forward (step ${journal.step})`);
  await fs.rm(journal.stagingPath, { recursive: true, force: true });
  const problems = await restoreStates(env, journal);
  if (problems.length) throw new AltazionError('E_PLATFORM', `the new version is in place but ${problems.join('; ')}`, { target: journal.modulePath });
  await removeAppOffline(journal, log);
  await removeOwnAppOffline(journal);
  await removeJournal(layout, journal.id);
  log.line('install finished');
  return (await exists(journal.backupPath)) ? journal.backupPath : null;
}

export { siblingPaths } from './journal-rules';

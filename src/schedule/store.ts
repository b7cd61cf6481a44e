// Scheduled installs on disk: bin\updates\schedule\<id>.json, one file per install, so that the
// command line, the cmdlets, the portal and the service never rewrite a shared file: adding is
// writing a new file, cancelling is deleting it, and the service claims one by renaming it to
// <id>.running (a rename succeeds once: two services on one root cannot both run it). A restart of
// the service finds them where they are.
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { InstanceLayout } from '../config/paths';
import { AltazionError } from '../core/errors';
import { msg } from '../core/messages';
import { RecordType } from '../core/records';
import { writeFileAtomic } from '../io/files';
import type { ScheduledInstall } from './plan';

export const ScheduledInstallType = RecordType.ScheduledInstall;

export function scheduleDir(layout: InstanceLayout): string {
  return path.join(layout.updates, 'schedule');
}

const ID_PATTERN = /^[0-9A-Za-z-]{6,64}$/;

export function newScheduleId(now: Date): string {
  return `${now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '')}-${randomBytes(3).toString('hex')}`;
}

export async function addScheduledInstall(layout: InstanceLayout, entry: Omit<ScheduledInstall, 'State'>): Promise<ScheduledInstall> {
  const full: ScheduledInstall = { ...entry, State: 'Pending' };
  await writeFileAtomic(path.join(scheduleDir(layout), `${entry.Id}.json`), JSON.stringify(full, null, 2));
  return full;
}

/** Every scheduled install, pending and running, soonest first (unreadable files are skipped). */
export async function listScheduledInstalls(layout: InstanceLayout): Promise<ScheduledInstall[]> {
  const dir = scheduleDir(layout);
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  const entries: ScheduledInstall[] = [];
  for (const name of names) {
    const m = /^(.+)\.(json|running)$/.exec(name);
    if (!m || !ID_PATTERN.test(m[1]!)) continue;
    try {
      const entry = JSON.parse(await fs.readFile(path.join(dir, name), 'utf8')) as ScheduledInstall;
      entries.push({ ...entry, Id: m[1]!, State: m[2] === 'running' ? 'Running' : 'Pending' });
    } catch { /* being written or removed right now */ }
  }
  return entries.sort((a, b) => Date.parse(a.At) - Date.parse(b.At) || a.Id.localeCompare(b.Id));
}

/** Cancels a pending install; one that already started cannot be. */
export async function cancelScheduledInstall(layout: InstanceLayout, id: string): Promise<ScheduledInstall> {
  if (!ID_PATTERN.test(id)) throw new AltazionError('E_NOT_FOUND', msg('schedule.notFound', { id }), { target: id });
  const file = path.join(scheduleDir(layout), `${id}.json`);
  let entry: ScheduledInstall;
  try {
    entry = JSON.parse(await fs.readFile(file, 'utf8')) as ScheduledInstall;
    await fs.rm(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const running = await fs.stat(path.join(scheduleDir(layout), `${id}.running`)).then(() => true, () => false);
    throw running
      ? new AltazionError('E_BUSY', msg('schedule.alreadyRunning', { id }), { target: id })
      : new AltazionError('E_NOT_FOUND', msg('schedule.notFound', { id }), { target: id, hint: 'altazion-update schedule list' });
  }
  return { ...entry, Id: id, State: 'Pending' };
}

/** Claims a pending install for running (false: cancelled or claimed by someone else meanwhile). */
export async function claimScheduledInstall(layout: InstanceLayout, id: string): Promise<boolean> {
  const dir = scheduleDir(layout);
  try {
    await fs.rename(path.join(dir, `${id}.json`), path.join(dir, `${id}.running`));
    return true;
  } catch {
    return false;
  }
}

/** Gives a claimed install back (it could not start: another install was running). */
export async function releaseScheduledInstall(layout: InstanceLayout, id: string): Promise<void> {
  const dir = scheduleDir(layout);
  await fs.rename(path.join(dir, `${id}.running`), path.join(dir, `${id}.json`)).catch(() => undefined);
}

/** Removes a claimed (run) or missed install. */
export async function removeScheduledInstall(layout: InstanceLayout, id: string): Promise<void> {
  const dir = scheduleDir(layout);
  await Promise.all([fs.rm(path.join(dir, `${id}.running`), { force: true }), fs.rm(path.join(dir, `${id}.json`), { force: true })]);
}

// The service's latest look at the database, for `get` (issue 21): the service asks the database
// every minute (one marker query while nothing changed) and leaves what it found here, so a `get`
// on the console does not load the SQL Server driver and log in only to learn that nothing changed.
// `get` trusts it only when ../service-check.ts says so; anything else asks the database as before.
// Two files under bin\updates\database (written by SYSTEM or administrators only):
// - service-check.json: the check (written by the service after each successful check, removed
//   when a check fails);
// - changes.json: when our installs last changed the database (written before and after a change).
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../../io/files';
import type { InstanceLayout } from '../../config/paths';
import type { DatabaseChanges, ServiceCheck } from '../service-check';

const checkFile = (layout: Pick<InstanceLayout, 'updates'>) => path.join(layout.updates, 'database', 'service-check.json');
const changesFile = (layout: Pick<InstanceLayout, 'updates'>) => path.join(layout.updates, 'database', 'changes.json');

async function readJson<T>(file: string): Promise<T | undefined | 'unreadable'> {
  const text = await fs.readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? undefined : 'unreadable' as const));
  if (text === undefined || text === 'unreadable') return text;
  try {
    return JSON.parse(text) as T;
  } catch {
    return 'unreadable';
  }
}

/** The service's check (undefined when absent or damaged: then the database is asked). */
export async function readServiceCheck(layout: Pick<InstanceLayout, 'updates'>): Promise<ServiceCheck | undefined> {
  const found = await readJson<ServiceCheck>(checkFile(layout));
  return found === 'unreadable' ? undefined : found;
}

/** Our installs' latest change; a damaged or unreadable file reads as a change running now (distrust). */
export async function readDatabaseChanges(layout: Pick<InstanceLayout, 'updates'>): Promise<DatabaseChanges | undefined> {
  const found = await readJson<DatabaseChanges>(changesFile(layout));
  return found === 'unreadable' ? { format: 1, running: true, at: 'unknown', pid: 0 } : found;
}

export async function writeServiceCheck(layout: Pick<InstanceLayout, 'updates'>, check: ServiceCheck): Promise<void> {
  await writeFileAtomic(checkFile(layout), JSON.stringify(check));
}

export async function removeServiceCheck(layout: Pick<InstanceLayout, 'updates'>): Promise<void> {
  await fs.rm(checkFile(layout), { force: true });
}

/**
 * Before the first change and after the last one of an install: a check that began before the end
 * of a change is never trusted. Not best effort: a change that cannot be marked is not made.
 */
export async function markDatabaseChanges(layout: Pick<InstanceLayout, 'updates'>, running: boolean, now: Date, pid: number): Promise<void> {
  const changes: DatabaseChanges = { format: 1, running, at: now.toISOString(), pid };
  await writeFileAtomic(changesFile(layout), JSON.stringify(changes));
}

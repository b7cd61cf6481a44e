// Whether an install is running now, from the install lock of src/install/lock.ts. Repair never
// takes the lock to look: it only reads it. A lock whose process is gone on this host is not a
// running install (a crash left it); another host's lock (shared root) counts as running.
import os from 'node:os';
import type { InstanceLayout } from '../config/paths';
import { describeOwner, processAlive, readInstallLock, type LockOwner } from '../install/lock';

export type InstallLockInfo = LockOwner;

export function describeLock(lock: LockOwner): string {
  return describeOwner(lock);
}

export async function runningInstall(layout: InstanceLayout): Promise<LockOwner | undefined> {
  const owner = await readInstallLock(layout);
  if (!owner) return undefined;
  const sameHost = !owner.host || owner.host.toLowerCase() === os.hostname().toLowerCase();
  if (sameHost && !processAlive(owner.pid)) return undefined;
  return owner;
}

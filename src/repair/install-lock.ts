// Whether an install is running now: the install lock's own reader (src/install-state/lock.ts), with the
// stale-holder check every reader shares. Repair never takes the lock to look.
import { describeOwner, runningInstall as runningInstallOf, type LockOwner } from '../install-state/lock';
import type { InstanceLayout } from '../config/paths';

export type InstallLockInfo = LockOwner;

export function describeLock(lock: LockOwner): string {
  return describeOwner(lock);
}

export function runningInstall(layout: InstanceLayout): Promise<LockOwner | undefined> {
  return runningInstallOf(layout);
}

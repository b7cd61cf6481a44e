// One install at a time on a server, whoever asks (CLI, cmdlets, portal, service, repair):
// bin/updates/install.lock, the one module every reader and writer of the install lock goes
// through. The lock itself (exclusive complete create, holder identity that survives pid reuse,
// race-free takeover of a dead holder's lock) is src/io/lock-file.ts; here: where it lives, and a
// live holder makes the caller fail with E_BUSY (exit 4) naming it, or wait when asked to.
import { AltazionError } from '../core/errors';
import { msg } from '../core/messages';
import type { InstanceLayout } from '../config/paths';
import {
  acquireLockFile, describeOwner, inspectLockFile, readLockOwner, tokenDirOfLock,
  type AcquireOptions, type HeldLock, type LockOwner, type LockView,
} from '../io/lock-file';

// What the install lock's users also need from the lock primitive, so they import one module.
export { currentOwner, describeOwner, identityOf, UNREADABLE_LOCK_GRACE_MS, type LockOwner } from '../io/lock-file';

export type InstallLock = HeldLock;

/** The folder of the lock, where Windows token files live too (see src/io/process-identity.ts). */
export const tokenDirOf = (layout: Pick<InstanceLayout, 'installLock'>) => tokenDirOfLock(layout.installLock);

/** What the lock says now, with the stale-holder check every reader uses. */
export function inspectInstallLock(layout: Pick<InstanceLayout, 'installLock'>): Promise<LockView> {
  return inspectLockFile(layout.installLock);
}

/** The holder of a running install, or undefined (no lock, or one left by a process that is gone). */
export async function runningInstall(layout: Pick<InstanceLayout, 'installLock'>): Promise<LockOwner | undefined> {
  const view = await inspectInstallLock(layout);
  return view.state === 'held' ? view.owner : undefined;
}

/** The lock file's owner as written, alive or not (diagnostics). */
export function readInstallLock(layout: Pick<InstanceLayout, 'installLock'>): Promise<LockOwner | undefined> {
  return readLockOwner(layout.installLock);
}

function busy(file: string, holder: LockOwner, waited: number): AltazionError {
  const who = describeOwner(holder);
  return new AltazionError('E_BUSY', waited > 0 ? msg('lock.busyWaited', { who, seconds: waited }) : msg('lock.busy', { who }), { target: file, hint: msg('lock.busyHint') });
}

/** Takes the install lock for `owner` (its pid and host are this process's). */
export function acquireInstallLock(layout: Pick<InstanceLayout, 'installLock'>, owner: LockOwner, options: Omit<AcquireOptions, 'busy'> = {}): Promise<InstallLock> {
  return acquireLockFile(layout.installLock, owner, { ...options, busy: (holder, waited) => busy(layout.installLock, holder, waited) });
}

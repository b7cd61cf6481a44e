// Whether an install is running now, from bin\updates\install.lock (the lock of src/install/lock.ts,
// same JSON: LockOwner = { pid, user, host, requestedBy, startedAt, description }). Read here with a
// tiny reader because repair must not take the lock, only look at it.
// TODO(issue 4): use readInstallLock from src/install/lock.ts once it has landed.
import { promises as fs } from 'node:fs';
import os from 'node:os';

export interface InstallLockInfo {
  pid?: number;
  user?: string;
  host?: string;
  requestedBy?: string;
  startedAt?: string;
  description?: string;
}

export function describeLock(lock: InstallLockInfo): string {
  const who = [lock.description, lock.user && `by ${lock.user}`, lock.requestedBy && `from ${lock.requestedBy}`, lock.pid && `pid ${lock.pid}`, lock.startedAt && `since ${lock.startedAt}`].filter(Boolean);
  return who.join(' ') || 'an install';
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The lock when an install holds it now. A lock whose process is gone on this host is not a
 * running install (a crash left it); a lock from another host, or unreadable, counts as running:
 * when in doubt, repair keeps its hands off module folders.
 */
export async function readInstallLockFile(file: string): Promise<InstallLockInfo | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return { description: `${file} cannot be read (${(error as NodeJS.ErrnoException).code})` };
  }
  let lock: InstallLockInfo;
  try {
    lock = JSON.parse(text.replace(/^\uFEFF/, '')) as InstallLockInfo;
  } catch {
    return { description: `${file} (not JSON)` };
  }
  const sameHost = !lock.host || lock.host.toLowerCase() === os.hostname().toLowerCase();
  if (sameHost && typeof lock.pid === 'number' && lock.pid > 0 && !alive(lock.pid)) return undefined;
  return lock;
}

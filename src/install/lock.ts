// One install at a time on a server, whoever asks (CLI, cmdlets, portal): bin/updates/install.lock,
// created exclusively, holding who owns it. A lock whose process is gone (crash, kill) is taken
// over; a live one makes the caller fail with E_BUSY (exit 4) naming the holder.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AltazionError } from '../core/errors';
import type { InstanceLayout } from '../config/paths';

export interface LockOwner {
  pid: number;
  user: string;
  host: string;
  requestedBy: 'cli' | 'portal' | 'cmdlet' | 'service' | 'recovery' | string;
  startedAt: string;
  description: string;
}

export interface InstallLock {
  readonly owner: LockOwner;
  release(): Promise<void>;
}

export function describeOwner(owner: LockOwner): string {
  return `${owner.description || 'install'} (pid ${owner.pid}, user ${owner.user}, host ${owner.host}, requested by ${owner.requestedBy}, since ${owner.startedAt})`;
}

export function currentOwner(requestedBy: LockOwner['requestedBy'], description: string, now = new Date(), onBehalfOf?: string): LockOwner {
  let user = onBehalfOf ?? 'unknown';
  if (onBehalfOf === undefined) try { user = os.userInfo().username; } catch { /* no passwd entry */ }
  return { pid: process.pid, user, host: os.hostname(), requestedBy, startedAt: now.toISOString(), description };
}

/** Whether a process with this pid runs on this machine (EPERM: it exists but is not ours). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function readInstallLock(layout: InstanceLayout): Promise<LockOwner | undefined> {
  let text: string;
  try {
    text = await fs.readFile(layout.installLock, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const owner = JSON.parse(text) as LockOwner;
    return typeof owner.pid === 'number' ? owner : undefined;
  } catch {
    return undefined; // torn or foreign file: treated as stale by acquire
  }
}

function isStale(owner: LockOwner | undefined): boolean {
  if (!owner) return true;
  // Another machine's lock (a shared root) cannot be checked: it is only stale when it says so.
  if (owner.host.toLowerCase() !== os.hostname().toLowerCase()) return false;
  return owner.pid !== process.pid && !processAlive(owner.pid);
}

export async function acquireInstallLock(layout: InstanceLayout, owner: LockOwner): Promise<InstallLock> {
  await fs.mkdir(path.dirname(layout.installLock), { recursive: true });
  for (let attempt = 0; attempt < 40; attempt++) {
    try {
      const handle = await fs.open(layout.installLock, 'wx');
      try {
        await handle.writeFile(JSON.stringify(owner, null, 2));
        await handle.sync();
      } finally {
        await handle.close();
      }
      let released = false;
      return {
        owner,
        release: async () => {
          if (released) return;
          released = true;
          const current = await readInstallLock(layout);
          if (current && current.pid === owner.pid && current.startedAt === owner.startedAt) await fs.rm(layout.installLock, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = await readInstallLock(layout);
    if (!holder) {
      // Empty or unreadable: maybe being written right now by its creator; only old ones are stale.
      const age = await fs.stat(layout.installLock).then((s) => Date.now() - s.mtimeMs, () => Infinity);
      if (age < 5000) { await new Promise((r) => setTimeout(r, 200)); continue; }
    }
    if (holder && !isStale(holder)) {
      throw new AltazionError('E_BUSY', `another install is running: ${describeOwner(holder)}`, {
        target: layout.installLock,
        hint: 'wait for it to finish; if that process no longer exists, run the command again (a dead holder is taken over)',
      });
    }
    // Stale: take it over. Rename first so two callers taking over at once cannot both win.
    const aside = `${layout.installLock}.stale-${process.pid}-${attempt}`;
    await fs.rename(layout.installLock, aside).then(() => fs.rm(aside, { force: true }), () => undefined);
  }
  throw new AltazionError('E_BUSY', `could not take the install lock ${layout.installLock}`, { target: layout.installLock });
}

// One install at a time on a server, whoever asks (CLI, cmdlets, portal, service, repair):
// bin/updates/install.lock, the one module every reader and writer of the lock goes through.
//
// - Taking it: the file is created only if absent, complete at once (src/io/exclusive-file.ts);
//   the operating system decides the one winner of simultaneous attempts.
// - Who holds it: the holder's pid with what survives pid reuse (its start time on Linux, a token
//   file it keeps open exclusively on Windows: src/io/process-identity.ts) and a nonce unique to
//   this taking. A holder is alive exactly when that process still runs.
// - A lock whose holder is gone (crash, kill) is taken over, race-free: the takers of one stale
//   lock (named by its nonce) first create a guard file exclusively, `install.lock.takeover-<nonce>-0`
//   (or `-1`, `-2`... when the guards before it belong to dead takers); only the guard's holder
//   removes the lock, and only after reading it again under the guard and finding the same nonce.
//   Since a stale lock never comes back to life, a live lock taken meanwhile is never removed.
//   Then everyone competes again for the exclusive create.
// - A live holder makes the caller fail with E_BUSY (exit 4) naming it, or wait when asked to.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AltazionError } from '../core/errors';
import { msg } from '../core/messages';
import type { InstanceLayout } from '../config/paths';
import { createExclusive } from '../io/exclusive-file';
import { sleep } from '../io/files';
import { nodeCrypto } from '../io/node-crypto';
import { pidRuns, processRuns, selfIdentity, sweepDeadTokens, type ProcessIdentity } from '../io/process-identity';

export interface LockOwner {
  pid: number;
  user: string;
  host: string;
  requestedBy: 'cli' | 'portal' | 'cmdlet' | 'service' | 'recovery' | string;
  startedAt: string;
  description: string;
  /** Unique to one taking of the lock (release and takeover compare it). */
  nonce?: string;
  /** What tells this process from a later one with the same pid (see process-identity.ts). */
  process?: { start?: string; token?: string };
}

export interface InstallLock {
  readonly owner: LockOwner;
  release(): Promise<void>;
}

export type LockView =
  | { state: 'free' }
  /** Held by a running process (or by another machine's, which cannot be checked). */
  | { state: 'held'; owner: LockOwner }
  /** Left by a process that is gone (or unreadable for longer than a writer could need). */
  | { state: 'stale'; owner?: LockOwner; id: string };

export interface AcquireOptions {
  /** How long to wait for a live holder to finish (default 0: fail at once with E_BUSY). */
  waitSeconds?: number;
  signal?: AbortSignal;
  /** Called once when the caller starts waiting for a live holder. */
  onWait?: (holder: LockOwner) => void;
}

/**
 * An unreadable lock file (a foreign or truncated file, or one being written on a volume without
 * hard links) is given this long before it counts as abandoned.
 */
export const UNREADABLE_LOCK_GRACE_MS = 30_000;

export function describeOwner(owner: LockOwner): string {
  return `${owner.description || 'install'} (pid ${owner.pid}, user ${owner.user}, host ${owner.host}, requested by ${owner.requestedBy}, since ${owner.startedAt})`;
}

export function currentOwner(requestedBy: LockOwner['requestedBy'], description: string, now = new Date(), onBehalfOf?: string): LockOwner {
  let user = onBehalfOf ?? 'unknown';
  if (onBehalfOf === undefined) try { user = os.userInfo().username; } catch { /* no passwd entry */ }
  return { pid: process.pid, user, host: os.hostname(), requestedBy, startedAt: now.toISOString(), description };
}

export function identityOf(owner: Pick<LockOwner, 'pid' | 'host' | 'process'>): ProcessIdentity {
  return { pid: owner.pid, host: owner.host ?? '', ...(owner.process?.start ? { start: owner.process.start } : {}), ...(owner.process?.token ? { token: owner.process.token } : {}) };
}

/** The folder of the lock, where Windows token files live too (see process-identity.ts). */
export const tokenDirOf = (layout: Pick<InstanceLayout, 'installLock'>) => path.dirname(layout.installLock);

interface SeenFile { id: string; owner?: LockOwner; mtimeMs: number }

function parseOwner(text: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(text) as LockOwner;
    return owner && typeof owner === 'object' && typeof owner.pid === 'number' && typeof owner.host === 'string' ? owner : undefined;
  } catch {
    return undefined;
  }
}

/** The file at `file` now: its owner and an id naming this very file (its nonce, else its bytes and inode). */
async function readLockFile(file: string): Promise<SeenFile | undefined> {
  let handle;
  try {
    handle = await fs.open(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const st = await handle.stat();
    const text = (await handle.readFile()).toString('utf8');
    const owner = parseOwner(text);
    const id = owner?.nonce ?? `f${nodeCrypto().createHash('sha256').update(`${st.ino}/${st.mtimeMs}/${text}`).digest('hex').slice(0, 24)}`;
    return { id, mtimeMs: st.mtimeMs, ...(owner ? { owner } : {}) };
  } catch {
    return undefined;
  } finally {
    await handle.close();
  }
}

function placeholderOwner(file: string, mtimeMs: number): LockOwner {
  return { pid: 0, user: 'unknown', host: 'unknown', requestedBy: 'unknown', startedAt: new Date(mtimeMs).toISOString(), description: `an unreadable lock file ${file}` };
}

async function viewOf(file: string, seen: SeenFile | undefined, tokenDir: string, now: number): Promise<LockView> {
  if (!seen) return { state: 'free' };
  if (!seen.owner) {
    return now - seen.mtimeMs < UNREADABLE_LOCK_GRACE_MS ? { state: 'held', owner: placeholderOwner(file, seen.mtimeMs) } : { state: 'stale', id: seen.id };
  }
  const runs = await processRuns(identityOf(seen.owner), tokenDir);
  return runs === false ? { state: 'stale', owner: seen.owner, id: seen.id } : { state: 'held', owner: seen.owner };
}

/** What the lock says now, with the stale-holder check every reader uses. */
export async function inspectInstallLock(layout: Pick<InstanceLayout, 'installLock'>): Promise<LockView> {
  return viewOf(layout.installLock, await readLockFile(layout.installLock), tokenDirOf(layout), Date.now());
}

/** The holder of a running install, or undefined (no lock, or one left by a process that is gone). */
export async function runningInstall(layout: Pick<InstanceLayout, 'installLock'>): Promise<LockOwner | undefined> {
  const view = await inspectInstallLock(layout);
  return view.state === 'held' ? view.owner : undefined;
}

/** The lock file's owner as written, alive or not (diagnostics). */
export async function readInstallLock(layout: Pick<InstanceLayout, 'installLock'>): Promise<LockOwner | undefined> {
  return (await readLockFile(layout.installLock))?.owner;
}

function busy(file: string, holder: LockOwner, waited: number): AltazionError {
  const who = describeOwner(holder);
  return new AltazionError('E_BUSY', waited > 0 ? msg('lock.busyWaited', { who, seconds: waited }) : msg('lock.busy', { who }), { target: file, hint: msg('lock.busyHint') });
}

const safeId = (id: string) => id.replace(/[^A-Za-z0-9_-]/g, '_');

/**
 * Removes the stale lock `id` if this process wins its takeover guard. Returns 'busy' when a live
 * process is taking it over right now (the caller looks again shortly).
 */
async function takeOver(file: string, id: string, me: ProcessIdentity, tokenDir: string): Promise<'done' | 'busy'> {
  const guardText = JSON.stringify({ pid: me.pid, host: me.host, process: { start: me.start, token: me.token }, startedAt: new Date().toISOString() });
  const guard = (k: number) => `${file}.takeover-${safeId(id)}-${k}`;
  for (let k = 0; k < 64; k++) {
    if (await createExclusive(guard(k), guardText)) {
      try {
        const again = await readLockFile(file);
        if (again && again.id === id) await fs.rm(file, { force: true });
      } finally {
        // Every guard of this id is now useless: the stale lock is gone for good.
        for (let j = k; j >= 0; j--) await fs.rm(guard(j), { force: true }).catch(() => undefined);
      }
      return 'done';
    }
    const text = await fs.readFile(guard(k), 'utf8').catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? null : ''));
    if (text === null) return 'busy'; // cleaned up just now: the lock changed, look again
    const taker = parseOwner(text);
    if (!taker || (await processRuns(identityOf(taker), tokenDir)) !== false) return 'busy';
    // That taker died half-way: the next guard decides among the living.
  }
  throw new AltazionError('E_FAILED', `${file}: 64 takeovers of the same stale lock died half-way; remove ${file} and ${file}.takeover-* by hand`, { target: file });
}

/** Leftovers of killed processes next to the lock: unheld tokens, temporary files, useless guards. */
async function sweepLeftovers(file: string, tokenDir: string): Promise<void> {
  await sweepDeadTokens(tokenDir);
  const base = path.basename(file);
  const names = await fs.readdir(tokenDir).catch(() => [] as string[]);
  const current = names.includes(base) ? (await readLockFile(file))?.id : undefined;
  for (const name of names) {
    const temp = new RegExp(`^\\.${base.replace(/\./g, '\\.')}(\\.takeover-.+)?\\.altazion-tmp-(\\d+)-[0-9a-f]+$`).exec(name);
    if (temp) {
      if (!pidRuns(Number(temp[2]))) await fs.rm(path.join(tokenDir, name), { force: true }).catch(() => undefined);
      continue;
    }
    const guard = /^(.+)\.takeover-(.+)-(\d+)$/.exec(name);
    // A guard of a lock that is no longer there can go: that lock never comes back.
    if (guard && guard[1] === base && guard[2] !== (current === undefined ? undefined : safeId(current))) {
      await fs.rm(path.join(tokenDir, name), { force: true }).catch(() => undefined);
    }
  }
}

/** Takes the install lock for `owner` (its pid and host are this process's). */
export function acquireInstallLock(layout: Pick<InstanceLayout, 'installLock'>, owner: LockOwner, options: AcquireOptions = {}): Promise<InstallLock> {
  return acquireLockFile(layout.installLock, owner, options);
}

/** The same lock on another file (the backup compressor's, which must not hold up installs). */
export async function acquireLockFile(file: string, owner: LockOwner, options: AcquireOptions = {}): Promise<InstallLock> {
  const tokenDir = path.dirname(file);
  await fs.mkdir(tokenDir, { recursive: true });
  const me = await selfIdentity(tokenDir);
  const mine: LockOwner = {
    ...owner, pid: me.pid, host: me.host, nonce: nodeCrypto().randomBytes(12).toString('hex'),
    process: { ...(me.start ? { start: me.start } : {}), ...(me.token ? { token: me.token } : {}) },
  };
  const text = JSON.stringify(mine, null, 2);
  await sweepLeftovers(file, tokenDir);
  const started = Date.now();
  const deadline = started + Math.max(0, options.waitSeconds ?? 0) * 1000;
  let announced = false;
  let pause = 20;
  for (let attempt = 0; ; attempt++) {
    if (await createExclusive(file, text)) return holding(file, mine);
    const view = await viewOf(file, await readLockFile(file), tokenDir, Date.now());
    if (view.state === 'free') continue; // released between our create and our read
    if (view.state === 'stale') {
      if ((await takeOver(file, view.id, me, tokenDir)) === 'done') continue;
      // Another live process is removing it this instant: look again in a moment.
      if (attempt > 2000) throw busy(file, { ...(view.owner ?? placeholderOwner(file, Date.now())), description: 'a takeover of a stale lock' }, 0);
      await sleep(5);
      continue;
    }
    if (Date.now() >= deadline || options.signal?.aborted) throw busy(file, view.owner, Math.round((Date.now() - started) / 1000));
    if (!announced) { options.onWait?.(view.owner); announced = true; }
    await sleep(Math.min(pause, Math.max(1, deadline - Date.now())));
    pause = Math.min(pause * 2, 1000);
  }
}

function holding(file: string, owner: LockOwner): InstallLock {
  let released = false;
  return {
    owner,
    release: async () => {
      if (released) return;
      released = true;
      // Only our own taking is removed: nobody takes over a live holder, so it is still ours.
      const current = await readLockFile(file);
      if (current?.owner?.nonce === owner.nonce) await fs.rm(file, { force: true });
    },
  };
}

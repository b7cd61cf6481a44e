// A lock file held by one process at a time, the one primitive behind every lock of the updater
// (the install lock, bin/updates/install.lock; the backup compressor's; each package download's
// `<cache>/<name>.lock`):
//
// - Taking it: the file is created only if absent, complete at once (exclusive-file.ts); the
//   operating system decides the one winner of simultaneous attempts, and no reader sees it half
//   written.
// - Who holds it: the holder's pid with what survives pid reuse (its start time on Linux, a token
//   file it keeps open exclusively on Windows, in the lock's folder: process-identity.ts) and a
//   nonce unique to this taking. A holder is alive exactly when that process still runs.
// - A lock whose holder is gone (crash, kill) is taken over, race-free: the takers of one stale
//   lock (named by its nonce) first create a guard file exclusively, `<lock>.takeover-<nonce>-0`
//   (or `-1`, `-2`... when the guards before it belong to dead takers); only the guard's holder
//   removes the lock, and only after reading it again under the guard and finding the same nonce.
//   Since a stale lock never comes back to life, a live lock taken meanwhile is never removed.
//   Then everyone competes again for the exclusive create.
// - A file that cannot be read as a lock (being written on a volume without hard links, or
//   foreign) counts as held for UNREADABLE_LOCK_GRACE_MS after its last change, then as stale.
// - A live holder makes the caller fail at once, or wait (as long as asked, or until its signal).
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AltazionError } from '../core/errors';
import { createExclusive } from './exclusive-file';
import { nodeCrypto } from './node-crypto';
import { holdIdentity, pidRuns, processRuns, sweepDeadTokens, type ProcessIdentity } from './process-identity';

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

export interface HeldLock {
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
  /** How long to wait for a live holder to finish (default 0: fail at once; Infinity: until it does, or until `signal`). */
  waitSeconds?: number;
  signal?: AbortSignal;
  /** Called once when the caller starts waiting for a live holder. */
  onWait?: (holder: LockOwner) => void;
  /**
   * The error when the lock is not taken: a live holder after `waitSeconds` (`waited` seconds), or
   * `cancelled` by the signal while waiting. By default E_BUSY naming the file and the holder.
   */
  busy?: (holder: LockOwner, waited: number, cancelled: boolean) => Error;
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

/** Where the Windows tokens of a lock's holders are: the lock's own folder. */
export const tokenDirOfLock = (file: string) => path.dirname(file);

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

/** Nonces of the takings this process holds or is attempting: a lock of ours with another nonce is a leftover. */
const ownNonces = new Set<string>();

/**
 * `taking`: the view of a caller about to take the lock, which may also count a lock of this very
 * process that none of its takings holds (a release whose removal failed) as stale, so that a
 * long-running process (the service) never waits for itself. Plain readers (repair, the portal)
 * keep the rule every other process has: a lock whose process runs is held.
 */
async function viewOf(file: string, seen: SeenFile | undefined, now: number, taking = false): Promise<LockView> {
  if (!seen) return { state: 'free' };
  if (!seen.owner) {
    return now - seen.mtimeMs < UNREADABLE_LOCK_GRACE_MS ? { state: 'held', owner: placeholderOwner(file, seen.mtimeMs) } : { state: 'stale', id: seen.id };
  }
  const runs = await processRuns(identityOf(seen.owner), tokenDirOfLock(file));
  const ownLeftover = taking && runs === true && seen.owner.pid === process.pid && !(seen.owner.nonce && ownNonces.has(seen.owner.nonce));
  return runs === false || ownLeftover ? { state: 'stale', owner: seen.owner, id: seen.id } : { state: 'held', owner: seen.owner };
}

/** What the lock file says now, with the stale-holder check every reader uses. */
export async function inspectLockFile(file: string): Promise<LockView> {
  return viewOf(file, await readLockFile(file), Date.now());
}

/** The lock file's owner as written, alive or not (diagnostics). */
export async function readLockOwner(file: string): Promise<LockOwner | undefined> {
  return (await readLockFile(file))?.owner;
}

const safeId = (id: string) => id.replace(/[^A-Za-z0-9_-]/g, '_');

/**
 * Removes the stale lock `id` if this process wins its takeover guard. Returns 'busy' when a live
 * process is taking it over right now (the caller looks again shortly).
 */
async function takeOver(file: string, id: string, me: ProcessIdentity): Promise<'done' | 'busy'> {
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
    if (!taker || (await processRuns(identityOf(taker), tokenDirOfLock(file))) !== false) return 'busy';
    // That taker died half-way: the next guard decides among the living.
  }
  throw new AltazionError('E_FAILED', `${file}: 64 takeovers of the same stale lock died half-way; remove ${file} and ${file}.takeover-* by hand`, { target: file });
}

/** Leftovers of killed processes next to the lock: unheld tokens, temporary files, useless guards. */
async function sweepLeftovers(file: string): Promise<void> {
  const dir = tokenDirOfLock(file);
  await sweepDeadTokens(dir);
  const base = path.basename(file);
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  const current = names.includes(base) ? (await readLockFile(file))?.id : undefined;
  for (const name of names) {
    if (!name.startsWith(base) && !name.startsWith(`.${base}`)) continue;
    const temp = new RegExp(`^\\.${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\.takeover-.+)?\\.altazion-tmp-(\\d+)-[0-9a-f]+$`).exec(name);
    if (temp) {
      if (!pidRuns(Number(temp[2]))) await fs.rm(path.join(dir, name), { force: true }).catch(() => undefined);
      continue;
    }
    const guard = /^(.+)\.takeover-(.+)-(\d+)$/.exec(name);
    // A guard of a lock that is no longer there can go: that lock never comes back.
    if (guard && guard[1] === base && guard[2] !== (current === undefined ? undefined : safeId(current))) {
      await fs.rm(path.join(dir, name), { force: true }).catch(() => undefined);
    }
  }
}

function defaultBusy(file: string) {
  return (holder: LockOwner, waited: number, cancelled: boolean) => new AltazionError('E_BUSY',
    `${file} is held by ${describeOwner(holder)}${cancelled ? ' (cancelled while waiting)' : waited > 0 ? ` (waited ${waited} s)` : ''}`, { target: file });
}

/** Takes the lock `file` for `owner` (its pid and host are this process's; its nonce and identity are added). */
export async function acquireLockFile(file: string, owner: LockOwner, options: AcquireOptions = {}): Promise<HeldLock> {
  const busy = options.busy ?? defaultBusy(file);
  await fs.mkdir(tokenDirOfLock(file), { recursive: true });
  const held = await holdIdentity(tokenDirOfLock(file));
  const nonce = nodeCrypto().randomBytes(12).toString('hex');
  try {
    const me = held.identity;
    const mine: LockOwner = {
      ...owner, pid: me.pid, host: me.host, nonce,
      process: { ...(me.start ? { start: me.start } : {}), ...(me.token ? { token: me.token } : {}) },
    };
    const text = JSON.stringify(mine, null, 2);
    ownNonces.add(mine.nonce!);
    await sweepLeftovers(file);
    const started = Date.now();
    const deadline = started + Math.max(0, options.waitSeconds ?? 0) * 1000;
    const waited = () => Math.round((Date.now() - started) / 1000);
    /** Sleeps unless the caller cancels: then the error names who we were waiting for. */
    const pauseFor = async (ms: number, holder: LockOwner) => {
      try {
        await sleep(ms, undefined, options.signal ? { signal: options.signal } : undefined);
      } catch {
        throw busy(holder, waited(), true);
      }
    };
    let announced = false;
    let pause = 20;
    let takeoverWaits = 0;
    for (;;) {
      if (await createExclusive(file, text)) return holding(file, mine, held.release);
      const view = await viewOf(file, await readLockFile(file), Date.now(), true);
      if (view.state === 'free') continue; // released between our create and our read
      if (view.state === 'stale') {
        if ((await takeOver(file, view.id, me)) === 'done') continue;
        // Another live process is removing it this instant: look again in a moment.
        const taker = { ...(view.owner ?? placeholderOwner(file, Date.now())), description: 'a takeover of a stale lock' };
        if (++takeoverWaits > 2000) throw busy(taker, waited(), false);
        await pauseFor(5, taker);
        continue;
      }
      takeoverWaits = 0;
      if (options.signal?.aborted) throw busy(view.owner, waited(), true);
      if (Date.now() >= deadline) throw busy(view.owner, waited(), false);
      if (!announced) { options.onWait?.(view.owner); announced = true; }
      await pauseFor(Math.min(pause, Math.max(1, deadline - Date.now())), view.owner);
      pause = Math.min(pause * 2, 1000);
    }
  } catch (error) {
    ownNonces.delete(nonce);
    held.release();
    throw error;
  }
}

function holding(file: string, owner: LockOwner, done: () => void): HeldLock {
  let released = false;
  return {
    owner,
    release: async () => {
      if (released) return;
      released = true;
      try {
        // Only our own taking is removed: nobody takes over a live holder, so it is still ours.
        const current = await readLockFile(file);
        if (current?.owner?.nonce === owner.nonce) await fs.rm(file, { force: true });
      } finally {
        ownNonces.delete(owner.nonce!);
        // Only once the lock naming it is gone (a Windows token closed earlier would make the lock look stale).
        done();
      }
    },
  };
}

// Who a process is, in a form that survives pid reuse, and whether it still runs. A pid alone is
// not enough: after a crash and hours of uptime another process may carry the same pid.
//   Linux: the pid plus its start time (field 22 of /proc/<pid>/stat, clock ticks since boot) and
//     the boot id; a process with that pid but another start time is another process.
//   Windows: a token file opened with an exclusive sharing mode (libuv's UV_FS_O_EXLOCK), one per
//     process and folder (beside the locks and journals that name it), held until the process
//     ends or, for a lock's token, until the process's last lock in that folder is released.
//     While it is held, opening the file fails with EBUSY (a sharing violation); when the process
//     dies, Windows closes the handle. No pid or clock is trusted, so a reused pid cannot pass
//     for the holder.
//   Elsewhere: the pid, checked with signal 0 (best effort).
import { closeSync, constants, openSync, readFileSync, unlinkSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { nodeCrypto } from './node-crypto';

export interface ProcessIdentity {
  pid: number;
  host: string;
  /** Linux: `<boot id>/<start ticks>`. */
  start?: string;
  /** Windows: the token file held open by the process (a name in the token folder). */
  token?: string;
}

/** libuv's UV_FS_O_EXLOCK (uv/win.h): open with no sharing; Windows only. */
const UV_FS_O_EXLOCK = 0x10000000;
const TOKEN_PREFIX = '.altazion-live-';

/** `<boot id>/<start ticks>` of a pid, from /proc; undefined when there is no such process (or no /proc). */
export function linuxStartOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces or parentheses itself.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = fields[19]; // field 22 overall; fields[0] is field 3
    return `${bootId()}/${ticks}`;
  } catch {
    return undefined;
  }
}

let cachedBootId: string | undefined;
function bootId(): string {
  try {
    cachedBootId ??= readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    cachedBootId = 'unknown-boot';
  }
  return cachedBootId;
}

const hasProc = () => process.platform === 'linux' && linuxStartOf(process.pid) !== undefined;

/** A token file this process holds open in one folder; `pinned`: kept for the life of the process. */
interface HeldToken { dir: string; name: string; fd: number; pinned: boolean; holds: number }

/**
 * One token per folder a lock or journal lives in (by folder, not one per process: readers look
 * for a holder's token beside the lock they read, and a process may hold the install lock in
 * bin/updates and a download lock in bin/updates/cache at once). Tokens are never moved or
 * replaced while an identity naming them may be on disk.
 */
const heldTokens = new Map<string, HeldToken>();

const folderKey = (dir: string, platform: NodeJS.Platform) => {
  const full = path.resolve(dir);
  return platform === 'win32' ? full.toLowerCase() : full;
};

/**
 * The token held in `tokenDir`, created the first time; `use` marks it pinned (held until the
 * process ends) or counts one more hold. The mark is made before anything else can run, so a
 * concurrent last release never closes a token just handed out.
 */
async function tokenIn(tokenDir: string, platform: NodeJS.Platform, use: 'pin' | 'hold'): Promise<HeldToken> {
  const key = folderKey(tokenDir, platform);
  if (!heldTokens.has(key)) await fs.mkdir(tokenDir, { recursive: true });
  let held = heldTokens.get(key);
  if (!held) {
    const name = `${TOKEN_PREFIX}${process.pid}-${nodeCrypto().randomBytes(8).toString('hex')}`;
    const fd = openSync(path.join(tokenDir, name), constants.O_CREAT | constants.O_EXCL | constants.O_RDWR | UV_FS_O_EXLOCK);
    if (!exitHookSet) { process.once('exit', releaseAllTokens); exitHookSet = true; }
    held = { dir: tokenDir, name, fd, pinned: false, holds: 0 };
    heldTokens.set(key, held);
  }
  if (use === 'pin') held.pinned = true;
  else held.holds++;
  return held;
}
let exitHookSet = false;

function closeToken(token: HeldToken): void {
  try { closeSync(token.fd); } catch { /* already closed */ }
  try { unlinkSync(path.join(token.dir, token.name)); } catch { /* someone's sweep got it */ }
}

function releaseAllTokens(): void {
  for (const token of heldTokens.values()) closeToken(token);
  heldTokens.clear();
}

/**
 * This process's identity, for records that outlive any one lock (the install journal). On
 * Windows the token file of `tokenDir` is created the first time and held for the life of the
 * process (removed at a normal exit; a crash leaves it, unheld, for sweepDeadTokens).
 */
export async function selfIdentity(tokenDir: string, platform: NodeJS.Platform = process.platform): Promise<ProcessIdentity> {
  const identity: ProcessIdentity = { pid: process.pid, host: os.hostname() };
  if (platform === 'win32') identity.token = (await tokenIn(tokenDir, platform, 'pin')).name;
  else if (hasProc()) identity.start = linuxStartOf(process.pid);
  return identity;
}

export interface HeldIdentity {
  identity: ProcessIdentity;
  /** Done with it (the lock naming it is gone): on Windows, the folder's last hold closes and removes its token. */
  release(): void;
}

/**
 * This process's identity for one lock in `tokenDir`, for as long as the lock is held. On Windows
 * the folder's token is held while any lock of this process there is (or for the process's life
 * once selfIdentity pinned it), so a download's cache folder keeps no token file once it is done.
 */
export async function holdIdentity(tokenDir: string, platform: NodeJS.Platform = process.platform): Promise<HeldIdentity> {
  const identity: ProcessIdentity = { pid: process.pid, host: os.hostname() };
  if (platform !== 'win32') {
    if (hasProc()) identity.start = linuxStartOf(process.pid);
    return { identity, release: () => undefined };
  }
  const token = await tokenIn(tokenDir, platform, 'hold');
  identity.token = token.name;
  let released = false;
  return {
    identity,
    release: () => {
      if (released) return;
      released = true;
      token.holds--;
      const key = folderKey(token.dir, platform);
      if (token.holds > 0 || token.pinned || heldTokens.get(key) !== token) return;
      heldTokens.delete(key);
      closeToken(token);
    },
  };
}

/** The token files this process holds now (tests, diagnostics). */
export function heldTokenFiles(): string[] {
  return [...heldTokens.values()].map((t) => path.join(t.dir, t.name));
}

export function sameProcess(a: ProcessIdentity, b: ProcessIdentity): boolean {
  return a.pid === b.pid && a.host.toLowerCase() === b.host.toLowerCase() && a.start === b.start && a.token === b.token;
}

/**
 * Whether the process still runs: true, false, or undefined when this machine cannot tell
 * (another host's process: a shared root). Callers treat undefined as running.
 */
export async function processRuns(id: ProcessIdentity, tokenDir: string): Promise<boolean | undefined> {
  if (!id || typeof id.pid !== 'number') return false;
  if ((id.host ?? '').toLowerCase() !== os.hostname().toLowerCase()) return undefined;
  if (id.token) return tokenHeld(path.join(tokenDir, path.basename(id.token)));
  if (id.start && process.platform === 'linux') return linuxStartOf(id.pid) === id.start;
  try {
    process.kill(id.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether a process with this pid runs here (EPERM: it exists but is not ours). Only for records
 * that carry nothing but a pid (portal.json, a temporary file's name): a reused pid reads as alive.
 * Whoever can, records an identity and asks processRuns.
 */
export function pidRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A token file is held when opening it fails with a sharing violation (EBUSY). */
async function tokenHeld(file: string): Promise<boolean> {
  try {
    const handle = await fs.open(file, 'r');
    await handle.close();
    return false;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return false;
    // EBUSY is the sharing violation; anything else (rights) cannot prove the process gone.
    return true;
  }
}

/** Removes token files whose process is gone (Windows; nothing matches elsewhere). */
export async function sweepDeadTokens(tokenDir: string): Promise<void> {
  const names = (await fs.readdir(tokenDir).catch(() => [] as string[])).filter((n) => n.startsWith(TOKEN_PREFIX));
  const ours = new Set([...heldTokens.values()].map((t) => t.name));
  for (const name of names) {
    if (ours.has(name)) continue;
    if (!(await tokenHeld(path.join(tokenDir, name)))) await fs.rm(path.join(tokenDir, name), { force: true }).catch(() => undefined);
  }
}

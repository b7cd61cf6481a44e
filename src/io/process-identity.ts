// Who a process is, in a form that survives pid reuse, and whether it still runs. A pid alone is
// not enough: after a crash and hours of uptime another process may carry the same pid.
//   Linux: the pid plus its start time (field 22 of /proc/<pid>/stat, clock ticks since boot) and
//     the boot id; a process with that pid but another start time is another process.
//   Windows: a per-process token file opened with an exclusive sharing mode (libuv's
//     UV_FS_O_EXLOCK) and held until the process ends. While the process lives, opening the
//     file fails with EBUSY (a sharing violation); when it dies, Windows closes the handle. No
//     pid or clock is trusted, so a reused pid cannot pass for the holder.
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

let heldToken: { dir: string; name: string; fd: number } | undefined;

/**
 * This process's identity. On Windows the token file is created in `tokenDir` the first time and
 * held for the life of the process (removed at a normal exit; a crash leaves it, unheld, for
 * sweepDeadTokens).
 */
export async function selfIdentity(tokenDir: string, platform: NodeJS.Platform = process.platform): Promise<ProcessIdentity> {
  const identity: ProcessIdentity = { pid: process.pid, host: os.hostname() };
  if (platform === 'win32') {
    if (!heldToken || heldToken.dir !== tokenDir) {
      await fs.mkdir(tokenDir, { recursive: true });
      const name = `${TOKEN_PREFIX}${process.pid}-${nodeCrypto().randomBytes(8).toString('hex')}`;
      const fd = openSync(path.join(tokenDir, name), constants.O_CREAT | constants.O_EXCL | constants.O_RDWR | UV_FS_O_EXLOCK);
      const previous = heldToken;
      heldToken = { dir: tokenDir, name, fd };
      if (!previous) process.once('exit', releaseToken);
    }
    identity.token = heldToken.name;
  } else if (hasProc()) {
    identity.start = linuxStartOf(process.pid);
  }
  return identity;
}

function releaseToken(): void {
  if (!heldToken) return;
  try { closeSync(heldToken.fd); } catch { /* already closed */ }
  try { unlinkSync(path.join(heldToken.dir, heldToken.name)); } catch { /* someone's sweep got it */ }
  heldToken = undefined;
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
  for (const name of names) {
    if (heldToken?.name === name) continue;
    if (!(await tokenHeld(path.join(tokenDir, name)))) await fs.rm(path.join(tokenDir, name), { force: true }).catch(() => undefined);
  }
}

// A write refused by the volume (full, over quota, read-only) is the volume's problem, never the
// package's: it becomes E_DISK_SPACE naming the volume, the free bytes and the bytes needed.
import { readFileSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { AltazionError } from '../core/errors';
import { msg } from '../core/messages';

export const DISK_ERRNO = new Set(['ENOSPC', 'EDQUOT', 'EROFS']);

/** The errno code of `error`, or of one of its causes. */
function errnoCode(error: unknown): string | undefined {
  for (let e = error as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string' && DISK_ERRNO.has(e.code)) return e.code;
  }
  return undefined;
}

export function isDiskError(error: unknown): boolean {
  return errnoCode(error) !== undefined;
}

/** Unescapes the octal escapes of /proc/self/mountinfo (`\040` for a space). */
const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));

/**
 * The volume holding `p`: the drive or share root on Windows (`D:\`, `\\srv\share\`), the mount
 * point elsewhere (the longest one of /proc/self/mountinfo containing the path).
 */
export function volumeOf(p: string): string {
  if (/^[a-zA-Z]:[\\/]|^\\\\/.test(p)) return path.win32.parse(path.win32.resolve(p)).root;
  const absolute = path.resolve(p);
  let best = '/';
  try {
    for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
      const mount = line.split(' ')[4];
      if (!mount) continue;
      const point = unescape(mount);
      if ((absolute === point || absolute.startsWith(point.endsWith('/') ? point : point + '/')) && point.length > best.length) best = point;
    }
  } catch { /* no /proc: the root stands for the volume */ }
  return best;
}

/** Free bytes for us on the volume holding `p` (undefined when it cannot be asked). */
export async function freeBytesOf(p: string): Promise<number | undefined> {
  for (let dir = path.resolve(p); ; dir = path.dirname(dir)) {
    try {
      const st = await fs.statfs(dir);
      return Number(st.bavail) * Number(st.bsize);
    } catch {
      if (path.dirname(dir) === dir) return undefined;
    }
  }
}

const mb = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`;

/** The path an errno error names, or one of its causes. */
function errnoPath(error: unknown): string | undefined {
  for (let e = error as { path?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (typeof e.path === 'string') return e.path;
  }
  return undefined;
}

/**
 * E_DISK_SPACE for a write refused by the volume (ENOSPC, EDQUOT, EROFS) while doing `what`; the
 * volume is the one of the path the error names (else `target`). `needs` is what the whole
 * operation needs on the volume of `needs.under`. Other errors pass through unchanged.
 */
export async function diskErrorOr(error: unknown, what: string, target: string, needs?: { under: string; bytes: number }): Promise<unknown> {
  const code = errnoCode(error);
  if (!code) return error;
  const at = errnoPath(error) ?? target;
  const volume = volumeOf(at);
  const bytesNeeded = needs && volumeOf(needs.under) === volume ? needs.bytes : undefined;
  const free = code === 'EROFS' ? undefined : await freeBytesOf(at);
  const problem = msg(code === 'EROFS' ? 'disk.readOnly' : code === 'EDQUOT' ? 'disk.overQuota' : 'disk.full');
  const need = bytesNeeded !== undefined ? msg('disk.needs', { what, bytes: bytesNeeded, size: mb(bytesNeeded) }) : msg('disk.couldNotWrite', { what });
  const has = free !== undefined ? msg('disk.free', { bytes: free, size: mb(free) }) : '';
  return new AltazionError('E_DISK_SPACE', msg('disk.refused', { volume, problem, code, path: at, need, has }), {
    target: volume,
    hint: code === 'EROFS' ? msg('disk.hintReadOnly', { volume })
      : bytesNeeded !== undefined ? msg('disk.hintFree', { size: mb(Math.max(bytesNeeded - (free ?? 0), 1)), volume }) : msg('disk.hintFreeSome', { volume }),
    cause: error,
  });
}

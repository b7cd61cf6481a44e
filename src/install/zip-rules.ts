// What a package entry may be called (pure): a relative forward-slash path that lands inside the
// module folder on Windows and Linux alike. Everything else is refused before anything goes offline.

const RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;

/** Why a zip entry name is unsafe, or undefined when it is fine. Directory entries end with `/`. */
export function entryNameProblem(name: string): string | undefined {
  if (name === '') return 'empty name';
  if (name.includes('\\')) return 'backslash in the name (a Windows path separator)';
  if (/[\u0000-\u001f]/.test(name)) return 'control character in the name';
  if (name.startsWith('/')) return 'absolute path';
  if (name.startsWith('//') || name.startsWith('\\\\')) return 'UNC path';
  if (/^[a-zA-Z]:/.test(name)) return 'drive letter';
  if (/[<>:"|?*]/.test(name)) return 'character not allowed in Windows file names';
  const segments = name.replace(/\/$/, '').split('/');
  for (const segment of segments) {
    if (segment === '..') return '".." segment (would escape the module folder)';
    if (segment === '' || segment === '.') return 'empty or "." segment';
    if (/[. ]$/.test(segment)) return `segment "${segment}" ends with a dot or a space (Windows would rename it)`;
    if (RESERVED.test(segment)) return `segment "${segment}" is a reserved Windows device name`;
  }
  return undefined;
}

export interface ZipLimits {
  /** Largest single entry, uncompressed. */
  maxEntryBytes: number;
  /** Largest total, uncompressed. */
  maxTotalBytes: number;
  maxEntries: number;
  /** Largest compression ratio of an entry bigger than 1 MB (zip bombs). */
  maxRatio: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntryBytes: 4 * 1024 ** 3,
  maxTotalBytes: 32 * 1024 ** 3,
  maxEntries: 500_000,
  maxRatio: 1000,
};

export interface EntryInfo {
  name: string;
  uncompressedSize: number;
  compressedSize: number;
  /** Upper 16 bits of the external attributes: the Unix mode when the zip was made on Unix. */
  unixMode: number;
}

/** Checks one entry against the rules and the limits; returns the problem or undefined. */
export function entryProblem(entry: EntryInfo, limits: ZipLimits): string | undefined {
  const named = entryNameProblem(entry.name);
  if (named) return named;
  const type = entry.unixMode & 0o170000;
  if (type === 0o120000) return 'symbolic link';
  if (type !== 0 && type !== 0o100000 && type !== 0o040000) return 'not a regular file or folder';
  if (entry.uncompressedSize > limits.maxEntryBytes) return `${entry.uncompressedSize} bytes uncompressed (limit ${limits.maxEntryBytes})`;
  if (entry.uncompressedSize > 1024 * 1024 && entry.uncompressedSize > Math.max(1, entry.compressedSize) * limits.maxRatio) {
    return `compression ratio over ${limits.maxRatio}:1 (zip bomb?)`;
  }
  return undefined;
}

/** Entries that would land on the same file on Windows (case-insensitive names). */
export function duplicateName(names: Iterable<string>): string | undefined {
  const seen = new DuplicateNames();
  for (const name of names) if (seen.isDuplicate(name)) return name;
  return undefined;
}

/** The names seen so far, as Windows compares them (case-insensitive, a folder's trailing slash aside). */
export class DuplicateNames {
  private readonly seen = new Set<string>();

  /** True when `name` matches one seen before; remembers it otherwise. */
  isDuplicate(name: string): boolean {
    const key = name.replace(/\/$/, '').toLowerCase();
    if (this.seen.has(key)) return true;
    this.seen.add(key);
    return false;
  }
}

/** Glob (`*`, `**`, `?`, case-insensitive, forward slashes) to a regular expression over relative paths. */
export function globToRegExp(pattern: string): RegExp {
  const normalized = pattern.replace(/\\/g, '/').replace(/^\.\//, '');
  let out = '';
  for (let i = 0; i < normalized.length; i++) {
    const c = normalized[i];
    if (c === '*' && normalized[i + 1] === '*') {
      out += normalized[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += normalized[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else out += c.replace(/[.+^${}()|[\]]/g, '\\$&');
  }
  return new RegExp(`^${out}$`, 'i');
}

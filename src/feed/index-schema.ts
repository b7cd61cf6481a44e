// Validation of release-index.json (types in ./types). Pure: takes parsed values or bytes and a
// `now`, never touches disk or network. Every message names the field, e.g.
//   release-index.json: modules.ecommerce.releases[2].sha256: must be 64 hex digits
import { AltazionError, type ErrorCode } from '../core/errors';
import { MODULE_KINDS, type ModuleKind } from '../core/modules';
import { compareVersions, isVersion } from '../core/version';
import { INDEX_FILE, type ModuleCatalogEntry, type ReleaseEntry, type ReleaseIndex } from './types';

const ISO_DATE_TIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const MODULE_KEY_RE = /^[a-z0-9][a-z0-9_-]*$/;
const SHA256_RE = /^[0-9a-fA-F]{64}$/;

export function isIsoDateTime(value: unknown): value is string {
  return typeof value === 'string' && ISO_DATE_TIME_RE.test(value) && !Number.isNaN(Date.parse(value));
}

/**
 * Why a package path from the index is unsafe, or undefined when it is a plain relative path
 * (forward slashes, no `..`, `.` or empty segments, no absolute, drive-letter or UNC form).
 */
export function unsafePackagePathReason(p: string): string | undefined {
  if (p === '') return 'must not be empty';
  if (p.includes('\\')) return 'must use forward slashes (backslashes could name a UNC or drive path on Windows)';
  if (p.startsWith('/')) return 'must be relative to the feed root, not absolute';
  if (/^[a-zA-Z]:/.test(p)) return 'must not start with a drive letter';
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(p)) return 'must be a path relative to the feed, not a URL';
  if (/[\u0000-\u001f?#]/.test(p)) return 'must not contain control characters, ? or #';
  const segments = p.split('/');
  if (segments.some((s) => s === '..')) return 'must not contain ".." segments';
  if (segments.some((s) => s === '' || s === '.')) return 'must not contain empty or "." segments';
  if (!/\.zip$/i.test(p)) return 'must name a .zip file';
  return undefined;
}

type Fail = (field: string, problem: string) => AltazionError;

function failer(source: string, location: string | undefined, code: ErrorCode = 'E_FEED_INVALID'): Fail {
  const where = location ? ` (feed ${location})` : '';
  return (field, problem) => new AltazionError(code, `${source}: ${field}: ${problem}${where}`, { target: location ?? source });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return !!value && typeof value === 'object' && !Array.isArray(value);
}

function validateRequires(value: unknown, field: string, fail: Fail): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  if (!isPlainObject(value)) throw fail(field, 'must be an object of module: minimum version');
  const out: Record<string, string> = {};
  for (const [mod, ver] of Object.entries(value)) {
    if (!MODULE_KEY_RE.test(mod)) throw fail(`${field}.${mod}`, 'invalid module key');
    if (typeof ver !== 'string' || !isVersion(ver)) throw fail(`${field}.${mod}`, `invalid version ${JSON.stringify(ver)}`);
    out[mod] = ver.trim();
  }
  return out;
}

function validateRelease(value: unknown, field: string, fail: Fail): ReleaseEntry {
  if (!isPlainObject(value)) throw fail(field, 'must be an object');
  const r = value;
  if (typeof r.version !== 'string' || !isVersion(r.version)) throw fail(`${field}.version`, `invalid version ${JSON.stringify(r.version)} (expected YY.N or YY.M.D.H)`);
  if (!isIsoDateTime(r.publishedAt)) throw fail(`${field}.publishedAt`, `must be an ISO 8601 date-time, got ${JSON.stringify(r.publishedAt)}`);
  if (typeof r.package !== 'string') throw fail(`${field}.package`, 'required string');
  const unsafe = unsafePackagePathReason(r.package);
  if (unsafe) throw fail(`${field}.package`, `${JSON.stringify(r.package)} ${unsafe}`);
  if (typeof r.size !== 'number' || !Number.isSafeInteger(r.size) || r.size < 0) throw fail(`${field}.size`, `must be an integer >= 0, got ${JSON.stringify(r.size)}`);
  if (typeof r.sha256 !== 'string' || !SHA256_RE.test(r.sha256)) throw fail(`${field}.sha256`, 'must be 64 hex digits');
  const release: ReleaseEntry = {
    version: r.version.trim(),
    publishedAt: r.publishedAt,
    package: r.package,
    size: r.size,
    sha256: r.sha256.toLowerCase(),
  };
  const requires = validateRequires(r.requires, `${field}.requires`, fail);
  if (requires) release.requires = requires;
  return release;
}

/**
 * Validates a parsed release index and returns a normalised copy (sha256 lower-case, releases
 * sorted by version ascending). `location` (URL or folder) is appended to messages when given.
 */
export function validateReleaseIndex(value: unknown, location?: string, source = INDEX_FILE): ReleaseIndex {
  const fail = failer(source, location);
  if (!isPlainObject(value)) throw fail('(document)', 'must be a JSON object');
  const v = value;
  if (v.schemaVersion !== 1) throw fail('schemaVersion', `unsupported value ${JSON.stringify(v.schemaVersion)} (expected 1)`);
  if (typeof v.indexVersion !== 'number' || !Number.isSafeInteger(v.indexVersion) || v.indexVersion < 1) {
    throw fail('indexVersion', `must be a positive integer, got ${JSON.stringify(v.indexVersion)}`);
  }
  if (!isIsoDateTime(v.generatedAt)) throw fail('generatedAt', `must be an ISO 8601 date-time, got ${JSON.stringify(v.generatedAt)}`);
  if (!isIsoDateTime(v.expiresAt)) throw fail('expiresAt', `must be an ISO 8601 date-time, got ${JSON.stringify(v.expiresAt)}`);
  if (Date.parse(v.expiresAt) <= Date.parse(v.generatedAt)) throw fail('expiresAt', `${v.expiresAt} is not after generatedAt ${v.generatedAt}`);
  if (!isPlainObject(v.modules)) throw fail('modules', 'must be an object keyed by module');
  const modules: Record<string, ModuleCatalogEntry> = {};
  const packages = new Map<string, string>();
  for (const [key, entry] of Object.entries(v.modules)) {
    const field = `modules.${key}`;
    if (!MODULE_KEY_RE.test(key)) throw fail(field, 'invalid module key (lower-case letters, digits, - and _)');
    if (!isPlainObject(entry)) throw fail(field, 'must be an object with kind and releases');
    if (typeof entry.kind !== 'string' || !(MODULE_KINDS as readonly string[]).includes(entry.kind)) {
      throw fail(`${field}.kind`, `must be one of ${MODULE_KINDS.join(', ')}, got ${JSON.stringify(entry.kind)}`);
    }
    if (!Array.isArray(entry.releases)) throw fail(`${field}.releases`, 'must be an array');
    const releases = entry.releases.map((r, i) => validateRelease(r, `${field}.releases[${i}]`, fail));
    releases.forEach((r, i) => {
      const dup = releases.findIndex((o) => compareVersions(o.version, r.version) === 0);
      if (dup !== i) throw fail(`${field}.releases[${i}].version`, `${r.version} is listed twice (also releases[${dup}])`);
      const other = packages.get(r.package.toLowerCase());
      if (other) throw fail(`${field}.releases[${i}].package`, `${r.package} is also the package of ${other}`);
      packages.set(r.package.toLowerCase(), `${key} ${r.version}`);
    });
    releases.sort((a, b) => compareVersions(a.version, b.version));
    modules[key] = { kind: entry.kind as ModuleKind, releases };
  }
  return { schemaVersion: 1, indexVersion: v.indexVersion, generatedAt: v.generatedAt, expiresAt: v.expiresAt, modules };
}

/** Parses the exact bytes of release-index.json (UTF-8, BOM tolerated) and validates them. */
export function parseReleaseIndex(bytes: Uint8Array | string, location?: string, source = INDEX_FILE): ReleaseIndex {
  const text = (typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('utf8')).replace(/^\uFEFF/, '');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw failer(source, location)('(document)', `not valid JSON (${(error as Error).message})`);
  }
  return validateReleaseIndex(value, location, source);
}

/** Rejects an index whose expiry date is at or before `now`. */
export function checkNotExpired(index: ReleaseIndex, now: Date, location?: string, source = INDEX_FILE): void {
  if (Date.parse(index.expiresAt) <= now.getTime()) {
    throw new AltazionError('E_FEED_EXPIRED', `${source}: expiresAt: the index expired on ${index.expiresAt} (now ${now.toISOString()})${location ? ` (feed ${location})` : ''}`, {
      target: location ?? source,
      hint: 'the publisher must publish a fresh index; check the server clock too',
    });
  }
}

/** Rejects an index older than the last one accepted (a replayed index: rollback attack or stale mirror). */
export function checkNoRollback(index: ReleaseIndex, lastAcceptedVersion: number | undefined, location?: string, source = INDEX_FILE): void {
  if (lastAcceptedVersion !== undefined && index.indexVersion < lastAcceptedVersion) {
    throw new AltazionError('E_FEED_ROLLBACK', `${source}: indexVersion: ${index.indexVersion} is lower than ${lastAcceptedVersion}, the last version accepted from the feed${location ? ` (feed ${location})` : ''}`, {
      target: location ?? source,
      hint: 'the feed serves an older index than one already seen (stale mirror or replay); the publisher must publish a newer index',
    });
  }
}

// Reading a database package (a zip from the cache, or an extracted folder): its manifest, its
// scripts (each checked against the sha256 the manifest lists: a tampered script is refused), and
// its baselines. The database section may carry, besides `baseline` (the schema after this
// release), `baselines`: { "<version>": "<path>" } for earlier releases, so that the drift of a
// database installed at any of them can be measured with the new package alone.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Entry, ZipFile } from 'yauzl';
import { AltazionError } from '../core/errors';
import { nodeCrypto } from '../io/node-crypto';
import { MANIFEST_FILE, validateManifest, type DatabaseScriptEntry, type DatabaseSection, type PackageManifest } from '../core/package-manifest';
import { splitScript, type Batch } from './batches';
import { tokenize } from './lexer';
import { nonTransactionalStatements, sqlcmdSyntax } from './script-rules';
import { parseBaseline, type Baseline } from './catalog';
import { versionKey } from './plan';

export interface DatabaseSectionEx extends DatabaseSection {
  /** Baselines of earlier releases: version -> path inside the package. */
  baselines?: Record<string, string>;
  /**
   * Standard definitions (T-SQL of each object) of the baselines: version -> path. Apart from the
   * baselines because only diffs read them (`db drift --show`, the portal).
   */
  definitions?: Record<string, string>;
}

export interface DatabasePackage {
  /** Zip file or folder, for messages. */
  source: string;
  manifest: PackageManifest & { database: DatabaseSectionEx };
  read(file: string): Promise<Buffer | undefined>;
}

const MAX_ENTRY_BYTES = 1024 * 1024 * 1024;

function invalid(source: string, message: string): AltazionError {
  return new AltazionError('E_PACKAGE_INVALID', `${source}: ${message}`, { target: source });
}

/**
 * A zip package's files, read on demand: the zip's bytes are held once (database packages are a
 * few MB compressed) and an entry is inflated only when it is read, then dropped, so a large
 * definitions file is in memory only while a diff needs it. Each entry is sliced from the zip in
 * memory and inflated in one call (with a stream per entry, yauzl's default, `get` spent ~30 ms on
 * a 9-file package).
 */
async function openZip(zipPath: string): Promise<(file: string) => Promise<Buffer | undefined>> {
  // Loaded here, not with the module: a `get` that reuses the analysis never opens the package.
  const [{ default: yauzl }, { inflateRawSync }] = await Promise.all([import('yauzl'), import('node:zlib')]);
  let bytes: Buffer;
  let zip: ZipFile;
  try {
    bytes = await fs.readFile(zipPath);
    zip = await new Promise<ZipFile>((resolve, reject) => {
      yauzl.fromBuffer(bytes, { lazyEntries: true }, (error, opened) => (error ? reject(error) : resolve(opened)));
    });
  } catch (error) {
    throw invalid(zipPath, `not a readable zip (${(error as Error).message})`);
  }
  const entries = new Map<string, Entry>();
  try {
    for await (const entry of zip.eachEntry()) {
      if (entry.fileName.endsWith('/')) continue;
      if (entry.uncompressedSize > MAX_ENTRY_BYTES) throw invalid(zipPath, `${entry.fileName}: larger than ${MAX_ENTRY_BYTES} bytes`);
      if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) throw invalid(zipPath, `${entry.fileName}: unsupported compression method ${entry.compressionMethod}`);
      entries.set(entry.fileName, entry);
    }
  } catch (error) {
    zip.close();
    if (error instanceof AltazionError) throw error;
    throw invalid(zipPath, `damaged zip (${(error as Error).message})`);
  }
  return async (file) => {
    const entry = entries.get(file);
    if (!entry) return undefined;
    let content: Buffer;
    try {
      // The entry's bytes as stored, sliced from the zip in memory (yauzl locates and checks its header).
      const { fileDataStart } = await zip.readLocalFileHeaderPromise(entry, { minimal: true });
      const raw = bytes.subarray(fileDataStart, fileDataStart + entry.compressedSize);
      // Never inflates beyond the declared size (a lying entry is refused, not expanded).
      content = entry.isCompressed() ? inflateRawSync(raw, { maxOutputLength: Math.max(1, entry.uncompressedSize) }) : Buffer.from(raw);
    } catch (error) {
      throw invalid(zipPath, `${entry.fileName}: damaged (${(error as Error).message})`);
    }
    if (content.length !== entry.uncompressedSize) throw invalid(zipPath, `${entry.fileName}: ${content.length} bytes where the zip says ${entry.uncompressedSize}`);
    return content;
  };
}

/** Paths inside the package must stay inside it. */
function safeRelative(source: string, file: string, field: string): string {
  const normalized = file.replace(/\\/g, '/');
  if (normalized.startsWith('/') || /^[a-zA-Z]:/.test(normalized) || normalized.split('/').includes('..')) {
    throw invalid(source, `${MANIFEST_FILE}: ${field}: "${file}" points outside the package`);
  }
  return normalized;
}

function checkDatabaseManifest(value: unknown, source: string): DatabasePackage['manifest'] {
  const manifest = validateManifest(value, source);
  if (manifest.kind !== 'database' || !manifest.database) throw invalid(source, `${MANIFEST_FILE}: kind: not a database package (${manifest.kind})`);
  const db = manifest.database as DatabaseSectionEx;
  safeRelative(source, db.baseline, 'database.baseline');
  db.scripts.forEach((s, i) => safeRelative(source, s.file, `database.scripts[${i}].file`));
  const ids = new Set<string>();
  for (const s of db.scripts) {
    if (ids.has(s.id.toLowerCase())) throw invalid(source, `${MANIFEST_FILE}: database.scripts: duplicate id "${s.id}"`);
    ids.add(s.id.toLowerCase());
  }
  for (const field of ['baselines', 'definitions'] as const) {
    const map = db[field];
    if (map === undefined) continue;
    if (!map || typeof map !== 'object' || Array.isArray(map)) throw invalid(source, `${MANIFEST_FILE}: database.${field}: must be an object of version: path`);
    for (const [version, file] of Object.entries(map)) {
      if (typeof file !== 'string') throw invalid(source, `${MANIFEST_FILE}: database.${field}.${version}: must be a path`);
      safeRelative(source, file, `database.${field}.${version}`);
    }
  }
  return manifest as DatabasePackage['manifest'];
}

/** Opens a database package zip or extracted folder. */
export async function openDatabasePackage(location: string): Promise<DatabasePackage> {
  const stat = await fs.stat(location).catch(() => undefined);
  if (!stat) throw new AltazionError('E_NOT_FOUND', `${location}: no such package`, { target: location });
  let read: (file: string) => Promise<Buffer | undefined>;
  if (stat.isDirectory()) {
    read = async (file) => fs.readFile(path.join(location, ...file.split('/'))).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
  } else {
    read = await openZip(location);
  }
  const manifestBytes = await read(MANIFEST_FILE);
  if (!manifestBytes) throw invalid(location, `no ${MANIFEST_FILE} at the root of the package`);
  let value: unknown;
  try {
    value = JSON.parse(manifestBytes.toString('utf8').replace(/^\uFEFF/, ''));
  } catch (error) {
    throw invalid(location, `${MANIFEST_FILE}: not valid JSON (${(error as Error).message})`);
  }
  return { source: location, manifest: checkDatabaseManifest(value, location), read };
}

/** Text of a .sql file: UTF-8 (BOM dropped) or UTF-16 with a BOM, as SSMS saves them. */
export function decodeSql(bytes: Buffer): string {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  return bytes.toString('utf8').replace(/^\uFEFF/, '');
}

export interface LoadedScript {
  entry: DatabaseScriptEntry;
  text: string;
  batches: Batch[];
}

/** A script's text and batches, after checking its sha256 and that it splits cleanly. */
export async function loadScript(pkg: DatabasePackage, entry: DatabaseScriptEntry): Promise<LoadedScript> {
  const bytes = await pkg.read(entry.file);
  if (!bytes) throw invalid(pkg.source, `${entry.file} (script ${entry.id}) is missing from the package`);
  const sha = nodeCrypto().createHash('sha256').update(bytes).digest('hex');
  if (sha !== entry.sha256.toLowerCase()) {
    throw new AltazionError('E_PACKAGE_INTEGRITY', `${pkg.source}: ${entry.file} (script ${entry.id}): sha256 ${sha} differs from the manifest (${entry.sha256})`, { target: entry.file });
  }
  const text = decodeSql(bytes);
  const { batches, problems } = splitScript(text);
  if (problems.length) throw invalid(pkg.source, `${entry.file} (script ${entry.id}): ${problems.map((p) => p.message).join('; ')}`);
  return { entry, text, batches };
}

async function readBaselineFile(pkg: DatabasePackage, file: string): Promise<Baseline> {
  const bytes = await pkg.read(file);
  if (!bytes) throw invalid(pkg.source, `${file} (baseline) is missing from the package`);
  try {
    return parseBaseline(JSON.parse(bytes.toString('utf8').replace(/^\uFEFF/, '')), `${pkg.source}: ${file}`);
  } catch (error) {
    throw invalid(pkg.source, `${file}: ${(error as Error).message}`);
  }
}

/** The package's own baseline (the schema after its release). */
export function targetBaseline(pkg: DatabasePackage): Promise<Baseline> {
  return readBaselineFile(pkg, pkg.manifest.database.baseline);
}

/** The baseline of an earlier release carried by the package, if any. */
export async function baselineFor(pkg: DatabasePackage, version: string): Promise<Baseline | undefined> {
  if (versionKey(version) === versionKey(pkg.manifest.version)) return targetBaseline(pkg);
  const entry = Object.entries(pkg.manifest.database.baselines ?? {}).find(([v]) => versionKey(v) === versionKey(version));
  return entry ? readBaselineFile(pkg, entry[1]) : undefined;
}

/** The standard definitions of a version's baseline carried by the package, if any. */
export async function definitionsFor(pkg: DatabasePackage, version: string): Promise<Record<string, string> | undefined> {
  const entry = Object.entries(pkg.manifest.database.definitions ?? {}).find(([v]) => versionKey(v) === versionKey(version));
  if (!entry) return undefined;
  const bytes = await pkg.read(entry[1]);
  if (!bytes) throw invalid(pkg.source, `${entry[1]} (definitions) is missing from the package`);
  try {
    const value = JSON.parse(bytes.toString('utf8').replace(/^\uFEFF/, '')) as { definitions?: unknown };
    if (!value.definitions || typeof value.definitions !== 'object') throw new Error('definitions: must be an object of object name: T-SQL');
    return value.definitions as Record<string, string>;
  } catch (error) {
    throw invalid(pkg.source, `${entry[1]}: ${(error as Error).message}`);
  }
}

export interface PackageCheck {
  version: string;
  scripts: number;
  batches: number;
  baselines: string[];
}

/**
 * Everything a database package must get right, checked before it is published: manifest, every
 * script present with its sha256 and splitting cleanly (no unterminated comment or string, at least
 * one batch), no sqlcmd syntax, no statement refused in a transaction inside a transactional script,
 * every baseline readable. Throws E_PACKAGE_INVALID / E_PACKAGE_INTEGRITY naming the file and line.
 */
export async function checkDatabasePackage(location: string): Promise<PackageCheck> {
  const pkg = await openDatabasePackage(location);
  let batches = 0;
  for (const entry of pkg.manifest.database.scripts) {
    const script = await loadScript(pkg, entry);
    const where = `${entry.file} (script ${entry.id})`;
    if (script.batches.every((b) => tokenize(b.text, 1).length === 0)) throw invalid(pkg.source, `${where}: no batch to run (an empty script, or only comments)`);
    const sqlcmd = sqlcmdSyntax(script.text);
    if (sqlcmd.length) {
      throw invalid(pkg.source, `${where}: sqlcmd syntax is not T-SQL (the updater sends batches to SQL Server as they are): ${sqlcmd.map((f) => `${f.what} line ${f.line}`).join(', ')}`);
    }
    const outside = entry.transactional ? nonTransactionalStatements(script.batches) : [];
    if (outside.length) {
      throw invalid(pkg.source, `${where}: is marked transactional but holds what SQL Server refuses in a transaction: ${outside.map((f) => `${f.what.toUpperCase()} line ${f.line}`).join(', ')}; move it to a script of its own marked "transactional": false`);
    }
    batches += script.batches.length;
  }
  const versions = [pkg.manifest.version, ...Object.keys(pkg.manifest.database.baselines ?? {})];
  for (const v of versions) await baselineFor(pkg, v);
  return { version: pkg.manifest.version, scripts: pkg.manifest.database.scripts.length, batches, baselines: versions };
}

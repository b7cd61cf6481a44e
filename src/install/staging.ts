// Staging (SPEC §6 step 2): the package is checked entry by entry (names, types, sizes, duplicates),
// then extracted, streaming, into a new folder beside the module (same volume, so the swap is a
// rename), and the customer's preserved files are carried over. All of it happens while the
// module is still online; a bad package never gets further than this.
import { createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { constants as zlibConstants, inflateRawSync } from 'node:zlib';
import type yauzl from 'yauzl';
import { NewFileWriter } from '../io/file-writer';
import { GarbagePacer } from '../io/garbage';
import { openZipWith, WindowedZipReader } from './zip-reader';
import { AltazionError } from '../core/errors';
import { isDiskError } from '../io/disk';
import { MANIFEST_FILE, validateManifest, type PackageManifest } from '../core/package-manifest';
import { DEFAULT_ZIP_LIMITS, DuplicateNames, entryProblem, globToRegExp, type EntryInfo, type ZipLimits } from './zip-rules';

/** Files that take a site offline; never carried into a staged folder. */
export const APP_OFFLINE_NAMES = ['app_offline.htm', 'app_offline.html'];

/** An error of the disk we write to (open, write, mkdir...), not of the archive we read. */
function isWriteError(error: unknown): boolean {
  const syscall = (error as NodeJS.ErrnoException | undefined)?.syscall;
  return typeof syscall === 'string' && ['open', 'write', 'mkdir', 'close', 'fsync', 'copyfile', 'futime', 'utime'].includes(syscall);
}

function invalid(zipPath: string, problem: string, cause?: unknown): AltazionError {
  return new AltazionError('E_PACKAGE_INVALID', `${zipPath}: ${problem}; nothing was changed`, {
    target: zipPath, cause, hint: 'the package is malformed or unsafe: ask the publisher for a correct one',
  });
}

const ZIP_OPTIONS: yauzl.Options = { lazyEntries: true, autoClose: false, strictFileNames: true, validateEntrySizes: true };

/** Visits every entry in order; `visit` may return a promise (the next entry is read after it). */
async function forEachEntry(zipPath: string, visit: (entry: yauzl.Entry, zip: yauzl.ZipFile, reader: WindowedZipReader) => Promise<void> | void): Promise<void> {
  const reader = await WindowedZipReader.open(zipPath).catch((error: NodeJS.ErrnoException) => {
    throw invalid(zipPath, `cannot be read (${error.code ?? error.message})`, error);
  });
  let zip: yauzl.ZipFile;
  try {
    zip = await openZipWith(reader, ZIP_OPTIONS);
  } catch (error) {
    reader.unref(); // the reference fromRandomAccessReader took: the file is closed
    throw invalid(zipPath, `not a readable zip archive (${(error as Error).message})`, error);
  }
  try {
    await visitEntries(zipPath, zip, reader, visit);
  } finally {
    zip.close();
  }
}

function visitEntries(zipPath: string, zip: yauzl.ZipFile, reader: WindowedZipReader, visit: (entry: yauzl.Entry, zip: yauzl.ZipFile, reader: WindowedZipReader) => Promise<void> | void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let failed = false;
    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      // The disk refusing a write is not the package's fault: passed on as is (see extractPackage).
      reject(error instanceof AltazionError || isWriteError(error) ? error : invalid(zipPath, (error as Error).message, error));
    };
    zip.on('error', fail);
    zip.on('end', () => { if (!failed) resolve(); });
    zip.on('entry', (entry: yauzl.Entry) => {
      Promise.resolve(visit(entry, zip, reader)).then(() => { if (!failed) zip.readEntry(); }, fail);
    });
    zip.readEntry();
  });
}

function infoOf(entry: yauzl.Entry): EntryInfo {
  return {
    name: entry.fileName,
    uncompressedSize: entry.uncompressedSize,
    compressedSize: entry.compressedSize,
    unixMode: (entry.externalFileAttributes >>> 16) & 0xffff,
  };
}

/** Allocation unit assumed on the target volume (NTFS's default cluster): what small files really take. */
export const CLUSTER_BYTES = 4096;

export interface PackageSummary {
  files: number;
  totalBytes: number;
  /** What the extracted files take on disk: each file and folder rounded up to a cluster. */
  diskBytes: number;
  manifest: PackageManifest;
}

/** Reads the central directory and refuses anything unsafe; extracts nothing. */
export async function inspectPackage(zipPath: string, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Promise<PackageSummary> {
  // Names are checked for duplicates as they come: no list of every name (100,000 entries: megabytes
  // held through the whole install otherwise).
  const names = new DuplicateNames();
  let duplicate: string | undefined;
  let entries = 0;
  let files = 0;
  let totalBytes = 0;
  let diskBytes = 0;
  let manifestText: string | undefined;
  await forEachEntry(zipPath, async (entry, zip) => {
    const info = infoOf(entry);
    const problem = entryProblem(info, limits);
    if (problem) throw invalid(zipPath, `entry "${entry.fileName}": ${problem}`);
    if (names.isDuplicate(entry.fileName)) duplicate ??= entry.fileName;
    if (!entry.fileName.endsWith('/')) files++;
    if (++entries > limits.maxEntries) throw invalid(zipPath, `more than ${limits.maxEntries} entries`);
    totalBytes += info.uncompressedSize;
    diskBytes += Math.max(1, Math.ceil(info.uncompressedSize / CLUSTER_BYTES)) * CLUSTER_BYTES;
    if (totalBytes > limits.maxTotalBytes) throw invalid(zipPath, `more than ${limits.maxTotalBytes} bytes once extracted`);
    if (entry.fileName === MANIFEST_FILE) manifestText = (await readEntry(zip, entry, 1024 * 1024)).toString('utf8');
  });
  if (duplicate !== undefined) throw invalid(zipPath, `entry "${duplicate}" appears twice (names are case-insensitive on Windows)`);
  if (manifestText === undefined) throw invalid(zipPath, `no ${MANIFEST_FILE} at the root of the package`);
  let value: unknown;
  try {
    value = JSON.parse(manifestText.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw invalid(zipPath, `${MANIFEST_FILE} is not valid JSON (${(error as Error).message})`);
  }
  return { files, totalBytes, diskBytes, manifest: validateManifest(value, zipPath) };
}

function openEntryStream(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<NodeJS.ReadableStream> {
  return new Promise((resolve, reject) => zip.openReadStream(entry, (error, stream) => (error || !stream ? reject(error) : resolve(stream))));
}

async function readEntry(zip: yauzl.ZipFile, entry: yauzl.Entry, max: number): Promise<Buffer> {
  if (entry.uncompressedSize > max) throw new Error(`${entry.fileName} is larger than ${max} bytes`);
  const stream = await openEntryStream(zip, entry);
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/**
 * Extracts the package into `dest` (created; must not exist). Entries are checked again as they
 * come (the archive could have changed since it was inspected). app_offline.htm(l) is skipped.
 * A write the disk refuses is thrown as its errno error when the volume is full, over quota or
 * read-only (the caller names the volume and the bytes needed), else as E_FAILED naming the file.
 */
export async function extractPackage(zipPath: string, dest: string, limits: ZipLimits = DEFAULT_ZIP_LIMITS, signal?: AbortSignal): Promise<number> {
  try {
    return await extractEntries(zipPath, dest, limits, signal);
  } catch (error) {
    if (!isWriteError(error) || isDiskError(error)) throw error;
    const e = error as NodeJS.ErrnoException;
    throw new AltazionError('E_FAILED', `cannot write ${e.path ?? dest} while staging (${e.code ?? e.message})`, { target: e.path ?? dest, cause: error });
  }
}

/**
 * Entries up to this size are read whole from the reader's window, inflated in one call and handed
 * to the writer, which overlaps their writes; larger ones stream to their file one at a time.
 */
const SMALL_ENTRY_BYTES = 1024 * 1024;

async function extractEntries(zipPath: string, dest: string, limits: ZipLimits, signal?: AbortSignal): Promise<number> {
  await fs.mkdir(dest, { recursive: false });
  const root = path.resolve(dest);
  const made = new Set<string>([root]);
  const writer = new NewFileWriter();
  // Each small entry is inflated into a buffer of its own, dropped once written: collected every
  // 32 MiB instead of when V8 would (src/io/garbage.ts).
  const pacer = new GarbagePacer(32 * 1024 * 1024);
  let files = 0;
  try {
    await forEachEntry(zipPath, async (entry, zip, reader) => {
      if (signal?.aborted) throw new AltazionError('E_FAILED', 'install cancelled while staging');
      const problem = entryProblem(infoOf(entry), limits);
      if (problem) throw invalid(zipPath, `entry "${entry.fileName}": ${problem}`);
      const target = path.resolve(root, ...entry.fileName.replace(/\/$/, '').split('/'));
      if (!target.startsWith(root + path.sep)) throw invalid(zipPath, `entry "${entry.fileName}" escapes the module folder`);
      if (entry.fileName.endsWith('/')) {
        if (!made.has(target)) { await fs.mkdir(target, { recursive: true }); made.add(target); }
        return;
      }
      if (!entry.fileName.includes('/') && APP_OFFLINE_NAMES.includes(entry.fileName.toLowerCase())) return;
      const dir = path.dirname(target);
      if (!made.has(dir)) { await fs.mkdir(dir, { recursive: true }); made.add(dir); }
      files++;
      // 'wx' both ways: a second entry for the same file (case variants on a case-sensitive disk aside) fails.
      if (entry.uncompressedSize <= SMALL_ENTRY_BYTES && entry.compressedSize <= SMALL_ENTRY_BYTES && !entry.isEncrypted() && (entry.compressionMethod === 0 || entry.compressionMethod === 8)) {
        const data = await readSmallEntry(zipPath, zip, reader, entry);
        await writer.write(target, data);
        pacer.add(data.length);
        return;
      }
      await writer.drain();
      const stream = await openEntryStream(zip, entry);
      await pipeline(stream, createWriteStream(target, { flags: 'wx' }));
    });
    await writer.drain();
  } catch (error) {
    await writer.settle();
    throw error;
  }
  return files;
}

/** A small entry's bytes, inflated and checked against the size the central directory declares. */
async function readSmallEntry(zipPath: string, zip: yauzl.ZipFile, reader: WindowedZipReader, entry: yauzl.Entry): Promise<Buffer> {
  const { fileDataStart } = await zip.readLocalFileHeaderPromise(entry, { minimal: true });
  if (fileDataStart + entry.compressedSize > reader.size) throw invalid(zipPath, `entry "${entry.fileName}" overflows the archive`);
  const raw = await reader.bytes(fileDataStart, entry.compressedSize);
  let data: Buffer;
  try {
    // The view into the reader's window is copied (stored) or inflated (deflated) before it moves on.
    // One output buffer a little larger than the entry: zlib's default 16 KiB chunks would be
    // concatenated into a second copy, twice the garbage per entry (the staging's peak RSS).
    data = entry.compressionMethod === 0 ? Buffer.from(raw) : inflateRawSync(raw, { maxOutputLength: Math.max(1, entry.uncompressedSize), chunkSize: Math.max(zlibConstants.Z_MIN_CHUNK, entry.uncompressedSize + 64) });
  } catch (error) {
    throw invalid(zipPath, `entry "${entry.fileName}" cannot be inflated (${(error as Error).message})`, error);
  }
  if (data.length !== entry.uncompressedSize) throw invalid(zipPath, `entry "${entry.fileName}" holds ${data.length} bytes, the archive says ${entry.uncompressedSize}`);
  return data;
}

/** Relative paths (forward slashes) of the files in `folder` matching any pattern. */
export async function matchPreserved(folder: string, patterns: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  const plain = patterns.filter((p) => !/[*?]/.test(p));
  const globs = patterns.filter((p) => /[*?]/.test(p)).map(globToRegExp);
  // Plain names are looked up directly (case-insensitively per folder level); globs walk the tree.
  for (const pattern of plain) {
    let dir = folder;
    const parts = pattern.replace(/\\/g, '/').split('/').filter(Boolean);
    const actual: string[] = [];
    for (const [i, part] of parts.entries()) {
      const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
      const hit = entries.find((e) => e.name.toLowerCase() === part.toLowerCase() && (i === parts.length - 1 ? e.isFile() : e.isDirectory()));
      if (!hit) { actual.length = 0; break; }
      actual.push(hit.name);
      dir = path.join(dir, hit.name);
    }
    if (actual.length === parts.length && actual.length > 0) found.push(actual.join('/'));
  }
  if (globs.length > 0) {
    const walk = async (dir: string, prefix: string): Promise<void> => {
      for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
        const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
        if (entry.isDirectory()) await walk(path.join(dir, entry.name), rel);
        else if (entry.isFile() && globs.some((g) => g.test(rel))) found.push(rel);
      }
    };
    await walk(folder, '');
  }
  return [...new Set(found)].filter((rel) => !APP_OFFLINE_NAMES.includes(rel.toLowerCase()));
}

/** Copies the preserved files of the current folder over the staged ones; returns what was carried. */
export async function carryPreserved(current: string, staged: string, patterns: readonly string[]): Promise<string[]> {
  const files = await matchPreserved(current, patterns);
  for (const rel of files) {
    const target = path.join(staged, ...rel.split('/'));
    await fs.mkdir(path.dirname(target), { recursive: true });
    await fs.copyFile(path.join(current, ...rel.split('/')), target);
  }
  return files;
}

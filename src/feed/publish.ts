// Publisher side: build package zips and signed feeds.
//   publishFeed   reads each package's altazion-package.json, copies packages to
//                 <out>/packages/<module>-<version>.zip, computes size and sha256 itself, merges
//                 with the index already in <out> (older releases kept), bumps indexVersion, and
//                 writes release-index.json then its .sig.
//   buildPackageZip  zips a module folder (its manifest at the root) into a package.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import yazl from 'yazl';
import { AltazionError } from '../core/errors';
import { MANIFEST_FILE, validateManifest, type PackageManifest } from '../core/package-manifest';
import { compareVersions } from '../core/version';
import { parseReleaseIndex } from './index-schema';
import { checkDatabasePackage } from '../database/package';
import { writeFileAtomic } from '../io/files';
import type { SigningKey } from './keys';
import { encodeSignatureFile, signIndex } from './signature';
import { INDEX_FILE, SIGNATURE_FILE, type ReleaseEntry, type ReleaseIndex } from './types';

const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

export interface PublishOptions {
  /** Folder holding the package zips to publish (not recursive). */
  packagesDir: string;
  key: SigningKey;
  /** Feed folder; an existing release-index.json there is merged. */
  outDir: string;
  /** Defaults to the existing index's version + 1 (1 for a new feed); must be higher than it. */
  indexVersion?: number;
  expiresInDays: number;
  now: Date;
}

export interface PublishedRelease extends ReleaseEntry { module: string; added: boolean }

export interface PublishResult {
  indexVersion: number;
  indexPath: string;
  signaturePath: string;
  expiresAt: string;
  keyId: string;
  /** Every release in the new index (added = from this run). */
  releases: PublishedRelease[];
}

function usage(message: string, target?: string): AltazionError {
  return new AltazionError('E_USAGE', message, { target });
}

/** Reads altazion-package.json from the root of a package zip and validates it. */
export async function readPackageManifest(zipPath: string): Promise<PackageManifest> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(zipPath, { lazyEntries: true, autoClose: false });
  } catch (error) {
    throw new AltazionError('E_PACKAGE_INVALID', `${zipPath}: not a readable zip (${(error as Error).message})`, { target: zipPath });
  }
  try {
    for await (const entry of zip.eachEntry()) {
      if (entry.fileName !== MANIFEST_FILE) continue;
      if (entry.uncompressedSize > MAX_MANIFEST_BYTES) throw new AltazionError('E_PACKAGE_INVALID', `${zipPath}: ${MANIFEST_FILE}: larger than ${MAX_MANIFEST_BYTES} bytes`, { target: zipPath });
      const chunks: Buffer[] = [];
      for await (const chunk of await zip.openReadStreamPromise(entry)) chunks.push(chunk as Buffer);
      let value: unknown;
      try {
        value = JSON.parse(Buffer.concat(chunks).toString('utf8').replace(/^\uFEFF/, ''));
      } catch (error) {
        throw new AltazionError('E_PACKAGE_INVALID', `${zipPath}: ${MANIFEST_FILE}: not valid JSON (${(error as Error).message})`, { target: zipPath });
      }
      return validateManifest(value, zipPath);
    }
  } catch (error) {
    if (error instanceof AltazionError) throw error;
    throw new AltazionError('E_PACKAGE_INVALID', `${zipPath}: damaged zip (${(error as Error).message})`, { target: zipPath });
  } finally {
    zip.close();
  }
  throw new AltazionError('E_PACKAGE_INVALID', `${zipPath}: no ${MANIFEST_FILE} at the root of the package`, { target: zipPath });
}

/** Copies a file (temp + rename) and returns its size and sha256, streaming. */
async function copyWithHash(from: string, to: string): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256');
  let size = 0;
  const temp = `${to}.${process.pid}.tmp`;
  try {
    await pipeline(createReadStream(from, { highWaterMark: 1024 * 1024 }), new Transform({
      transform(chunk: Buffer, _enc, callback) { hash.update(chunk); size += chunk.length; callback(null, chunk); },
    }), createWriteStream(temp));
    await rename(temp, to);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  return { size, sha256: hash.digest('hex') };
}

async function hashFile(file: string): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 })) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { size, sha256: hash.digest('hex') };
}

async function readExistingIndex(outDir: string): Promise<ReleaseIndex | undefined> {
  const file = path.join(outDir, INDEX_FILE);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return parseReleaseIndex(bytes, outDir, file);
}

/** Builds, merges and signs the feed in `outDir`. Fails before writing anything when an input is wrong. */
export async function publishFeed(options: PublishOptions): Promise<PublishResult> {
  const { packagesDir, key, outDir, now } = options;
  if (!Number.isFinite(options.expiresInDays) || options.expiresInDays <= 0) throw usage(`--expires-days: must be a positive number of days, got ${options.expiresInDays}`);
  let names: string[];
  try {
    names = (await readdir(packagesDir)).filter((n) => n.toLowerCase().endsWith('.zip')).sort();
  } catch (error) {
    throw usage(`--packages: cannot read folder ${packagesDir} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, packagesDir);
  }
  if (names.length === 0) throw usage(`--packages: no .zip package in ${packagesDir}`, packagesDir);

  const previous = await readExistingIndex(outDir);
  const indexVersion = options.indexVersion ?? (previous ? previous.indexVersion + 1 : 1);
  if (!Number.isSafeInteger(indexVersion) || indexVersion < 1) throw usage(`--index-version: must be a positive integer, got ${indexVersion}`);
  if (previous && indexVersion <= previous.indexVersion) {
    throw usage(`--index-version: ${indexVersion} must be higher than ${previous.indexVersion}, the version of the index already in ${outDir} (clients refuse older indexes)`);
  }

  // Read and check every manifest before touching the feed.
  const incoming = [] as { file: string; manifest: PackageManifest }[];
  for (const name of names) {
    const file = path.join(packagesDir, name);
    const manifest = await readPackageManifest(file);
    // A database package must be usable as is: scripts present with their hashes, batches that
    // split cleanly, baselines readable. Clients would refuse it later; refuse it now.
    if (manifest.kind === 'database') await checkDatabasePackage(file);
    incoming.push({ file, manifest });
  }
  const modules: ReleaseIndex['modules'] = structuredClone(previous?.modules ?? {});
  const seen = new Map<string, string>();
  for (const { file, manifest } of incoming) {
    const id = `${manifest.module} ${manifest.version}`;
    const other = [...seen].find(([k]) => k.startsWith(`${manifest.module} `) && compareVersions(k.split(' ')[1], manifest.version) === 0);
    if (other) throw usage(`${file}: ${id} is also in ${other[1]}`, file);
    seen.set(id, file);
    const existing = modules[manifest.module];
    if (existing && existing.kind !== manifest.kind) {
      throw usage(`${file}: ${MANIFEST_FILE}: kind "${manifest.kind}" differs from "${existing.kind}" already published for ${manifest.module}`, file);
    }
  }

  const packagesOut = path.join(outDir, 'packages');
  await mkdir(packagesOut, { recursive: true });
  const publishedAt = now.toISOString();
  const added = new Set<string>();
  for (const { file, manifest } of incoming) {
    const relative = `packages/${manifest.module}-${manifest.version}.zip`;
    const target = path.join(outDir, ...relative.split('/'));
    const entry = modules[manifest.module] ?? (modules[manifest.module] = { kind: manifest.kind, releases: [] });
    const already = entry.releases.find((r) => compareVersions(r.version, manifest.version) === 0);
    const computed = await hashFile(file);
    if (already) {
      // A published release is immutable: clients may have cached and verified it.
      if (already.sha256 !== computed.sha256) {
        throw usage(`${file}: ${manifest.module} ${manifest.version} is already published with different content (sha256 ${already.sha256}); publish it under a new version`, file);
      }
      continue;
    }
    const copied = path.resolve(file) === path.resolve(target) ? computed : await copyWithHash(file, target);
    if (copied.sha256 !== computed.sha256) throw new AltazionError('E_FAILED', `${file}: changed while being published`, { target: file });
    const release: ReleaseEntry = { version: manifest.version, publishedAt, package: relative, size: copied.size, sha256: copied.sha256 };
    if (manifest.requires && Object.keys(manifest.requires).length) release.requires = { ...manifest.requires };
    entry.releases.push(release);
    entry.releases.sort((a, b) => compareVersions(a.version, b.version));
    added.add(`${manifest.module} ${manifest.version}`);
  }

  const expiresAt = new Date(now.getTime() + options.expiresInDays * 86_400_000).toISOString();
  const index: ReleaseIndex = { schemaVersion: 1, indexVersion, generatedAt: publishedAt, expiresAt, modules };
  const indexText = JSON.stringify(index, null, 2) + '\n';
  // Never publish something our own clients would refuse.
  parseReleaseIndex(indexText, outDir);
  const indexBytes = Buffer.from(indexText, 'utf8');
  const indexPath = path.join(outDir, INDEX_FILE);
  const signaturePath = path.join(outDir, SIGNATURE_FILE);
  // Index then signature: a client reading in between sees a signature mismatch and retries later,
  // never an unsigned change.
  await writeFileAtomic(indexPath, indexBytes);
  await writeFileAtomic(signaturePath, encodeSignatureFile(signIndex(indexBytes, [key])));

  const releases: PublishedRelease[] = Object.entries(modules).flatMap(([module, m]) =>
    m.releases.map((r) => ({ ...r, module, added: added.has(`${module} ${r.version}`) })));
  return { indexVersion, indexPath, signaturePath, expiresAt, keyId: key.keyId, releases };
}

export interface BuildZipOptions {
  /** Deflate entries (default true); false stores them (fast, for big already-compressed content). */
  compress?: boolean;
  /** Fixed timestamp for every entry (reproducible zips); default: the files' own times. */
  mtime?: Date;
}

async function listFiles(root: string, dir = root): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(root, full)));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

/** Zips a module folder into a package; the folder must hold a valid altazion-package.json at its root. */
export async function buildPackageZip(folder: string, zipPath: string, options: BuildZipOptions = {}): Promise<{ path: string; size: number; manifest: PackageManifest }> {
  let manifestText: string;
  try {
    manifestText = await readFile(path.join(folder, MANIFEST_FILE), 'utf8');
  } catch {
    throw new AltazionError('E_PACKAGE_INVALID', `${folder}: no ${MANIFEST_FILE} at the root of the folder`, { target: folder });
  }
  let manifestValue: unknown;
  try {
    manifestValue = JSON.parse(manifestText.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new AltazionError('E_PACKAGE_INVALID', `${folder}: ${MANIFEST_FILE}: not valid JSON (${(error as Error).message})`, { target: folder });
  }
  const manifest = validateManifest(manifestValue, folder);
  const files = (await listFiles(folder)).sort();
  const zip = new yazl.ZipFile();
  for (const file of files) {
    const name = path.relative(folder, file).split(path.sep).join('/');
    zip.addFile(file, name, { compress: options.compress ?? true, ...(options.mtime ? { mtime: options.mtime } : {}) });
  }
  zip.end();
  await mkdir(path.dirname(zipPath), { recursive: true });
  const temp = `${zipPath}.${process.pid}.tmp`;
  try {
    await pipeline(zip.outputStream, createWriteStream(temp));
    await rename(temp, zipPath);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  return { path: zipPath, size: (await stat(zipPath)).size, manifest };
}

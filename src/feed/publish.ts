// Publisher side: build package zips and signed feeds.
//   publishFeed   reads each package's altazion-package.json, copies packages to
//                 <out>/packages/<module>-<version>.zip, computes size and sha256 itself, merges
//                 with the index already in <out> (older releases kept), bumps indexVersion, and
//                 writes release-index.json then its .sig. With keys to introduce or revoke, it
//                 also writes the publisher's key list (release-keys.json, key-list.ts) first,
//                 signed by the signing keys servers trust already.
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
import { normalizePublicKey, type SigningKey } from './keys';
import { isRevoked, parseKeyList, type KeyList, type RevokedKey } from './key-list';
import { encodeSignatureFile, signIndex } from './signature';
import { INDEX_FILE, KEYS_FILE, KEYS_SIGNATURE_FILE, SIGNATURE_FILE, type ReleaseEntry, type ReleaseIndex } from './types';

const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

/** A public key named in a key list (introduced or revoked). */
export interface PublicKeyRef { keyId: string; publicKey: string }

export interface PublishOptions {
  /** Folder holding the package zips to publish (not recursive); without it, the index already in `outDir` is signed again (new version and expiry: after a key change, or to extend the expiry). */
  packagesDir?: string;
  key: SigningKey;
  /** More keys to sign with (during a rotation: the old and the new one). */
  moreKeys?: readonly SigningKey[];
  /** Keys to add to the feed's key list (servers then trust them). */
  introduce?: readonly PublicKeyRef[];
  /** Keys to revoke in the key list: by id (a key of the list or a signing key) or with their public key. */
  revoke?: ReadonlyArray<string | PublicKeyRef>;
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
  /** Every key that signed the index. */
  keyIds: string[];
  /** The key list, when the feed has one. */
  keyList?: { version: number; path: string; keys: string[]; revoked: string[]; changed: boolean };
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

async function readExistingKeyList(outDir: string): Promise<KeyList | undefined> {
  const bytes = await readFile(path.join(outDir, KEYS_FILE)).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  return bytes && parseKeyList(bytes, outDir);
}

/**
 * The key list to publish (undefined: none, or unchanged) and the keys to sign with. Refuses what
 * servers would refuse: a list none of whose signers they trust yet, an index signed only by
 * revoked keys or by keys the list does not name.
 */
function planKeys(options: PublishOptions, previous: KeyList | undefined, now: Date): { list?: KeyList; indexSigners: SigningKey[]; listSigners: SigningKey[] } {
  const signers = [options.key, ...(options.moreKeys ?? [])].filter((k, i, all) => all.findIndex((o) => o.keyId === k.keyId) === i);
  const changing = (options.introduce?.length ?? 0) + (options.revoke?.length ?? 0) > 0;
  let list = previous;
  if (changing) {
    // A first list names the keys that sign now, so servers keep trusting them through the list.
    const keys = previous ? [...previous.keys] : signers.map((k) => ({ id: k.keyId, publicKey: k.publicKey }));
    const revoked: RevokedKey[] = [...(previous?.revoked ?? [])];
    for (const ref of options.introduce ?? []) {
      const same = keys.find((k) => k.id === ref.keyId);
      if (same && normalizePublicKey(same.publicKey) !== normalizePublicKey(ref.publicKey)) throw usage(`--introduce: key id "${ref.keyId}" is already in the key list with another public key`, ref.keyId);
      if (isRevoked({ id: ref.keyId, publicKey: ref.publicKey }, revoked)) throw usage(`--introduce: key "${ref.keyId}" was revoked: a revoked key is never trusted again`, ref.keyId);
      if (!same) keys.push({ id: ref.keyId, publicKey: normalizePublicKey(ref.publicKey) });
    }
    for (const ref of options.revoke ?? []) {
      const found = typeof ref === 'string'
        ? keys.find((k) => k.id === ref) ?? signers.map((k) => ({ id: k.keyId, publicKey: k.publicKey })).find((k) => k.id === ref)
        : { id: ref.keyId, publicKey: normalizePublicKey(ref.publicKey) };
      if (!found) throw usage(`--revoke: "${String(ref)}" is neither in the key list of ${options.outDir} nor a signing key: give its public key file instead`, String(ref));
      if (!isRevoked(found, revoked)) revoked.push({ id: found.id, publicKey: found.publicKey, revokedAt: now.toISOString() });
      const at = keys.findIndex((k) => k.id === found.id);
      if (at >= 0) keys.splice(at, 1);
    }
    list = { schemaVersion: 1, keyListVersion: (previous?.keyListVersion ?? 0) + 1, generatedAt: now.toISOString(), keys, revoked };
  }
  // Servers check a new list against the keys they trusted before it: the last list's keys (and
  // updater.config's, which a first list names).
  const listSigners = !changing ? [] : previous
    ? signers.filter((k) => previous.keys.some((p) => p.id === k.keyId) && !isRevoked({ id: k.keyId, publicKey: k.publicKey }, previous.revoked))
    : signers;
  if (changing && listSigners.length === 0) {
    throw usage(`--key: none of the signing keys (${signers.map((k) => k.keyId).join(', ')}) is in the current key list of ${options.outDir} (${previous!.keys.map((k) => k.id).join(', ')}): servers would refuse the new list`);
  }
  const indexSigners = list ? signers.filter((k) => !isRevoked({ id: k.keyId, publicKey: k.publicKey }, list!.revoked)) : signers;
  if (indexSigners.length === 0) throw usage(`--key: every signing key is revoked by the key list: sign with the new key (--key <new key file>)`);
  if (list && !indexSigners.some((k) => list!.keys.some((l) => l.id === k.keyId))) {
    throw usage(`--key: none of the signing keys (${indexSigners.map((k) => k.keyId).join(', ')}) is in the key list (${list.keys.map((k) => k.id).join(', ')}): introduce it (--introduce) first`);
  }
  return { list: changing ? list : undefined, indexSigners, listSigners };
}

async function readExistingIndex(outDir: string): Promise<ReleaseIndex | undefined> {
  const file = path.join(outDir, INDEX_FILE);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') throw usage(`--out: ${outDir} is not a folder`, outDir);
    throw error;
  }
  return parseReleaseIndex(bytes, outDir, file);
}

/** Builds, merges and signs the feed in `outDir`. Fails before writing anything when an input is wrong. */
export async function publishFeed(options: PublishOptions): Promise<PublishResult> {
  const { packagesDir, outDir, now } = options;
  if (!Number.isFinite(options.expiresInDays) || options.expiresInDays <= 0) throw usage(`--expires-days: must be a positive number of days, got ${options.expiresInDays}`);
  let names: string[] = [];
  if (packagesDir !== undefined) {
    try {
      names = (await readdir(packagesDir)).filter((n) => n.toLowerCase().endsWith('.zip')).sort();
    } catch (error) {
      throw usage(`--packages: cannot read folder ${packagesDir} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, packagesDir);
    }
    if (names.length === 0) throw usage(`--packages: no .zip package in ${packagesDir}`, packagesDir);
  }

  const previous = await readExistingIndex(outDir);
  if (packagesDir === undefined && !previous) throw usage(`--packages: required: ${outDir} holds no index to sign again`, outDir);
  const previousKeys = await readExistingKeyList(outDir);
  const keyPlan = planKeys(options, previousKeys, now);
  const indexVersion = options.indexVersion ?? (previous ? previous.indexVersion + 1 : 1);
  if (!Number.isSafeInteger(indexVersion) || indexVersion < 1) throw usage(`--index-version: must be a positive integer, got ${indexVersion}`);
  if (previous && indexVersion <= previous.indexVersion) {
    throw usage(`--index-version: ${indexVersion} must be higher than ${previous.indexVersion}, the version of the index already in ${outDir} (clients refuse older indexes)`);
  }

  // Read and check every manifest before touching the feed.
  const incoming = [] as { file: string; manifest: PackageManifest }[];
  for (const name of names) {
    const file = path.join(packagesDir!, name);
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
  // The key list first (signed by keys servers trust already), so that an index signed by a new
  // key finds it. Then index then signature: a client reading in between sees a signature mismatch
  // and retries later, never an unsigned change.
  const keysPath = path.join(outDir, KEYS_FILE);
  if (keyPlan.list) {
    const keysBytes = Buffer.from(JSON.stringify(keyPlan.list, null, 2) + '\n', 'utf8');
    await writeFileAtomic(keysPath, keysBytes);
    await writeFileAtomic(path.join(outDir, KEYS_SIGNATURE_FILE), encodeSignatureFile(signIndex(keysBytes, keyPlan.listSigners)));
  }
  await writeFileAtomic(indexPath, indexBytes);
  await writeFileAtomic(signaturePath, encodeSignatureFile(signIndex(indexBytes, keyPlan.indexSigners)));

  const releases: PublishedRelease[] = Object.entries(modules).flatMap(([module, m]) =>
    m.releases.map((r) => ({ ...r, module, added: added.has(`${module} ${r.version}`) })));
  const list = keyPlan.list ?? previousKeys;
  return {
    indexVersion, indexPath, signaturePath, expiresAt, keyId: keyPlan.indexSigners[0]!.keyId, keyIds: keyPlan.indexSigners.map((k) => k.keyId), releases,
    ...(list ? { keyList: { version: list.keyListVersion, path: keysPath, keys: list.keys.map((k) => k.id), revoked: list.revoked.map((k) => k.id), changed: Boolean(keyPlan.list) } } : {}),
  };
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

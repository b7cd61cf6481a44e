// Builds real signed feeds in temp folders for the feed integration tests.
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AltazionError } from '../../../src/core/errors';
import { buildBaseline } from '../../../src/database/normalize';
import { generateSigningKey, type GeneratedKey } from '../../../src/feed/keys';
import { buildPackageZip, publishFeed, type PublishResult } from '../../../src/feed/publish';
import type { ReleaseEntry } from '../../../src/feed/types';
import type { ModuleKind } from '../../../src/core/modules';
import type { FeedServer } from '../../helpers/feed-server';

export interface PackageSpec { module: string; version: string; kind: ModuleKind; payloadBytes?: number; requires?: Record<string, string> }

export async function tempDir(prefix = 'altazion-feed-'): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}

/** Writes a module folder (manifest + random payload) and zips it (stored, so size ~ payload). */
export async function makePackage(dir: string, spec: PackageSpec): Promise<string> {
  const folder = path.join(dir, `${spec.module}-${spec.version}-src`);
  await mkdir(path.join(folder, 'bin'), { recursive: true });
  const manifest: Record<string, unknown> = { schemaVersion: 1, module: spec.module, version: spec.version, kind: spec.kind };
  if (spec.requires) manifest.requires = spec.requires;
  if (spec.kind === 'database') {
    // The smallest valid database package: no script, an empty schema baseline.
    manifest.database = { scripts: [], baseline: 'baseline.json' };
    await writeFile(path.join(folder, 'baseline.json'), JSON.stringify(buildBaseline(spec.version, { objects: [] })));
  }
  await writeFile(path.join(folder, 'altazion-package.json'), JSON.stringify(manifest));
  await writeFile(path.join(folder, 'bin', 'payload.bin'), randomBytes(spec.payloadBytes ?? 64 * 1024));
  const zip = path.join(dir, `${spec.module}-${spec.version}.zip`);
  await buildPackageZip(folder, zip, { compress: false });
  await rm(folder, { recursive: true, force: true });
  return zip;
}

export interface Feed {
  root: string;
  feedDir: string;
  key: GeneratedKey;
  trusted: { id: string; publicKey: string }[];
  published: PublishResult;
  release(module: string, version?: string): ReleaseEntry;
}

/** A signed feed folder with the given packages; `now` defaults to the real clock. */
export async function makeFeed(specs: PackageSpec[], options: { now?: Date; expiresInDays?: number; key?: GeneratedKey } = {}): Promise<Feed> {
  const root = await tempDir();
  const packagesDir = path.join(root, 'incoming');
  await mkdir(packagesDir);
  for (const spec of specs) await makePackage(packagesDir, spec);
  const key = options.key ?? generateSigningKey('test-key');
  const feedDir = path.join(root, 'feed');
  const published = await publishFeed({ packagesDir, key, outDir: feedDir, expiresInDays: options.expiresInDays ?? 30, now: options.now ?? new Date() });
  return {
    root, feedDir, key, published,
    trusted: [{ id: key.keyId, publicKey: key.publicKey }],
    release(module, version) {
      const r = published.releases.filter((x) => x.module === module && (!version || x.version === version)).pop();
      if (!r) throw new Error(`no release ${module} ${version ?? ''}`);
      return r;
    },
  };
}

let caches = 0;

/** For one test: a new empty cache folder under the feed's root, the server's faults and request log cleared. */
export async function freshCache(feed: Pick<Feed, 'root'>, server: Pick<FeedServer, 'faults' | 'requests'>): Promise<string> {
  server.faults = {};
  server.requests.length = 0;
  const dir = path.join(feed.root, `cache-${++caches}`);
  await mkdir(dir);
  return dir;
}

/** Sorted listing of a folder (names and sizes), for before/after comparisons. */
export async function listing(dir: string): Promise<string[]> {
  try {
    const { stat } = await import('node:fs/promises');
    const names = (await readdir(dir)).sort();
    return Promise.all(names.map(async (n) => `${n}:${(await stat(path.join(dir, n))).size}`));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<AltazionError> {
  try {
    await promise;
  } catch (error) {
    return error as AltazionError;
  }
  throw new Error('expected a rejection');
}

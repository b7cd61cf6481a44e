// Sandboxes for tests: a fresh one in a temporary folder, and a fingerprint of everything in it
// (every file's path, mode and content, and the simulated host state) to prove "nothing changed".
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseSigningKey } from '../../src/feed/keys';
import { publishFeed, type PublishedRelease } from '../../src/feed/publish';
import { createSandbox, type SandboxInfo, type SandboxOptions } from '../../src/sandbox/create';
import { makePackage } from '../integration/feed/fixtures';

export interface TestSandbox extends SandboxInfo { base: string; remove(): Promise<void> }

export async function makeSandbox(options: Partial<SandboxOptions> = {}): Promise<TestSandbox> {
  const base = await fs.mkdtemp(path.join(os.tmpdir(), 'altazion-test-'));
  const info = await createSandbox({ root: path.join(base, 'root'), feed: path.join(base, 'feed'), ...options });
  return { ...info, base, remove: () => fs.rm(base, { recursive: true, force: true }) };
}

/** sha256 per file below `dir`, keyed by relative path (symlinks by their target). */
export async function treeHashes(dir: string): Promise<Map<string, string>> {
  const result = new Map<string, string>();
  async function walk(current: string): Promise<void> {
    const entries = await fs.readdir(current, { withFileTypes: true }).catch(() => []);
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(current, entry.name);
      const relative = path.relative(dir, full);
      if (entry.isDirectory()) { result.set(relative + '/', 'dir'); await walk(full); }
      else if (entry.isSymbolicLink()) result.set(relative, 'link:' + (await fs.readlink(full)));
      else result.set(relative, createHash('sha256').update(await fs.readFile(full)).digest('hex'));
    }
  }
  await walk(dir);
  return result;
}

/**
 * Not changes of the server for "nothing changed" assertions: the sandbox's Event Log stands for the
 * Windows one; the database analysis cache (bin/updates/database/analysis.json, src/database/flow/
 * analysis-cache.ts) is what a read leaves for the next one, analysed again whenever it is missing.
 */
const NOT_SERVER_FILES = /(^|\/)eventlog\.jsonl$|(^|\/)bin\/updates\/database\/(analysis\.json)?$/;

/** One digest for the whole tree (for "nothing changed" assertions; see NOT_SERVER_FILES). */
export async function treeDigest(dir: string): Promise<string> {
  const hashes = [...(await treeHashes(dir))].filter(([file]) => !NOT_SERVER_FILES.test(file));
  return createHash('sha256').update(JSON.stringify(hashes)).digest('hex');
}

/** Lists what differs between two snapshots (for readable failures); NOT_SERVER_FILES are not compared. */
export function diffTrees(before: Map<string, string>, after: Map<string, string>): string[] {
  before = new Map([...before].filter(([file]) => !NOT_SERVER_FILES.test(file)));
  after = new Map([...after].filter(([file]) => !NOT_SERVER_FILES.test(file)));
  const changes: string[] = [];
  for (const [file, hash] of before) if (!after.has(file)) changes.push(`- ${file}`); else if (after.get(file) !== hash) changes.push(`~ ${file}`);
  for (const file of after.keys()) if (!before.has(file)) changes.push(`+ ${file}`);
  return changes;
}

/** Rewrites attributes of <install> in updater.config (e.g. { lockWaitSeconds: '2', powershell: '/x' }). */
export async function setInstallConfig(box: { Root: string }, attrs: Record<string, string>): Promise<void> {
  const file = path.join(box.Root, 'bin', 'updates', 'updater.config');
  let text = await fs.readFile(file, 'utf8');
  for (const [name, value] of Object.entries(attrs)) {
    const re = new RegExp(`(<install\\b[^>]*?)\\s${name}="[^"]*"`);
    text = re.test(text) ? text.replace(re, `$1 ${name}="${value}"`) : text.replace(/<install\b/, `<install ${name}="${value}"`);
  }
  await fs.writeFile(file, text);
}

/**
 * Publishes one more release of a web or service module into a sandbox feed, with `payloadBytes`
 * of incompressible data: a download long enough to stream through many chunks and writes, run
 * by the executable itself (the HTTP client and the download as bundled).
 */
export async function publishLargeRelease(box: { Feed: string; SigningKey: string }, release: { module: string; kind: 'web' | 'service'; version: string; payloadBytes: number }): Promise<PublishedRelease> {
  const packagesDir = await fs.mkdtemp(path.join(os.tmpdir(), 'altazion-large-'));
  try {
    await makePackage(packagesDir, release);
    const key = parseSigningKey(await fs.readFile(box.SigningKey, 'utf8'), box.SigningKey);
    const published = await publishFeed({ packagesDir, key, outDir: box.Feed, expiresInDays: 30, now: new Date() });
    return published.releases.find((r) => r.module === release.module && r.added)!;
  } finally {
    await fs.rm(packagesDir, { recursive: true, force: true });
  }
}

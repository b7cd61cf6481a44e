// Backups (SPEC §6 step 6): once the module is back online, the previous folder (renamed beside
// the module by the swap) is compressed into bin/updates/backups and removed; only the newest
// `keep` archives of each module instance are kept.
import { createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import { APP_OFFLINE_NAMES } from './staging';

async function addTree(zip: yazl.ZipFile, root: string, dir: string): Promise<void> {
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    const rel = path.relative(root, full).split(path.sep).join('/');
    if (entry.isDirectory()) {
      zip.addEmptyDirectory(rel);
      await addTree(zip, root, full);
    } else if (entry.isFile()) {
      // A stale app_offline.htm in the old folder must not come back with a restore.
      if (dir === root && APP_OFFLINE_NAMES.includes(entry.name.toLowerCase())) continue;
      zip.addFile(full, rel);
    }
  }
}

export function backupPrefix(module: string, instance: string): string {
  return `${module}${instance ? `[${instance.replace(/[^a-zA-Z0-9_.-]/g, '_')}]` : ''}-`;
}

/** Compresses `folder` into `<backupsDir>/<module>[instance]-<version>-<id>.zip`, removes the folder, prunes. */
export async function archiveBackup(options: {
  folder: string;
  backupsDir: string;
  module: string;
  instance: string;
  version: string;
  id: string;
  keep: number;
}): Promise<string | null> {
  const { folder, backupsDir, keep } = options;
  const exists = await fs.stat(folder).then((s) => s.isDirectory(), () => false);
  if (!exists) return null;
  let archive: string | null = null;
  if (keep > 0) {
    await fs.mkdir(backupsDir, { recursive: true });
    archive = path.join(backupsDir, `${backupPrefix(options.module, options.instance)}${options.version}-${options.id}.zip`);
    const temp = `${archive}.partial`;
    const zip = new yazl.ZipFile();
    await addTree(zip, folder, folder);
    zip.end();
    await pipeline(zip.outputStream, createWriteStream(temp));
    await fs.rename(temp, archive);
  }
  await fs.rm(folder, { recursive: true, force: true });
  await pruneBackups(backupsDir, options.module, options.instance, keep);
  return archive;
}

export async function pruneBackups(backupsDir: string, module: string, instance: string, keep: number): Promise<string[]> {
  const prefix = backupPrefix(module, instance);
  const names = (await fs.readdir(backupsDir).catch(() => [] as string[])).filter((n) => n.startsWith(prefix) && n.endsWith('.zip'));
  const withTimes = await Promise.all(names.map(async (n) => ({ n, t: (await fs.stat(path.join(backupsDir, n))).mtimeMs })));
  const removed = withTimes.sort((a, b) => b.t - a.t || b.n.localeCompare(a.n)).slice(keep).map((x) => x.n);
  for (const n of removed) await fs.rm(path.join(backupsDir, n), { force: true });
  return removed;
}

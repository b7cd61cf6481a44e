// Backups (SPEC §6 step 6): once the module is back online, the previous folder (renamed beside
// the module by the swap) is compressed into bin/updates/backups and removed; only the newest
// `keep` archives of each module instance are kept.
import { createReadStream, createWriteStream, promises as fs, statSync } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import { APP_OFFLINE_NAMES } from './staging';
import { compareText } from '../core/text-order';

/** Files (relative, forward slashes) and folders of a tree; app_offline.htm at the root left out. */
async function listTree(root: string): Promise<{ files: string[]; dirs: string[] }> {
  const files: string[] = [];
  const dirs: string[] = [];
  const walk = async (dir: string, prefix: string): Promise<void> => {
    for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
      const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        dirs.push(rel);
        await walk(path.join(dir, entry.name), rel);
      } else if (entry.isFile()) {
        // A stale app_offline.htm in the old folder must not come back with a restore.
        if (!prefix && APP_OFFLINE_NAMES.includes(entry.name.toLowerCase())) continue;
        files.push(rel);
      }
    }
  };
  await walk(root, '');
  return { files, dirs };
}

/**
 * Feeds the zip one file at a time: the next file is added when yazl starts reading the previous
 * one, so a module of 20,000 files never has 20,000 pending stats and streams at once (memory).
 */
function addFilesOneByOne(zip: yazl.ZipFile, root: string, files: readonly string[]): void {
  let next = 0;
  const addNext = (): void => {
    if (next >= files.length) { zip.end(); return; }
    const rel = files[next++];
    const full = path.join(root, ...rel.split('/'));
    const stats = statSync(full);
    zip.addReadStreamLazy(rel, { mtime: stats.mtime, mode: stats.mode, size: stats.size }, (callback) => {
      addNext();
      callback(null, createReadStream(full));
    });
  };
  addNext();
}

/**
 * Deletes a folder tree one entry at a time. fs.rm({ recursive }) works on many entries at once,
 * which for a module of 20,000 files costs tens of MB of memory at the end of an install.
 */
export async function removeTree(folder: string): Promise<void> {
  let entries;
  try {
    entries = await fs.readdir(folder, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  for (const entry of entries) {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) await removeTree(full);
    else await fs.unlink(full);
  }
  await fs.rmdir(folder);
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
  const target = path.join(backupsDir, `${backupPrefix(options.module, options.instance)}${options.version}-${options.id}.zip`);
  const exists = await fs.stat(folder).then((s) => s.isDirectory(), () => false);
  if (!exists) return (await fs.stat(target).then((st) => st.isFile(), () => false)) ? target : null;
  let archive: string | null = null;
  if (keep > 0) {
    await fs.mkdir(backupsDir, { recursive: true });
    archive = target;
    // Already archived (a crash while the folder was being removed): the folder may be partial
    // now, the archive is not; never overwrite it.
    const done = await fs.stat(archive).then((st) => st.isFile(), () => false);
    if (!done) {
      const temp = `${archive}.partial`;
      const zip = new yazl.ZipFile();
      const { files, dirs } = await listTree(folder);
      for (const dir of dirs) zip.addEmptyDirectory(dir);
      const written = pipeline(zip.outputStream, createWriteStream(temp));
      addFilesOneByOne(zip, folder, files);
      await written;
      await fs.rename(temp, archive);
    }
  }
  await removeTree(folder);
  await pruneBackups(backupsDir, options.module, options.instance, keep);
  return archive;
}

export async function pruneBackups(backupsDir: string, module: string, instance: string, keep: number): Promise<string[]> {
  const prefix = backupPrefix(module, instance);
  const names = (await fs.readdir(backupsDir).catch(() => [] as string[])).filter((n) => n.startsWith(prefix) && n.endsWith('.zip'));
  const withTimes = await Promise.all(names.map(async (n) => ({ n, t: (await fs.stat(path.join(backupsDir, n))).mtimeMs })));
  const removed = withTimes.sort((a, b) => b.t - a.t || compareText(b.n, a.n)).slice(keep).map((x) => x.n);
  for (const n of removed) await fs.rm(path.join(backupsDir, n), { force: true });
  return removed;
}

// Backups (SPEC §6 step 6). The swap renames the previous folder beside the module: that folder is
// the backup, at no cost, when the install reports success. Compressing it (into
// bin/updates/backups/<module>[instance]-<version>-<id>.zip, then removing it) costs a read of every
// file and minutes for a big module, so it is done later, out of the install: by the service after
// each job and each periodic check, and by `check` (compressPendingBackups), at low priority.
// `<install backups="folder">` keeps the folders instead. Either way only the newest `keep`
// backups of each module instance stay.
// A folder is compressed only once the history records its install as Installed: a backup folder
// of an install still running or interrupted (its rollback needs it) is never touched.
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import { GarbagePacer } from '../io/garbage';
import { APP_OFFLINE_NAMES } from './staging';
import { compareText } from '../core/text-order';
import type { InstanceLayout } from '../config/paths';
import type { ApplicationEntry } from '../config/applications';
import { listInstallHistory } from './history';
import { acquireLockFile, currentOwner } from '../io/lock-file';
import os from 'node:os';
import type { Context } from '../context/context';
import { readApplications } from '../discovery/discover';

/**
 * The folders and files of a tree, depth first, read one folder at a time (app_offline.htm at the
 * root left out): the archive is fed as the walk goes, never from a list of every file (100,000
 * paths held for the whole compression were megabytes of heap for nothing).
 */
async function* walkTree(root: string): AsyncGenerator<{ rel: string; full: string; dir: boolean }> {
  const pending: Array<{ full: string; rel: string }> = [{ full: root, rel: '' }];
  while (pending.length > 0) {
    const { full: dir, rel: prefix } = pending.pop()!;
    const subfolders: Array<{ full: string; rel: string }> = [];
    for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
      const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) subfolders.push({ full, rel });
      // A stale app_offline.htm in the old folder must not come back with a restore.
      else if (entry.isFile() && !(!prefix && APP_OFFLINE_NAMES.includes(entry.name.toLowerCase()))) yield { rel, full, dir: false };
    }
    for (const sub of subfolders) yield { rel: sub.rel, full: sub.full, dir: true };
    pending.push(...subfolders.reverse());
  }
}

/**
 * Entries per archive: a bigger backup is written as several archives (`<name>.zip`, then
 * `<name>.part2.zip`, ...), one after the other. yazl keeps ~500 bytes per entry until it writes
 * the archive's central directory, and rescans its entries on every step (quadratic, upstream
 * thejoshwolfe/yazl#91): a module of 100,000 files in one archive peaked at 164 MB. Bounded parts
 * keep the peak and the rescans those of 20,000 entries, whatever the module's size.
 */
export const BACKUP_ENTRIES_PER_ARCHIVE = 20_000;

/** The file of part `part` (1-based) of the backup `archive`: part 1 is the archive itself. */
export function backupPartPath(archive: string, part: number): string {
  return part === 1 ? archive : archive.replace(/\.zip$/i, `.part${part}.zip`);
}

/**
 * What a file name in the backups folder is, as backupPartPath names them: part `part` of the
 * backup `base` (`<base>.zip` is part 1, `<base>.part<N>.zip` part N), `partial` while it is
 * being written (`.partial` appended). Undefined for any other name.
 */
export function backupPartOf(name: string): { base: string; part: number; partial: boolean } | undefined {
  const m = /^(.+?)(?:\.part(\d+))?\.zip(\.partial)?$/i.exec(name);
  return m ? { base: m[1], part: m[2] ? Number(m[2]) : 1, partial: m[3] !== undefined } : undefined;
}

/** The archive comment of each part: whether another part follows (what a restore reads). */
export const backupPartComment = (part: number, last: boolean) =>
  last ? `altazion-update backup: part ${part}, the last one` : `altazion-update backup: part ${part}, part ${part + 1} follows`;

type TreeItem = { rel: string; full: string; dir: boolean };

/**
 * Feeds one archive from the walk, one file at a time: the next file is added when yazl starts
 * reading the previous one, so a module of 100,000 files never has 100,000 pending stats and
 * streams at once. What is ours per file is freed as soon as the file is read: one shared open
 * function, no closure or path kept per entry. Ends the archive after `limit` entries, or when the
 * walk is over; resolves with the first entry left for the next part (undefined: none). A failure
 * (a file vanished, a folder unreadable) destroys the output stream with it and rejects.
 */
function feedPart(zip: yazl.ZipFile, next: () => Promise<TreeItem | undefined>, part: number, limit: number, pacer: GarbagePacer, signal?: AbortSignal): Promise<TreeItem | undefined> {
  return new Promise((resolve, reject) => {
    let count = 0;
    let pending = { full: '', size: 0 };
    // A zip stores whole seconds (DOS time, extended timestamp): files of the same second share one
    // Date, which yazl keeps per entry (100,000 Date objects were ~10 MB of heap).
    let second = { at: Number.NaN, date: new Date(0) };
    const fail = (error: unknown) => { (zip.outputStream as Readable).destroy(error as Error); reject(error); };
    const open = (callback: (error: Error | null, stream: NodeJS.ReadableStream) => void): void => {
      const { full, size } = pending;
      pacer.add(size);
      addNext().catch(fail);
      // Reads sized to the file: the default 64 KiB buffer per read was mostly garbage for small files.
      callback(null, createReadStream(full, { highWaterMark: Math.min(64 * 1024, Math.max(1024, size)) }));
    };
    const addNext = async (): Promise<void> => {
      for (;;) {
        // Cut short, the archive ends here; the caller throws it away.
        const item = signal?.aborted ? undefined : await next();
        if (!item || count >= limit) {
          zip.end({ forceZip64Format: false, comment: backupPartComment(part, !item) });
          resolve(item);
          return;
        }
        count++;
        if (item.dir) { zip.addEmptyDirectory(item.rel); continue; }
        const stats = await fs.stat(item.full);
        const at = Math.floor(stats.mtimeMs / 1000);
        if (at !== second.at) second = { at, date: new Date(at * 1000) };
        pending = { full: item.full, size: stats.size };
        zip.addReadStreamLazy(item.rel, { mtime: second.date, mode: stats.mode, size: stats.size }, open);
        return;
      }
    };
    addNext().catch(fail);
  });
}

/**
 * Writes the tree as `<archive>.partial` (and `<part>.partial` for each further part), one part
 * after the other, and returns the final names of the parts, in order. A failure removes every
 * partial file written and throws.
 */
async function writeBackupParts(root: string, archive: string, limit: number, signal?: AbortSignal): Promise<string[]> {
  const walk = walkTree(root);
  let carried: TreeItem | undefined;
  const next = async (): Promise<TreeItem | undefined> => {
    if (carried) { const item = carried; carried = undefined; return item; }
    return (await walk.next()).value ?? undefined;
  };
  const parts: string[] = [];
  // Each file read and deflated leaves buffers V8 frees late, as in staging (src/io/garbage.ts).
  const pacer = new GarbagePacer(32 * 1024 * 1024);
  try {
    for (let part = 1; ; part++) {
      parts.push(backupPartPath(archive, part));
      const zip = new yazl.ZipFile();
      const written = pipeline(zip.outputStream, createWriteStream(`${parts[part - 1]}.partial`));
      const [left] = await Promise.all([feedPart(zip, next, part, limit, pacer, signal), written]);
      if (!left) return parts;
      carried = left;
    }
  } catch (error) {
    for (const file of parts) await fs.rm(`${file}.partial`, { force: true });
    throw error;
  }
}

/** The parts of the backup `archive` on disk, and the partial files a cut-short compression left. */
async function leftoverParts(archive: string): Promise<string[]> {
  const base = backupPartOf(path.basename(archive))?.base;
  const names = await fs.readdir(path.dirname(archive)).catch(() => [] as string[]);
  return names.filter((n) => {
    const of = backupPartOf(n);
    return of !== undefined && of.base === base && (of.part > 1 || of.partial);
  }).map((n) => path.join(path.dirname(archive), n));
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

/**
 * Compresses `folder` into `<backupsDir>/<module>[instance]-<version>-<id>.zip` (and `.part2.zip`,
 * ... beyond BACKUP_ENTRIES_PER_ARCHIVE entries), removes the folder, prunes. Returns the first part.
 */
export async function archiveBackup(options: {
  folder: string;
  backupsDir: string;
  module: string;
  instance: string;
  version: string;
  id: string;
  keep: number;
  signal?: AbortSignal;
  /** Entries per archive (tests); BACKUP_ENTRIES_PER_ARCHIVE by default. */
  entriesPerArchive?: number;
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
      // What an earlier compression, cut short, left: parts without their first one are no backup.
      for (const file of await leftoverParts(archive)) await fs.rm(file, { force: true });
      const parts = await writeBackupParts(folder, archive, options.entriesPerArchive ?? BACKUP_ENTRIES_PER_ARCHIVE, options.signal);
      if (options.signal?.aborted) {
        for (const file of parts) await fs.rm(`${file}.partial`, { force: true });
        throw new Error('stopped before the backup was compressed');
      }
      // The first part last: once it is there, every part is (the check above).
      for (const file of parts.slice(1)) await fs.rename(`${file}.partial`, file);
      await fs.rename(`${archive}.partial`, archive);
    }
  }
  await removeTree(folder);
  await pruneBackups(backupsDir, options.module, options.instance, keep);
  return archive;
}

/** Keeps the newest `keep` backups of a module instance (a backup: its first archive and its further parts). */
export async function pruneBackups(backupsDir: string, module: string, instance: string, keep: number): Promise<string[]> {
  const prefix = backupPrefix(module, instance);
  // The finished archives of this module instance (no partial file), each with what it is.
  const all = (await fs.readdir(backupsDir).catch(() => [] as string[])).filter((n) => n.startsWith(prefix))
    .map((n) => ({ n, of: backupPartOf(n) })).filter((x) => x.of !== undefined && !x.of.partial);
  const names = all.filter((x) => x.of!.part === 1).map((x) => x.n);
  const withTimes = await Promise.all(names.map(async (n) => ({ n, t: (await fs.stat(path.join(backupsDir, n))).mtimeMs })));
  const removed = withTimes.sort((a, b) => b.t - a.t || compareText(b.n, a.n)).slice(keep).map((x) => x.n);
  for (const n of removed) {
    await fs.rm(path.join(backupsDir, n), { force: true });
    const base = backupPartOf(n)!.base;
    for (const p of all.filter((x) => x.of!.base === base && x.of!.part > 1)) await fs.rm(path.join(backupsDir, p.n), { force: true });
  }
  return removed;
}

/**
 * The backup folders of finished installs beside each declared module, oldest first: in the order
 * the history recorded the installs (two installs within one second have ids that do not sort).
 */
async function finishedBackupFolders(layout: InstanceLayout, entries: readonly ApplicationEntry[]) {
  const installed = new Map<string, { module: string; instance: string; version: string; order: number }>();
  for (const [order, h] of (await listInstallHistory(layout)).entries()) {
    if (h.Result === 'Installed' && h.BackupPath) installed.set(path.resolve(h.BackupPath).toLowerCase(), { module: h.Name, instance: h.Instance, version: h.FromVersion, order });
  }
  const out: Array<{ folder: string; module: string; instance: string; version: string; id: string; order: number }> = [];
  for (const entry of entries) {
    const modulePath = entry.path.replace(/[\\/]+$/, '');
    const parent = path.dirname(modulePath);
    const prefix = `${path.basename(modulePath)}.altazion-backup-`;
    for (const name of await fs.readdir(parent).catch(() => [] as string[])) {
      if (!name.startsWith(prefix)) continue;
      const folder = path.join(parent, name);
      const done = installed.get(path.resolve(folder).toLowerCase());
      if (!done || done.module !== entry.name || done.instance.toLowerCase() !== entry.instance.toLowerCase()) continue;
      const id = /-(\d{8}T\d{6}-[0-9a-f]{6})$/.exec(name)?.[1];
      if (id) out.push({ folder, module: entry.name, instance: entry.instance, version: done.version, id, order: done.order });
    }
  }
  return out.sort((a, b) => b.order - a.order);
}

export interface BackupWork { folder: string; archive: string | null; removed?: boolean }

/**
 * Compresses (backups="zip") or prunes (backups="folder") the backup folders of finished installs.
 * One compressor at a time (bin/updates/backups.lock); a busy one means another does it now.
 */
export async function compressPendingBackups(layout: InstanceLayout, entries: readonly ApplicationEntry[], options: { format: 'zip' | 'folder'; keep: number; log?: (line: string) => void; signal?: AbortSignal }): Promise<BackupWork[]> {
  const folders = await finishedBackupFolders(layout, entries);
  if (folders.length === 0) return [];
  let lock;
  try {
    lock = await acquireLockFile(path.join(layout.updates, 'backups.lock'), currentOwner('service', 'compressing backups'));
  } catch {
    return [];
  }
  const done: BackupWork[] = [];
  try {
    if (options.format === 'folder') {
      // Newest `keep` folders of each module instance stay.
      const byModule = new Map<string, typeof folders>();
      for (const f of folders) byModule.set(`${f.module}[${f.instance}]`, [...(byModule.get(`${f.module}[${f.instance}]`) ?? []), f]);
      for (const list of byModule.values()) {
        for (const f of list.slice(0, Math.max(0, list.length - options.keep))) {
          await removeTree(f.folder);
          options.log?.(`removed the old backup ${f.folder}`);
          done.push({ folder: f.folder, archive: null, removed: true });
        }
      }
      return done;
    }
    for (const f of folders) {
      if (options.signal?.aborted) break;
      try {
        const archive = await archiveBackup({ folder: f.folder, backupsDir: layout.backups, module: f.module, instance: f.instance, version: f.version, id: f.id, keep: options.keep, signal: options.signal });
        options.log?.(archive ? `compressed the backup ${f.folder} into ${archive}` : `removed the backup ${f.folder} (keepBackups="0")`);
        done.push({ folder: f.folder, archive });
      } catch (error) {
        options.log?.(`the backup ${f.folder} could not be compressed (it stays as a folder): ${(error as Error).message}`);
      }
    }
    return done;
  } finally {
    await lock.release();
  }
}

/** compressPendingBackups with the instance's settings (the service and `check` call it). */
export async function tidyBackups(ctx: Pick<Context, 'layout' | 'config'>, log?: (line: string) => void, signal?: AbortSignal): Promise<BackupWork[]> {
  const config = await ctx.config();
  const entries = await readApplications(ctx.layout);
  // Background work: below normal priority, so an install or the portal comes first.
  let before: number | undefined;
  try { before = os.getPriority(); os.setPriority(Math.max(before, os.constants.priority.PRIORITY_BELOW_NORMAL)); } catch { before = undefined; }
  try {
    return await compressPendingBackups(ctx.layout, entries, { format: config.install.backups, keep: config.install.keepBackups, log, signal });
  } finally {
    if (before !== undefined) try { os.setPriority(before); } catch { /* lowering is one-way for some accounts */ }
  }
}

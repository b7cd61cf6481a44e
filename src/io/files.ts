// File operations with the care Windows needs: writes land atomically (temp file + rename) and
// renames retry on the transient EPERM/EBUSY/EACCES that antivirus and indexers cause. Temporary
// files carry one recognisable name (`.<file>.altazion-tmp-<pid>-<random>`), are removed on any
// failure, and what a killed process left behind can be swept: only names of that shape.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { AltazionError } from '../core/errors';
import { nodeCrypto } from './node-crypto';

const TRANSIENT = new Set(['EPERM', 'EBUSY', 'EACCES', 'ENOTEMPTY']);

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Renames, retrying transient failures with a growing delay (about 2.5 s in all by default). */
export async function renameWithRetry(from: string, to: string, rename: (a: string, b: string) => Promise<void> = fs.rename, attempts = 8): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await rename(from, to);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? '';
      if (!TRANSIENT.has(code) || attempt >= attempts) throw error;
      await sleep(Math.min(50 * 2 ** (attempt - 1), 1000));
    }
  }
}

const TEMP_MARK = '.altazion-tmp-';
/** `.<name>.altazion-tmp-<pid>-<hex>`, and the `.<name>.<pid>.<ms>.tmp` of earlier versions. */
const OUR_TEMP = /^\..+\.altazion-tmp-\d+-[0-9a-f]{8,}$|^\..+\.\d+\.\d{13}\.tmp$/;

/** A temporary name beside `file`, in our naming (see sweepTempFiles). */
export function tempPathFor(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}${TEMP_MARK}${process.pid}-${nodeCrypto().randomBytes(6).toString('hex')}`);
}

/** Whether a file name is one of our temporary files (never anything else). */
export function isOurTempFile(name: string): boolean {
  return OUR_TEMP.test(name);
}

/** Creates `file` (which must not exist) with `content`, flushed to the disk. */
export async function writeNewFileSynced(file: string, content: string | Uint8Array): Promise<void> {
  const handle = await fs.open(file, 'wx');
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Writes a file so that readers see either the old or the new content, never a torn one. On any
 * failure (disk full, rename refused) the temporary file is removed before the error is thrown.
 */
export async function writeFileAtomic(file: string, content: string | Uint8Array): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const temp = tempPathFor(file);
  try {
    await writeNewFileSynced(temp, content);
    await renameWithRetry(temp, file);
  } catch (error) {
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
}

/** Removes our temporary files (by name only) directly inside `dir`; returns their names. */
export async function sweepTempFiles(dir: string): Promise<string[]> {
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of names.filter(isOurTempFile)) {
    try {
      const st = await fs.lstat(path.join(dir, name));
      if (!st.isFile()) continue;
      await fs.rm(path.join(dir, name), { force: true });
      removed.push(name);
    } catch { /* gone meanwhile, or not ours to remove: left alone */ }
  }
  return removed;
}

export async function pathExists(p: string): Promise<boolean> {
  return fs.stat(p).then(() => true, () => false);
}

/**
 * Makes the folder an option names (`--out`, `--export-scripts`). A file where the folder should be,
 * or on its path, is the admin's argument: E_USAGE naming the option and the folder, exit 2.
 */
export async function makeOptionFolder(dir: string, option: string, target = dir): Promise<void> {
  await fs.mkdir(dir, { recursive: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST' && error.code !== 'ENOTDIR') throw error;
    throw new AltazionError('E_USAGE', `--${option}: ${dir} is not a folder`, { target });
  });
}

// File operations with the care Windows needs: writes land atomically (temp file + rename) and
// renames retry on the transient EPERM/EBUSY/EACCES that antivirus and indexers cause.
import { promises as fs } from 'node:fs';
import path from 'node:path';

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

/** Writes a file so that readers see either the old or the new content, never a torn one. */
export async function writeFileAtomic(file: string, content: string | Uint8Array): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  const handle = await fs.open(temp, 'w');
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await renameWithRetry(temp, file);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
}

export async function pathExists(p: string): Promise<boolean> {
  return fs.stat(p).then(() => true, () => false);
}

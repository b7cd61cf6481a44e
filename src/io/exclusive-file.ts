// Creating a file only if none exists, with its whole content at once. The content is written to
// a temporary file first, then hard-linked to the name: link() fails with EEXIST when the name
// exists (on NTFS as on Linux), and the file appears complete, so no reader ever sees it empty or
// torn, and a process killed half-way leaves no file at the name (only a temporary one).
// Volumes without hard links fall back to an exclusive create ('wx') followed by the write.
import { promises as fs } from 'node:fs';
import { tempPathFor, writeNewFileSynced } from './files';

const NO_LINKS = new Set(['ENOTSUP', 'EPERM', 'EXDEV', 'ENOSYS', 'EOPNOTSUPP', 'EINVAL']);

/** Creates `file` holding `content` unless it exists; true when created, false when it existed. */
export async function createExclusive(file: string, content: string): Promise<boolean> {
  const temp = tempPathFor(file);
  try {
    await writeNewFileSynced(temp, content);
    try {
      await fs.link(temp, file);
      return true;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? '';
      if (code === 'EEXIST') return false;
      if (!NO_LINKS.has(code)) throw error;
    }
    return await createWithoutLink(file, content);
  } finally {
    await fs.rm(temp, { force: true }).catch(() => undefined);
  }
}

async function createWithoutLink(file: string, content: string): Promise<boolean> {
  try {
    await writeNewFileSynced(file, content);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

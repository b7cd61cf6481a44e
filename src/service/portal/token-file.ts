// bin\updates\portal\token.json: the portal's address and its administrator token, written by the
// service at each start (a new token each time) into a folder only Administrators and SYSTEM can
// read, removed when it stops. Reading it is what proves being an administrator (auth.ts).
//   { "url": "http://localhost:8080/", "token": "...", "pid": 1234, "startedAt": "2026-..." }
import { promises as fs } from 'node:fs';
import type { InstanceLayout } from '../../config/paths';
import { AltazionError } from '../../core/errors';
import { writeFileAtomic } from '../../io/files';
import type { FolderRights } from '../../platform/types';

export interface PortalTokenFile { url: string; token: string; pid: number; startedAt: string }

export async function writePortalToken(layout: InstanceLayout, rights: Pick<FolderRights, 'restrictToAdministrators'>, content: PortalTokenFile): Promise<void> {
  await fs.mkdir(layout.portalPrivate, { recursive: true });
  // The folder first: the file is born inside a folder nobody else can enter or read.
  await rights.restrictToAdministrators(layout.portalPrivate, { othersMayRead: false });
  await writeFileAtomic(layout.portalToken, JSON.stringify(content, null, 2) + '\n');
  await rights.restrictToAdministrators(layout.portalToken, { othersMayRead: false });
}

/** Removes the file if it still holds this token (a newer service may have replaced it). */
export async function removePortalToken(layout: InstanceLayout, token: string): Promise<void> {
  const current = await readPortalToken(layout).catch(() => undefined);
  if (current?.token === token) await fs.rm(layout.portalToken, { force: true });
}

export async function readPortalToken(layout: InstanceLayout): Promise<PortalTokenFile> {
  const file = layout.portalToken;
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new AltazionError('E_NOT_FOUND', `${file} does not exist: the update service (and its portal) is not running for ${layout.root}`, {
        target: file, hint: 'start the service (altazion-update service run, or the AltazionUpdate Windows service), then try again',
      });
    }
    if (code === 'EACCES' || code === 'EPERM') {
      throw new AltazionError('E_REQUIREMENT', `${file} cannot be read: only Administrators and SYSTEM may sign in to the portal's actions`, {
        target: file, hint: 'run it from an elevated prompt (Run as administrator)',
      });
    }
    throw new AltazionError('E_FAILED', `${file} cannot be read: ${(error as Error).message}`, { target: file });
  }
  let doc: Partial<PortalTokenFile>;
  try {
    doc = JSON.parse(text) as Partial<PortalTokenFile>;
  } catch (error) {
    throw new AltazionError('E_CONFIG', `${file}: not valid JSON (${(error as Error).message})`, { target: file, hint: 'restart the update service: it writes the file again' });
  }
  if (typeof doc.url !== 'string' || !/^http:\/\/(localhost|127\.0\.0\.1):\d+\/$/.test(doc.url)) throw new AltazionError('E_CONFIG', `${file}: url: not a loopback portal address`, { target: file });
  if (typeof doc.token !== 'string' || doc.token.length < 32) throw new AltazionError('E_CONFIG', `${file}: token: missing`, { target: file });
  return { url: doc.url, token: doc.token, pid: Number(doc.pid ?? 0), startedAt: String(doc.startedAt ?? '') };
}

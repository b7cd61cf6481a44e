// What the SYSTEM service executes or trusts, and so what only Administrators and SYSTEM may
// change (SPEC §12): everything under bin\updates (its settings and accepted keys, hook scripts,
// cache, journal, staging, feed state, logs, service files), the portal's sign-in secret (not even
// readable by others), the hook interpreter and the service's own executable. The list is pure;
// secureUpdaterFiles applies it (service install, sandbox create, repair), findOthersAccess walks
// it (the `acl` repair check, and service install to name what others could change before).
import { promises as fs } from 'node:fs';
import type { InstanceLayout, PathApi } from '../config/paths';
import { SERVICE_HOST_EXE } from '../core/product';
import { msg, type Message } from '../core/messages';
import type { FolderRights, Principal } from '../platform/types';

export type TrustedPathFix =
  /** Ours: made admin-only (others keep read), with everything below it. */
  | 'restrict'
  /** Ours and secret: admin-only, even for reading. */
  | 'private'
  /** Not ours (the system's PowerShell, the installed executable): checked, never changed here. */
  | 'check';

export interface TrustedPath {
  path: string;
  /** For messages: what it is to the updater. */
  what: Message;
  fix: TrustedPathFix;
  /** Whether what lies below it counts too (folders of ours). */
  tree: boolean;
  /** For what is not ours ('check'): what the administrator can do. */
  remedy?: Message;
}


export interface TrustedPathsInput {
  layout: InstanceLayout;
  /** The hook interpreter (src/install/hooks.ts hookInterpreter). */
  interpreter: string;
  /** The registered update service's command line, when there is one. */
  serviceBinaryPath?: string;
  pathApi: PathApi;
}

/**
 * The files a service command line runs: its executable and, when the executable is node, the
 * script it is given (`"node" "D:\x\altazion-update.cjs" service run ...`).
 */
export function serviceFiles(binaryPath: string): string[] {
  const tokens = [...binaryPath.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);
  const files: string[] = [];
  if (tokens[0]) files.push(tokens[0]);
  if (tokens[1] && /\.(c|m)?js$/i.test(tokens[1])) files.push(tokens[1]);
  return files;
}

export function trustedPaths(input: TrustedPathsInput): TrustedPath[] {
  const { layout, pathApi } = input;
  const list: TrustedPath[] = [
    { path: layout.updates, what: msg('acl.what.updates'), fix: 'restrict', tree: true },
    { path: layout.portalPrivate, what: msg('acl.what.secret'), fix: 'private', tree: true },
    { path: input.interpreter, what: msg('acl.what.interpreter'), fix: 'check', tree: false, remedy: msg('acl.remedy.interpreter') },
  ];
  for (const file of input.serviceBinaryPath ? serviceFiles(input.serviceBinaryPath) : []) {
    if (!pathApi.isAbsolute(file)) continue;
    if (pathApi.basename(file).toLowerCase() === SERVICE_HOST_EXE.toLowerCase()) {
      // Our service host: its folder (%ProgramFiles%\Altazion\Update) is ours, with node.exe, the
      // bundle and the bridge the service runs; all of it is kept admin-only.
      list.push({ path: pathApi.dirname(file), what: msg('acl.what.serviceFolder'), fix: 'restrict', tree: true });
      continue;
    }
    list.push({ path: file, what: msg('acl.what.serviceFile'), fix: 'check', tree: false, remedy: msg('acl.remedy.service') });
    list.push({ path: pathApi.dirname(file), what: msg('acl.what.serviceFolder'), fix: 'check', tree: false, remedy: msg('acl.remedy.service') });
  }
  return list;
}

/** Makes every path of ours admin-only, in order (bin\updates, then the secret below it). */
export async function secureUpdaterFiles(paths: readonly TrustedPath[], rights: Pick<FolderRights, 'restrictToAdministrators'>): Promise<string[]> {
  const done: string[] = [];
  for (const entry of paths) {
    if (entry.fix === 'check') continue;
    await rights.restrictToAdministrators(entry.path, { othersMayRead: entry.fix === 'restrict' });
    done.push(entry.path);
  }
  return done;
}

/** Enough to cover bin\updates (a few folders of a few files each) without walking a runaway tree. */
const MAX_ENTRIES = 2000;

/** The path and what lies below it (breadth first, bounded). */
export async function entriesOf(entry: TrustedPath, join: (a: string, b: string) => string): Promise<string[]> {
  const out = [entry.path];
  if (!entry.tree) return out;
  for (let i = 0; i < out.length && out.length < MAX_ENTRIES; i++) {
    const children = await fs.readdir(out[i]!, { withFileTypes: true }).catch(() => []);
    for (const child of children) {
      if (out.length >= MAX_ENTRIES) break;
      out.push(join(out[i]!, child.name));
    }
  }
  return out;
}

/** How many paths are asked about at once. */
const READ_CHUNK = 200;

/** A path someone else than Administrators and SYSTEM can change (or, for a private one, read). */
export interface AccessFinding { path: string; who: Principal[]; reading: boolean }

/** Who else can change the entry, or what lies below it (or read it, for a private one). */
export async function findOthersAccess(entry: TrustedPath, rights: Pick<FolderRights, 'othersAccess'>, join: (a: string, b: string) => string): Promise<AccessFinding[]> {
  const found: AccessFinding[] = [];
  const paths = await entriesOf(entry, join);
  // Asked together, a chunk at a time: on Windows the calls of one turn are one bridge request.
  for (let i = 0; i < paths.length; i += READ_CHUNK) {
    const chunk = paths.slice(i, i + READ_CHUNK);
    const answers = await Promise.all(chunk.map((p) => rights.othersAccess(p)));
    chunk.forEach((p, j) => {
      const access = answers[j]!;
      if (access.write.length > 0) found.push({ path: p, who: access.write, reading: false });
      else if (entry.fix === 'private' && access.read.length > 0) found.push({ path: p, who: access.read, reading: true });
    });
  }
  return found;
}

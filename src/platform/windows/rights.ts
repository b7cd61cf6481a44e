// Folder rights on Windows through the bridge, by SID: acl.read gives the owner and the entries;
// identities become SIDs by the well-known table or accounts.resolve. Names are never compared
// (they are localised: "AUTORITE NT\Système" is S-1-5-18 on a French server).
// Admin-only (SPEC §12): othersAccess reads who else than Administrators, SYSTEM and TrustedInstaller
// can change or read a path; restrictToAdministrators gives the path a protected DACL (acl.setProtected)
// and resets what lies below it to inherit that (acl.inherit), except subfolders already admin-only
// and protected (the portal's secret stays private) and links (junctions, symbolic links: changing
// their rights would change their target's). Calls of one turn travel in one bridge request.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { AltazionError } from '../../core/errors';
import { msg } from '../../core/messages';
import { ADMIN_SIDS, canWriteFile, canWriteFolder, isAdminOnly, knownGroupSids, othersAccessFrom, wellKnownSid, WELL_KNOWN_SIDS, writersOf } from '../rights';
import type { AclEntry, AclInfo, FolderRights, OthersAccess, Principal } from '../types';
import type { BridgeClient } from './bridge-client';
import { BridgeCallError } from './bridge-protocol';

interface BridgeAcl { path: string; directory?: boolean; owner: { sid: string; name: string | null } | null; protected: boolean; entries: Array<AclEntry & { name: string | null }> }

/** AclInfo with whether the path is a folder (how canWrite judges it). */
export type WindowsAcl = AclInfo & { directory: boolean };

function principal(p: { sid: string; name: string | null }): Principal {
  return { sid: p.sid, ...(p.name ? { name: p.name } : {}) };
}

export function aclFrom(acl: BridgeAcl): WindowsAcl {
  const entries = acl.entries.map((e) => ({ ...e, ...principal(e) }) as AclEntry);
  for (const e of entries) if ((e as { name?: string | null }).name === null) delete (e as { name?: string | null }).name;
  return { path: acl.path, directory: acl.directory !== false, ...(acl.owner ? { owner: principal(acl.owner) } : {}), protected: acl.protected, entries, writers: writersOf(entries) };
}

/** The protected DACL of an admin-only path: full control for SYSTEM and Administrators, read and execute for local users when they may read. */
export function adminOnlyAcl(target: string, othersMayRead: boolean) {
  return {
    op: 'acl.setProtected', path: target, owner: WELL_KNOWN_SIDS.administrators,
    grants: [
      { sid: WELL_KNOWN_SIDS.system, rights: 'FullControl' },
      { sid: WELL_KNOWN_SIDS.administrators, rights: 'FullControl' },
      ...(othersMayRead ? [{ sid: WELL_KNOWN_SIDS.users, rights: 'ReadAndExecute' }] : []),
    ],
  };
}

/** What lies below a folder, parents first; links are listed, never entered. */
export interface TreeEntry { path: string; link: boolean }

export async function walkBelow(root: string, join: (a: string, b: string) => string = path.join): Promise<TreeEntry[]> {
  const out: TreeEntry[] = [];
  const folders = [root];
  for (let i = 0; i < folders.length; i++) {
    // Node lists junctions and symbolic links as links: not followed.
    const children = await fs.readdir(folders[i]!, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOTDIR' || error.code === 'ENOENT') return [];
      throw error;
    });
    for (const child of children) {
      const p = join(folders[i]!, child.name);
      out.push({ path: p, link: child.isSymbolicLink() });
      if (child.isDirectory()) folders.push(p);
    }
  }
  return out;
}

export interface ResetPlan {
  /** To reset to inherit only (explicit entries removed, owner Administrators), parents first. */
  reset: string[];
  /** Protected subfolders already admin-only: left as they are, with what lies in them. */
  kept: string[];
  /** Links: never changed through. */
  links: string[];
}

/**
 * Pure: which paths below an admin-only folder must be reset. A path inheriting everything with an
 * administrator as owner is fine as it is; a protected admin-only subfolder is kept with its content;
 * anything else (explicit entries, another owner, a protected DACL with others in it) is reset.
 * `below` is read before any reset, parents first.
 */
export function planReset(below: ReadonlyArray<TreeEntry & { acl?: AclInfo }>): ResetPlan {
  const plan: ResetPlan = { reset: [], kept: [], links: [] };
  for (const entry of below) {
    if (plan.kept.some((k) => isBelow(entry.path, k))) continue;
    if (entry.link) { plan.links.push(entry.path); continue; }
    const acl = entry.acl;
    if (!acl) continue; // gone meanwhile
    if (acl.protected && isAdminOnly(acl)) { plan.kept.push(entry.path); continue; }
    // What it inherits is fixed above it (the path itself, or a parent reset before it); a protected
    // DACL's entries are all explicit.
    const explicit = acl.entries.some((e) => !e.inherited);
    const foreignOwner = acl.owner !== undefined && !ADMIN_SIDS.includes(acl.owner.sid);
    if (explicit || foreignOwner) plan.reset.push(entry.path);
  }
  return plan;
}

/** Whether `child` lies below `parent` (paths made by the same join, as walkBelow's are). */
export function isBelow(child: string, parent: string): boolean {
  return child.length > parent.length && child.startsWith(parent) && /[\\/]/.test(child[parent.length]!);
}

/** How many calls go in one bridge request. */
const CHUNK = 200;

async function inChunks<T, R>(items: readonly T[], call: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(...await Promise.all(items.slice(i, i + CHUNK).map(call)));
  return out;
}

const notFound = (error: unknown) => error instanceof BridgeCallError && error.info.code === 'NOT_FOUND';

export class WindowsRights implements FolderRights {
  constructor(private readonly bridge: BridgeClient, private readonly join: (a: string, b: string) => string = path.join) {}

  /** The identity's SID: well-known accounts by table, others through the bridge (one call, batched with others). */
  private async sidOf(identity: string): Promise<string> {
    const known = wellKnownSid(identity);
    if (known) return known;
    const [resolved] = await this.bridge.call<Array<{ name: string; sid: string | null }>>({ op: 'accounts.resolve', names: [identity.trim().replace(/^\.\\/, '')] }, identity);
    if (!resolved?.sid) throw new AltazionError('E_PLATFORM', msg('platform.accountUnknown', { identity }), { target: identity });
    return resolved.sid;
  }

  async readAcl(target: string): Promise<WindowsAcl> {
    return aclFrom(await this.bridge.call<BridgeAcl>({ op: 'acl.read', path: target }, target));
  }

  async canWrite(identity: string, target: string): Promise<boolean> {
    const [sid, acl] = await Promise.all([this.sidOf(identity), this.readAcl(target)]);
    const sids = [sid, ...knownGroupSids(identity)];
    return acl.directory ? canWriteFolder(acl.entries, sids) : canWriteFile(acl.entries, sids);
  }

  async grantModify(identity: string, target: string): Promise<void> {
    const sid = await this.sidOf(identity);
    await this.bridge.call({ op: 'acl.grant', path: target, sid, rights: 'Modify' }, target);
  }

  async othersAccess(target: string): Promise<OthersAccess> {
    try {
      return othersAccessFrom(await this.readAcl(target));
    } catch (error) {
      if (notFound(error)) return { write: [], read: [] };
      throw error;
    }
  }

  async restrictToAdministrators(target: string, options: { othersMayRead: boolean }): Promise<void> {
    try {
      await this.bridge.call(adminOnlyAcl(target, options.othersMayRead), target);
    } catch (error) {
      if (notFound(error)) return;
      throw error;
    }
    const below = await walkBelow(target, this.join);
    if (below.length === 0) return;
    // The reads, then the resets, a chunk per bridge request (the calls of one turn travel together).
    const acls = await inChunks(below, (entry) => (entry.link ? Promise.resolve(undefined) : this.readAcl(entry.path).catch((error) => {
      if (notFound(error)) return undefined;
      throw error;
    })));
    const plan = planReset(below.map((entry, i) => ({ ...entry, ...(acls[i] ? { acl: acls[i] } : {}) })));
    const outcomes = await inChunks(plan.reset, (p) => this.bridge.call({ op: 'acl.inherit', path: p, owner: WELL_KNOWN_SIDS.administrators }, p).then(
      () => ({ status: 'fulfilled' as const }), (reason: unknown) => ({ status: 'rejected' as const, reason })));
    const failed = outcomes.flatMap((o, i) => (o.status === 'rejected' && !notFound(o.reason) ? [`${plan.reset[i]}: ${(o.reason as Error).message}`] : []));
    if (failed.length > 0) {
      throw new AltazionError('E_PLATFORM', `cannot make everything below ${target} admin-only: ${failed.slice(0, 5).join('; ')}${failed.length > 5 ? ` (and ${failed.length - 5} more)` : ''}`, {
        target, hint: 'run as an administrator; a file whose rights exclude Administrators needs its ownership taken first (takeown /a /r)',
      });
    }
  }
}

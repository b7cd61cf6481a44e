// Folder rights of the simulated host. Two layers, both real:
//  - module identities (`IIS AppPool\gestcom`, `NT AUTHORITY\NetworkService`) are simulated: the
//    state file lists the paths each was granted Modify on, inherited below them unless a path
//    below was made admin-only (it then stops inheriting, like a protected Windows DACL);
//  - everything else is the real POSIX owner and mode bits: the state names which uids and gids are
//    administrators (uid 0 stands for SYSTEM); another owner, a group write bit for another group,
//    or the "other" write bit make a path writable by a non-administrator. restrictToAdministrators
//    really chowns and chmods.
// POSIX ACLs (setfacl) are not looked at: the sandbox never sets any.
import { promises as fs, readFileSync, type Stats } from 'node:fs';
import path from 'node:path';
import { isInside, normalizeForCompare, samePath } from '../../config/paths';
import { AltazionError } from '../../core/errors';
import { writersOf } from '../rights';
import type { AclEntry, AclInfo, FolderRights, OthersAccess, Principal } from '../types';
import { readSandboxState, updateSandboxState, type SandboxState } from './state';

/** Simulated identities that are administrators themselves (their grants are not "others"). */
const ADMIN_IDENTITIES = new Set(['builtin\\administrators', 'nt authority\\system', 'localsystem', 'system', 's-1-5-32-544', 's-1-5-18']);

export function sandboxAdministrators(state: SandboxState): { uids: number[]; gids: number[] } {
  const admins = state.administrators ?? { uids: [], gids: [] };
  return { uids: [...new Set([0, ...admins.uids])], gids: [...new Set([0, ...admins.gids])] };
}

/** The grants that apply to `target`: made on it or above it, with no protected path in between. */
function grantsApplying(state: SandboxState, target: string): Array<[granted: string, identities: string[]]> {
  const protectedPaths = state.protectedPaths ?? [];
  // A protected path between the grant and the target stops the inheritance.
  return Object.entries(state.rights).filter(([granted]) => isInside(target, granted)
    && !protectedPaths.some((p) => isInside(target, p) && isInside(p, granted) && !samePath(p, granted)));
}

/** Identities granted Modify on `target` (directly or inherited), module identities only. */
export function simulatedGrants(state: SandboxState, target: string): string[] {
  const identities: string[] = [];
  for (const [, list] of grantsApplying(state, target)) {
    for (const identity of list) if (!identities.some((i) => i.toLowerCase() === identity.toLowerCase())) identities.push(identity);
  }
  return identities;
}

/** FileSystemRights.Modify, what grantModify gives. */
const MODIFY = 0x301bf;

function accountNames(file: string): Map<number, string> {
  const names = new Map<number, string>();
  try {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const [name, , id] = line.split(':');
      if (name && id !== undefined && /^\d+$/.test(id)) names.set(Number(id), name);
    }
  } catch { /* no such file: numbers only */ }
  return names;
}
let users: Map<number, string> | undefined;
let groups: Map<number, string> | undefined;
const userName = (uid: number) => (users ??= accountNames('/etc/passwd')).get(uid);
const groupName = (gid: number) => (groups ??= accountNames('/etc/group')).get(gid);

/** Pure: who besides the administrators can write or read a path with these stats. */
export function posixOthersAccess(stats: Pick<Stats, 'uid' | 'gid' | 'mode'>, admins: { uids: number[]; gids: number[] }): OthersAccess {
  const owner: Principal = { sid: `uid:${stats.uid}`, name: `user ${userName(stats.uid) ?? stats.uid} (owner)` };
  const group: Principal = { sid: `gid:${stats.gid}`, name: `group ${groupName(stats.gid) ?? stats.gid}` };
  const other: Principal = { sid: 'other', name: 'every local user (mode o+w)' };
  const write: Principal[] = [];
  const read: Principal[] = [];
  const ownerIsAdmin = admins.uids.includes(stats.uid);
  const groupIsAdmin = admins.gids.includes(stats.gid);
  if (!ownerIsAdmin) { write.push(owner); read.push(owner); }
  if (!groupIsAdmin && stats.mode & 0o020) write.push(group);
  if (!groupIsAdmin && stats.mode & 0o040) read.push(group);
  if (stats.mode & 0o002) write.push(other);
  if (stats.mode & 0o004) read.push({ ...other, name: 'every local user' });
  return { write, read };
}

/**
 * The mode restrictToAdministrators leaves: the owner (an administrator) keeps its bits and can
 * read and write; nobody else can write; others keep at most what they could read (with
 * `othersMayRead`; never more: the portal's private folder below bin/updates stays private), or
 * nothing.
 */
export function restrictedMode(mode: number, isDirectory: boolean, othersMayRead: boolean): number {
  const owner = (mode & 0o700) | (isDirectory ? 0o700 : 0o600);
  return othersMayRead ? owner | (mode & 0o055) : owner;
}

export class SandboxRights implements FolderRights {
  constructor(private readonly stateFile: string) {}

  async canWrite(identity: string, target: string): Promise<boolean> {
    const state = await readSandboxState(this.stateFile);
    return simulatedGrants(state, target).some((i) => i.toLowerCase() === identity.toLowerCase() || i.toLowerCase() === 'everyone');
  }

  /** The simulated identities' grants as Windows lists them (identities stand for their SIDs): Modify, inherited below the grant. */
  async readAcl(target: string): Promise<AclInfo> {
    const state = await readSandboxState(this.stateFile);
    const entries: AclEntry[] = grantsApplying(state, target).flatMap(([granted, identities]) => identities.map((identity) => ({
      sid: identity, name: identity, allow: true, rights: MODIFY, inherited: !samePath(granted, target), containerInherit: true, objectInherit: true, inheritOnly: false,
    })));
    return { path: target, protected: (state.protectedPaths ?? []).some((p) => samePath(p, target)), entries, writers: writersOf(entries) };
  }

  async grantModify(identity: string, target: string): Promise<void> {
    await updateSandboxState(this.stateFile, (state) => {
      const key = Object.keys(state.rights).find((k) => normalizeForCompare(k) === normalizeForCompare(target)) ?? target;
      const list = state.rights[key] ?? [];
      if (!list.some((i) => i.toLowerCase() === identity.toLowerCase())) list.push(identity);
      state.rights[key] = list;
    });
  }

  async othersAccess(target: string): Promise<OthersAccess> {
    const state = await readSandboxState(this.stateFile);
    let stats: Stats;
    try {
      stats = await fs.stat(target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { write: [], read: [] };
      throw new AltazionError('E_PLATFORM', `cannot read the owner and mode of ${target}: ${(error as Error).message}`, { target });
    }
    const access = posixOthersAccess(stats, sandboxAdministrators(state));
    for (const identity of simulatedGrants(state, target)) {
      if (ADMIN_IDENTITIES.has(identity.toLowerCase())) continue;
      const principal = { sid: identity, name: `${identity} (Modify)` };
      access.write.push(principal);
      access.read.push(principal);
    }
    return access;
  }

  async restrictToAdministrators(target: string, options: { othersMayRead: boolean }): Promise<void> {
    const state = await readSandboxState(this.stateFile);
    const admins = sandboxAdministrators(state);
    const uid = process.getuid?.() ?? 0;
    const gid = process.getgid?.() ?? 0;
    if (!admins.uids.includes(uid)) {
      throw new AltazionError('E_REQUIREMENT', `making ${target} admin-only needs an administrator of the sandbox (uid ${admins.uids.join(', ')}); this process runs as uid ${uid}`, { target });
    }
    const owner = { uid, gid: admins.gids.includes(gid) ? gid : admins.gids[0]! };
    const walk = async (current: string): Promise<void> => {
      const stats = await fs.lstat(current);
      if (stats.isSymbolicLink()) { await fs.lchown(current, owner.uid, owner.gid); return; }
      await fs.chown(current, owner.uid, owner.gid);
      await fs.chmod(current, restrictedMode(stats.mode, stats.isDirectory(), options.othersMayRead));
      if (stats.isDirectory()) for (const entry of await fs.readdir(current)) await walk(path.join(current, entry));
    };
    try {
      await walk(target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' && samePath((error as NodeJS.ErrnoException).path ?? target, target)) return;
      throw new AltazionError('E_PLATFORM', `cannot make ${target} admin-only: ${(error as Error).message}`, { target });
    }
    // Module identities lose what they were granted at or below it, and grants above stop applying.
    await updateSandboxState(this.stateFile, (next) => {
      for (const key of Object.keys(next.rights)) if (isInside(key, target)) delete next.rights[key];
      const protectedPaths = (next.protectedPaths ?? []).filter((p) => !samePath(p, target));
      protectedPaths.push(target);
      next.protectedPaths = protectedPaths;
    });
  }
}

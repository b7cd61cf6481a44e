// Pure decisions on access control lists (AclInfo from the platform): who can write a path, and
// whether an identity can. Only SIDs are compared: account names are localised.
import type { AclEntry, AclInfo, OthersAccess, Principal } from './types';

/** Rights that let a principal create, change or delete files, or take control of the ACL. */
export const WRITE_RIGHTS_MASK =
  0x0002 /* WriteData / CreateFiles */ | 0x0004 /* AppendData / CreateDirectories */ | 0x0010 /* WriteExtendedAttributes */
  | 0x0040 /* DeleteSubdirectoriesAndFiles */ | 0x0100 /* WriteAttributes */ | 0x10000 /* Delete */
  | 0x40000 /* ChangePermissions (WRITE_DAC) */ | 0x80000 /* TakeOwnership (WRITE_OWNER) */
  | 0x10000000 /* GENERIC_ALL */ | 0x40000000 /* GENERIC_WRITE */;

export const WELL_KNOWN_SIDS = {
  everyone: 'S-1-1-0',
  authenticatedUsers: 'S-1-5-11',
  system: 'S-1-5-18',
  localService: 'S-1-5-19',
  networkService: 'S-1-5-20',
  administrators: 'S-1-5-32-544',
  users: 'S-1-5-32-545',
  iisUsers: 'S-1-5-32-568',
  /** NT SERVICE\TrustedInstaller, owner of the system's own files (powershell.exe). */
  trustedInstaller: 'S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464',
} as const;

/** Who may change what the SYSTEM service runs or trusts (SPEC §12): anyone else is "others". */
export const ADMIN_SIDS: readonly string[] = [WELL_KNOWN_SIDS.administrators, WELL_KNOWN_SIDS.system, WELL_KNOWN_SIDS.trustedInstaller];

/** Rights that let a principal read a file's data or list a folder. */
export const READ_RIGHTS_MASK = 0x0001 /* ReadData / ListDirectory */ | 0x80000000 /* GENERIC_READ */ | 0x10000000 /* GENERIC_ALL */;

/** SIDs holding some of `mask` on the path itself (entries that apply to it: not inherit-only), each once, unless a deny entry takes all of it. */
function holdersOf(entries: readonly AclEntry[], mask: number): Principal[] {
  const out = new Map<string, Principal>();
  for (const entry of entries) {
    if (!entry.allow || entry.inheritOnly || (entry.rights & mask) === 0) continue;
    const denied = entries.filter((d) => !d.allow && !d.inheritOnly && d.sid === entry.sid).reduce((all, d) => all | d.rights, 0);
    if ((entry.rights & mask & ~denied) === 0) continue;
    if (!out.has(entry.sid)) out.set(entry.sid, { sid: entry.sid, ...(entry.name ? { name: entry.name } : {}) });
  }
  return [...out.values()];
}

/** Writers of the path itself, each SID once, unless a deny entry takes all its write rights. */
export function writersOf(entries: readonly AclEntry[]): Principal[] {
  return holdersOf(entries, WRITE_RIGHTS_MASK);
}

/**
 * Who besides Administrators, SYSTEM and TrustedInstaller can change the path (a write right, or
 * being its owner: an owner can always rewrite the ACL) or read it (for the private ones).
 */
export function othersAccessFrom(acl: Pick<AclInfo, 'owner' | 'entries'>): OthersAccess {
  const others = (list: Principal[]) => list.filter((p) => !ADMIN_SIDS.includes(p.sid));
  const owner = acl.owner && !ADMIN_SIDS.includes(acl.owner.sid) ? [acl.owner] : [];
  const withOwner = (list: Principal[]) => [...owner, ...list.filter((p) => !owner.some((o) => o.sid === p.sid))];
  return { write: withOwner(others(writersOf(acl.entries))), read: withOwner(others(holdersOf(acl.entries, READ_RIGHTS_MASK))) };
}

/** Whether nobody else than the administrators can change the path and it inherits nothing (what restrictToAdministrators leaves). */
export function isAdminOnly(acl: Pick<AclInfo, 'owner' | 'entries' | 'protected'>): boolean {
  return acl.protected && othersAccessFrom(acl).write.length === 0;
}

/** Whether one of `sids` can write the file (an entry on the file itself, no deny on write). */
export function canWriteFile(entries: readonly AclEntry[], sids: readonly string[]): boolean {
  const mine = entries.filter((e) => sids.includes(e.sid) && !e.inheritOnly);
  if (mine.some((e) => !e.allow && (e.rights & WRITE_RIGHTS_MASK) !== 0)) return false;
  return mine.some((e) => e.allow && (e.rights & (0x0002 | 0x0004 | 0x10000000 | 0x40000000)) !== 0);
}

/**
 * Whether one of `sids` (an identity and the groups known to hold it) can create files in the folder
 * (a write entry on the folder itself) and modify the files in it (a write entry inherited by files),
 * with no deny entry on write for any of them.
 */
export function canWriteFolder(entries: readonly AclEntry[], sids: readonly string[]): boolean {
  const mine = entries.filter((e) => sids.includes(e.sid));
  if (mine.some((e) => !e.allow && !e.inheritOnly && (e.rights & WRITE_RIGHTS_MASK) !== 0)) return false;
  const allow = mine.filter((e) => e.allow && (e.rights & WRITE_RIGHTS_MASK & (0x0002 | 0x0004 | 0x10000000 | 0x40000000)) !== 0);
  return allow.some((e) => !e.inheritOnly) && allow.some((e) => e.objectInherit);
}

/** SIDs of well-known service accounts, by the names the SCM and IIS report (not localised). */
export function wellKnownSid(account: string): string | undefined {
  const lower = account.trim().replace(/^\.\\/, '').toLowerCase();
  if (/^s-1-[\d-]+$/.test(lower)) return account.trim().toUpperCase();
  if (['localsystem', 'system', 'nt authority\\system'].includes(lower)) return WELL_KNOWN_SIDS.system;
  if (['localservice', 'nt authority\\localservice', 'nt authority\\local service'].includes(lower)) return WELL_KNOWN_SIDS.localService;
  if (['networkservice', 'nt authority\\networkservice', 'nt authority\\network service'].includes(lower)) return WELL_KNOWN_SIDS.networkService;
  return undefined;
}

/**
 * Groups an identity is known to belong to without asking the domain: Everyone always; IIS_IUSRS for
 * application pool identities (IIS adds the pool identity to it at run time). Other groups (Users,
 * Authenticated Users, domain groups) are not counted: a wrong "yes" would hide the problem the check
 * is for; a wrong "no" only leads to an explicit grant, which is harmless.
 */
export function knownGroupSids(identity: string): string[] {
  const groups: string[] = [WELL_KNOWN_SIDS.everyone];
  if (/^iis apppool\\/i.test(identity.trim())) groups.push(WELL_KNOWN_SIDS.iisUsers);
  return groups;
}

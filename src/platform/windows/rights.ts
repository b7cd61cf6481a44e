// Folder rights on Windows through icacls.exe (Microsoft docs: "icacls", Windows Commands):
//   icacls <folder>                                  displays the DACL, one ACE per line
//   icacls <folder> /grant <sid>:(OI)(CI)M           adds an allow ACE: Modify, inherited by files (OI) and folders (CI)
// Display format: the first line is `<folder> <principal>:<flags>`, the next ones are indented to
// the width of the folder name; then a blank line and a localised summary ("Successfully processed
// 1 files; ..."). Flags are parenthesised groups: inheritance (I) inherited, (OI) object inherit,
// (CI) container inherit, (IO) inherit only, (NP) no propagate; (DENY) for deny ACEs; then either a
// simple right (N, F, M, RX, R, W, D) or a comma list of specific rights (WD, AD, GW, GA, ...).
// Commands run with execFile (no shell); nothing here is simulated: the sandbox has its own FolderRights.
import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { AltazionError } from '../../core/errors';
import type { FolderRights, OthersAccess } from '../types';

export interface IcaclsAce {
  principal: string;
  deny: boolean;
  inherited: boolean;
  /** Inheritance flags: OI, CI, IO, NP (without I and DENY). */
  inheritance: string[];
  /** Rights, upper-case: a simple right (F, M, RX, R, W, D, N) or the specific ones (WD, AD, ...). */
  rights: string[];
}

const INHERITANCE_FLAGS = new Set(['OI', 'CI', 'IO', 'NP']);
/** Rights that let a principal create or change files. */
const WRITE_RIGHTS = new Set(['F', 'M', 'W', 'WD', 'GW', 'GA', 'MA']);

/** Parses `icacls <folder>` output into its ACEs (the folder name is stripped from the first line). */
export function parseIcaclsOutput(stdout: string, folder: string): IcaclsAce[] {
  const aces: IcaclsAce[] = [];
  const lines = stdout.replace(/^\uFEFF/, '').split(/\r?\n/);
  let first = true;
  for (const raw of lines) {
    if (!raw.trim()) {
      if (!first) break; // the blank line before the summary
      continue;
    }
    let line = raw;
    if (first) {
      // icacls echoes the name as given; compare case-insensitively and tolerate a trailing separator.
      const candidates = [folder, folder.replace(/[\\/]+$/, '')];
      const prefix = candidates.find((c) => line.toLowerCase().startsWith(c.toLowerCase() + ' '));
      if (!prefix) continue; // e.g. an error line before the listing
      line = line.slice(prefix.length);
      first = false;
    }
    const match = /^\s*(.+?):((?:\([^()]*\))+)\s*$/.exec(line);
    if (!match) continue;
    const groups = [...match[2].matchAll(/\(([^()]*)\)/g)].map((g) => g[1].toUpperCase());
    const ace: IcaclsAce = { principal: match[1].trim(), deny: false, inherited: false, inheritance: [], rights: [] };
    for (const group of groups) {
      if (group === 'I') ace.inherited = true;
      else if (group === 'DENY') ace.deny = true;
      else if (INHERITANCE_FLAGS.has(group)) ace.inheritance.push(group);
      else ace.rights.push(...group.split(',').map((r) => r.trim()).filter(Boolean));
    }
    aces.push(ace);
  }
  return aces;
}

/** Well-known service accounts: SID for /grant (names are localised, SIDs are not) and the names icacls may show. */
const WELL_KNOWN: Array<{ sid: string; names: string[] }> = [
  { sid: 'S-1-5-18', names: ['nt authority\\system', 'localsystem', 'system', 'autorite nt\\système'] },
  { sid: 'S-1-5-19', names: ['nt authority\\local service', 'nt authority\\localservice', 'localservice', 'autorite nt\\service local'] },
  { sid: 'S-1-5-20', names: ['nt authority\\network service', 'nt authority\\networkservice', 'networkservice', 'autorite nt\\service réseau'] },
];

function wellKnown(identity: string) {
  const lower = identity.trim().replace(/^\.\\/, '').toLowerCase();
  return WELL_KNOWN.find((w) => w.names.includes(lower) || lower === `*${w.sid.toLowerCase()}` || lower === w.sid.toLowerCase());
}

/** Every name under which icacls may list this identity, lower-case. */
export function identityNames(identity: string): string[] {
  const known = wellKnown(identity);
  const plain = identity.trim().replace(/^\.\\/, '').toLowerCase();
  return known ? [...known.names, known.sid.toLowerCase(), `*${known.sid.toLowerCase()}`] : [plain];
}

/**
 * Groups we know the identity belongs to without asking the domain: Everyone always; IIS_IUSRS for
 * application pool identities (IIS injects the pool identity into IIS_IUSRS at run time). Any other
 * group (BUILTIN\Users, Authenticated Users, domain groups) is NOT counted: resolving membership
 * needs the account's token, and a wrong "yes" would hide the very problem this check is for. A
 * wrong "no" only leads to an explicit grant, which is harmless.
 */
export function knownGroups(identity: string): string[] {
  const groups = ['everyone', 'tout le monde', 's-1-1-0'];
  if (/^iis apppool\\/i.test(identity.trim())) groups.push('builtin\\iis_iusrs', 'iis_iusrs');
  return groups;
}

function grantsWrite(ace: IcaclsAce): boolean {
  return ace.rights.some((r) => WRITE_RIGHTS.has(r));
}

/**
 * Whether the ACEs let the identity create files in the folder (an ACE that applies to the folder
 * itself, i.e. not inherit-only) and modify the files in it (an ACE inherited by files, OI), with
 * no deny ACE on write for the identity or a group we know it is in.
 */
export function canWriteFromAces(aces: readonly IcaclsAce[], identity: string, target: 'folder' | 'file' = 'folder'): boolean {
  const names = new Set([...identityNames(identity), ...knownGroups(identity)]);
  const mine = aces.filter((a) => names.has(a.principal.toLowerCase()));
  if (mine.some((a) => a.deny && grantsWrite(a) && !a.inheritance.includes('IO'))) return false;
  const allow = mine.filter((a) => !a.deny && grantsWrite(a));
  const onFolder = allow.some((a) => !a.inheritance.includes('IO'));
  // A file's own ACEs carry no inheritance flags: one that applies to it is enough.
  if (target === 'file') return onFolder;
  const onFiles = allow.some((a) => a.inheritance.includes('OI'));
  return onFolder && onFiles;
}

/** The principal to pass to /grant: well-known accounts by SID (`*S-1-5-20`), others by name. */
export function grantPrincipal(identity: string): string {
  const known = wellKnown(identity);
  return known ? `*${known.sid}` : identity.trim().replace(/^\.\\/, '');
}

export function icaclsExe(env: NodeJS.ProcessEnv): string {
  const systemRoot = env.SystemRoot ?? env.SYSTEMROOT ?? 'C:\\Windows';
  return `${systemRoot.replace(/[\\/]+$/, '')}\\System32\\icacls.exe`;
}

/**
 * Arguments of `icacls <folder> /grant "<identity>:(OI)(CI)M"`, or `<file> /grant "<identity>:M"`
 * for one file (execFile quotes them; no shell).
 */
export function grantArgs(folder: string, identity: string, target: 'folder' | 'file' = 'folder'): string[] {
  return [folder, '/grant', `${grantPrincipal(identity)}:${target === 'folder' ? '(OI)(CI)' : ''}M`];
}

/**
 * icacls output as text. Redirected, it is UTF-16LE on some Windows versions and the OEM code page
 * on others: UTF-16 is recognised by its BOM or its zero bytes; anything else is read as UTF-8, so
 * a localised name with accents may not match, which only makes canWrite conservative (a grant by
 * SID follows, harmless). The module identities we look for (IIS AppPool\..., DOMAIN\svc) are ASCII.
 */
export function decodeOutput(bytes: Buffer): string {
  const utf16 = (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes.length >= 4 && bytes.subarray(0, 64).filter((b, i) => i % 2 === 1 && b === 0).length >= Math.min(32, bytes.length >> 1) / 2);
  return utf16 ? bytes.toString('utf16le').replace(/^\uFEFF/, '') : bytes.toString('utf8');
}

function run(file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { windowsHide: true, maxBuffer: 8 * 1024 * 1024, timeout: 60_000, encoding: 'buffer' }, (error, stdout, stderr) => {
      if (error) {
        const text = `${decodeOutput(stderr) || decodeOutput(stdout)}`.trim().split(/\r?\n/).slice(0, 3).join(' ');
        reject(new AltazionError('E_PLATFORM', `${file} ${args.join(' ')} failed: ${text || error.message}`, { target: args[0], cause: error }));
      } else resolve(decodeOutput(stdout));
    });
  });
}

async function targetKind(p: string): Promise<'folder' | 'file'> {
  return (await stat(p).then((s) => s.isDirectory(), () => true)) ? 'folder' : 'file';
}

/**
 * The security descriptor restrictToAdministrators must leave, in SDDL (locale-independent): owner
 * Administrators (BA); a protected DACL (P: nothing inherited from ProgramData) whose entries are
 * inherited by everything below (OICI on folders): Full control for Administrators and SYSTEM (SY),
 * and, when others may read, Read & execute (0x1200a9) for Users (BU). Children are then reset to
 * inherit only.
 */
export function adminOnlySddl(othersMayRead: boolean, target: 'folder' | 'file'): string {
  const inherit = target === 'folder' ? 'OICI' : '';
  const users = othersMayRead ? `(A;${inherit};0x1200a9;;;BU)` : '';
  return `O:BAD:PAI(A;${inherit};FA;;;BA)(A;${inherit};FA;;;SY)${users}`;
}

export class WindowsRights implements FolderRights {
  constructor(private readonly env: NodeJS.ProcessEnv) {}

  async canWrite(identity: string, folder: string): Promise<boolean> {
    const stdout = await run(icaclsExe(this.env), [folder]);
    return canWriteFromAces(parseIcaclsOutput(stdout, folder), identity, await targetKind(folder));
  }

  async grantModify(identity: string, folder: string): Promise<void> {
    await run(icaclsExe(this.env), grantArgs(folder, identity, await targetKind(folder)));
  }

  // Reading an ACL (owner and entries by SID) and setting a whole security descriptor are done by
  // the Windows bridge (C#: FileSystemSecurity by SID, never localised names). Until this build
  // carries it, both refuse: a hook is then not run and `repair` reports the check as Failed,
  // which is the safe side. Wiring (docs/security.md, "Windows"):
  //   othersAccess(p)  = bridge "which SIDs can write / read p" (owner included), minus
  //                      Administrators, SYSTEM and TrustedInstaller (docs/security.md)
  //   restrict(p, o)   = bridge set security descriptor adminOnlySddl(o.othersMayRead, kind) on p,
  //                      then every child reset to inherit only (no explicit entries)
  async othersAccess(target: string): Promise<OthersAccess> {
    throw bridgeMissing('read who can write', target);
  }

  async restrictToAdministrators(target: string, _options: { othersMayRead: boolean }): Promise<void> {
    throw bridgeMissing('make admin-only', target);
  }
}

function bridgeMissing(what: string, target: string): AltazionError {
  return new AltazionError('E_PLATFORM', `cannot ${what} ${target}: this build has no Windows ACL bridge`, {
    target, hint: 'check the rights by hand: only Administrators (S-1-5-32-544) and SYSTEM (S-1-5-18) may write it',
  });
}

// A stand-in for the Windows bridge's ACL operations, for tests only: NTFS rights kept in memory over
// a real folder tree, with the inheritance rules Windows applies (an entry with container-inherit
// reaches subfolders, object-inherit reaches files, an inherit-only entry applies to children only,
// CREATOR OWNER becomes the child's owner, a protected DACL inherits nothing). It answers the bridge
// protocol (acl.read / acl.setProtected / acl.inherit / acl.grant, services.list), so the product's
// real WindowsRights, BridgeClient and protocol code run against it.
import { lstatSync, statSync } from 'node:fs';
import path from 'node:path';
import { WindowsPlatform } from '../../src/platform/windows';
import type { BridgeTransport } from '../../src/platform/windows/bridge-client';

export const SID = {
  system: 'S-1-5-18',
  administrators: 'S-1-5-32-544',
  users: 'S-1-5-32-545',
  creatorOwner: 'S-1-3-0',
  trustedInstaller: 'S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464',
  /** A local user (on a shared RDP server, say). */
  user: 'S-1-5-21-1004336348-1177238915-682003330-1001',
  /** IIS AppPool\gestcom. */
  pool: 'S-1-5-82-3006700770-424185619-1745488364-794895919-4004696415',
} as const;

/** FileSystemRights by name (what acl.setProtected and acl.grant are given). */
export const RIGHTS = { FullControl: 0x1f01ff, Modify: 0x301bf, ReadAndExecute: 0x1200a9, CreateFilesAndFolders: 0x6 } as const;

export interface Ace { sid: string; allow: boolean; rights: number; containerInherit: boolean; objectInherit: boolean; inheritOnly: boolean }
interface Node { owner: string; protected: boolean; explicit: Ace[] }

export const ace = (sid: string, rights: number, flags: Partial<Ace> = {}): Ace => ({ sid, allow: true, rights, containerInherit: true, objectInherit: true, inheritOnly: false, ...flags });

/** C:\ProgramData as Windows sets it up: SYSTEM and Administrators full, users read and may create files and folders, CREATOR OWNER full on what it creates. */
/** C:\Program Files: TrustedInstaller, SYSTEM and Administrators full, users read and execute. */
export const PROGRAMFILES_ACL: Ace[] = [
  ace(SID.trustedInstaller, RIGHTS.FullControl), ace(SID.system, RIGHTS.FullControl), ace(SID.administrators, RIGHTS.FullControl), ace(SID.users, RIGHTS.ReadAndExecute),
];

export const PROGRAMDATA_ACL: Ace[] = [
  ace(SID.system, RIGHTS.FullControl), ace(SID.administrators, RIGHTS.FullControl),
  ace(SID.creatorOwner, RIGHTS.FullControl, { inheritOnly: true }),
  ace(SID.users, RIGHTS.ReadAndExecute), ace(SID.users, RIGHTS.CreateFilesAndFolders, { objectInherit: false }),
];

export class FakeNtfs {
  private readonly nodes = new Map<string, Node>();
  /** Every call the bridge received, in order. */
  readonly calls: Array<Record<string, unknown>> = [];
  /** Services the bridge lists (services.list). */
  services: Array<Record<string, unknown>> = [];

  /** Paths the bridge is refused access to on acl.inherit (ACCESS_DENIED, as for a file whose DACL excludes Administrators). */
  readonly refuse = new Set<string>();

  /** Each top folder stands for a system folder with its own protected ACL (ProgramData's, Program Files'). */
  constructor(private readonly tops: Record<string, Ace[]>) {
    for (const [top, acl] of Object.entries(tops)) this.nodes.set(top, { owner: SID.system, protected: true, explicit: acl });
  }

  /** Sets who owns a path and its explicit entries (what a user or a program did to it). */
  set(p: string, node: Partial<Node>): void {
    this.nodes.set(p, { owner: node.owner ?? this.node(p).owner, protected: node.protected ?? this.node(p).protected, explicit: node.explicit ?? this.node(p).explicit });
  }

  /** Who owns a path (Administrators unless set). */
  ownerOf(p: string): string {
    return this.node(p).owner;
  }

  private node(p: string): Node {
    return this.nodes.get(p) ?? { owner: SID.administrators, protected: false, explicit: [] };
  }

  /** The entries that apply to `p` (its own, then what it inherits), as acl.read reports them. */
  effective(p: string): Array<Ace & { inherited: boolean }> {
    const node = this.node(p);
    const own = node.explicit.map((e) => ({ ...e, inherited: false }));
    if (node.protected || p in this.tops || !Object.keys(this.tops).some((top) => p.startsWith(top + path.sep))) return own;
    const directory = statSync(p).isDirectory();
    const inherited: Array<Ace & { inherited: boolean }> = [];
    for (const parent of this.effective(path.dirname(p))) {
      if (directory && parent.containerInherit) inherited.push({ ...parent, inheritOnly: false, inherited: true });
      else if (directory && parent.objectInherit) inherited.push({ ...parent, inheritOnly: true, inherited: true });
      else if (!directory && parent.objectInherit) inherited.push({ ...parent, containerInherit: false, objectInherit: false, inheritOnly: false, inherited: true });
    }
    // CREATOR OWNER stands for the owner of what it reaches (and stays inheritable on folders).
    const expanded = inherited.flatMap((e) => (e.sid !== SID.creatorOwner || e.inheritOnly ? [e]
      : [{ ...e, sid: node.owner, containerInherit: false, objectInherit: false }, ...(directory ? [{ ...e, inheritOnly: true }] : [])]));
    return [...own, ...expanded];
  }

  private answer(call: Record<string, unknown>): { ok: boolean; value?: unknown; error?: unknown } {
    const p = String(call.path ?? '');
    const exists = (() => { try { lstatSync(p); return true; } catch { return false; } })();
    const notFound = { ok: false, error: { code: 'NOT_FOUND', message: `${p} does not exist` } };
    switch (call.op) {
      case 'acl.read': {
        if (!exists) return notFound;
        const node = this.node(p);
        return { ok: true, value: { path: p, directory: statSync(p).isDirectory(), owner: { sid: node.owner, name: null }, protected: node.protected, entries: this.effective(p).map((e) => ({ ...e, name: null, noPropagate: false })) } };
      }
      case 'acl.setProtected': {
        if (!exists) return notFound;
        const directory = statSync(p).isDirectory();
        const grants = call.grants as Array<{ sid: string; rights: keyof typeof RIGHTS }>;
        this.nodes.set(p, { owner: String(call.owner ?? this.node(p).owner), protected: true, explicit: grants.map((g) => ace(g.sid, RIGHTS[g.rights], directory ? {} : { containerInherit: false, objectInherit: false })) });
        return { ok: true, value: true };
      }
      case 'acl.inherit': {
        if (!exists) return notFound;
        if (lstatSync(p).isSymbolicLink()) return { ok: false, error: { code: 'REPARSE_POINT', message: `${p} is a link` } };
        if (this.refuse.has(p)) return { ok: false, error: { code: 'ACCESS_DENIED', message: 'Accès refusé.', win32: 5 } };
        this.nodes.set(p, { owner: String(call.owner ?? this.node(p).owner), protected: false, explicit: [] });
        return { ok: true, value: true };
      }
      case 'acl.grant': {
        if (!exists) return notFound;
        const node = this.node(p);
        this.nodes.set(p, { ...node, explicit: [...node.explicit, ace(String(call.sid), RIGHTS.Modify, statSync(p).isDirectory() ? {} : { containerInherit: false, objectInherit: false })] });
        return { ok: true, value: true };
      }
      case 'services.list': return { ok: true, value: this.services };
      default: return { ok: false, error: { code: 'UNKNOWN_OPERATION', message: `unknown bridge operation '${String(call.op)}'` } };
    }
  }

  /** The transport: one request, one answer per call, in order. */
  readonly transport: BridgeTransport = async (request) => {
    const { calls } = JSON.parse(request) as { calls: Array<Record<string, unknown>> };
    this.calls.push(...calls);
    this.requests++;
    return JSON.stringify({ v: 1, results: calls.map((c) => this.answer(c)) });
  };

  /** How many bridge requests were made (calls of one turn travel together). */
  requests = 0;

  /** A Windows platform whose bridge is this (edge-js host, as in node.exe with the .NET Framework). */
  platform(): WindowsPlatform {
    return new WindowsPlatform({}, 'SRV01', {
      execPath: 'C:\\Program Files\\Altazion\\Update\\node.exe',
      probe: async () => ({ netfxRelease: 528040, iisInstalled: false, oemCodePage: 850 }),
      hosts: { edge: () => this.transport, powershell: async () => { throw new Error('not used'); } },
    });
  }
}

// Folder rights on Windows through the bridge, by SID: acl.read gives the owner and the entries;
// identities become SIDs by the well-known table or accounts.resolve. Names are never compared
// (they are localised: "AUTORITE NT\Système" is S-1-5-18 on a French server).
import { AltazionError } from '../../core/errors';
import { msg } from '../../core/messages';
import { canWriteFolder, knownGroupSids, wellKnownSid, writersOf } from '../rights';
import type { AclEntry, AclInfo, FolderRights, Principal } from '../types';
import type { BridgeClient } from './bridge-client';

interface BridgeAcl { path: string; owner: { sid: string; name: string | null } | null; protected: boolean; entries: Array<AclEntry & { name: string | null }> }

function principal(p: { sid: string; name: string | null }): Principal {
  return { sid: p.sid, ...(p.name ? { name: p.name } : {}) };
}

export function aclFrom(acl: BridgeAcl): AclInfo {
  const entries = acl.entries.map((e) => ({ ...e, ...principal(e) }) as AclEntry);
  for (const e of entries) if ((e as { name?: string | null }).name === null) delete (e as { name?: string | null }).name;
  return { path: acl.path, ...(acl.owner ? { owner: principal(acl.owner) } : {}), protected: acl.protected, entries, writers: writersOf(entries) };
}

export class WindowsRights implements FolderRights {
  constructor(private readonly bridge: BridgeClient) {}

  /** The identity's SID: well-known accounts by table, others through the bridge (one call, batched with others). */
  private async sidOf(identity: string): Promise<string> {
    const known = wellKnownSid(identity);
    if (known) return known;
    const [resolved] = await this.bridge.call<Array<{ name: string; sid: string | null }>>({ op: 'accounts.resolve', names: [identity.trim().replace(/^\.\\/, '')] }, identity);
    if (!resolved?.sid) throw new AltazionError('E_PLATFORM', msg('platform.accountUnknown', { identity }), { target: identity });
    return resolved.sid;
  }

  async readAcl(path: string): Promise<AclInfo> {
    return aclFrom(await this.bridge.call<BridgeAcl>({ op: 'acl.read', path }, path));
  }

  async canWrite(identity: string, folder: string): Promise<boolean> {
    const [sid, acl] = await Promise.all([this.sidOf(identity), this.readAcl(folder)]);
    return canWriteFolder(acl.entries, [sid, ...knownGroupSids(identity)]);
  }

  async grantModify(identity: string, folder: string): Promise<void> {
    const sid = await this.sidOf(identity);
    await this.bridge.call({ op: 'acl.grant', path: folder, sid, rights: 'Modify' }, folder);
  }
}

// IIS on Windows through the bridge (AltazionBridge.Iis: Microsoft.Web.Administration). One call,
// iis.list, gives sites, applications and pools; on a server without IIS (no W3SVC service: only
// services and the database) there is nothing to list and nothing is loaded.
import { AltazionError } from '../../core/errors';
import { msg } from '../../core/messages';
import type { AppPool, IisApplication, IisControl, PoolState } from '../types';
import type { BridgeClient } from './bridge-client';

interface IisList {
  sites: Array<{ name: string; bindings: Array<{ protocol: string; bindingInformation: string }> }>;
  applications: Array<{ site: string; virtualPath: string; physicalPath: string; appPool: string }>;
  pools: Array<{ name: string; state: string; identityType: string; userName: string | null }>;
}

export function poolState(text: string | undefined): PoolState {
  const states: PoolState[] = ['Started', 'Starting', 'Stopped', 'Stopping'];
  return states.find((s) => s.toLowerCase() === (text ?? '').toLowerCase()) ?? 'Unknown';
}

/** The account a pool runs as (ProcessModelIdentityType names, Microsoft.Web.Administration). */
export function poolIdentity(name: string, identityType: string | undefined, userName: string | null | undefined): string {
  switch ((identityType ?? 'ApplicationPoolIdentity').toLowerCase()) {
    case 'localsystem': return 'NT AUTHORITY\\SYSTEM';
    case 'localservice': return 'NT AUTHORITY\\LOCAL SERVICE';
    case 'networkservice': return 'NT AUTHORITY\\NETWORK SERVICE';
    case 'specificuser': return userName || 'SpecificUser';
    default: return `IIS AppPool\\${name}`;
  }
}

/** A URL for the first http(s) binding (`*:80:host`), with the application's path. */
export function urlFromBinding(protocol: string, bindingInformation: string, virtualPath: string): string | undefined {
  if (!/^https?$/i.test(protocol)) return undefined;
  const m = /^([^:]*|\[[^\]]*\]):(\d+):(.*)$/.exec(bindingInformation.trim());
  if (!m) return undefined;
  const [, ip, port, hostHeader] = m;
  const host = hostHeader || (ip === '*' || ip === '' ? 'localhost' : ip);
  const scheme = protocol.toLowerCase();
  const defaultPort = scheme === 'https' ? '443' : '80';
  return `${scheme}://${host}${port === defaultPort ? '' : `:${port}`}${virtualPath.startsWith('/') ? virtualPath : `/${virtualPath}`}`;
}

export function applicationsFrom(list: IisList): IisApplication[] {
  return list.applications.map((a) => {
    const site = list.sites.find((s) => s.name.toLowerCase() === a.site.toLowerCase());
    const url = site?.bindings.map((b) => urlFromBinding(b.protocol, b.bindingInformation, a.virtualPath)).find(Boolean);
    return { site: a.site, virtualPath: a.virtualPath, physicalPath: a.physicalPath, appPool: a.appPool, ...(url ? { url } : {}) };
  });
}

export function poolsFrom(list: IisList): AppPool[] {
  return list.pools.map((p) => ({ name: p.name, state: poolState(p.state), identity: poolIdentity(p.name, p.identityType, p.userName) }));
}

export class WindowsIis implements IisControl {
  constructor(private readonly bridge: BridgeClient, private readonly iisInstalled: () => Promise<boolean>) {}

  installed(): Promise<boolean> {
    return this.iisInstalled();
  }

  private async list(): Promise<IisList | undefined> {
    if (!(await this.iisInstalled())) return undefined;
    return this.bridge.call<IisList>({ op: 'iis.list' });
  }

  async listApplications(): Promise<IisApplication[]> {
    const list = await this.list();
    return list ? applicationsFrom(list) : [];
  }

  async listPools(): Promise<AppPool[]> {
    const list = await this.list();
    return list ? poolsFrom(list) : [];
  }

  async getPool(name: string): Promise<AppPool | undefined> {
    return (await this.listPools()).find((p) => p.name.toLowerCase() === name.toLowerCase());
  }

  private async requireIis(name: string): Promise<void> {
    if (!(await this.iisInstalled())) {
      throw new AltazionError('E_REQUIREMENT', msg('platform.noIis', { name }), { target: name });
    }
  }

  async stopPool(name: string): Promise<void> {
    await this.requireIis(name);
    await this.bridge.call({ op: 'iis.stopPool', name }, name);
  }

  async startPool(name: string): Promise<void> {
    await this.requireIis(name);
    await this.bridge.call({ op: 'iis.startPool', name }, name);
  }
}

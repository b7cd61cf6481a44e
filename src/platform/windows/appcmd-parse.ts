// appcmd.exe (IIS 7+, %windir%\system32\inetsrv\appcmd.exe) command lines and the parsing of its
// `/xml` output, pure. Documented shapes (IIS "Getting Started with AppCmd.exe"):
//   appcmd list app /xml            <appcmd><APP APP.NAME="Default Web Site/gestcom" path="/gestcom" APPPOOL.NAME="gestcom" SITE.NAME="Default Web Site" /></appcmd>
//   appcmd list vdir /xml           <VDIR VDIR.NAME="Default Web Site/gestcom/" APP.NAME="Default Web Site/gestcom" path="/" physicalPath="D:\app\gestcom" />
//   appcmd list apppool /config /xml <APPPOOL APPPOOL.NAME="gestcom" state="Started" ...><add name="gestcom"><processModel identityType="..." userName="..."/></add></APPPOOL>
//   appcmd list site /xml           <SITE SITE.NAME="Default Web Site" SITE.ID="1" bindings="http/*:80:,https/*:443:" state="Started" />
//   appcmd stop apppool /apppool.name:<name>   appcmd start apppool /apppool.name:<name>
import { attr, children, parseXml, type XmlElement } from '../../config/xml';
import type { AppPool, IisApplication, PoolState } from '../types';

export function appcmdPath(env: NodeJS.ProcessEnv): string {
  const windir = env.windir ?? env.WINDIR ?? env.SystemRoot ?? 'C:\\Windows';
  return `${windir.replace(/\\+$/, '')}\\system32\\inetsrv\\appcmd.exe`;
}

export const appcmdArgs = {
  listApps: () => ['list', 'app', '/xml'],
  listVdirs: () => ['list', 'vdir', '/xml'],
  listPools: () => ['list', 'apppool', '/config', '/xml'],
  listSites: () => ['list', 'site', '/xml'],
  stopPool: (name: string) => ['stop', 'apppool', `/apppool.name:${name}`],
  startPool: (name: string) => ['start', 'apppool', `/apppool.name:${name}`],
};

function root(xml: string, what: string): XmlElement {
  const doc = parseXml(xml, `appcmd ${what}`);
  const top = doc.appcmd;
  return top && typeof top === 'object' && !Array.isArray(top) ? top : {};
}

/** Expands %VAR% references (physicalPath often starts with %SystemDrive%). */
export function expandEnv(value: string, env: NodeJS.ProcessEnv): string {
  return value.replace(/%([^%]+)%/g, (whole, name: string) => {
    const key = Object.keys(env).find((k) => k.toLowerCase() === name.toLowerCase());
    return key ? String(env[key]) : whole;
  });
}

export function parsePoolState(text: string | undefined): PoolState {
  switch ((text ?? '').toLowerCase()) {
    case 'started': return 'Started';
    case 'starting': return 'Starting';
    case 'stopped': return 'Stopped';
    case 'stopping': return 'Stopping';
    default: return 'Unknown';
  }
}

/** The account a pool runs as, from processModel (ApplicationPoolIdentity when not set). */
export function poolIdentity(name: string, identityType: string | undefined, userName: string | undefined): string {
  switch ((identityType ?? 'ApplicationPoolIdentity').toLowerCase()) {
    case 'localsystem': return 'NT AUTHORITY\\SYSTEM';
    case 'localservice': return 'NT AUTHORITY\\LOCAL SERVICE';
    case 'networkservice': return 'NT AUTHORITY\\NETWORK SERVICE';
    case 'specificuser': return userName || 'SpecificUser';
    default: return `IIS AppPool\\${name}`;
  }
}

export function parseAppPools(xml: string): AppPool[] {
  return children(root(xml, 'list apppool'), 'apppool').map((p) => {
    const name = attr(p, 'apppool.name') ?? '';
    const add = children(p, 'add')[0];
    const model = add ? children(add, 'processmodel')[0] : undefined;
    return { name, state: parsePoolState(attr(p, 'state')), identity: poolIdentity(name, model && attr(model, 'identitytype'), model && attr(model, 'username')) };
  }).filter((p) => p.name !== '');
}

/** A URL for the first http(s) binding (`http/*:80:host`), with the application's path. */
export function urlFromBindings(bindings: string | undefined, virtualPath: string): string | undefined {
  for (const binding of (bindings ?? '').split(',')) {
    const m = /^(https?)\/([^:]*|\[[^\]]*\]):(\d+):(.*)$/i.exec(binding.trim());
    if (!m) continue;
    const [, protocol, ip, port, hostHeader] = m;
    const host = hostHeader || (ip === '*' || ip === '' ? 'localhost' : ip);
    const defaultPort = protocol.toLowerCase() === 'https' ? '443' : '80';
    return `${protocol.toLowerCase()}://${host}${port === defaultPort ? '' : `:${port}`}${virtualPath.startsWith('/') ? virtualPath : `/${virtualPath}`}`;
  }
  return undefined;
}

/** Joins `list app`, `list vdir` and `list site`: each application with the physical path of its root vdir. */
export function parseApplications(appsXml: string, vdirsXml: string, sitesXml: string | undefined, env: NodeJS.ProcessEnv): IisApplication[] {
  const roots = new Map<string, string>();
  for (const v of children(root(vdirsXml, 'list vdir'), 'vdir')) {
    if ((attr(v, 'path') ?? '') !== '/') continue;
    const app = attr(v, 'app.name');
    const physical = attr(v, 'physicalpath');
    if (app && physical) roots.set(app.toLowerCase(), expandEnv(physical, env));
  }
  const bindings = new Map<string, string>();
  if (sitesXml) for (const s of children(root(sitesXml, 'list site'), 'site')) bindings.set((attr(s, 'site.name') ?? '').toLowerCase(), attr(s, 'bindings') ?? '');
  const out: IisApplication[] = [];
  for (const a of children(root(appsXml, 'list app'), 'app')) {
    const appName = attr(a, 'app.name') ?? '';
    const physicalPath = roots.get(appName.toLowerCase());
    if (!physicalPath) continue;
    const site = attr(a, 'site.name') ?? appName.split('/')[0];
    const virtualPath = attr(a, 'path') ?? '/';
    const url = urlFromBindings(bindings.get(site.toLowerCase()), virtualPath);
    out.push({ site, virtualPath, physicalPath, appPool: attr(a, 'apppool.name') ?? '', ...(url ? { url } : {}) });
  }
  return out;
}

// bin\updates\updater.config: our own settings (SPEC §4, §12; earlier in bin\config). Example:
//   <updater>
//     <feed location="https://updates.altazion.com/onpremise/" />   (or D:\feed, or \\srv\share\feed)
//     <trustedKey id="altazion-2026" publicKey="MCowBQYDK2VwAyEA..." />
//     <check intervalMinutes="240" />
//     <portal port="8080" />
//     <proxy url="http://proxy.local:3128" />
//     <host kind="windows" />                        (sandbox: <host kind="sandbox" state="..\host\state.json" />)
//     <install keepBackups="3" lockWaitSeconds="120" minFreeMegabytes="512">   (powershell="C:\...\pwsh.exe": another hook interpreter)
//       <preserve pattern="e.config" />
//     </install>
//   </updater>
import { configError } from '../core/errors';
import { attr, attrOrChild, children, parseIntegerAttr, parseXml, rootElement, type XmlElement } from './xml';
import type { PathApi } from './paths';

export interface TrustedKey { id: string; publicKey: string }

export interface UpdaterConfig {
  file: string;
  /** URL (http/https) or folder / UNC path, resolved against the config folder when relative. */
  feedLocation?: string;
  trustedKeys: TrustedKey[];
  checkIntervalMinutes: number;
  portalPort: number;
  proxy?: string;
  hostKind: 'windows' | 'sandbox';
  /** Sandbox only: the simulated host's state file. */
  hostState?: string;
  install: {
    keepBackups: number;
    lockWaitSeconds: number;
    /** Absolute path of the hook interpreter; undefined: the system's Windows PowerShell (src/install/hooks.ts). */
    powershell?: string;
    minFreeMegabytes: number;
    /** File names or simple globs (relative to the module folder) carried into each new version. */
    preserve: string[];
  };
}

export const DEFAULT_PRESERVE = ['e.config'];

export function defaultUpdaterConfig(file: string): UpdaterConfig {
  return {
    file,
    trustedKeys: [],
    checkIntervalMinutes: 240,
    portalPort: 8080,
    hostKind: 'windows',
    install: { keepBackups: 3, lockWaitSeconds: 120, minFreeMegabytes: 512, preserve: [...DEFAULT_PRESERVE] },
  };
}

function single(root: XmlElement, name: string, file: string): XmlElement | undefined {
  const list = children(root, name);
  if (list.length > 1) throw configError(file, `<${name}>`, 'declared more than once');
  return list[0];
}

/** Parses updater.config; `configDir` and `api` resolve relative paths (feed folder, sandbox state). */
export function parseUpdaterConfig(input: Uint8Array | string, file: string, configDir: string, api: PathApi): UpdaterConfig {
  const root = rootElement(parseXml(input, file), 'updater', file);
  const config = defaultUpdaterConfig(file);

  const feed = single(root, 'feed', file);
  if (feed) {
    const location = (attrOrChild(feed, 'location') ?? attrOrChild(feed, 'url') ?? '').trim();
    if (!location) throw configError(file, '<feed> @location', 'required attribute is missing or empty');
    config.feedLocation = /^https?:\/\//i.test(location) || api.isAbsolute(location) || location.startsWith('\\\\')
      ? location
      : api.resolve(configDir, location);
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location) && !/^https?:\/\//i.test(location)) {
      throw configError(file, '<feed> @location', `"${location}": only http(s) URLs and folder paths are supported`);
    }
  }

  children(root, 'trustedkey').forEach((key, index) => {
    const where = `<trustedKey> #${index + 1}`;
    const id = attr(key, 'id')?.trim();
    const publicKey = (attrOrChild(key, 'publickey') ?? '').trim();
    if (!id) throw configError(file, `${where} @id`, 'required attribute is missing or empty');
    if (!publicKey) throw configError(file, `${where} (${id}) @publicKey`, 'required attribute is missing or empty');
    if (config.trustedKeys.some((k) => k.id === id)) throw configError(file, `${where} @id`, `key id "${id}" is declared twice`);
    config.trustedKeys.push({ id, publicKey });
  });

  const check = single(root, 'check', file);
  if (check) config.checkIntervalMinutes = parseIntegerAttr(attr(check, 'intervalminutes'), file, '<check> @intervalMinutes', 240, 1);

  const portal = single(root, 'portal', file);
  if (portal) {
    config.portalPort = parseIntegerAttr(attr(portal, 'port'), file, '<portal> @port', 8080, 0);
    if (config.portalPort > 65535) throw configError(file, '<portal> @port', `${config.portalPort} is not a TCP port`);
  }

  const proxy = single(root, 'proxy', file);
  if (proxy) {
    const url = (attrOrChild(proxy, 'url') ?? '').trim();
    if (url && !/^https?:\/\//i.test(url)) throw configError(file, '<proxy> @url', `"${url}" is not an http(s) URL`);
    if (url) config.proxy = url;
  }

  const host = single(root, 'host', file);
  if (host) {
    const kind = (attr(host, 'kind') ?? 'windows').trim().toLowerCase();
    if (kind !== 'windows' && kind !== 'sandbox') throw configError(file, '<host> @kind', `"${kind}" is not windows or sandbox`);
    config.hostKind = kind;
    const state = attr(host, 'state')?.trim();
    if (kind === 'sandbox') {
      if (!state) throw configError(file, '<host> @state', 'a sandbox host needs its state file');
      config.hostState = api.resolve(configDir, state);
    }
  }

  const install = single(root, 'install', file);
  if (install) {
    const i = config.install;
    i.keepBackups = parseIntegerAttr(attr(install, 'keepbackups'), file, '<install> @keepBackups', i.keepBackups, 0);
    i.lockWaitSeconds = parseIntegerAttr(attr(install, 'lockwaitseconds'), file, '<install> @lockWaitSeconds', i.lockWaitSeconds, 0);
    i.minFreeMegabytes = parseIntegerAttr(attr(install, 'minfreemegabytes'), file, '<install> @minFreeMegabytes', i.minFreeMegabytes, 0);
    // A bare `powershell.exe` (what earlier versions wrote) means the system's one, by absolute
    // path; anything else must be absolute: a name would be looked up in PATH by the SYSTEM service.
    const powershell = attr(install, 'powershell')?.trim();
    if (powershell && !/^powershell(\.exe)?$/i.test(powershell)) {
      if (!api.isAbsolute(powershell)) throw configError(file, '<install> @powershell', `"${powershell}" must be an absolute path (or be left out: the system's Windows PowerShell)`);
      i.powershell = powershell;
    }
    const preserve = children(install, 'preserve').map((p, index) => {
      const pattern = attr(p, 'pattern')?.trim();
      if (!pattern) throw configError(file, `<preserve> #${index + 1} @pattern`, 'required attribute is missing or empty');
      if (pattern.includes('..') || api.isAbsolute(pattern)) throw configError(file, `<preserve> #${index + 1} @pattern`, `"${pattern}" must be relative to the module folder`);
      return pattern;
    });
    // e.config always survives an update (SPEC §2): configured patterns add to it.
    i.preserve = [...new Set([...DEFAULT_PRESERVE, ...preserve])];
  }
  return config;
}

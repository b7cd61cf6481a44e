// bin\updates\updater.config: our own settings (SPEC §4, §12; earlier in bin\config). Admin-only: it
// holds the trusted keys, the hook interpreter and the notification secrets. Example:
//   <updater>
//     <feed location="https://updates.altazion.com/onpremise/" />   (or D:\feed, or \\srv\share\feed)
//     <trustedKey id="altazion-2026" publicKey="MCowBQYDK2VwAyEA..." />
//     <check intervalMinutes="240" />
//     <portal port="8080" fallbackPort="8081" />       (fallbackPort: used when port is taken, e.g. by
//                                                     the legacy EMainServer serving the old portal)
//     <proxy url="http://proxy.local:3128" />
//     <host kind="windows" />                        (sandbox: <host kind="sandbox" state="..\host\state.json" />)
//     <install keepBackups="3" backups="zip" lockWaitSeconds="120" minFreeMegabytes="512">   (powershell="C:\...\pwsh.exe": another hook interpreter)
//       <preserve pattern="e.config" />
//     </install>
//     <database backup="copy-only" backupFolder="D:\SQLBackups" />   (a COPY_ONLY backup before database scripts;
//                                                                      the folder as the SQL Server service sees it)
//     <maintenance>                                   (installs without anyone, in weekly windows)
//       <window days="saturday,sunday" start="02:00" end="05:00" />
//       <autoInstall module="ecommerce" />           (never a customised database)
//     </maintenance>
//     <notifications language="fr" on="updatesFound,installSucceeded,installFailed,manualAction">
//       <email host="smtp.example.com" port="587" security="starttls" user="..." password="..."
//              from="altazion@example.com" to="admin@example.com, ops@example.com" />
//       <webhook url="https://example.webhook.office.com/..." />   (Teams, Slack: {"text": ...})
//     </notifications>
//   </updater>
import { configError } from '../core/errors';
import { msg, type Message } from '../core/messages';
import { attr, attrOrChild, children, decodeText, parseIntegerAttr, parseXml, rootElement, unknownNames, type UnknownName, type XmlElement, type XmlSchema } from './xml';
import { canonicalModuleName, KNOWN_MODULES } from '../core/modules';
import { parseDays, parseTimeOfDay, type AutoInstallPolicy } from './maintenance';
import type { PathApi } from './paths';

export interface TrustedKey { id: string; publicKey: string }

export interface UpdaterConfig {
  file: string;
  /** URL (http/https) or folder / UNC path, resolved against the config folder when relative. */
  feedLocation?: string;
  trustedKeys: TrustedKey[];
  checkIntervalMinutes: number;
  portalPort: number;
  /** The port `service run` listens on when portalPort is taken (the legacy portal holds 8080). */
  portalFallbackPort: number;
  proxy?: string;
  hostKind: 'windows' | 'sandbox';
  /** Sandbox only: the simulated host's state file. */
  hostState?: string;
  install: {
    keepBackups: number;
    /**
     * What becomes of the previous folder (renamed aside by the swap, it is the backup at no cost):
     * 'zip' compresses it into bin\updates\backups later (the service, `check`), never before the
     * install reports; 'folder' keeps it as a folder beside the module.
     */
    backups: 'zip' | 'folder';
    lockWaitSeconds: number;
    /** Absolute path of the hook interpreter; undefined: the system's Windows PowerShell (src/install/hooks.ts). */
    powershell?: string;
    minFreeMegabytes: number;
    /** File names or simple globs (relative to the module folder) carried into each new version. */
    preserve: string[];
  };
  /** `<database backup="copy-only" backupFolder="...">`: where the COPY_ONLY backup goes before database scripts run. */
  database?: { backupFolder?: string };
  /** Weekly windows in which chosen modules are installed automatically (none by default). */
  maintenance: AutoInstallPolicy;
  notifications: NotificationsConfig;
  /**
   * Elements and attributes this version does not know (a typo, or a setting of a newer version):
   * ignored, the defaults apply. Whoever loads the file for a command warns about them (context.ts).
   */
  unknown: UnknownName[];
}

/** What is notified (the Event Log always gets every event). */
export const NOTIFIED_EVENTS = ['updatesFound', 'installSucceeded', 'installFailed', 'manualAction', 'repairFixed', 'feedRefused', 'scheduleMissed'] as const;
export type NotifiedEvent = (typeof NOTIFIED_EVENTS)[number];
export const DEFAULT_NOTIFIED: readonly NotifiedEvent[] = ['updatesFound', 'installSucceeded', 'installFailed', 'manualAction', 'feedRefused', 'scheduleMissed'];

export interface EmailConfig {
  host: string;
  port: number;
  /** tls: TLS from the start (465); starttls: upgrade required (587); none: plain (a relay on the LAN). */
  security: 'tls' | 'starttls' | 'none';
  user?: string;
  /** A secret: never printed, never logged. */
  password?: string;
  from: string;
  to: string[];
}

export interface WebhookConfig {
  /** A secret too (the URL is the credential of Teams and Slack webhooks): only its host is ever shown. */
  url: string;
}

export interface NotificationsConfig {
  language: 'fr' | 'en';
  on: NotifiedEvent[];
  email?: EmailConfig;
  webhooks: WebhookConfig[];
}

export const DEFAULT_PRESERVE = ['e.config'];
/** The port of the seed's portal (http://localhost:8080), and the one ours takes when it is in use. */
export const DEFAULT_PORTAL_PORT = 8080;
export const DEFAULT_PORTAL_FALLBACK_PORT = 8081;

export function defaultUpdaterConfig(file: string): UpdaterConfig {
  return {
    file,
    trustedKeys: [],
    checkIntervalMinutes: 240,
    portalPort: DEFAULT_PORTAL_PORT,
    portalFallbackPort: DEFAULT_PORTAL_FALLBACK_PORT,
    hostKind: 'windows',
    install: { keepBackups: 3, backups: 'zip', lockWaitSeconds: 120, minFreeMegabytes: 512, preserve: [...DEFAULT_PRESERVE] },
    maintenance: { windows: [], modules: [] },
    notifications: { language: 'fr', on: [...DEFAULT_NOTIFIED], webhooks: [] },
    unknown: [],
  };
}

/**
 * Every setting this version reads, spelled as documented (compared case-insensitively). A name
 * read by the parser below and missing here would be reported as unknown: keep the two together.
 */
export const UPDATER_CONFIG_SCHEMA: XmlSchema = {
  children: {
    // attrOrChild: <feed><location>...</location></feed> is read too.
    feed: { attributes: ['location', 'url'], children: { location: {}, url: {} } },
    trustedKey: { attributes: ['id', 'publicKey'], children: { publicKey: {} } },
    check: { attributes: ['intervalMinutes'] },
    portal: { attributes: ['port', 'fallbackPort'] },
    proxy: { attributes: ['url'], children: { url: {} } },
    host: { attributes: ['kind', 'state'] },
    install: {
      attributes: ['keepBackups', 'backups', 'lockWaitSeconds', 'minFreeMegabytes', 'powershell'],
      children: { preserve: { attributes: ['pattern'] } },
    },
    database: { attributes: ['backup', 'backupFolder'] },
    maintenance: {
      children: {
        window: { attributes: ['days', 'day', 'start', 'end'] },
        autoInstall: { attributes: ['module'] },
      },
    },
    notifications: {
      attributes: ['language', 'on'],
      children: {
        email: { attributes: ['host', 'port', 'security', 'user', 'password', 'from', 'to'] },
        webhook: { attributes: ['url'] },
      },
    },
  },
};

/**
 * The warning for a name this version does not know, e.g. `updater.config: <install> @keepBackup is
 * not a setting of this version (did you mean keepBackups?); it is ignored`.
 */
export function unknownSettingMessage(file: string, unknown: UnknownName): Message {
  const setting = unknown.kind === 'attribute' ? `${unknown.where || '<updater>'} @${unknown.name}` : `${unknown.where}<${unknown.name}>`;
  if (unknown.suggestion === undefined) return msg('config.unknownSetting', { file, setting });
  const element = /<([^<>]+)>$/.exec(unknown.where)?.[1] ?? 'updater';
  const suggestion = unknown.kind === 'attribute' ? unknown.suggestion
    : unknown.suggestionIsAttribute ? `<${element} ${unknown.suggestion}="...">` : `<${unknown.suggestion}>`;
  return msg('config.unknownSettingSuggest', { file, setting, suggestion });
}

function single(root: XmlElement, name: string, file: string): XmlElement | undefined {
  const list = children(root, name);
  if (list.length > 1) throw configError(file, `<${name}>`, 'declared more than once');
  return list[0];
}

/** Parses updater.config; `configDir` and `api` resolve relative paths (feed folder, sandbox state). */
export function parseUpdaterConfig(input: Uint8Array | string, file: string, configDir: string, api: PathApi): UpdaterConfig {
  const text = typeof input === 'string' ? input : decodeText(input);
  const root = rootElement(parseXml(text, file), 'updater', file);
  const config = defaultUpdaterConfig(file);
  // Tolerant: a newer file read by this version still works; what it cannot use is named, not refused.
  config.unknown = unknownNames(root, UPDATER_CONFIG_SCHEMA, '', text);

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
    config.portalPort = parseIntegerAttr(attr(portal, 'port'), file, '<portal> @port', DEFAULT_PORTAL_PORT, 0);
    if (config.portalPort > 65535) throw configError(file, '<portal> @port', `${config.portalPort} is not a TCP port`);
    config.portalFallbackPort = parseIntegerAttr(attr(portal, 'fallbackport'), file, '<portal> @fallbackPort', DEFAULT_PORTAL_FALLBACK_PORT, 1);
    if (config.portalFallbackPort > 65535) throw configError(file, '<portal> @fallbackPort', `${config.portalFallbackPort} is not a TCP port`);
    if (config.portalFallbackPort === config.portalPort) {
      throw configError(file, '<portal> @fallbackPort', `${config.portalFallbackPort} is the same as @port: the fallback must be another port`);
    }
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
    const backups = (attr(install, 'backups') ?? i.backups).trim().toLowerCase();
    if (backups !== 'zip' && backups !== 'folder') throw configError(file, '<install> @backups', `"${backups}" is not zip or folder`);
    i.backups = backups;
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

  const database = single(root, 'database', file);
  if (database) {
    const backup = (attr(database, 'backup') ?? 'none').trim().toLowerCase();
    if (backup !== 'none' && backup !== 'copy-only') throw configError(file, '<database> @backup', `"${backup}" is not none or copy-only`);
    const folder = attr(database, 'backupfolder')?.trim();
    if (backup === 'copy-only') {
      if (!folder) throw configError(file, '<database> @backupFolder', 'backup="copy-only" needs the folder the SQL Server service writes the backup to');
      config.database = { backupFolder: folder };
    }
  }
  const maintenance = single(root, 'maintenance', file);
  if (maintenance) config.maintenance = parseMaintenance(maintenance, file);
  const notifications = single(root, 'notifications', file);
  if (notifications) config.notifications = parseNotifications(notifications, file);
  return config;
}

function parseMaintenance(element: XmlElement, file: string): AutoInstallPolicy {
  const windows = children(element, 'window').map((w, index) => {
    const where = `<maintenance><window> #${index + 1}`;
    const daysText = attr(w, 'days') ?? attr(w, 'day');
    if (!daysText?.trim()) throw configError(file, `${where} @days`, 'required attribute is missing or empty (e.g. days="saturday,sunday")');
    const days = parseDays(daysText);
    if (!Array.isArray(days)) throw configError(file, `${where} @days`, `"${days.unknown}" is not a day of the week (monday..sunday, lundi..dimanche, or *)`);
    const time = (name: 'start' | 'end') => {
      const text = attr(w, name);
      const minutes = text === undefined ? undefined : parseTimeOfDay(text);
      if (minutes === undefined) throw configError(file, `${where} @${name}`, `"${text ?? ''}" is not a time of day (HH:MM)`);
      return minutes;
    };
    const start = time('start');
    const end = time('end');
    if (start === end) throw configError(file, `${where} @end`, `the window from ${attr(w, 'start')} to ${attr(w, 'end')} is empty`);
    return { days, start, end };
  });
  const modules = children(element, 'autoinstall').map((a, index) => {
    const where = `<maintenance><autoInstall> #${index + 1} @module`;
    const name = attr(a, 'module')?.trim();
    if (!name) throw configError(file, where, 'required attribute is missing or empty');
    const key = canonicalModuleName(name);
    if (!KNOWN_MODULES.some((m) => m.key === key)) throw configError(file, where, `"${name}" is not a module (${KNOWN_MODULES.map((m) => m.key).join(', ')})`);
    return key;
  });
  if (modules.length > 0 && windows.length === 0) throw configError(file, '<maintenance><window>', 'automatic installs need at least one window');
  return { windows, modules: [...new Set(modules)] };
}

function parseNotifications(element: XmlElement, file: string): NotificationsConfig {
  const out: NotificationsConfig = { language: 'fr', on: [...DEFAULT_NOTIFIED], webhooks: [] };
  const language = attr(element, 'language')?.trim().toLowerCase();
  if (language !== undefined && language !== '') {
    if (language !== 'fr' && language !== 'en') throw configError(file, '<notifications> @language', `"${language}" is not fr or en`);
    out.language = language;
  }
  const on = attr(element, 'on');
  if (on !== undefined && on.trim() !== '') {
    out.on = on.split(/[,;\s]+/).filter(Boolean).map((name) => {
      const found = NOTIFIED_EVENTS.find((e) => e.toLowerCase() === name.toLowerCase());
      if (!found) throw configError(file, '<notifications> @on', `"${name}" is not an event (${NOTIFIED_EVENTS.join(', ')})`);
      return found;
    });
  }
  const emails = children(element, 'email');
  if (emails.length > 1) throw configError(file, '<notifications><email>', 'declared more than once (list several addresses in @to)');
  const email = emails[0];
  if (email) {
    const where = '<notifications><email>';
    const host = attr(email, 'host')?.trim();
    if (!host) throw configError(file, `${where} @host`, 'required attribute is missing or empty (the SMTP server)');
    const security = (attr(email, 'security') ?? 'starttls').trim().toLowerCase();
    if (security !== 'tls' && security !== 'starttls' && security !== 'none') throw configError(file, `${where} @security`, `"${security}" is not tls, starttls or none`);
    const port = parseIntegerAttr(attr(email, 'port'), file, `${where} @port`, security === 'tls' ? 465 : 587, 1);
    if (port > 65535) throw configError(file, `${where} @port`, `${port} is not a TCP port`);
    const from = attr(email, 'from')?.trim();
    if (!from || !/^[^@\s]+@[^@\s]+$/.test(from)) throw configError(file, `${where} @from`, `"${from ?? ''}" is not an e-mail address`);
    const to = (attr(email, 'to') ?? '').split(/[,;\s]+/).filter(Boolean);
    if (to.length === 0) throw configError(file, `${where} @to`, 'required attribute is missing or empty');
    for (const address of to) if (!/^[^@\s]+@[^@\s]+$/.test(address)) throw configError(file, `${where} @to`, `"${address}" is not an e-mail address`);
    const user = attr(email, 'user')?.trim();
    const password = attr(email, 'password');
    // The password itself is never put in a message.
    if (password && !user) throw configError(file, `${where} @user`, 'a password is set but no user');
    out.email = { host, port, security, from, to, ...(user ? { user } : {}), ...(password ? { password } : {}) };
  }
  out.webhooks = children(element, 'webhook').map((w, index) => {
    const where = `<notifications><webhook> #${index + 1} @url`;
    const url = attr(w, 'url')?.trim();
    if (!url) throw configError(file, where, 'required attribute is missing or empty');
    let parsed: URL;
    try { parsed = new URL(url); } catch { throw configError(file, where, 'is not a URL'); }
    // The URL is the webhook's secret: the message names its scheme and host only.
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw configError(file, where, `${parsed.protocol}//${parsed.host}/...: only http(s) URLs are supported`);
    return { url };
  });
  return out;
}

// Where things live inside an instance root (SPEC §2, §4). Pure path arithmetic; callers pass the
// path flavour (win32 on Windows, posix in the sandbox) so Windows paths are handled anywhere.
import path from 'node:path';

export type PathApi = typeof path.posix | typeof path.win32;

/** A path looks like Windows when it has a drive letter or a UNC prefix or backslashes. */
export function pathApiFor(p: string): PathApi {
  return /^[a-zA-Z]:[\\/]|^\\\\|\\/.test(p) ? path.win32 : path.posix;
}

export function instanceLayout(root: string, api: PathApi = pathApiFor(root)) {
  const bin = api.join(root, 'bin');
  const config = api.join(bin, 'config');
  const updates = api.join(bin, 'updates');
  return {
    root,
    config,
    applicationsConfig: api.join(config, 'applicationspath.config'),
    connectionsConfig: api.join(config, 'cpointsoftware.config'),
    /**
     * Our settings and trusted keys: in bin\updates, which only Administrators and SYSTEM can write
     * (module identities may write bin\config, SPEC §12). Earlier versions kept them in
     * bin\config (legacyUpdaterConfig): they are moved from there (src/security/settings.ts).
     */
    updaterConfig: api.join(updates, 'updater.config'),
    legacyUpdaterConfig: api.join(config, 'updater.config'),
    logs: api.join(bin, 'logs'),
    updates,
    statusXml: api.join(updates, 'status.xml'),
    scripts: api.join(updates, 'scripts'),
    cache: api.join(updates, 'cache'),
    staging: api.join(updates, 'staging'),
    backups: api.join(updates, 'backups'),
    journal: api.join(updates, 'journal'),
    updaterLogs: api.join(updates, 'logs'),
    installLock: api.join(updates, 'install.lock'),
    feedState: api.join(updates, 'feed-state.json'),
    /** The publisher key list last accepted from the feed (key rotation and revocation). */
    keyState: api.join(updates, 'trusted-keys.json'),
    /** Readable by Administrators and SYSTEM only: the portal's sign-in secret. */
    portalPrivate: api.join(updates, 'portal'),
    portalToken: api.join(updates, 'portal', 'token.json'),
    /** Where the running service's portal listens (config/portal-state.ts). */
    portalState: api.join(updates, 'portal.json'),
  };
}
export type InstanceLayout = ReturnType<typeof instanceLayout>;

/** Case-insensitive, separator-insensitive path equality (Windows paths are case-insensitive). */
export function samePath(a: string, b: string): boolean {
  return normalizeForCompare(a) === normalizeForCompare(b);
}

export function normalizeForCompare(p: string): string {
  return p.replace(/\\/g, '/').replace(/\/+$/, '').toLowerCase();
}

/** Whether `child` is `parent` or lies below it (case- and separator-insensitive). */
export function isInside(child: string, parent: string): boolean {
  const c = normalizeForCompare(child);
  const p = normalizeForCompare(parent);
  return c === p || c.startsWith(p + '/');
}

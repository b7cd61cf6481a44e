// The install plan (SPEC §6 step 1), a pure function of what is installed, what the signed index
// offers and what was asked: which modules, in which order (database, then services, then web),
// from and to which versions, what goes offline, which hooks run, what is held and why. Applying
// it is apply.ts's job; `--dry-run` only prints it. No disk, network or environment here.
import { canonicalModuleName, type ModuleKind } from '../core/modules';
import { compareVersions, isVersion, maxVersion } from '../core/version';
import type { ReleaseEntry } from '../feed/types';
import type { InstalledModule } from '../discovery/discover';
import { compareText } from '../core/text-order';

export const HOOK_PHASES = ['STARTUPDATE', 'PREBACKUP', 'POSTBACKUP', 'PREINSTALL', 'POSTINSTALL', 'ENDUPDATE'] as const;
export type HookPhase = (typeof HOOK_PHASES)[number];

export type PlanAction =
  /** Files swapped (web or service). */
  | 'install'
  /** Delegated to the database flow. */
  | 'database'
  | 'up-to-date'
  /** Waits for the admin (unmet requirement, downgrade without --force): ManualActionRequired. */
  | 'held'
  /** Cannot be installed (folder missing, unknown kind, no such release). */
  | 'unavailable';

export interface ModulePlan {
  name: string;
  instance: string;
  kind: ModuleKind | 'unknown';
  path: string;
  action: PlanAction;
  fromVersion: string;
  toVersion: string;
  release?: ReleaseEntry;
  /** IIS pools to stop (web) and the service to stop (service). */
  pools: string[];
  service?: string;
  url?: string;
  /** Hook scripts that exist, per phase (file names), in phase order. */
  hooks: Partial<Record<HookPhase, string>>;
  /** Disk the install needs on the module's volume (staged copy; the backup is the old folder renamed). */
  diskBytes: number;
  /** Why the module is held / unavailable / up to date, or what will happen. */
  reason: string;
}

export interface PlanInput {
  installed: readonly InstalledModule[];
  /** Modules selected for this run (already filtered by --name / --instance). */
  selected: readonly InstalledModule[];
  /** Releases per module key from the verified index. */
  releases: ReadonlyMap<string, readonly ReleaseEntry[]>;
  /** Kinds from the index's catalog (authoritative). */
  catalogKinds?: ReadonlyMap<string, ModuleKind>;
  version?: string;
  /** Everything below at once (the command line's --force). */
  force?: boolean;
  /** Install again the version already installed. */
  reinstall?: boolean;
  /** Install an older version than the installed one (with a version asked for). */
  allowDowngrade?: boolean;
  /** Hook script file names present in bin/updates/scripts. */
  hookFiles: readonly string[];
  moduleAliases: (key: string) => string[];
  /** Uncompressed size per package path when known (else the plan estimates from the zip size). */
  expandedSizes?: ReadonlyMap<string, number>;
}

const KIND_ORDER: Record<string, number> = { database: 0, service: 1, web: 2, unknown: 3 };

/** The hook script for a phase and module: `<PHASE>_<name>.ps1` or `<PHASE>-<name>.ps1`, any case, any alias. */
export function findHook(files: readonly string[], phase: HookPhase, names: readonly string[]): string | undefined {
  const wanted = new Set(names.flatMap((n) => [`${phase}_${n}.ps1`, `${phase}-${n}.ps1`].map((f) => f.toLowerCase())));
  return [...files].sort().find((f) => wanted.has(f.toLowerCase()));
}

function pickRelease(releases: readonly ReleaseEntry[], version: string | undefined): ReleaseEntry | undefined {
  if (version) return releases.find((r) => compareVersions(r.version, version) === 0);
  return maxVersion(releases, (r) => r.version);
}

/** Why `--version` cannot be installed because the feed lacks it; undefined when the feed has it. */
export function versionNotInFeed(name: string, version: string, releases: readonly ReleaseEntry[]): string | undefined {
  if (pickRelease(releases, version)) return undefined;
  return `version ${version} of ${name} is not in the feed (available: ${releases.map((r) => r.version).join(', ') || 'none'})`;
}

function unmet(requires: Record<string, string> | undefined, versions: ReadonlyMap<string, string>): string | undefined {
  for (const [module, minimum] of Object.entries(requires ?? {})) {
    const key = canonicalModuleName(module);
    const current = versions.get(key);
    if (!current || !isVersion(current) || compareVersions(current, minimum) < 0) {
      return `${key} ${minimum} or later is required (installed: ${current ?? 'none'})`;
    }
  }
  return undefined;
}

export function planInstall(input: PlanInput): ModulePlan[] {
  const ordered = [...input.selected].sort((a, b) =>
    (KIND_ORDER[a.kind] ?? 9) - (KIND_ORDER[b.kind] ?? 9) || compareText(a.name, b.name) || compareText(a.instance, b.instance));
  // Versions seen by requirements: the main instance of each module, updated as the plan installs
  // earlier modules (the database installed first satisfies the web modules that need it).
  const versions = new Map<string, string>();
  for (const m of input.installed) if (m.instance === '' || !versions.has(m.name)) versions.set(m.name, m.installedVersion);

  return ordered.map((module): ModulePlan => {
    const kind = input.catalogKinds?.get(module.name) ?? module.kind;
    const base: ModulePlan = {
      name: module.name, instance: module.instance, kind, path: module.path, action: 'unavailable',
      fromVersion: module.installedVersion, toVersion: module.installedVersion,
      pools: kind === 'web' ? [...module.appPools] : [],
      ...(kind === 'service' && module.serviceName ? { service: module.serviceName } : {}),
      ...(module.url ? { url: module.url } : {}),
      hooks: {}, diskBytes: 0, reason: '',
    };
    const releases = input.releases.get(module.name) ?? [];
    if (!module.exists) return { ...base, reason: `the folder ${module.path} does not exist` };
    if (kind === 'unknown') return { ...base, reason: `the kind of ${module.name} is unknown (not in the feed's catalog); declare kind="web|service" in applicationspath.config` };
    const release = pickRelease(releases, input.version);
    if (!release) {
      return input.version
        ? { ...base, reason: versionNotInFeed(module.name, input.version, releases)! }
        : { ...base, action: 'up-to-date', reason: `${module.name} is not published in the feed` };
    }
    const planned: ModulePlan = { ...base, toVersion: release.version, release };
    const known = isVersion(module.installedVersion);
    const order = known ? compareVersions(module.installedVersion, release.version) : -1;
    const reinstall = input.force || input.reinstall;
    const downgrade = input.force || input.allowDowngrade;
    if (order === 0 && !reinstall) return { ...planned, action: 'up-to-date', reason: `${module.installedVersion} is installed` };
    if (order > 0 && !(downgrade && input.version)) {
      return { ...planned, action: input.version ? 'held' : 'up-to-date', reason: input.version
        ? `${release.version} is older than the installed ${module.installedVersion}: pass --allow-downgrade to downgrade`
        : `installed ${module.installedVersion} is newer than the feed's ${release.version}` };
    }
    const missing = unmet(release.requires, versions);
    if (missing && !input.force) return { ...planned, action: 'held', reason: `${release.version} waits: ${missing}; install it first or pass --force` };

    const names = input.moduleAliases(module.name);
    const hooks: Partial<Record<HookPhase, string>> = {};
    for (const phase of HOOK_PHASES) {
      const file = findHook(input.hookFiles, phase, names);
      if (file) hooks[phase] = file;
    }
    if (module.instance === '' || !versions.has(module.name)) versions.set(module.name, release.version);
    const diskBytes = input.expandedSizes?.get(release.package) ?? release.size * 4;
    if (kind === 'database') return { ...planned, action: 'database', hooks, diskBytes: 0, reason: `database scripts of ${release.version} (database flow)` };

    const offline = kind === 'web'
      ? `app_offline.htm${planned.pools.length ? `, stop pool(s) ${planned.pools.join(', ')}` : ''}`
      : planned.service ? `stop service ${planned.service}` : 'no service to stop';
    const hookText = Object.keys(hooks).length ? `; hooks ${Object.entries(hooks).map(([p, f]) => `${p} (${f})`).join(', ')}` : '';
    return {
      ...planned, action: 'install', hooks, diskBytes,
      reason: `${module.installedVersion} -> ${release.version}${missing ? ` (forced: ${missing})` : ''}${order > 0 ? ' (forced downgrade)' : ''}${order === 0 ? ' (forced reinstall)' : ''}: stage ${release.package} beside ${module.path}; offline: ${offline}; swap folders${hookText}`,
    };
  });
}

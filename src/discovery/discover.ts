// What is installed on this server (SPEC §2, §4): the instances declared in
// applicationspath.config, their kind, the IIS pools or service that run them, and the installed
// version (our manifest, else the PE version of the main assembly, else Unknown).
import { openSync, readSync, closeSync, promises as fs } from 'node:fs';
import { parseApplicationsConfig, type ApplicationEntry } from '../config/applications';
import { isInside, samePath, type InstanceLayout, type PathApi } from '../config/paths';
import { AltazionError } from '../core/errors';
import { defaultKind, type ModuleKind } from '../core/modules';
import { MANIFEST_FILE, validateManifest, type PackageManifest } from '../core/package-manifest';
import { PlatformUnavailableError } from '../platform/errors';
import type { IisApplication, Platform, ServiceInfo } from '../platform/types';
import { readPeFileVersion } from './pe-version';

export const UNKNOWN_VERSION = 'Unknown';

export interface InstalledModule {
  name: string;
  instance: string;
  kind: ModuleKind | 'unknown';
  path: string;
  exists: boolean;
  installedVersion: string;
  versionSource: 'manifest' | 'assembly' | 'none';
  manifest?: PackageManifest;
  /** IIS pools serving the module path (web modules). */
  appPools: string[];
  /** URL that answers when the web application is up, when IIS tells it. */
  url?: string;
  serviceName?: string;
  site?: string;
}

export interface DiscoveryInput {
  layout: InstanceLayout;
  pathApi: PathApi;
  platform: Platform;
  /** Module kinds from the feed's catalog (authoritative when the config does not say). */
  catalogKinds?: ReadonlyMap<string, ModuleKind>;
  /**
   * Reads that need neither IIS nor the services (`get`, `check`): when the platform cannot answer at
   * all (PlatformUnavailableError: on Windows, no host for the bridge), discover from the files alone
   * (applicationspath.config, manifests, version resources; pools and services unknown) and tell
   * this callback why. Without it, that error is thrown (an install must not go on blind).
   */
  onPlatformUnavailable?: (error: PlatformUnavailableError) => void;
}

export async function readApplications(layout: InstanceLayout): Promise<ApplicationEntry[]> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(layout.applicationsConfig);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new AltazionError('E_CONFIG', `${layout.applicationsConfig}: cannot be read (${code ?? (error as Error).message})`, {
      target: layout.applicationsConfig,
      hint: code === 'ENOENT' ? `is "${layout.root}" the instance root? Pass --root or set ALTAZION_ROOT` : undefined,
    });
  }
  return parseApplicationsConfig(bytes, layout.applicationsConfig);
}

/** The executable path inside a service's command line (`"C:\a b\x.exe" -k` -> `C:\a b\x.exe`). */
export function serviceExecutable(binaryPath: string): string {
  const trimmed = binaryPath.trim();
  if (trimmed.startsWith('"')) return trimmed.slice(1, trimmed.indexOf('"', 1) > 0 ? trimmed.indexOf('"', 1) : undefined);
  const exe = /^(.*?\.exe)(\s|$)/i.exec(trimmed);
  return exe ? exe[1] : trimmed.split(/\s+/)[0];
}

async function readManifest(pathApi: PathApi, folder: string): Promise<PackageManifest | undefined> {
  const file = pathApi.join(folder, MANIFEST_FILE);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return validateManifest(JSON.parse(text), file);
  } catch {
    return undefined; // a damaged manifest falls back to the assembly version
  }
}

function fileVersion(file: string): string | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const handle = fd;
    return readPeFileVersion((offset, length) => {
      const buffer = Buffer.alloc(length);
      const read = readSync(handle, buffer, 0, length, offset);
      return buffer.subarray(0, read);
    });
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Candidate main assemblies of a legacy install: the service binary, then Altazion/CPoint/module-named assemblies. */
async function legacyAssemblyVersion(pathApi: PathApi, folder: string, name: string, service?: ServiceInfo): Promise<string | undefined> {
  const candidates: string[] = [];
  if (service) candidates.push(serviceExecutable(service.binaryPath));
  for (const dir of [folder, pathApi.join(folder, 'bin')]) {
    const entries = await fs.readdir(dir).catch(() => [] as string[]);
    for (const entry of entries.sort()) {
      const lower = entry.toLowerCase();
      if (!/\.(dll|exe)$/.test(lower)) continue;
      if (lower.includes(name) || lower.startsWith('altazion') || lower.startsWith('cpoint') || lower.startsWith('simplemente')) {
        candidates.push(pathApi.join(dir, entry));
      }
    }
  }
  for (const candidate of candidates) {
    const version = fileVersion(candidate);
    if (version) return version;
  }
  return undefined;
}

function poolsServing(applications: readonly IisApplication[], modulePath: string): IisApplication[] {
  return applications.filter((app) => samePath(app.physicalPath, modulePath));
}

function serviceIn(services: readonly ServiceInfo[], modulePath: string): ServiceInfo | undefined {
  return services.find((s) => isInside(serviceExecutable(s.binaryPath), modulePath));
}

async function exists(p: string): Promise<boolean> {
  return fs.stat(p).then(() => true, () => false);
}

export async function discoverModules(input: DiscoveryInput): Promise<InstalledModule[]> {
  const { layout, pathApi, platform } = input;
  const entries = await readApplications(layout);
  // Ask IIS and the service manager once, however many modules there are.
  let applications: IisApplication[] = [];
  let services: ServiceInfo[] = [];
  if (entries.length > 0) {
    try {
      [applications, services] = await Promise.all([platform.iis.listApplications(), platform.services.list()]);
    } catch (error) {
      if (!(error instanceof PlatformUnavailableError) || !input.onPlatformUnavailable) throw error;
      input.onPlatformUnavailable(error);
    }
  }

  const modules: InstalledModule[] = [];
  for (const entry of entries) {
    const present = await exists(entry.path);
    const manifest = present ? await readManifest(pathApi, entry.path) : undefined;
    const kind: ModuleKind | 'unknown' = entry.kind ?? input.catalogKinds?.get(entry.name) ?? manifest?.kind ?? defaultKind(entry.name) ?? 'unknown';
    const iisApps = kind === 'web' ? poolsServing(applications, entry.path) : [];
    const appPools = entry.appPool ? [entry.appPool] : [...new Set(iisApps.map((a) => a.appPool))];
    const service = kind === 'service'
      ? (entry.serviceName ? services.find((s) => s.name.toLowerCase() === entry.serviceName!.toLowerCase()) : serviceIn(services, entry.path))
      : undefined;

    let installedVersion = UNKNOWN_VERSION;
    let versionSource: InstalledModule['versionSource'] = 'none';
    if (manifest) {
      installedVersion = manifest.version;
      versionSource = 'manifest';
    } else if (present) {
      const legacy = await legacyAssemblyVersion(pathApi, entry.path, entry.name, service);
      if (legacy) { installedVersion = legacy; versionSource = 'assembly'; }
    }
    const module: InstalledModule = {
      name: entry.name,
      instance: entry.instance,
      kind,
      path: entry.path,
      exists: present,
      installedVersion,
      versionSource,
      appPools,
    };
    if (manifest) module.manifest = manifest;
    const url = iisApps.find((a) => a.url)?.url;
    if (url) module.url = url;
    const serviceName = entry.serviceName ?? service?.name;
    if (serviceName) module.serviceName = serviceName;
    const site = entry.site ?? iisApps[0]?.site;
    if (site) module.site = site;
    modules.push(module);
  }
  return modules;
}

/** Filters by --name (names or aliases, canonicalised by the caller) and --instance. */
export function selectModules<M extends Pick<InstalledModule, 'name' | 'instance'>>(modules: readonly M[], names: readonly string[], instance?: string): M[] {
  return modules.filter((m) =>
    (names.length === 0 || names.includes(m.name)) &&
    (instance === undefined || m.instance.toLowerCase() === instance.toLowerCase()));
}

/**
 * An explicit --name, or an --instance, that selects nothing: one E_NOT_FOUND error per name (and
 * one for the instance), each naming what is declared. Thrown (bad input, nothing done) unless
 * `report` is given, which lets the caller go on with the modules that did match.
 */
export function reportUnmatchedSelection(
  applicationsConfig: string, all: readonly Pick<InstalledModule, 'name' | 'instance'>[], selected: readonly Pick<InstalledModule, 'name' | 'instance'>[],
  names: readonly string[], instance: string | undefined, report?: (error: AltazionError) => void,
): void {
  const declared = `declared: ${all.map((m) => m.name + (m.instance ? ` [${m.instance}]` : '')).join(', ') || 'none'}`;
  // A name not declared at all is an unknown module; a declared one that the --instance filtered out is an unknown instance.
  const unknown = names.filter((n) => !all.some((m) => m.name === n));
  const errors = unknown.map((n) => new AltazionError('E_NOT_FOUND', `module ${n} is not declared in ${applicationsConfig}`, { target: n, hint: declared }));
  if (instance !== undefined) {
    const declaredNames = names.filter((n) => !unknown.includes(n));
    const missed = names.length ? declaredNames.filter((n) => !selected.some((m) => m.name === n)) : selected.length === 0 ? [''] : [];
    for (const n of missed) {
      const candidates = n ? all.filter((m) => m.name === n) : all;
      const instances = [...new Set(candidates.map((m) => (m.instance ? `"${m.instance}"` : '"" (the main instance)')))];
      errors.push(new AltazionError('E_NOT_FOUND', `--instance: "${instance}" is not declared${n ? ` for ${n}` : ''} in ${applicationsConfig}; declared instances: ${instances.join(', ') || 'none'}`, { target: instance, hint: declared }));
    }
  }
  if (errors.length === 0) return;
  if (!report) {
    // One error naming every unknown module, as before (the CLI stops on bad input).
    if (unknown.length > 1) throw new AltazionError('E_NOT_FOUND', `module ${unknown.join(', ')} is not declared in ${applicationsConfig}`, { target: unknown[0], hint: declared });
    throw errors[0];
  }
  for (const error of errors) report(error);
}

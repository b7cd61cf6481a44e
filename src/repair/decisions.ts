// Pure decisions of the repair checks: what is wrong and what to do about it. No disk, network,
// process or environment here; the checks gather the facts and apply the actions.
import { isInside, samePath } from '../config/paths';
import { KNOWN_MODULES } from '../core/modules';
import { LEGACY_UPDATER_SERVICES, UPDATER_SERVICE } from '../core/product';
import { compareVersions, isVersion } from '../core/version';
import { msg, textOf, type Message } from '../core/messages';
import type { AppPool, IisApplication, LockHolder, ServiceInfo } from '../platform/types';

// ---------------------------------------------------------------------------------------------
// service

/** Display names the legacy main service carried (SPEC §2); compared case-insensitively. */
export const LEGACY_UPDATER_DISPLAY_NAMES = ['[e] - Serveur principal', '[e] - service principal', 'Altazion - service principal'] as const;

export function isUpdaterService(service: Pick<ServiceInfo, 'name' | 'displayName'>): boolean {
  const name = service.name.toLowerCase();
  const display = service.displayName.trim().toLowerCase();
  return name === UPDATER_SERVICE.name.toLowerCase()
    || LEGACY_UPDATER_SERVICES.some((n) => n.toLowerCase() === name)
    || display === UPDATER_SERVICE.displayName.toLowerCase()
    || LEGACY_UPDATER_DISPLAY_NAMES.some((d) => d.toLowerCase() === display);
}

export function isOurUpdaterService(service: Pick<ServiceInfo, 'name'>): boolean {
  return service.name.toLowerCase() === UPDATER_SERVICE.name.toLowerCase();
}

export type ServiceStep = 'setStartMode' | 'start' | 'restart';

export interface ServicePlan {
  service: ServiceInfo;
  /** What is wrong, in words (empty when the service is fine). */
  problems: string[];
  /** The same, as messages. */
  problemMessages: Message[];
  steps: ServiceStep[];
  /** Set when the service needs attention we must not give automatically (e.g. Disabled). */
  blocked?: string;
  blockedMessage?: Message;
}

/**
 * Which service serves the portal: ours when it is installed and not disabled, else the legacy
 * ones (the legacy main service hosted the old portal on the same port).
 */
export function portalServices(services: readonly ServiceInfo[]): ServiceInfo[] {
  const updaters = services.filter(isUpdaterService);
  const ours = updaters.filter((s) => isOurUpdaterService(s) && s.startMode !== 'Disabled');
  return ours.length > 0 ? ours : updaters.filter((s) => s.startMode !== 'Disabled');
}

export interface ServiceFacts {
  /** This service is the one that serves the portal (portalServices). */
  servesPortal: boolean;
  portalAnswers: boolean;
  /**
   * Set when our service's portal listens on `port`, the port the legacy main service serves the old
   * portal on: starting a legacy service then would make the two fight over it.
   */
  portalConflict?: { port: number; fallbackPort: number };
}

export function planService(service: ServiceInfo, facts: ServiceFacts): ServicePlan {
  const plan: ServicePlan = { service, problems: [], problemMessages: [], steps: [] };
  const problem = (m: Message) => { plan.problemMessages.push(m); plan.problems.push(textOf(m)); };
  if (service.startMode === 'Disabled') {
    // Disabling is an explicit administrator decision (e.g. the legacy service replaced by ours):
    // reported, never undone silently.
    problem(msg('repair.service.disabled'));
    plan.blockedMessage = msg('repair.service.disabledAction');
    plan.blocked = textOf(plan.blockedMessage);
    return plan;
  }
  if (service.startMode !== 'AutomaticDelayed') {
    problem(msg('repair.service.startMode', { mode: service.startMode }));
    plan.steps.push('setStartMode');
  }
  if (service.state === 'Stopped' || service.state === 'StopPending' || service.state === 'Unknown') {
    problem(msg('repair.service.state', { state: service.state }));
    plan.steps.push('start');
  } else if (service.state === 'Paused') {
    problem(msg('repair.service.paused'));
    plan.steps.push('restart');
  } else if (service.state === 'Running' && facts.servesPortal && !facts.portalAnswers) {
    // The oldest support technique of the seed: it runs but the portal does not answer.
    problem(msg('repair.service.noPortal'));
    plan.steps.push('restart');
  }
  if (facts.portalConflict && !isOurUpdaterService(service) && plan.steps.some((s) => s !== 'setStartMode')) {
    // Never start the legacy service into a fight with ours over the old portal's port (issue 18).
    const { port, fallbackPort } = facts.portalConflict;
    plan.blockedMessage = msg(plan.steps.includes('restart') ? 'repair.service.legacyNotRestarted' : 'repair.service.legacyNotStarted', {
      ours: UPDATER_SERVICE.name, legacy: service.name, port, fallbackPort,
    });
    plan.blocked = textOf(plan.blockedMessage);
  }
  return plan;
}

/**
 * Order in which the service check handles the updater services: legacy ones first, ours last, so
 * that when both must start, the legacy one gets its old port back and ours takes the fallback.
 */
export function legacyFirst(services: readonly ServiceInfo[]): ServiceInfo[] {
  return [...services.filter((s) => !isOurUpdaterService(s)), ...services.filter(isOurUpdaterService)];
}

export function describeSteps(steps: readonly ServiceStep[]): string {
  return steps.length ? textOf(describeStepsMessage(steps)) : '';
}

/** `set start mode ..., then start the service` as a message. */
export function describeStepsMessage(steps: readonly ServiceStep[]): Message {
  const one = (s: ServiceStep): Message => msg(s === 'setStartMode' ? 'repair.step.setStartMode' : s === 'start' ? 'repair.step.start' : 'repair.step.restart');
  return steps.slice(1).reduce<Message>((first, next) => msg('repair.step.then', { first, next: one(next) }), one(steps[0] ?? 'start'));
}

// ---------------------------------------------------------------------------------------------
// freshness

export const ONE_DAY_MS = 24 * 60 * 60 * 1000;

export interface PublishedLatest { name: string; version: string; publishedAt: string }
export interface DetectedLatest { name: string; latestVersion: string }

export type FreshnessVerdict =
  | { name: string; state: 'current'; version: string }
  /** status.xml is behind but the release is recent: the service picks it up at its next check. */
  | { name: string; state: 'recent'; version: string; detected?: string; ageHours: number }
  /** status.xml is behind a release more than a day old: run a check now. */
  | { name: string; state: 'stale'; version: string; detected?: string; ageHours: number };

export function judgeFreshness(published: readonly PublishedLatest[], detected: readonly DetectedLatest[] | undefined, now: Date): FreshnessVerdict[] {
  return published.map((p) => {
    const seen = detected?.find((d) => d.name === p.name);
    const behind = !seen || !isVersion(seen.latestVersion) || compareVersions(seen.latestVersion, p.version) < 0;
    if (!behind) return { name: p.name, state: 'current', version: p.version };
    const publishedMs = Date.parse(p.publishedAt);
    const ageMs = Number.isNaN(publishedMs) ? Number.POSITIVE_INFINITY : now.getTime() - publishedMs;
    const ageHours = Math.floor(ageMs / 3_600_000);
    const base = { name: p.name, version: p.version, ageHours, ...(seen ? { detected: seen.latestVersion } : {}) };
    return ageMs > ONE_DAY_MS ? { ...base, state: 'stale' as const } : { ...base, state: 'recent' as const };
  });
}

// ---------------------------------------------------------------------------------------------
// applications: what runs on the server vs what applicationspath.config declares

/** Words that only Altazion software carries in names and paths. */
const BRAND_MARKERS = ['altazion', 'cpoint', 'simplement-e', 'simplemente', 'commerce-hub', 'commercehub', '[e]'];
/** Module names distinctive enough to recognise a module on their own. */
const DISTINCT_NAMES = ['gestioncommerciale', 'gestcom', 'ecommerce', 'phygitalapi', 'phygital', 'logistique'];

function tokens(text: string): string[] {
  return text.toLowerCase().split(/[^a-z0-9\[\]-]+/).filter(Boolean);
}

/** The module key a name or path suggests (distinctive names anywhere; generic keys as whole words), if any. */
export function guessModule(texts: readonly string[]): string | undefined {
  const lower = texts.map((t) => t.toLowerCase());
  for (const m of KNOWN_MODULES) {
    const names = [m.key, ...m.aliases];
    const distinct = names.filter((n) => DISTINCT_NAMES.includes(n));
    if (lower.some((t) => distinct.some((n) => t.includes(n)))) return m.key;
  }
  for (const m of KNOWN_MODULES) {
    const names = [m.key, ...m.aliases];
    if (lower.some((t) => tokens(t).some((tok) => names.includes(tok)))) return m.key;
  }
  return undefined;
}

export function hasBrandMarker(texts: readonly string[]): boolean {
  return texts.some((t) => BRAND_MARKERS.some((b) => t.toLowerCase().includes(b)));
}

export interface RunningModule {
  kind: 'iis' | 'service';
  /** Site/virtual path for IIS, service name for a service. */
  label: string;
  path: string;
  module?: string;
  /** Pool (IIS) or service name. */
  runner: string;
}

/**
 * Whether an IIS application looks like an Altazion module: a package manifest in its folder, a
 * distinctive module name in its pool/site/path, or a generic module key together with an
 * Altazion marker (a site called "Integration" alone proves nothing).
 */
export function iisModule(app: IisApplication, hasManifest: boolean): RunningModule | undefined {
  const texts = [app.appPool, app.site, app.virtualPath, app.physicalPath];
  const distinct = texts.some((t) => DISTINCT_NAMES.some((n) => t.toLowerCase().includes(n)));
  const module = guessModule(texts);
  if (!hasManifest && !distinct && !(module && hasBrandMarker(texts))) return undefined;
  return { kind: 'iis', label: `${app.site}${app.virtualPath}`, path: app.physicalPath, runner: app.appPool, ...(module ? { module } : {}) };
}

/** Whether a service looks like an Altazion module (the updater services themselves are not modules). */
export function serviceModule(service: ServiceInfo, executable: string, executableDir: string): RunningModule | undefined {
  if (isUpdaterService(service) || service.startMode === 'Disabled') return undefined;
  const texts = [service.name, service.displayName, executable];
  if (!hasBrandMarker(texts) && !texts.some((t) => DISTINCT_NAMES.some((n) => t.toLowerCase().includes(n)))) return undefined;
  const module = guessModule(texts);
  return { kind: 'service', label: service.name, path: executableDir, runner: service.name, ...(module ? { module } : {}) };
}

/** Running modules whose folder is not (inside) any declared path. */
export function undeclaredModules(running: readonly RunningModule[], declaredPaths: readonly string[]): RunningModule[] {
  return running.filter((r) => !declaredPaths.some((d) => samePath(r.path, d) || isInside(r.path, d)));
}

/** The Windows identity a pool runs as (ApplicationPoolIdentity becomes `IIS AppPool\<pool>`). */
export function poolIdentity(pool: AppPool): string {
  const id = pool.identity.trim();
  if (!id || /^applicationpoolidentity$/i.test(id)) return `IIS AppPool\\${pool.name}`;
  return id;
}

/** Service accounts as icacls knows them (`LocalSystem` is `NT AUTHORITY\SYSTEM`, ...). */
export function canonicalAccount(account: string): string {
  const a = account.trim();
  const lower = a.toLowerCase();
  if (lower === 'localsystem' || lower === '.\\localsystem' || lower === 'system') return 'NT AUTHORITY\\SYSTEM';
  if (lower === 'nt authority\\localservice' || lower === 'localservice') return 'NT AUTHORITY\\LOCAL SERVICE';
  if (lower === 'nt authority\\networkservice' || lower === 'networkservice') return 'NT AUTHORITY\\NETWORK SERVICE';
  return a.replace(/^\.\\/, '');
}

/** SYSTEM and Administrators always can write bin\config on a standard install; never touch their ACEs. */
export function isBuiltinAdmin(identity: string): boolean {
  return /^(nt authority\\system|builtin\\administrators)$/i.test(identity);
}

// ---------------------------------------------------------------------------------------------
// locks

export interface HolderVerdict { holder: LockHolder; expected: boolean; reason: string; reasonMessage?: Message }

/**
 * Pool workers (w3wp.exe) and a module's own service binary hold its files while it runs: an
 * install stops them first, so they are expected. Anything else (Explorer, shells, editors,
 * antivirus) makes an install loop (seed: "L'installation boucle").
 */
export function judgeHolders(holders: readonly LockHolder[], serviceImages: readonly string[]): HolderVerdict[] {
  const services = serviceImages.map((s) => s.toLowerCase());
  return holders.map((holder) => {
    const image = holder.image.toLowerCase();
    if (image === 'w3wp.exe') return { holder, expected: true, reason: 'IIS worker process: stopped with its pool during an install' };
    if (services.includes(image)) return { holder, expected: true, reason: 'the module\'s own service: stopped during an install' };
    const kind = msg(image === 'explorer.exe' ? 'repair.locks.explorer' : /^(cmd|powershell|pwsh|conhost|windowsterminal|bash)(\.exe)?$/.test(image) ? 'repair.locks.prompt' : 'repair.locks.process');
    const reasonMessage = msg('repair.locks.reason', { kind });
    return { holder, expected: false, reason: textOf(reasonMessage), reasonMessage };
  });
}

// ---------------------------------------------------------------------------------------------
// app-offline

export const APP_OFFLINE_FILES = ['app_offline.htm', 'app_offline.html'] as const;

export type AppOfflineAction = { file: string; action: 'rename'; to: string } | { file: string; action: 'delete' };

/** SPEC §2: rename to .bak when there is none, else delete. `present` are the names found in the folder. */
export function planAppOffline(present: readonly string[]): AppOfflineAction[] {
  const lower = present.map((p) => p.toLowerCase());
  const actions: AppOfflineAction[] = [];
  for (const name of APP_OFFLINE_FILES) {
    const found = present.find((p) => p.toLowerCase() === name);
    if (!found) continue;
    const bak = `${found}.bak`;
    actions.push(lower.includes(bak.toLowerCase()) ? { file: found, action: 'delete' } : { file: found, action: 'rename', to: bak });
  }
  return actions;
}

// ---------------------------------------------------------------------------------------------
// disk

export interface DiskNeedInput {
  /** A path whose volume is checked, with the bytes an update there needs. */
  path: string;
  needBytes: number;
  why: string;
}

/**
 * Bytes an update of a module needs on its volume: the staged copy and the backup (two copies of
 * the folder in the worst case, when the backup cannot be a rename) plus the largest cached
 * package (extracted next to it); never less than the configured floor.
 */
export function moduleNeed(folderBytes: number, largestPackage: number, floorBytes: number): number {
  return Math.max(floorBytes, folderBytes * 2 + largestPackage);
}

/** The updater's own folder needs room for the largest package download and its extraction. */
export function updatesNeed(largestPackage: number, floorBytes: number): number {
  return Math.max(floorBytes, largestPackage * 2);
}

export type DiskVerdict = 'ok' | 'low' | 'insufficient';

/** Insufficient below the need; low when less than twice the need is free (one more update fills it). */
export function judgeDisk(freeBytes: number, needBytes: number): DiskVerdict {
  if (freeBytes < needBytes) return 'insufficient';
  if (freeBytes < needBytes * 2) return 'low';
  return 'ok';
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${bytes} B`;
}

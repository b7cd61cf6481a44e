// What several checks need to know, gathered once per repair run (lazily: a check that is not
// selected costs nothing). Every getter is memoised; errors are memoised too, so each check can
// report the same failure in its own words.
import { msg, textOf, type Message } from '../core/messages';
import { promises as fs } from 'node:fs';
import type { ApplicationEntry } from '../config/applications';
import { samePath } from '../config/paths';
import { readPortalState, type PortalState } from '../config/portal-state';
import { LEGACY_PORTAL_PORT, PORTAL_MARKER_HEADER } from '../core/product';
import { pidRuns } from '../io/process-identity';
import type { Context } from '../context/context';
import { readApplications, serviceExecutable } from '../discovery/discover';
import { MANIFEST_FILE } from '../core/package-manifest';
import { HttpClient, isTimeout } from '../net/http';
import { loadFeed } from '../feed/load';
import type { VerifiedIndex } from '../feed/types';
import type { IisApplication, Platform, ServiceInfo, AppPool } from '../platform/types';
import { iisModule, serviceModule, undeclaredModules, type RunningModule } from './decisions';
import { runningInstall, type InstallLockInfo } from './install-lock';
import { findInterruptedInstalls, type InterruptedInstall } from '../install/recovery';

function memo<T>(compute: () => Promise<T>): () => Promise<T> {
  let promise: Promise<T> | undefined;
  return () => (promise ??= compute());
}

export interface Inventory {
  declared: ApplicationEntry[];
  running: RunningModule[];
  undeclared: RunningModule[];
}

export interface RepairFacts {
  platform(): Promise<Platform>;
  applications(): Promise<ApplicationEntry[]>;
  iisApplications(): Promise<IisApplication[]>;
  pools(): Promise<AppPool[]>;
  services(): Promise<ServiceInfo[]>;
  /** Modules running on the server vs applicationspath.config. */
  inventory(): Promise<Inventory>;
  /** The install lock when an install is running now (a lock left by a dead process is not one). */
  runningInstall(): Promise<InstallLockInfo | undefined>;
  /** Install journals left by a crash (as found when the run started). */
  interruptedInstalls(): Promise<InterruptedInstall[]>;
  /** The interrupted install whose module folder is `folder`, if any (app-offline and pools leave it to check journal). */
  interruptedAt(folder: string): Promise<InterruptedInstall | undefined>;
  /**
   * Where the running service's portal listens (bin\updates\portal.json, written by `service run`
   * when it binds: maybe the fallback port), when that process still runs. Not memoised: starting
   * or restarting the service changes it.
   */
  portalState(): Promise<PortalState | undefined>;
  /** The portal's port: portal.json's, else <portal port> of updater.config. */
  portalPort(): Promise<number>;
  /** Probes the portal now (not memoised: the service check restarts it and probes again). */
  probePortal(timeoutMs?: number): Promise<PortalProbe>;
  /** The URL an administrator opens: http://localhost:<portalPort>/. */
  portalUrl(): Promise<string>;
  /** The port the legacy main service serves the old portal on (8080). */
  readonly legacyPortalPort: number;
  /** The feed's index, fetched and verified (signature, trusted key, expiry, rollback). */
  feed(): Promise<VerifiedIndex>;
}

export interface PortalProbe {
  answers: boolean;
  /** The answer carries our portal's header (not the legacy portal or another program on the port). */
  ours: boolean;
  detail: string;
  message: Message;
}

function probe(answers: boolean, ours: boolean, message: Message): PortalProbe {
  return { answers, ours, detail: textOf(message), message };
}

/** GET on the portal's root; any HTTP answer below 500 means it is up. */
export async function probeHttp(url: string, timeoutMs: number): Promise<PortalProbe> {
  // A fresh connection each time (no keep-alive pool): a pooled socket from before a restart would
  // fail with ECONNRESET and say nothing about the portal now. The portal accepts loopback names only.
  const client = new HttpClient({ timeoutMs, maxRedirections: 0 });
  try {
    const response = await client.get(new URL(url), { headers: { host: 'localhost' }, fresh: true });
    response.discard();
    const ours = response.header(PORTAL_MARKER_HEADER) !== undefined;
    return probe(response.status < 500, ours, msg('repair.portal.answered', { url, status: response.status }));
  } catch (error) {
    if (isTimeout(error)) return probe(false, false, msg('repair.portal.timeout', { url, ms: timeoutMs }));
    const e = error as NodeJS.ErrnoException;
    return probe(false, false, msg('repair.portal.refused', { url, error: e.code ?? e.message }));
  } finally {
    await client.close();
  }
}

export interface RepairFactsOptions {
  /** Default 8080 (LEGACY_PORTAL_PORT); tests give a free port. */
  legacyPortalPort?: number;
}

/** Whether the portal is up: it answers, and as ours when our service is the one serving it. */
export function portalIsUp(probe: PortalProbe, mustBeOurs: boolean): boolean {
  return probe.answers && (probe.ours || !mustBeOurs);
}

/** The probe as a message, saying when what answered is not our portal. */
export function describeProbe(probe: PortalProbe, mustBeOurs: boolean): Message {
  return probe.answers && !probe.ours && mustBeOurs
    ? msg('repair.portal.notOurs', { probe: probe.message, header: PORTAL_MARKER_HEADER })
    : probe.message;
}

export function createRepairFacts(ctx: Context, options: RepairFactsOptions = {}): RepairFacts {
  const platform = memo(() => ctx.platform());
  const applications = memo(() => readApplications(ctx.layout));
  const iisApplications = memo(async () => (await platform()).iis.listApplications());
  const pools = memo(async () => (await platform()).iis.listPools());
  const services = memo(async () => (await platform()).services.list());
  const portalState = async () => {
    const state = await readPortalState(ctx.layout.portalState);
    return state && pidRuns(state.pid) ? state : undefined;
  };
  const portalPort = async () => (await portalState())?.port ?? (await ctx.config()).portalPort;

  const inventory = memo(async (): Promise<Inventory> => {
    const declared = await applications();
    const running: RunningModule[] = [];
    for (const app of await iisApplications()) {
      const hasManifest = await fs.stat(ctx.pathApi.join(app.physicalPath, MANIFEST_FILE)).then(() => true, () => false);
      const module = iisModule(app, hasManifest);
      if (module) running.push(module);
    }
    for (const service of await services()) {
      const exe = serviceExecutable(service.binaryPath);
      const module = serviceModule(service, exe, ctx.pathApi.dirname(exe));
      if (module) running.push(module);
    }
    return { declared, running, undeclared: undeclaredModules(running, declared.map((d) => d.path)) };
  });

  const interruptedInstalls = memo(() => findInterruptedInstalls(ctx).catch(() => [] as InterruptedInstall[]));
  return {
    platform,
    applications,
    iisApplications,
    pools,
    services,
    inventory,
    runningInstall: memo(() => runningInstall(ctx.layout)),
    interruptedInstalls,
    interruptedAt: async (folder) => (await interruptedInstalls()).find((i) => i.journal && samePath(i.journal.modulePath, folder)),
    portalState,
    portalPort,
    // Loopback by address: the portal listens on 127.0.0.1 only, and "localhost" may resolve to ::1 first.
    probePortal: async (timeoutMs = 2000) => probeHttp(`http://127.0.0.1:${await portalPort()}/`, timeoutMs),
    portalUrl: async () => `http://localhost:${await portalPort()}/`,
    legacyPortalPort: options.legacyPortalPort ?? LEGACY_PORTAL_PORT,
    feed: memo(async () => (await loadFeed(ctx)).verified),
  };
}

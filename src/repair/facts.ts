// What several checks need to know, gathered once per repair run (lazily: a check that is not
// selected costs nothing). Every getter is memoised; errors are memoised too, so each check can
// report the same failure in its own words.
import { msg, textOf, type Message } from '../core/messages';
import { promises as fs } from 'node:fs';
import http from 'node:http';
import type { ApplicationEntry } from '../config/applications';
import { samePath } from '../config/paths';
import type { Context } from '../cli/context';
import { readApplications, serviceExecutable } from '../discovery/discover';
import { MANIFEST_FILE } from '../core/package-manifest';
import { loadFeed } from '../check/run-check';
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
  /** Probes the portal now (not memoised: the service check restarts it and probes again). */
  probePortal(timeoutMs?: number): Promise<PortalProbe>;
  portalUrl(): Promise<string>;
  /** The feed's index, fetched and verified (signature, trusted key, expiry, rollback). */
  feed(): Promise<VerifiedIndex>;
}

export interface PortalProbe { answers: boolean; detail: string; message: Message }

function probe(answers: boolean, message: Message): PortalProbe {
  return { answers, detail: textOf(message), message };
}

/** GET on the portal's root; any HTTP answer below 500 means it is up. */
export function probeHttp(url: string, timeoutMs: number): Promise<PortalProbe> {
  return new Promise((resolve) => {
    // A fresh connection each time (no keep-alive pool): a pooled socket from before a restart would
    // fail with ECONNRESET and say nothing about the portal now.
    const request = http.get(url, { timeout: timeoutMs, agent: false, headers: { Host: 'localhost' } }, (response) => {
      response.resume();
      const status = response.statusCode ?? 0;
      resolve(probe(status < 500, msg('repair.portal.answered', { url, status })));
    });
    request.on('timeout', () => {
      request.destroy();
      resolve(probe(false, msg('repair.portal.timeout', { url, ms: timeoutMs })));
    });
    request.on('error', (error: NodeJS.ErrnoException) => {
      resolve(probe(false, msg('repair.portal.refused', { url, error: error.code ?? error.message })));
    });
  });
}

export function createRepairFacts(ctx: Context): RepairFacts {
  const platform = memo(() => ctx.platform());
  const applications = memo(() => readApplications(ctx.layout));
  const iisApplications = memo(async () => (await platform()).iis.listApplications());
  const pools = memo(async () => (await platform()).iis.listPools());
  const services = memo(async () => (await platform()).services.list());
  const portalUrl = memo(async () => `http://127.0.0.1:${(await ctx.config()).portalPort}/`);

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
    probePortal: async (timeoutMs = 2000) => probeHttp(await portalUrl(), timeoutMs),
    portalUrl,
    feed: memo(async () => (await loadFeed(ctx)).verified),
  };
}

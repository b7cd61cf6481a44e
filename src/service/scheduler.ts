// The maintenance windows in the update service: scheduled installs (bin\updates\schedule, added by
// `install --at`, `Install-AltazionUpdate -At` or the portal) started when their time comes, and
// the weekly-window policy of updater.config (<maintenance>) installing chosen modules by itself.
// Time comes from `now` and waits from `sleep`: the tests drive both, nothing waits for real.
import type { InstanceLayout } from '../config/paths';
import { autoInstallCandidates, attemptKey, decideSchedule, type AutoInstallPolicy, type ModuleState, type ScheduledInstall } from '../schedule/plan';
import { claimScheduledInstall, listScheduledInstalls, releaseScheduledInstall, removeScheduledInstall } from '../schedule/store';
import type { JobRequest } from './portal/types';

/** Looked at least this often (a schedule added by the command line is seen within a minute). */
export const SCHEDULER_TICK_MS = 60_000;

export type StartResult = { started: true; done: Promise<void> } | { started: false; who: string };

export interface SchedulerDeps {
  layout: InstanceLayout;
  now: () => Date;
  /** Waits `ms` or until the signal aborts. */
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Starts an install the way the portal does (one at a time, the install lock, live in the portal). */
  start: (request: JobRequest) => Promise<StartResult>;
  /** updater.config's <maintenance> (read again each time: edits apply without a restart). */
  policy: () => Promise<AutoInstallPolicy>;
  /** What `get` says now (the policy installs only plain UpdateAvailable modules). */
  modules: () => Promise<ModuleState[]>;
  /** A scheduled install whose window passed (Event Log, notification, history). */
  missed: (entry: ScheduledInstall, reason: 'window' ) => Promise<void>;
  log: (level: 'info' | 'warning', message: string) => void;
  tickMs?: number;
}

export class MaintenanceScheduler {
  /** Policy attempts made (module, version, window occurrence): one each. */
  private readonly tried = new Set<string>();
  private wakeUp: AbortController | undefined;

  constructor(private readonly deps: SchedulerDeps) {}

  /** Look again now (the portal added or cancelled something). */
  wake(): void {
    this.wakeUp?.abort();
  }

  /**
   * Claimed installs whose service stopped while running them (a crash, a restart): the install's own
   * journal is finished by recovery; the claim is dropped so it does not stay "running" forever.
   */
  async dropStaleClaims(): Promise<void> {
    for (const entry of await listScheduledInstalls(this.deps.layout)) {
      if (entry.State !== 'Running') continue;
      this.deps.log('warning', `scheduled install ${entry.Id} was running when the service stopped; see the install history`);
      await removeScheduledInstall(this.deps.layout, entry.Id);
    }
  }

  /** One look: missed ones reported, the first due one run (to its end), else the weekly policy. */
  async tick(): Promise<{ ran: string[]; nextAt?: Date }> {
    const { layout } = this.deps;
    const ran: string[] = [];
    const decision = decideSchedule(await listScheduledInstalls(layout), this.deps.now());
    for (const entry of decision.missed) {
      await removeScheduledInstall(layout, entry.Id);
      this.deps.log('warning', `scheduled install ${entry.Id} (${entry.Names.join(', ') || 'every module'}) missed its window (until ${entry.NotAfter})`);
      await this.deps.missed(entry, 'window');
    }
    for (const entry of decision.due) {
      if (!(await claimScheduledInstall(layout, entry.Id))) continue; // cancelled meanwhile
      const outcome = await this.deps.start({
        kind: 'install', name: entry.Names.join(', '), names: entry.Names, instance: entry.Instance ?? undefined, requestedBy: 'service',
        // The service runs it; who scheduled it is who acted (the history's User, the lock, the log).
        user: entry.User,
        ...(entry.Version ? { version: entry.Version } : {}), ...(entry.Force ? { force: true } : {}),
      });
      if (!outcome.started) {
        // Another install runs: tried again at the next look, until NotAfter.
        await releaseScheduledInstall(layout, entry.Id);
        this.deps.log('info', `scheduled install ${entry.Id} waits: another install is running (${outcome.who})`);
        return { ran, ...(decision.nextAt ? { nextAt: decision.nextAt } : {}) };
      }
      this.deps.log('info', `scheduled install ${entry.Id} started`);
      await outcome.done;
      await removeScheduledInstall(layout, entry.Id);
      ran.push(entry.Id);
    }
    if (ran.length === 0) await this.applyPolicy(ran);
    return { ran, ...(decision.nextAt ? { nextAt: decision.nextAt } : {}) };
  }

  private async applyPolicy(ran: string[]): Promise<void> {
    const policy = await this.deps.policy().catch(() => undefined);
    if (!policy || policy.modules.length === 0) return;
    const now = this.deps.now();
    const { window, candidates } = autoInstallCandidates(policy, await this.deps.modules(), now, this.tried);
    if (!window) return;
    for (const candidate of candidates) {
      const key = attemptKey(candidate, window.start);
      this.tried.add(key);
      const outcome = await this.deps.start({ kind: 'install', name: candidate.name, instance: candidate.instance, requestedBy: 'service', version: candidate.version });
      if (!outcome.started) { this.tried.delete(key); return; }
      this.deps.log('info', `weekly window: installing ${candidate.name} ${candidate.version}`);
      await outcome.done;
      ran.push(`${candidate.name}@${candidate.version}`);
    }
  }

  /** The loop: look, then wait a tick (or less, when something is due sooner), until aborted. */
  async loop(signal: AbortSignal): Promise<void> {
    await this.dropStaleClaims().catch((error) => this.deps.log('warning', `scheduled installs: ${(error as Error).message}`));
    while (!signal.aborted) {
      let nextAt: Date | undefined;
      try {
        ({ nextAt } = await this.tick());
      } catch (error) {
        this.deps.log('warning', `scheduled installs: ${(error as Error).message}`);
      }
      if (signal.aborted) break;
      const tick = this.deps.tickMs ?? SCHEDULER_TICK_MS;
      const delay = nextAt ? Math.max(0, Math.min(tick, nextAt.getTime() - this.deps.now().getTime())) : tick;
      this.wakeUp = new AbortController();
      const stop = () => this.wakeUp?.abort();
      signal.addEventListener('abort', stop, { once: true });
      await this.deps.sleep(delay, this.wakeUp.signal);
      signal.removeEventListener('abort', stop);
    }
  }
}

// The sandbox platform: every Windows operation simulated against the state file, except file
// holders, which are real processes found in /proc. Renames fail with EBUSY while a holder has
// something open inside, as they do on Windows.
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { AltazionError } from '../../core/errors';
import path from 'node:path';
import { EVENT_SOURCE } from '../../core/events';
import type { AppPool, EventLog, FileSystemOps, FolderRights, HostFacts, IisControl, LockInspector, Platform, ServiceControl, ServiceInfo, StartMode } from '../types';
import { consoleDecoder } from '../windows/console-text';
import { findHolders } from './locks';
import { SandboxRights } from './rights';
import { readSandboxState, updateSandboxState, type SandboxPool, type SandboxService } from './state';

/** The sandbox's Event Log: one JSON line per entry, beside the host state file. */
export function sandboxEventLogPath(stateFile: string): string {
  return path.join(path.dirname(stateFile), 'eventlog.jsonl');
}

function killQuietly(pid: number | undefined): void {
  if (!pid) return;
  try { process.kill(pid, 'SIGTERM'); } catch { /* already gone */ }
}

/** Starts the real process standing for a service, when it declares one (`run`). */
function spawnService(service: SandboxService): void {
  if (!service.run?.length) return;
  const child = spawn(service.run[0], service.run.slice(1), { detached: true, stdio: 'ignore' });
  child.unref();
  service.pid = child.pid;
}

function poolView(pool: SandboxPool): AppPool {
  return { name: pool.name, state: pool.state, identity: pool.identity };
}

function serviceView(service: SandboxService): ServiceInfo {
  const { pid: _pid, run: _run, ...info } = service;
  return info;
}

export class SandboxPlatform implements Platform {
  readonly kind = 'sandbox' as const;
  readonly iis: IisControl;
  readonly services: ServiceControl;
  readonly locks: LockInspector;
  readonly rights: FolderRights;
  readonly fs: FileSystemOps;
  readonly events: EventLog;

  constructor(readonly stateFile: string, readonly computerName: string) {
    const file = stateFile;
    const notFound = (what: string, name: string) => new AltazionError('E_PLATFORM', `${what} "${name}" does not exist on ${computerName}`, { target: name });
    const iisInstalled = async () => (await readSandboxState(file)).host?.iisInstalled !== false;
    this.iis = {
      installed: iisInstalled,
      listApplications: async () => (await iisInstalled() ? (await readSandboxState(file)).applications : []),
      listPools: async () => (await iisInstalled() ? (await readSandboxState(file)).pools.map(poolView) : []),
      getPool: async (name) => {
        const pool = (await readSandboxState(file)).pools.find((p) => p.name.toLowerCase() === name.toLowerCase());
        return pool && poolView(pool);
      },
      stopPool: async (name) => {
        await updateSandboxState(file, (state) => {
          const pool = state.pools.find((p) => p.name.toLowerCase() === name.toLowerCase());
          if (!pool) throw notFound('application pool', name);
          for (const pid of pool.workerPids ?? []) killQuietly(pid);
          pool.workerPids = [];
          pool.state = 'Stopped';
        });
      },
      startPool: async (name) => {
        await updateSandboxState(file, (state) => {
          const pool = state.pools.find((p) => p.name.toLowerCase() === name.toLowerCase());
          if (!pool) throw notFound('application pool', name);
          if (state.faults?.failStartPool?.some((n) => n.toLowerCase() === name.toLowerCase())) {
            throw new AltazionError('E_PLATFORM', `application pool "${name}" failed to start (simulated fault)`, { target: name });
          }
          pool.state = 'Started';
        });
      },
    };
    const findService = (services: SandboxService[], name: string) =>
      services.find((s) => s.name.toLowerCase() === name.toLowerCase());
    this.services = {
      list: async () => (await readSandboxState(file)).services.map(serviceView),
      get: async (name) => {
        const service = findService((await readSandboxState(file)).services, name);
        return service && serviceView(service);
      },
      stop: async (name) => {
        await updateSandboxState(file, (state) => {
          const service = findService(state.services, name);
          if (!service) throw notFound('service', name);
          killQuietly(service.pid);
          delete service.pid;
          service.state = 'Stopped';
        });
      },
      start: async (name) => {
        await updateSandboxState(file, (state) => {
          const service = findService(state.services, name);
          if (!service) throw notFound('service', name);
          if (service.startMode === 'Disabled') throw new AltazionError('E_PLATFORM', `service "${name}" is disabled`, { target: name });
          if (state.faults?.failStartService?.some((n) => n.toLowerCase() === name.toLowerCase())) {
            throw new AltazionError('E_PLATFORM', `service "${name}" failed to start (simulated fault)`, { target: name });
          }
          if (service.state !== 'Running') spawnService(service);
          service.state = 'Running';
        });
      },
      setStartMode: async (name, mode: StartMode) => {
        await updateSandboxState(file, (state) => {
          const service = findService(state.services, name);
          if (!service) throw notFound('service', name);
          service.startMode = mode;
        });
      },
    };
    this.locks = { holders: (paths) => findHolders(paths) };
    const eventLog = sandboxEventLogPath(file);
    this.events = {
      // Appended in one write per entry: concurrent writers (service, command line) never tear a line.
      write: async (entry) => {
        await fs.appendFile(eventLog, JSON.stringify({ time: new Date().toISOString(), log: 'Application', source: EVENT_SOURCE, ...entry }) + '\n');
      },
    };
    this.rights = new SandboxRights(file);
    this.fs = {
      rename: async (from, to) => {
        const holders = await findHolders([from]);
        if (holders.length > 0) {
          const h = holders[0];
          const error = new Error(`EBUSY: resource busy or locked, rename '${from}' -> '${to}' (held by ${h.image} pid ${h.pid})`) as NodeJS.ErrnoException;
          error.code = 'EBUSY';
          throw error;
        }
        await fs.rename(from, to);
      },
      freeBytes: async (p) => {
        const { faults } = await readSandboxState(file);
        if (faults?.freeBytes !== undefined) return faults.freeBytes;
        const stats = await fs.statfs(p);
        return Number(stats.bavail) * Number(stats.bsize);
      },
    };
  }

  async host(): Promise<HostFacts> {
    const { host } = await readSandboxState(this.stateFile);
    return { elevated: host?.elevated !== false, oemCodePage: host?.oemCodePage ?? 65001 };
  }

  async decodeConsole(bytes: Buffer): Promise<string> {
    return (await consoleDecoder((await this.host()).oemCodePage))(bytes);
  }

  static async open(stateFile: string): Promise<SandboxPlatform> {
    const state = await readSandboxState(stateFile);
    return new SandboxPlatform(stateFile, state.computerName);
  }
}

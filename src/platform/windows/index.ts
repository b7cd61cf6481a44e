// The real Windows host (SPEC §10): every operation goes through one bridge client (bridge-client.ts)
// whose host, edge-js or Windows PowerShell 5.1, is chosen on the first call from what reg.exe says
// about the machine (host-probe.ts). Each concern lives in its own file; this file composes them.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { EVENT_SOURCE } from '../../core/events';
import type { EventLog, FileSystemOps, FolderRights, HostFacts, IisControl, LockInspector, Platform, ServiceControl } from '../types';
import { BridgeClient, type BridgeHosts } from './bridge-client';
import { edgeTransport, powershellTransport } from './bridge-hosts';
import { consoleDecoder } from './console-text';
import { probeHost, regQueryWith, type HostProbe } from './host-probe';
import { WindowsIis } from './iis';
import { WindowsLocks } from './locks';
import { WindowsRights } from './rights';
import { WindowsServices } from './services';

export interface WindowsPlatformOptions {
  /** The running executable (node.exe of the shipped layout); the bridge files are beside it. */
  execPath?: string;
  probe?: () => Promise<HostProbe>;
  /** The bridge's hosts (tests give fakes). */
  hosts?: BridgeHosts;
}

export class WindowsPlatform implements Platform {
  readonly kind = 'windows' as const;
  readonly iis: IisControl;
  readonly services: ServiceControl;
  readonly locks: LockInspector;
  readonly rights: FolderRights;
  readonly fs: FileSystemOps;
  readonly events: EventLog;
  readonly bridge: BridgeClient;
  private readonly probe: () => Promise<HostProbe>;
  private facts: Promise<HostFacts> | undefined;

  constructor(env: NodeJS.ProcessEnv, readonly computerName: string, options: WindowsPlatformOptions = {}) {
    const execPath = options.execPath ?? process.execPath;
    const folder = path.win32.dirname(execPath);
    let probed: Promise<HostProbe> | undefined;
    this.probe = options.probe ?? (() => (probed ??= probeHost(regQueryWith(env))));
    const decode = async () => consoleDecoder((await this.probe()).oemCodePage);
    this.bridge = new BridgeClient(this.probe, options.hosts ?? { edge: () => edgeTransport(folder), powershell: powershellTransport(env, folder, decode) }, execPath);
    this.iis = new WindowsIis(this.bridge, async () => (await this.probe()).iisInstalled);
    this.services = new WindowsServices(this.bridge);
    this.locks = new WindowsLocks(this.bridge);
    this.rights = new WindowsRights(this.bridge);
    this.fs = {
      // On Windows a rename fails by itself while a process holds a file inside: no simulation needed.
      rename: (from, to) => fs.rename(from, to),
      freeBytes: async (p) => {
        const stats = await fs.statfs(p);
        return Number(stats.bavail) * Number(stats.bsize);
      },
    };
    // The source "Altazion Update" is registered by `service install` (an administrator's act); the
    // ids are those of src/core/events.ts.
    this.events = {
      write: async ({ id, level, message }) => { await this.bridge.call({ op: 'eventlog.write', source: EVENT_SOURCE, eventId: id, level, message }); },
    };
  }

  host(): Promise<HostFacts> {
    this.facts ??= (async () => {
      const [info, probe] = await Promise.all([this.bridge.call<{ elevated: boolean; system: boolean }>({ op: 'host.info' }), this.probe()]);
      return { elevated: info.elevated || info.system, oemCodePage: probe.oemCodePage };
    })();
    return this.facts;
  }

  async decodeConsole(bytes: Buffer): Promise<string> {
    return (await consoleDecoder((await this.probe()).oemCodePage))(bytes);
  }
}

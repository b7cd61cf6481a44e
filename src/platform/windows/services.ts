// Windows services through the bridge (the service control manager's API): one call lists every
// service with its state, start mode (delayed start included), binary path and account.
import type { ServiceControl, ServiceInfo, ServiceState, StartMode } from '../types';
import type { BridgeClient } from './bridge-client';

interface BridgeService { name: string; displayName: string; state: string; startMode: string; binaryPath: string; account: string }

const STATES: ServiceState[] = ['Running', 'Stopped', 'StartPending', 'StopPending', 'Paused'];
const MODES: StartMode[] = ['Automatic', 'AutomaticDelayed', 'Manual', 'Disabled'];

export function serviceFrom(s: BridgeService): ServiceInfo {
  return {
    name: s.name,
    displayName: s.displayName || s.name,
    state: STATES.find((x) => x === s.state) ?? 'Unknown',
    // Boot and System start types are drivers' (never listed: Win32 services only): Manual otherwise.
    startMode: MODES.find((x) => x === s.startMode) ?? 'Manual',
    binaryPath: s.binaryPath ?? '',
    account: s.account ?? '',
  };
}

export class WindowsServices implements ServiceControl {
  constructor(private readonly bridge: BridgeClient) {}

  async list(): Promise<ServiceInfo[]> {
    return (await this.bridge.call<BridgeService[]>({ op: 'services.list' })).map(serviceFrom);
  }

  async get(name: string): Promise<ServiceInfo | undefined> {
    const [found] = await this.bridge.call<Array<BridgeService | null>>({ op: 'services.query', names: [name] }, name);
    return found ? serviceFrom({ ...found, name: found.name ?? name }) : undefined;
  }

  async stop(name: string): Promise<void> {
    await this.bridge.call({ op: 'services.stop', name }, name);
  }

  async start(name: string): Promise<void> {
    await this.bridge.call({ op: 'services.start', name }, name);
  }

  async setStartMode(name: string, mode: StartMode): Promise<void> {
    await this.bridge.call({ op: 'services.setStartMode', name, mode }, name);
  }
}

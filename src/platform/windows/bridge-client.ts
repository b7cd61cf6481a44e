// The bridge client: every platform operation goes through call(); calls made in the same turn of
// the event loop travel together in one request (discovery's IIS + services listing is one round
// trip), to the first host that works:
//  1. edge-js, in this process: only when the process runs as node.exe (edge's native module imports
//     node.exe by name) and the .NET Framework 4.5+ is installed (a mixed-mode module without a CLR
//     aborts the process). Loads AltazionBridge.dll, built with the product, from beside node.exe.
//  2. Windows PowerShell 5.1 (%SystemRoot%\System32\WindowsPowerShell\v1.0\powershell.exe) loading
//     the same AltazionBridge.dll: request on stdin, answer on stdout, both UTF-8.
// When neither can run, calls fail with BridgeUnavailableError naming both reasons.
import path from 'node:path';
import { msg } from '../../core/messages';
import { BridgeCallError, BridgeUnavailableError, decodeAnswer, encodeRequest, type BridgeCall, type BridgeResult } from './bridge-protocol';
import { NETFX_45_RELEASE, type HostProbe } from './host-probe';

/** Sends one request (JSON text) and resolves with the answer (JSON text). */
export type BridgeTransport = (request: string) => Promise<string>;

export interface BridgeHosts {
  /** Loads edge-js and the bridge in this process; throws when it cannot. */
  edge(): BridgeTransport;
  powershell: BridgeTransport;
}

export const BRIDGE_ASSEMBLY = 'AltazionBridge.dll';

/** Why edge-js must not be loaded here, or undefined when it may be (pure). */
export function edgeRefusal(execPath: string, probe: Pick<HostProbe, 'netfxRelease'>): string | undefined {
  if (path.win32.basename(execPath).toLowerCase() !== 'node.exe') {
    return `this process is ${path.win32.basename(execPath)}, not node.exe: edge-js's native module could not resolve its node.exe import`;
  }
  if (probe.netfxRelease === undefined) return 'the .NET Framework 4.x is not installed';
  if (probe.netfxRelease < NETFX_45_RELEASE) return `the .NET Framework release ${probe.netfxRelease} is older than 4.5`;
  return undefined;
}

interface Pending { call: BridgeCall; target?: string; resolve(value: unknown): void; reject(error: unknown): void }

export class BridgeClient {
  private queue: Pending[] = [];
  private transport: { name: string; send: BridgeTransport } | undefined;
  private edgeProblem: string | undefined;
  /** Which host answered (diagnostics, tests). */
  hostName: string | undefined;

  constructor(
    private readonly probe: () => Promise<HostProbe>,
    private readonly hosts: BridgeHosts,
    private readonly execPath: string,
  ) {}

  /** One operation; resolves with its value, rejects with BridgeCallError or BridgeUnavailableError. */
  call<T>(call: BridgeCall, target?: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.queue.length === 0) setImmediate(() => void this.flush());
      this.queue.push({ call, target, resolve: (value) => resolve(value as T), reject });
    });
  }

  private async choose(): Promise<{ name: string; send: BridgeTransport }> {
    if (this.transport) return this.transport;
    const refusal = edgeRefusal(this.execPath, await this.probe());
    if (!refusal) {
      try {
        this.transport = { name: 'edge-js', send: this.hosts.edge() };
        return this.transport;
      } catch (error) {
        this.edgeProblem = `edge-js could not load: ${(error as Error).message}`;
      }
    } else {
      this.edgeProblem = refusal;
    }
    this.transport = { name: 'Windows PowerShell 5.1', send: this.hosts.powershell };
    return this.transport;
  }

  private async send(calls: BridgeCall[]): Promise<BridgeResult[]> {
    let transport = await this.choose();
    try {
      this.hostName = transport.name;
      return decodeAnswer(await transport.send(encodeRequest(calls)), calls.length, transport.name);
    } catch (error) {
      if (transport.name !== 'edge-js') {
        throw new BridgeUnavailableError(msg('platform.bridgeUnavailable', { edge: this.edgeProblem ?? 'edge-js not used', error: (error as Error).message }),
          msg('platform.bridgeUnavailableHint'));
      }
      // edge-js loaded but failed to run: the rest of this process uses PowerShell.
      this.edgeProblem = `edge-js failed: ${(error as Error).message}`;
      transport = this.transport = { name: 'Windows PowerShell 5.1', send: this.hosts.powershell };
      return this.send(calls);
    }
  }

  private async flush(): Promise<void> {
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    try {
      const results = await this.send(batch.map((p) => p.call));
      batch.forEach((pending, i) => {
        const result = results[i]!;
        if (result.ok) pending.resolve(result.value);
        else pending.reject(new BridgeCallError(pending.call.op, result.error, pending.target));
      });
    } catch (error) {
      for (const pending of batch) pending.reject(error);
    }
  }

  /** Why edge-js is not used, once the client chose (diagnostics). */
  get edgeNotUsedBecause(): string | undefined {
    return this.edgeProblem;
  }
}

// File-lock holders on Windows through the bridge (locks.holders: the Restart Manager, Explorer
// windows, command prompts whose current directory is inside; see bridge/Locks.cs).
import type { LockHolder, LockInspector } from '../types';
import type { BridgeClient } from './bridge-client';

interface BridgeHolder { pid: number; image: string; user: string; path: string }

export function holdersFrom(list: readonly BridgeHolder[]): LockHolder[] {
  const out: LockHolder[] = [];
  for (const h of list) {
    if (!Number.isSafeInteger(h.pid) || h.pid <= 0) continue;
    if (out.some((o) => o.pid === h.pid && o.path.toLowerCase() === h.path.toLowerCase())) continue;
    out.push({ pid: h.pid, image: h.image || `pid ${h.pid}`, user: h.user || 'unknown user', path: h.path });
  }
  return out;
}

export class WindowsLocks implements LockInspector {
  constructor(private readonly bridge: BridgeClient) {}

  async holders(paths: readonly string[]): Promise<LockHolder[]> {
    if (paths.length === 0) return [];
    return holdersFrom(await this.bridge.call<BridgeHolder[]>({ op: 'locks.holders', paths: [...paths] }, paths.join('; ')));
  }
}

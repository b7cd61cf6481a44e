// The simulated Windows host of a sandbox: one JSON state file (pools, IIS applications, services,
// folder rights). Written atomically (temp file + rename) so a killed process never leaves it torn.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { AppPool, IisApplication, ServiceInfo } from '../types';
import { AltazionError } from '../../core/errors';

export interface SandboxPool extends AppPool {
  /** Real processes standing for the pool's w3wp.exe workers: stopping the pool ends them. */
  workerPids?: number[];
}

export interface SandboxService extends ServiceInfo {
  /** A real process standing for the running service: stopping the service ends it. */
  pid?: number;
  /** argv of a real process to spawn when the service starts (its pid is then recorded in `pid`), e.g. a portal. */
  run?: string[];
}

export interface SandboxFaults {
  /** Pools that refuse to start (to exercise rollback paths). */
  failStartPool?: string[];
  failStartService?: string[];
  /** Free bytes reported for every volume, to simulate a full disk. */
  freeBytes?: number;
}

/** The simulated host itself: a server as it may be (not elevated, no IIS, a French console). */
export interface SandboxHost {
  /** Default true. */
  elevated?: boolean;
  /** Default true; false: no W3SVC, no applications nor pools. */
  iisInstalled?: boolean;
  /** The code page hook scripts' output is decoded with; default 65001 (UTF-8). 850 on a French server. */
  oemCodePage?: number;
}

export interface SandboxState {
  computerName: string;
  host?: SandboxHost;
  pools: SandboxPool[];
  applications: IisApplication[];
  services: SandboxService[];
  /** Folder (or file) -> identities granted Modify on it (inherited below it). Simulated: module identities. */
  rights: Record<string, string[]>;
  /**
   * Real POSIX accounts the simulated host counts as Administrators/SYSTEM. uid 0 stands for SYSTEM
   * and is always one; `sandbox create` adds whoever created the sandbox. Files owned by anyone
   * else, or writable by another group or by others, are "writable by a non-administrator".
   */
  administrators?: { uids: number[]; gids: number[] };
  /** Paths whose rights no longer inherit from their parent (restrictToAdministrators). */
  protectedPaths?: string[];
  faults?: SandboxFaults;
}

export function emptySandboxState(computerName = 'SANDBOX-SRV01'): SandboxState {
  return { computerName, pools: [], applications: [], services: [], rights: {} };
}

export async function readSandboxState(file: string): Promise<SandboxState> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    throw new AltazionError('E_CONFIG', `${file}: the sandbox host state file cannot be read (${(error as NodeJS.ErrnoException).code ?? error})`, { target: file });
  }
  try {
    const state = JSON.parse(text) as SandboxState;
    state.pools ??= [];
    state.applications ??= [];
    state.services ??= [];
    state.rights ??= {};
    return state;
  } catch (error) {
    throw new AltazionError('E_CONFIG', `${file}: the sandbox host state is not valid JSON: ${(error as Error).message}`, { target: file });
  }
}

export async function writeSandboxState(file: string, state: SandboxState): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(temp, JSON.stringify(state, null, 2));
  await fs.rename(temp, file);
}

/** Read-modify-write of the state file. */
export async function updateSandboxState(file: string, change: (state: SandboxState) => void): Promise<SandboxState> {
  const state = await readSandboxState(file);
  change(state);
  await writeSandboxState(file, state);
  return state;
}

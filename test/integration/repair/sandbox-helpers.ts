// Sandboxes for the repair tests: create one in a temp folder, break it, run repair (directly or
// through the CLI), hash everything to prove a dry run changed nothing.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createContext } from '../../../src/cli/context';
import type { RepairResultRecord } from '../../../src/core/records';
import { Output } from '../../../src/output/output';
import { readSandboxState, updateSandboxState, type SandboxState } from '../../../src/platform/sandbox/state';
import { runRepair } from '../../../src/repair';
import { createSandbox, type SandboxInfo } from '../../../src/sandbox/create';

export interface TestSandbox {
  base: string;
  info: SandboxInfo;
  root: string;
  apps: string;
  stateFile: string;
  configDir: string;
  cleanup(): Promise<void>;
  /** Processes started for the test (holders, simulated portals): ended by cleanup(). */
  track(pid: number | undefined): void;
}

export async function makeSandbox(now?: Date): Promise<TestSandbox> {
  const base = await fs.mkdtemp(path.join(os.tmpdir(), 'altazion-repair-'));
  const info = await createSandbox({ root: path.join(base, 'root'), feed: path.join(base, 'feed'), ...(now ? { now } : {}) });
  const pids: number[] = [];
  return {
    base,
    info,
    root: info.Root,
    apps: info.Apps,
    stateFile: info.HostState,
    configDir: path.join(info.Root, 'bin', 'config'),
    track: (pid) => { if (pid) pids.push(pid); },
    cleanup: async () => {
      // Also whatever the sandbox spawned for a service (a restarted portal).
      const state = await readSandboxState(info.HostState).catch(() => undefined);
      for (const s of state?.services ?? []) if (s.pid) pids.push(s.pid);
      for (const pid of pids) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
      await fs.rm(base, { recursive: true, force: true });
    },
  };
}

export function changeHost(sb: TestSandbox, change: (state: SandboxState) => void): Promise<SandboxState> {
  return updateSandboxState(sb.stateFile, (state) => {
    // A change may drop a service whose process the sandbox started: remember it for cleanup().
    for (const service of state.services) sb.track(service.pid);
    change(state);
  });
}

export const readHost = (sb: TestSandbox) => readSandboxState(sb.stateFile);

/** Runs repair in-process, as the command does, with an optional clock. */
export async function repair(sb: TestSandbox, options: { checks?: string[]; dryRun?: boolean; now?: Date; legacyPortalPort?: number } = {}): Promise<RepairResultRecord[]> {
  const sink = { write: () => true };
  const output = new Output({ json: true, verbose: false, stdout: sink, stderr: sink });
  const base = createContext({ root: sb.root }, output, { ...process.env, ALTAZION_ROOT: sb.root });
  const ctx = options.now ? { ...base, now: () => options.now! } : base;
  return runRepair(ctx, { checks: options.checks, dryRun: Boolean(options.dryRun), ...(options.legacyPortalPort ? { legacyPortalPort: options.legacyPortalPort } : {}) });
}

const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../..');

/** Runs `altazion-update repair --json` from the sources (tsx), as a user would run the executable. */
export function repairCli(sb: TestSandbox, args: string[]): { code: number; records: RepairResultRecord[]; messages: Array<Record<string, unknown>>; stderr: string } {
  const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(REPO, 'src/cli/main.ts'), 'repair', '--root', sb.root, '--json', ...args], { encoding: 'utf8', cwd: REPO });
  const messages = run.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
  const records = messages.filter((m) => m.type === 'object' && m.typeName === 'Altazion.RepairResult').map((m) => m.data as RepairResultRecord);
  return { code: run.status ?? -1, records, messages, stderr: run.stderr };
}

/** sha256 over every file (path, mode, content) below the sandbox folder: root, apps, host state, feed. */
export async function hashTree(folder: string): Promise<string> {
  const hash = createHash('sha256');
  async function walk(dir: string): Promise<void> {
    const entries = (await fs.readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      const stat = await fs.lstat(full);
      hash.update(`${path.relative(folder, full)}\0${stat.mode}\0`);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) hash.update(await fs.readFile(full));
    }
  }
  await walk(folder);
  return hash.digest('hex');
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

export async function setPortalPort(sb: TestSandbox, port: number): Promise<void> {
  const file = sb.info.UpdaterConfig;
  const text = await fs.readFile(file, 'utf8');
  await fs.writeFile(file, text.replace(/<portal port="\d+"/, `<portal port="${port}"`));
}

/** argv of a tiny HTTP server standing for the portal of the update service (with our portal's header). */
export function portalProcessArgv(port: number): string[] {
  return [process.execPath, '-e', `require('http').createServer((q, s) => { s.setHeader('X-Altazion-Portal', 'test'); s.end('portal'); }).listen(${port}, '127.0.0.1')`, '--', '--image=altazion-update.exe'];
}

/** A real process keeping a file open in a folder, announcing a Windows image name. */
export async function holdFile(file: string, image: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', `const fs = require('fs'); fs.openSync(${JSON.stringify(file)}, 'r'); process.stdout.write('ready'); setInterval(() => {}, 1000);`, '--', `--image=${image}`], { stdio: ['ignore', 'pipe', 'ignore'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`holder exited (${code})`)));
  });
  return child;
}

export function byCheck(records: readonly RepairResultRecord[], check: string): RepairResultRecord[] {
  return records.filter((r) => r.Check === check);
}

export function statuses(records: readonly RepairResultRecord[], check?: string): string[] {
  return (check ? byCheck(records, check) : records).map((r) => r.Status);
}

/** Runs an install of `module` in a child process killed just before `step`: its journal stays behind. */
export function crashInstall(sb: TestSandbox, module: string, step: string): { signal: NodeJS.Signals | null; stderr: string } {
  const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(REPO, 'test/integration/repair/crash-install.ts'), sb.root, module, step], { encoding: 'utf8', cwd: REPO });
  return { signal: run.signal, stderr: run.stderr };
}

/** A real process whose current directory is a folder (a command prompt left `cd`'d into it). */
export async function shellIn(folder: string, image = 'cmd.exe'): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', `process.stdout.write('ready'); setInterval(() => {}, 1000);`, '--', `--image=${image}`], { cwd: folder, stdio: ['ignore', 'pipe', 'ignore'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`shell exited (${code})`)));
  });
  return child;
}

/** The modules the sandbox's feed publishes, sorted (what status.xml must know about). */
export async function feedModules(sb: TestSandbox): Promise<string[]> {
  const index = JSON.parse(await fs.readFile(path.join(sb.info.Feed, 'release-index.json'), 'utf8')) as { modules: Record<string, unknown> };
  return Object.keys(index.modules).sort();
}

// Shared pieces of the install integration tests: a sandbox in a temporary folder that can be
// reset to its pristine state, tree hashes, host state, updater.config tweaks, and the CLI
// (bundled from the current sources) run as a real child process.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fs, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createContext, type Context } from '../../../src/cli/context';
import { silentOutput } from '../../../src/output/output';
import { createSandbox, type SandboxInfo } from '../../../src/sandbox/create';
import { readSandboxState, type SandboxState } from '../../../src/platform/sandbox/state';

export const PROJECT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export interface Box extends SandboxInfo {
  base: string;
  /** Puts every file of the sandbox (and the host state) back as created. */
  reset(): Promise<void>;
  remove(): Promise<void>;
  ctx(env?: NodeJS.ProcessEnv): Context;
  appPath(folder: string): string;
  state(): Promise<SandboxState>;
}

export async function makeBox(modules?: string[], customize?: string[]): Promise<Box> {
  const base = await fs.mkdtemp(path.join(os.tmpdir(), 'altazion-install-'));
  const dir = path.join(base, 'sb');
  const info = await createSandbox({ root: path.join(dir, 'root'), feed: path.join(dir, 'feed'), ...(modules ? { modules } : {}), ...(customize ? { customize } : {}) });
  const pristine = path.join(base, 'pristine');
  await fs.cp(dir, pristine, { recursive: true, verbatimSymlinks: true });
  return {
    ...info,
    base: dir,
    reset: async () => {
      await fs.rm(dir, { recursive: true, force: true });
      await fs.cp(pristine, dir, { recursive: true, verbatimSymlinks: true });
    },
    remove: () => fs.rm(base, { recursive: true, force: true }),
    ctx: (env = process.env) => createContext({ root: info.Root }, silentOutput(), { ...env }),
    appPath: (folder) => path.join(info.Apps, folder),
    state: () => readSandboxState(info.HostState),
  };
}

/** sha256 of every file below `dir` (relative path -> digest); directories listed as 'dir'. */
export async function hashTree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (current: string) => {
    for (const entry of (await fs.readdir(current, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(current, entry.name);
      const rel = path.relative(dir, full);
      if (entry.isDirectory()) { out[rel + '/'] = 'dir'; await walk(full); }
      else out[rel] = createHash('sha256').update(await fs.readFile(full)).digest('hex');
    }
  };
  await walk(dir);
  return out;
}

/** Everything the install could touch besides logs: apps, host state, root (minus history/logs/journal/lock). */
export async function fingerprint(box: Box): Promise<string> {
  const apps = await hashTree(box.Apps);
  const root = await hashTree(box.Root);
  for (const key of Object.keys(root)) if (/^bin\/updates\/(logs|history|install\.lock)/.test(key)) delete root[key];
  const state = await fs.readFile(box.HostState, 'utf8');
  return createHash('sha256').update(JSON.stringify({ apps, root, state })).digest('hex');
}

export { setInstallConfig } from '../../helpers/sandbox';

/** sha256 of every file of a zip (as hashTree gives them), through the staging code. */
export async function hashZip(zip: string): Promise<Record<string, string>> {
  const { extractPackage } = await import('../../../src/install/staging');
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'altazion-unzip-'));
  try {
    await extractPackage(zip, path.join(dir, 'x'));
    return await hashTree(path.join(dir, 'x'));
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

export async function siblingsOf(box: Box): Promise<string[]> {
  return (await fs.readdir(box.Apps)).filter((n) => n.includes('.altazion-'));
}

export async function journals(box: Box): Promise<string[]> {
  return fs.readdir(path.join(box.Root, 'bin', 'updates', 'journal')).catch(() => []);
}

let bundle: Promise<string> | undefined;

/**
 * The CLI bundled from the current sources (esbuild, ~1 s once per test run): starting it costs a
 * fraction of node + tsx, which matters for tests that run it dozens of times. Lives under
 * node_modules/.cache so its external packages (mssql, edge-js) resolve.
 */
export function bundledCli(): Promise<string> {
  bundle ??= (async () => {
    const { build } = await import('esbuild');
    const outfile = path.join(PROJECT, 'node_modules', '.cache', 'altazion-install-tests', `cli-${process.pid}.cjs`);
    await build({
      entryPoints: [path.join(PROJECT, 'src', 'cli', 'main.ts')], outfile, bundle: true, platform: 'node', format: 'cjs', target: 'node20',
      external: ['edge-js', 'msnodesqlv8', 'mssql'], logLevel: 'error',
      // As build.mjs does: ESM dependencies (yargs) read import.meta.url, which CommonJS lacks.
      define: { 'import.meta.url': '__import_meta_url' },
      banner: { js: 'const __import_meta_url = require("url").pathToFileURL(__filename).href;' },
    });
    process.once('exit', () => { try { rmSync(outfile, { force: true }); } catch { /* best effort */ } });
    return outfile;
  })();
  return bundle;
}

export interface CliRun { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; records: Record<string, unknown>[]; errors: Record<string, unknown>[] }

/** The CLI built from the current sources, in a child process (so it can be killed like a real one). */
export async function runCli(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 120_000): Promise<CliRun> {
  const cli = await bundledCli();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
      cwd: PROJECT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const lines = args.includes('--json') ? stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) : [];
      resolve({
        code, signal, stdout, stderr,
        records: lines.filter((l) => l.type === 'object').map((l) => l.data as Record<string, unknown>),
        errors: lines.filter((l) => l.type === 'error'),
      });
    });
  });
}

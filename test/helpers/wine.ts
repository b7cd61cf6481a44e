// Runs the Windows product (dist/windows: the launcher altazion-update.exe and node.exe) under Wine for the end-to-end tests and
// the start-up benchmark. Wine's stdout must be a file, not a pipe (a pipe gives EBADF), so the
// output is redirected to temporary files and read back.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import path from 'node:path';

/** The wine launcher (Debian 12: `wine`; some packagings only have `wine64`), or null. */
export function findWine(): string | null {
  for (const candidate of ['wine', 'wine64']) {
    const found = spawnSync('sh', ['-c', `command -v ${candidate}`], { encoding: 'utf8' });
    if (found.status === 0 && found.stdout.trim()) return found.stdout.trim();
  }
  return null;
}

/**
 * Environment for Wine: a cached prefix (first creation takes tens of seconds; CI keeps it
 * between steps through WINEPREFIX), no debug chatter.
 */
export function wineEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    WINEPREFIX: process.env.WINEPREFIX ?? path.join(os.homedir(), '.cache', 'altazion-wine'),
    WINEDEBUG: '-all',
    WINEDLLOVERRIDES: 'mscoree,mshtml=', // no Mono/Gecko installer prompts on first run
  };
}

const repoRootForWine = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

let prefixReady = false;

/**
 * Creates the Wine prefix once and reports Windows 10: Node refuses to start on the Windows 7
 * that older prefixes report ("Node.js is only supported on Windows 8.1, ... or higher").
 */
export function ensureWinePrefix(wine: string): void {
  if (prefixReady) return;
  const env = wineEnv();
  const prefix = env.WINEPREFIX!;
  mkdirSync(prefix, { recursive: true });
  const marker = path.join(prefix, '.altazion-win10');
  if (!existsSync(marker)) {
    const lock = path.join(os.tmpdir(), 'altazion-wineprefix.lock');
    const script = `${JSON.stringify(wine)} wineboot -i >/dev/null 2>&1; ${JSON.stringify(wine)} winecfg -v win10 >/dev/null 2>&1; wineserver -w 2>/dev/null; true`;
    const result = spawnSync('flock', [lock, 'sh', '-c', script], { env, encoding: 'utf8', timeout: 300_000 });
    if (result.error) throw result.error;
    writeFileSync(marker, 'win10\n');
  }
  prefixReady = true;
}

export interface WineRun { status: number | null; stdout: string; stderr: string; ms: number }

/** Runs a Windows program under Wine, stdout and stderr redirected to files. */
export async function runUnderWine(wine: string, exe: string, args: string[], options: { timeoutMs?: number; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<WineRun> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'altazion-wine-run-'));
  const outFile = path.join(dir, 'stdout.txt');
  const errFile = path.join(dir, 'stderr.txt');
  const out = openSync(outFile, 'w');
  const err = openSync(errFile, 'w');
  const started = process.hrtime.bigint();
  try {
    const status = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(wine, [exe, ...args], { env: { ...wineEnv(), ...options.env }, stdio: ['ignore', out, err], ...(options.cwd ? { cwd: options.cwd } : {}) });
      const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
      child.on('error', reject);
      child.on('close', (code) => { clearTimeout(timer); resolve(code); });
    });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    return { status, stdout: readFileSync(outFile, 'utf8'), stderr: readFileSync(errFile, 'utf8'), ms };
  } finally {
    closeSync(out);
    closeSync(err);
  }
}

/** /tmp/x/y -> Z:\tmp\x\y (Wine maps drive Z: to the Linux root). */
export function toWinePath(linuxPath: string, drive = 'Z:'): string {
  return drive + linuxPath.replace(/\//g, '\\');
}

/**
 * Turns a sandbox made on Linux into the one a Windows server would have: every path in its
 * configuration files and its host state becomes a Windows path under Z:. In
 * applicationspath.config the drive letter is lower case and module names are written in another
 * case, which the tool must match case-insensitively (as Windows does).
 */
export function windowsifySandbox(base: string): void {
  const prefix = new RegExp(`${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[^"'\\s\\\\<>]*`, 'g');
  const bin = path.join(base, 'root', 'bin');
  for (const name of ['config/applicationspath.config', 'updates/updater.config', 'config/cpointsoftware.config']) {
    const file = path.join(bin, ...name.split('/'));
    if (!existsSync(file)) continue;
    let text = readFileSync(file, 'utf8').replace(prefix, (p) => toWinePath(p));
    if (name.endsWith('applicationspath.config')) {
      text = text
        .replace(/path="Z:/g, 'path="z:')
        .replace(/name="ecommerce"/, 'name="ECommerce"')
        .replace(/name="gestioncommerciale"/, 'name="GestionCommerciale"');
    }
    writeFileSync(file, text);
  }
  const stateFile = path.join(base, 'host', 'state.json');
  if (existsSync(stateFile)) {
    const convert = (value: unknown): unknown => {
      if (typeof value === 'string') return value.replace(prefix, (p) => toWinePath(p));
      if (Array.isArray(value)) return value.map(convert);
      if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, convert(v)]));
      return value;
    };
    writeFileSync(stateFile, JSON.stringify(convert(JSON.parse(readFileSync(stateFile, 'utf8'))), null, 2));
  }
}

/** NDJSON lines of a run, parsed. */
export function parseNdjson(text: string): Record<string, unknown>[] {
  return text.split(/\r?\n/).filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, unknown>);
}

/**
 * Node 24 and 26 do not start under Debian 12's Wine 8.0: V8 aborts at start-up with "Fatal process
 * out of memory: SegmentedTable::InitializeTable (subspace allocation)" (its address-space
 * reservations need placeholder support Wine 8.0 lacks). Under such a Wine the tests run the shipped
 * Windows folder with one file swapped, node.exe, for this Node 20 (and edge-js's native module
 * for it): every other file is the one that ships.
 */
export const WINE_FALLBACK_NODE = '20.20.2';

export interface WineLayout {
  folder: string;
  launcher: string;
  node: string;
  /** The Node version of node.exe in the folder. */
  nodeVersion: string;
  /** Why node.exe is not the shipped one (undefined when it is). */
  swapped?: string;
  /** The edge-js native module for that Node. */
  edgeNative: string;
}

/** Whether this Wine can start a node.exe (and what it printed when it cannot). */
export async function nodeStartsUnderWine(wine: string, nodeExe: string): Promise<{ starts: boolean; stderr: string }> {
  const run = await runUnderWine(wine, nodeExe, ['-e', 'process.stdout.write("ok")'], { timeoutMs: 120_000 });
  return { starts: run.status === 0 && run.stdout === 'ok', stderr: run.stderr };
}

/** A copy of dist/windows to run under Wine (see WINE_FALLBACK_NODE), in `target`. */
export async function prepareWineLayout(wine: string, distWindows: string, target: string, fallbackNodeExe: () => string): Promise<WineLayout> {
  cpSync(distWindows, target, { recursive: true });
  const node = path.join(target, 'node.exe');
  const shipped = await nodeStartsUnderWine(wine, node);
  let nodeVersion = readdirSync(path.join(target, 'edge-js', 'lib', 'native', 'win32', 'x64')).find((d) => /^\d+$/.test(d))!;
  let swapped: string | undefined;
  if (!shipped.starts) {
    swapped = `the shipped node.exe does not start under this Wine (${shipped.stderr.split('\n').find((l) => l.includes('Fatal')) ?? 'exit code ' + shipped.stderr.slice(0, 80)})`;
    copyFileSync(fallbackNodeExe(), node);
    nodeVersion = WINE_FALLBACK_NODE.split('.')[0]!;
    const native = path.join(repoRootForWine, 'node_modules', 'edge-js', 'lib', 'native', 'win32', 'x64', nodeVersion);
    cpSync(native, path.join(target, 'edge-js', 'lib', 'native', 'win32', 'x64', nodeVersion), { recursive: true });
  }
  return { folder: target, launcher: path.join(target, 'altazion-update.exe'), node, nodeVersion, ...(swapped ? { swapped } : {}), edgeNative: path.join(target, 'edge-js', 'lib', 'native', 'win32', 'x64', nodeVersion, 'edge_nativeclr.node') };
}

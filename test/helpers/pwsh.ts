// Runs PowerShell scripts in a real engine for the tests of the Altazion.Update module: the C#
// test host of test/pwsh-host (System.Management.Automation 7.6) is built on first use (cached by
// file timestamps) and prints every stream of the script as one JSON document.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const hostProject = path.join(repoRoot, 'test', 'pwsh-host');
const hostDll = path.join(hostProject, 'bin', 'Release', 'net10.0', 'pwsh-host.dll');

/** A PowerShell object as the host prints it. */
export interface PsObject {
  typeNames: string[];
  properties?: Record<string, unknown>;
  items?: unknown[];
  value?: unknown;
}
export interface PsError {
  fullyQualifiedErrorId: string;
  category: string;
  categoryInfo: string;
  targetName: string;
  targetObject: unknown;
  message: string;
  exceptionType: string;
  errorDetailsMessage: string | null;
  recommendedAction: string | null;
  commandName: string | null;
}
export interface PsProgress { activityId: number; activity: string; statusDescription: string; percentComplete: number; recordType: 'Processing' | 'Completed' }
export interface PsEvent { seq: number; ms: number; stream: string; data: unknown }
export interface PsResult {
  events: PsEvent[];
  /** Output objects; plain scalars come back as their value. */
  output: unknown[];
  error: PsError[];
  warning: { message: string }[];
  verbose: { message: string }[];
  information: { text: string; tags: string[]; source: string }[];
  progress: PsProgress[];
  host: { kind: string; text: string }[];
  prompt: { caption: string; message: string; choices: string[]; answer: string | null }[];
  terminatingError: PsError | null;
  hadErrors: boolean;
}

let built = false;

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) continue;
    if (/\.(cs|csproj)$/.test(entry.name)) newest = Math.max(newest, statSync(path.join(dir, entry.name)).mtimeMs);
  }
  return newest;
}

/** Builds the test host once per run, and only when a source file is newer than the build. */
export function ensurePwshHost(): string {
  if (built) return hostDll;
  const stale = !existsSync(hostDll) || statSync(hostDll).mtimeMs < newestMtime(hostProject);
  if (stale) {
    // flock: several mocha processes (or .ci/run) may build at the same time.
    const args = ['build', path.join(hostProject, 'PwshHost.csproj'), '-c', 'Release', '--nologo', '-v', 'quiet', '-clp:ErrorsOnly'];
    const env = { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: '1', DOTNET_NOLOGO: '1' };
    const hasFlock = spawnSync('flock', ['--version']).status === 0;
    const result = hasFlock
      ? spawnSync('flock', [path.join(os.tmpdir(), 'altazion-pwsh-host.lock'), 'dotnet', ...args], { encoding: 'utf8', env })
      : spawnSync('dotnet', args, { encoding: 'utf8', env });
    if (result.status !== 0) throw new Error(`building the PowerShell test host failed:\n${result.stdout}\n${result.stderr}`);
  }
  built = true;
  return hostDll;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  /** Answer to confirmation prompts; without it a prompt fails as in a non-interactive session. */
  confirm?: 'yes' | 'no';
  timeoutMs?: number;
}

/** Runs a PowerShell script in the test host and returns everything it produced. */
export async function runPwsh(script: string, options: RunOptions = {}): Promise<PsResult> {
  const dll = ensurePwshHost();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pwsh-script-'));
  const file = path.join(dir, 'script.ps1');
  writeFileSync(file, script);
  const env: NodeJS.ProcessEnv = { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: '1', ...options.env };
  if (options.confirm) env.PWSH_HOST_CONFIRM = options.confirm;
  for (const [key, value] of Object.entries(options.env ?? {})) if (value === undefined) delete env[key];
  return new Promise((resolve, reject) => {
    const child = spawn('dotnet', [dll, '--file', file], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 170_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`pwsh-host exited with ${code}:\n${stderr}\n${stdout}`));
      try {
        resolve(JSON.parse(stdout) as PsResult);
      } catch (error) {
        reject(new Error(`pwsh-host printed no JSON (${String(error)}):\n${stdout}\n${stderr}`));
      }
    });
  });
}

/** Quotes a string as a PowerShell single-quoted literal. */
export function psQuote(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** Output objects of a result that carry the given PowerShell type name. */
export function objectsOfType(result: PsResult, typeName: string): PsObject[] {
  return result.output.filter((o): o is PsObject => typeof o === 'object' && o !== null && (o as PsObject).typeNames?.[0] === typeName);
}

/** Throws with the whole result when the script hit a terminating error (clearer test failures). */
export function assertNoTerminatingError(result: PsResult): void {
  if (result.terminatingError) {
    throw new Error(`PowerShell script failed: ${result.terminatingError.fullyQualifiedErrorId}: ${result.terminatingError.message}\n${JSON.stringify(result.error, null, 1)}`);
  }
}

/** Where build.mjs put its output; ALTAZION_TEST_DIST points the tests at another build. */
export const distDir = process.env.ALTAZION_TEST_DIST ? path.resolve(process.env.ALTAZION_TEST_DIST) : path.join(repoRoot, 'dist');

/** The built module (dist/Altazion.Update, made by build.mjs, with the executables in its bin/). */
export function builtModuleManifest(): string {
  const manifest = path.join(distDir, 'Altazion.Update', 'Altazion.Update.psd1');
  if (!existsSync(manifest)) throw new Error(`${manifest} is missing: run \`node build.mjs\` first (npm test does)`);
  return manifest;
}

export const sourceModuleManifest = path.join(repoRoot, 'powershell', 'Altazion.Update', 'Altazion.Update.psd1');

/**
 * The Linux executable the module runs in tests: dist/altazion-update (the Linux SEA build), or,
 * after a `--bundle-only` build, a small shell wrapper around dist/altazion-update.cjs.
 */
export function linuxExecutable(): string {
  const sea = path.join(distDir, 'altazion-update');
  if (existsSync(sea)) return sea;
  const bundle = path.join(distDir, 'altazion-update.cjs');
  if (!existsSync(bundle)) throw new Error('dist/altazion-update is missing: run `node build.mjs` first (npm test does)');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'altazion-exe-'));
  const wrapper = path.join(dir, 'altazion-update');
  writeFileSync(wrapper, `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(bundle)} "$@"\n`);
  chmodSync(wrapper, 0o755);
  return wrapper;
}

/** Copies an executable script fixture to a temp folder with its execute bit set. */
export function executableFixture(source: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'altazion-fake-'));
  const target = path.join(dir, path.basename(source));
  copyFileSync(source, target);
  chmodSync(target, 0o755);
  return target;
}

/** Runs the executable directly (sandbox creation and checks in tests); returns the NDJSON records. */
export function runExecutableJson(exe: string, args: string[]): Record<string, unknown>[] {
  const stdout = execFileSync(exe, [...args, '--json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return stdout.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, unknown>);
}

// Real PowerShell for the tests: pwsh 7.6.10 (the `PowerShell` .NET tool) and Pester 6.2.0, both
// from NuGet, installed by test/setup/pwsh.sh into ~/.cache/altazion-pwsh ($ALTAZION_PWSH_CACHE).
// runPwsh runs a script in that pwsh under a recording host (test/powershell/recorder) and returns
// every stream it produced as one JSON document; the Pester suites run through test/powershell/pester.test.ts.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const PWSH_VERSION = '7.6.10';
export const PESTER_VERSION = '6.2.0';
const cacheDir = process.env.ALTAZION_PWSH_CACHE ?? path.join(os.homedir(), '.cache', 'altazion-pwsh');
const recorder = path.join(repoRoot, 'test', 'powershell', 'recorder', 'Invoke-Recorded.ps1');

/** A PowerShell object as the recorder prints it. */
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

let installed = false;

/** Runs test/setup/pwsh.sh once per test process (idempotent: quick when pwsh and Pester are there). */
function ensureInstalled(): void {
  if (installed) return;
  const result = spawnSync('bash', [path.join(repoRoot, 'test', 'setup', 'pwsh.sh')], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`test/setup/pwsh.sh failed:\n${result.stdout}\n${result.stderr}`);
  installed = true;
}

/** The real pwsh the tests run ($ALTAZION_PWSH overrides it). */
export function pwshExecutable(): string {
  if (process.env.ALTAZION_PWSH) return process.env.ALTAZION_PWSH;
  ensureInstalled();
  return path.join(cacheDir, `pwsh-${PWSH_VERSION}`, 'pwsh');
}

/** Pester's module manifest (a NuGet package download). */
export function pesterManifest(): string {
  ensureInstalled();
  return path.join(cacheDir, 'nuget', 'pester', PESTER_VERSION, 'tools', 'Pester.psd1');
}

/** Environment for a pwsh child: no colours (plain text to parse), no telemetry, no update check. */
export function pwshEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', POWERSHELL_TELEMETRY_OPTOUT: '1', POWERSHELL_UPDATECHECK: 'Off', DOTNET_CLI_TELEMETRY_OPTOUT: '1' };
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  /** Answer to confirmation prompts; without it a prompt fails as in a non-interactive session. */
  confirm?: 'yes' | 'no';
  timeoutMs?: number;
}

/** Runs a PowerShell script in the real pwsh under the recording host and returns everything it produced. */
export async function runPwsh(script: string, options: RunOptions = {}): Promise<PsResult> {
  const pwsh = pwshExecutable();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pwsh-script-'));
  const file = path.join(dir, 'script.ps1');
  writeFileSync(file, script);
  const args = ['-NoLogo', '-NoProfile', '-NonInteractive', '-File', recorder, '-File', file];
  if (options.confirm) args.push('-Confirm', options.confirm);
  return new Promise((resolve, reject) => {
    const child = spawn(pwsh, args, { env: pwshEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 170_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`pwsh (recorder) exited with ${code}:\n${stderr}\n${stdout}`));
      try {
        resolve(JSON.parse(stdout) as PsResult);
      } catch (error) {
        reject(new Error(`pwsh (recorder) printed no JSON (${String(error)}):\n${stdout}\n${stderr}`));
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

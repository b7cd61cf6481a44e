// Runs the built command line as a user would, and decodes its NDJSON. By default the Linux
// single executable (dist/altazion-update, built by `npm test`), else ALTAZION_TEST_CLI.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeLine, type ProtocolMessage } from '../../src/output/protocol';

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SEA_EXE = path.join(PROJECT_ROOT, 'dist', 'altazion-update');
export const BUNDLE = path.join(PROJECT_ROOT, 'dist', 'altazion-update.cjs');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Decoded NDJSON lines (only with --json). */
  messages: ProtocolMessage[];
  objects(typeName?: string): Record<string, unknown>[];
  errors(): Extract<ProtocolMessage, { type: 'error' }>[];
}

/** The command to run: the executable, or node + the bundle. */
export function cliCommand(kind: 'exe' | 'bundle' = 'exe'): { file: string; prefix: string[] } {
  const override = process.env.ALTAZION_TEST_CLI;
  if (override) return override.endsWith('.cjs') ? { file: process.execPath, prefix: [override] } : { file: override, prefix: [] };
  if (kind === 'exe') {
    if (!existsSync(SEA_EXE)) throw new Error(`${SEA_EXE} is missing: run \`node build.mjs\` (npm test does)`);
    return { file: SEA_EXE, prefix: [] };
  }
  if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run \`node build.mjs --bundle-only\``);
  return { file: process.execPath, prefix: [BUNDLE] };
}

export function runCli(args: string[], options: { env?: NodeJS.ProcessEnv; kind?: 'exe' | 'bundle'; input?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  const { file, prefix } = cliCommand(options.kind);
  return new Promise((resolve, reject) => {
    const child = spawn(file, [...prefix, ...args], { env: { ...process.env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60000);
    child.on('error', reject);
    child.stdin.end(options.input ?? '');
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const messages = args.includes('--json') ? stdout.split('\n').filter(Boolean).map(decodeLine) : [];
      resolve({
        code, signal, stdout, stderr, messages,
        objects: (typeName) => messages.filter((m): m is Extract<ProtocolMessage, { type: 'object' }> => m.type === 'object' && (!typeName || m.typeName === typeName)).map((m) => m.data),
        errors: () => messages.filter((m): m is Extract<ProtocolMessage, { type: 'error' }> => m.type === 'error'),
      });
    });
  });
}

// What every benchmark shares, so that each tells the truth the same way:
//   - whole processes on both sides (the product's command and the baseline's), timed from spawn
//     to exit, with their peak RSS (a preload for node processes, GNU time for the others);
//   - alternated pairs (product then baseline, then baseline then product, ...) so that a machine
//     getting slower or faster during the run weighs on both sides alike;
//   - the median of the paired ratios, with their min-max and n (n >= 9 when a run takes under
//     10 s), and met/MISSED on every row.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const median = (values) => {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const scratch = mkdtempSync(path.join(os.tmpdir(), 'altazion-bench-lib-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));

/** A preload that prints the process's peak RSS at exit, for node processes. */
const preload = path.join(scratch, 'maxrss.cjs');
writeFileSync(preload, "process.on('exit', () => { const u = process.resourceUsage(); require('fs').writeSync(2, `\\nMAXRSS_KB ${u.maxRSS} CPU_S ${(u.userCPUTime + u.systemCPUTime) / 1e6}\\n`); });\n");
const GNU_TIME = existsSync('/usr/bin/time') && spawnSync('/usr/bin/time', ['-f', '%M', 'true']).status === 0 ? '/usr/bin/time' : undefined;

/**
 * Runs a whole process; resolves with its wall time (ms), peak RSS (MB, when measurable), stdout
 * and stderr. `node: true` adds the RSS preload to a node command line ([execPath, script, ...]).
 */
export function run(command, args, { node = false, env, cwd, input } = {}) {
  let file = command;
  let argv = args;
  if (node) argv = ['--require', preload, ...args];
  else if (GNU_TIME) { file = GNU_TIME; argv = ['-f', 'MAXRSS_KB %M CPU_S %U %S', command, ...args]; }
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(file, argv, { env: env ?? process.env, cwd, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
    if (input !== undefined) child.stdin.end(input);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const usage = /MAXRSS_KB (\d+) CPU_S ([\d.]+)(?: ([\d.]+))?/.exec(stderr);
      if (code !== 0) { reject(new Error(`${command} ${args.join(' ')} exited ${code ?? signal}: ${stderr.slice(-2000)}`)); return; }
      resolve({
        ms, stdout, stderr: stderr.replace(/\n?MAXRSS_KB .*\n?/, ''),
        rssMb: usage ? Number(usage[1]) / 1024 : undefined,
        /** CPU time (user + system, s): less sensitive than wall time to a busy machine. */
        cpuS: usage ? Number(usage[2]) + Number(usage[3] ?? 0) : undefined,
      });
    });
  });
}

/**
 * Rounds of several sides (whole processes), the order rotated every round so that no side always
 * runs first. Each side resolves with a number (ms, less is better) or { value, ...extra }.
 * `prepare(i, side)` runs before each side, untimed. n: BENCH_PAIRS, else 9, or 5 when the first
 * round shows a run of 10 s or more. Returns per side its values and the raw results.
 */
export async function rounds({ sides, prepare, n, label }) {
  const names = Object.keys(sides);
  const out = Object.fromEntries(names.map((name) => [name, { values: [], results: [] }]));
  const value = (r) => (typeof r === 'number' ? r : r.value);
  let count = n ?? (process.env.BENCH_PAIRS ? Number(process.env.BENCH_PAIRS) : undefined);
  for (let i = 0; count === undefined || i < count; i++) {
    const order = names.map((_, k) => names[(k + i) % names.length]);
    for (const side of order) {
      await prepare?.(i, side);
      const result = await sides[side](i);
      out[side].values.push(value(result));
      out[side].results.push(result);
    }
    if (count === undefined) count = Math.max(...names.map((s) => out[s].values[i])) >= 10_000 ? 5 : 9;
    if (label) process.stderr.write(`  ${label}: round ${i + 1}/${count}: ${names.map((s) => `${s} ${fmtMs(out[s].values[i])}`).join(', ')}\n`);
  }
  return out;
}

/** Paired ratios a/b of two sides of `rounds` (same round each). */
export const ratiosOf = (a, b) => a.values.map((v, i) => v / b.values[i]);

/** Two sides, alternated: the product's and the baseline's; `ratios` are product / baseline. */
export async function pairs({ product, baseline, prepare, n, label }) {
  const r = await rounds({ sides: { product, baseline }, prepare, n, label });
  return { product: r.product.values, baseline: r.baseline.values, ratios: ratiosOf(r.product, r.baseline), results: r };
}

export const fmtMs = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);

/** `median [min-max] (n)` of the paired ratios. */
export function ratioText(ratios) {
  return `${median(ratios).toFixed(2)} x [${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}] (n=${ratios.length})`;
}

const rows = [];
/** One row: what, the figure, the target, and met/MISSED (printed now and in the summary). */
export function row(bench, label, figure, target, met) {
  const line = `${bench}: ${label.padEnd(58)} ${figure.padEnd(34)} target ${target.padEnd(18)} ${met === undefined ? '' : met ? 'met' : 'MISSED'}`;
  rows.push(line);
  console.log(line);
}

/** A figure without a target (context for the rows). */
export function note(bench, label, figure) {
  console.log(`${bench}: ${label.padEnd(58)} ${figure}`);
}

export function load() {
  return `load average ${os.loadavg().map((l) => l.toFixed(1)).join(' / ')} on ${os.cpus().length} CPUs`;
}

/** Runs a command, throwing with its stderr when it fails (fixtures). */
export function sh(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, ...options });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status ?? result.signal}: ${result.stderr}`);
  return result.stdout;
}

export function has(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
}

export { readFileSync };

// `get --json` on a sandbox: median wall time over repeated runs of the single executable (and of
// the bundle under node), beside `node -e 0` measured in the same run. Target: ratio <= 2.0.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const project = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bundle = path.join(project, 'dist', 'altazion-update.cjs');
const exe = path.join(project, 'dist', 'altazion-update');
const RUNS = Number(process.env.BENCH_RUNS ?? 15);

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function time(file, args) {
  const samples = [];
  for (let i = 0; i < RUNS + 2; i++) {
    const start = process.hrtime.bigint();
    const result = spawnSync(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (result.status !== 0) throw new Error(`${file} ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
    if (i >= 2) samples.push(ms); // two warm-up runs (page cache)
  }
  return median(samples);
}

const base = mkdtempSync(path.join(os.tmpdir(), 'altazion-bench-get-'));
try {
  const root = path.join(base, 'root');
  execFileSync(process.execPath, [bundle, 'sandbox', 'create', '--root', root, '--feed', path.join(base, 'feed'), '--json'], { stdio: 'ignore' });
  execFileSync(process.execPath, [bundle, 'check', '--root', root, '--json'], { stdio: 'ignore' });
  const baseline = time(process.execPath, ['-e', '0']);
  const rows = [['node -e 0 (baseline)', baseline]];
  rows.push(['node dist/altazion-update.cjs get --json', time(process.execPath, [bundle, 'get', '--root', root, '--json'])]);
  if (existsSync(exe)) rows.push(['dist/altazion-update get --json', time(exe, ['get', '--root', root, '--json'])]);
  console.log(`get on a 4-module sandbox, median of ${RUNS} runs`);
  for (const [label, ms] of rows) console.log(`  ${label.padEnd(44)} ${ms.toFixed(1).padStart(7)} ms   ratio ${(ms / baseline).toFixed(2)}`);
  const product = rows[rows.length - 1][1] / baseline;
  console.log(`  target: ratio <= 2.0 -> ${product <= 2 ? 'met' : 'NOT met'} (${product.toFixed(2)})`);
} finally {
  rmSync(base, { recursive: true, force: true });
}

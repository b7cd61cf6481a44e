// `get --json` on a 4-module sandbox beside `node -e 0`, alternated in the same run: each round
// times `node -e 0`, the single executable and the bundle under node (whole processes), and the
// ratio of each to that round's `node -e 0`. Prints the median of the paired ratios (min-max, n)
// and the peak RSS of `get`. Target: the executable's ratio <= 2.0.
//   node bench/get.bench.mjs            (BENCH_RUNS=N rounds, default 21)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const project = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bundle = path.join(project, 'dist', 'altazion-update.cjs');
const exe = path.join(project, 'dist', 'altazion-update');
const RUNS = Number(process.env.BENCH_RUNS ?? 21);
const sorted = (values) => [...values].sort((a, b) => a - b);
const median = (values) => sorted(values)[Math.floor(values.length / 2)];

/** Wall time (ms) of one whole process, and its peak RSS (MB, from GNU time when installed). */
function run(file, args) {
  const timed = existsSync('/usr/bin/time');
  const start = process.hrtime.bigint();
  const result = timed
    ? spawnSync('/usr/bin/time', ['-f', 'maxrss %M', file, ...args], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' })
    : spawnSync(file, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${file} ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  const rss = /maxrss (\d+)/.exec(result.stderr ?? '');
  return { ms, rssMb: rss ? Number(rss[1]) / 1024 : undefined };
}

const base = mkdtempSync(path.join(os.tmpdir(), 'altazion-bench-get-'));
try {
  const root = path.join(base, 'root');
  execFileSync(process.execPath, [bundle, 'sandbox', 'create', '--root', root, '--feed', path.join(base, 'feed'), '--json'], { stdio: 'ignore' });
  execFileSync(process.execPath, [bundle, 'check', '--root', root, '--json'], { stdio: 'ignore' });
  const getArgs = ['get', '--root', root, '--json'];
  const sides = [['node dist/altazion-update.cjs get --json', process.execPath, [bundle, ...getArgs]]];
  if (existsSync(exe)) sides.push(['dist/altazion-update get --json', exe, getArgs]);
  const baseline = [];
  const results = sides.map(() => ({ ms: [], ratios: [], rss: [] }));
  for (let round = 0; round < RUNS + 2; round++) {
    const node = run(process.execPath, ['-e', '0']);
    const measured = sides.map(([, file, args]) => run(file, args));
    if (round < 2) continue; // warm-up rounds (page cache)
    baseline.push(node.ms);
    measured.forEach((m, i) => {
      results[i].ms.push(m.ms);
      results[i].ratios.push(m.ms / node.ms);
      if (m.rssMb !== undefined) results[i].rss.push(m.rssMb);
    });
  }
  console.log(`get on a 4-module sandbox, ${RUNS} alternated rounds, ${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(1)}`);
  console.log(`  ${'node -e 0 (baseline)'.padEnd(44)} ${median(baseline).toFixed(1).padStart(7)} ms`);
  sides.forEach(([label], i) => {
    const r = sorted(results[i].ratios);
    const rss = results[i].rss.length ? `, peak RSS ${Math.max(...results[i].rss).toFixed(0)} MB` : '';
    console.log(`  ${label.padEnd(44)} ${median(results[i].ms).toFixed(1).padStart(7)} ms   ratio ${median(r).toFixed(2)} (min ${r[0].toFixed(2)}, max ${r.at(-1).toFixed(2)}, n ${r.length})${rss}`);
  });
  const product = median(results.at(-1).ratios);
  console.log(`  target: ratio <= 2.0 -> ${product <= 2 ? 'met' : 'NOT met'} (${product.toFixed(2)})`);
} finally {
  rmSync(base, { recursive: true, force: true });
}

// Runs every bench/*.bench.mjs in turn (or those whose name contains an argument:
// `npm run bench -- get install`). Each benchmark prints its figures, the baseline it measured in
// the same run, and the ratio to the target. Benchmarks never fail the test suite: they report.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
// Start-up latencies first, the benchmarks that move gigabytes last: right after the download
// benchmark the short processes of `get` start measurably slower for a while (bench/README.md),
// and each figure should be its own, not the one before's after-effect.
const ORDER = ['startup', 'get', 'portal', 'database', 'download', 'install'];
const rank = (file) => { const i = ORDER.findIndex((name) => file.startsWith(`${name}.`)); return i < 0 ? ORDER.length : i; };
const benches = readdirSync(here).filter((f) => f.endsWith('.bench.mjs'))
  .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));

const summary = [];
for (const bench of benches) {
  process.stdout.write(`\n=== ${bench}\n`);
  const started = Date.now();
  const result = spawnSync(process.execPath, [path.join(here, bench)], { stdio: 'inherit', cwd: path.dirname(here) });
  summary.push(`${bench.padEnd(24)} ${result.status === 0 ? 'ok    ' : `FAILED (exit ${result.status ?? result.signal})`} ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
process.stdout.write(`\n=== summary\n${summary.join('\n')}\n`);
process.exitCode = summary.some((l) => l.includes('FAILED')) ? 1 : 0;

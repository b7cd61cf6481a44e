// `get --json` (the executable, else the bundle under node) beside `node -e 0`, whole processes in
// alternated pairs, on two shapes: the demo sandbox (4 web/service modules and a small database),
// and the same server whose database holds 20,000 objects (10,000 tables and 10,000 procedures of
// the customer: `get` reads the catalog and compares it with the standard baseline).
// Target: median of the paired ratios <= 2.0 x node -e 0 on each shape; peak RSS printed.
//   npm run bench -- get               (BENCH_PAIRS=n; node build.mjs first)
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmtMs, load, median, note, pairs, ratioText, row, run, sh } from './lib.mjs';

const B = 'get';
const project = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bundle = path.join(project, 'dist', 'altazion-update.cjs');
const exe = path.join(project, 'dist', 'altazion-update');
if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run \`node build.mjs\``);
const [command, prefix, what] = existsSync(exe) ? [exe, [], 'dist/altazion-update'] : [process.execPath, [bundle], 'node dist/altazion-update.cjs'];

const base = mkdtempSync(path.join(os.tmpdir(), 'altazion-bench-get-'));
try {
  const root = path.join(base, 'root');
  sh(process.execPath, [bundle, 'sandbox', 'create', '--root', root, '--feed', path.join(base, 'feed'), '--json']);
  sh(process.execPath, [bundle, 'check', '--root', root, '--json']);
  note(B, 'machine', load());

  const measure = async (shape) => {
    // Warm the page cache and the code cache first (not measured).
    for (let i = 0; i < 2; i++) { await run(command, [...prefix, 'get', '--root', root, '--json']); await run(process.execPath, ['-e', '0']); }
    const rss = [];
    const result = await pairs({
      label: `get ${shape}`,
      product: async () => { const r = await run(command, [...prefix, 'get', '--root', root, '--json'], { node: command === process.execPath }); if (r.rssMb) rss.push(r.rssMb); return r.ms; },
      // The baseline is timed through the same wrapper as the product (the RSS preload, or GNU time).
      baseline: async () => (await run(process.execPath, ['-e', '0'], { node: command === process.execPath })).ms,
    });
    row(B, `${what} get --json / node -e 0, ${shape}`, ratioText(result.ratios), '<= 2.0 x', median(result.ratios) <= 2.0);
    note(B, `  medians (${shape})`, `get ${fmtMs(median(result.product))}, node -e 0 ${fmtMs(median(result.baseline))}${rss.length ? `, peak RSS of get ${Math.max(...rss).toFixed(0)} MB` : ''}`);
  };

  await measure('demo sandbox');

  // A database of 20,000 and 50,000 objects: bench/database-scale.bench.mjs (the sandbox's catalog format is its own).
  note(B, 'machine', load());
} finally {
  rmSync(base, { recursive: true, force: true });
}

// `get --json` beside `node -e 0`, whole processes in alternated pairs, on the demo sandbox (4
// web/service modules and a small database), as Linux runs it (the single executable, when built)
// and as Windows runs it (node with dist/altazion-update.cjs: the launcher and the service host
// start node.exe with it; the warm-up runs write its compile cache, as a server's first run does).
// A database of 20,000 and 50,000 objects: bench/database-scale.bench.mjs.
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
const variants = [
  ...(existsSync(exe) ? [{ command: exe, prefix: [], what: 'dist/altazion-update' }] : []),
  { command: process.execPath, prefix: [bundle], what: 'node dist/altazion-update.cjs' },
];

const base = mkdtempSync(path.join(os.tmpdir(), 'altazion-bench-get-'));
try {
  const root = path.join(base, 'root');
  sh(process.execPath, [bundle, 'sandbox', 'create', '--root', root, '--feed', path.join(base, 'feed'), '--json']);
  sh(process.execPath, [bundle, 'check', '--root', root, '--json']);
  note(B, 'machine', load());

  const measure = async (shape, { command, prefix, what }) => {
    // Warm the page cache and the code caches first (not measured).
    for (let i = 0; i < 2; i++) { await run(command, [...prefix, 'get', '--root', root, '--json']); await run(process.execPath, ['-e', '0']); }
    const rss = [];
    const node = command === process.execPath;
    const result = await pairs({
      label: `get ${shape}, ${what}`,
      product: async () => { const r = await run(command, [...prefix, 'get', '--root', root, '--json'], { node }); if (r.rssMb) rss.push(r.rssMb); return r.ms; },
      // The baseline is timed through the same wrapper as the product (the RSS preload, or GNU time).
      baseline: async () => (await run(process.execPath, ['-e', '0'], { node })).ms,
    });
    row(B, `${what} get --json / node -e 0, ${shape}`, ratioText(result.ratios), '<= 2.0 x', median(result.ratios) <= 2.0);
    note(B, `  medians (${shape})`, `get ${fmtMs(median(result.product))}, node -e 0 ${fmtMs(median(result.baseline))}${rss.length ? `, peak RSS of get ${Math.max(...rss).toFixed(0)} MB` : ''}`);
  };

  for (const variant of variants) await measure('demo sandbox', variant);

  note(B, 'machine', load());
} finally {
  rmSync(base, { recursive: true, force: true });
}

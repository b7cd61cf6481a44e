// Start-up time, whole processes, product and baseline alternated in pairs (ABBA), the median of
// the paired ratios with min–max and n, and peak RSS (GNU time's %M) when /usr/bin/time is there.
// Prints figures; asserts nothing.
//  1. Linux: dist/altazion-update --version (the single executable) against `node -e 0`.
//  2. Windows under Wine: dist/windows/altazion-update.exe --version (the launcher, which starts
//     node.exe with the bundle: docs/windows.md says why Windows ships a folder) against
//     node.exe altazion-update.cjs --version (the same without the launcher): what the launcher
//     costs. Wine 8.0 (Debian 12) cannot start Node 24+ (V8 aborts); then node.exe is swapped for
//     Node 20 as in the tests (test/helpers/wine.ts), and the bench says so.
//   node bench/startup.bench.mjs          (BENCH_RUNS=N pairs, default 9; WINEPREFIX as for the tests)
import { spawnSync } from 'node:child_process';
import { closeSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeWindowsExe } from '../tools/node-runtime.mjs';

const project = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = process.env.ALTAZION_TEST_DIST ?? path.join(project, 'dist');
const linuxExe = path.join(dist, 'altazion-update');
const windowsDir = path.join(dist, 'windows');
const RUNS = Number(process.env.BENCH_RUNS ?? 9);
/** The Node whose node.exe Wine 8 can start (test/helpers/wine.ts WINE_FALLBACK_NODE). */
const WINE_FALLBACK_NODE = '20.20.2';
const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const line = (label, value) => console.log(`startup: ${label.padEnd(52)} ${value}`);
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const scratch = mkdtempSync(path.join(os.tmpdir(), 'altazion-startup-'));
const outFile = path.join(scratch, 'stdout.txt');
const errFile = path.join(scratch, 'stderr.txt');
const rssFile = path.join(scratch, 'rss.txt');

/** One run: wall time (ms) and peak RSS (KB, when GNU time is there); stdout/stderr to files (Wine gives EBADF on a pipe). */
function once(file, args, env, cwd) {
  const out = openSync(outFile, 'w');
  const err = openSync(errFile, 'w');
  const [cmd, argv] = GNU_TIME ? [GNU_TIME, ['-f', '%M', '-o', rssFile, file, ...args]] : [file, args];
  const start = process.hrtime.bigint();
  const result = spawnSync(cmd, argv, { env, cwd, stdio: ['ignore', out, err] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  closeSync(out);
  closeSync(err);
  if (result.status !== 0) {
    const stderr = readFileSync(errFile, 'utf8');
    throw new Error(`${file} ${args.join(' ')} exited ${result.status}: ${stderr.split('\n').find((l) => l.includes('Fatal')) ?? stderr.slice(-500)}`);
  }
  const rssKb = GNU_TIME ? Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop()) : NaN;
  return { ms, rssKb };
}

/** Alternates baseline and product (ABBA) after one warm-up pair; paired ratios product/baseline. */
function pairs(baseline, product) {
  once(...baseline);
  once(...product);
  const rows = [];
  for (let i = 0; i < RUNS; i++) {
    const first = i % 2 === 0;
    const a = first ? once(...baseline) : undefined;
    const b = once(...product);
    const c = first ? a : once(...baseline);
    rows.push({ baseline: c, product: b, ratio: b.ms / c.ms });
  }
  const ratios = rows.map((r) => r.ratio);
  return {
    baselineMs: median(rows.map((r) => r.baseline.ms)),
    productMs: median(rows.map((r) => r.product.ms)),
    ratio: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios), n: rows.length,
    baselineRss: Math.max(...rows.map((r) => r.baseline.rssKb)) / 1024,
    productRss: Math.max(...rows.map((r) => r.product.rssKb)) / 1024,
  };
}

function report(label, baselineLabel, r, rss = true) {
  line(`${label}`, `${r.productMs.toFixed(0)} ms`);
  line(`${baselineLabel}`, `${r.baselineMs.toFixed(0)} ms`);
  line('  ratio (median of paired runs)', `${r.ratio.toFixed(2)}  (min ${r.min.toFixed(2)}, max ${r.max.toFixed(2)}, n ${r.n})`);
  if (GNU_TIME && rss) line('  peak RSS product / baseline', `${r.productRss.toFixed(1)} MB / ${r.baselineRss.toFixed(1)} MB`);
}

function findWine() {
  for (const candidate of ['wine', 'wine64']) {
    const found = spawnSync('sh', ['-c', `command -v ${candidate}`], { encoding: 'utf8' });
    if (found.status === 0 && found.stdout.trim()) return found.stdout.trim();
  }
  return null;
}

const toWinePath = (p) => `Z:${p.replace(/\//g, '\\')}`;

function main() {
  if (!existsSync(linuxExe)) {
    line('skipped', `${linuxExe} is missing (run node build.mjs)`);
    return;
  }
  report('linux: dist/altazion-update --version', 'linux: node -e 0 (baseline)',
    pairs([process.execPath, ['-e', '0'], process.env], [linuxExe, ['--version'], process.env]));

  const wine = findWine();
  if (!wine || !existsSync(path.join(windowsDir, 'altazion-update.exe'))) {
    line('windows layout under wine', wine ? `${windowsDir} is missing (run node build.mjs)` : 'skipped: wine is not installed');
    return;
  }
  const wineEnv = {
    ...process.env,
    WINEPREFIX: process.env.WINEPREFIX ?? path.join(os.homedir(), '.cache', 'altazion-wine'),
    WINEDEBUG: '-all',
    WINEDLLOVERRIDES: 'mscoree,mshtml=',
  };
  mkdirSync(wineEnv.WINEPREFIX, { recursive: true });
  if (!existsSync(path.join(wineEnv.WINEPREFIX, '.altazion-win10'))) {
    // Same one-time preparation as test/helpers/wine.ts (Node needs Windows 8.1 or later).
    spawnSync('flock', [path.join(os.tmpdir(), 'altazion-wineprefix.lock'), 'sh', '-c', `"${wine}" wineboot -i >/dev/null 2>&1; "${wine}" winecfg -v win10 >/dev/null 2>&1; wineserver -w 2>/dev/null; true`], { env: wineEnv });
    writeFileSync(path.join(wineEnv.WINEPREFIX, '.altazion-win10'), 'win10\n');
  }
  const layout = path.join(scratch, 'windows');
  cpSync(windowsDir, layout, { recursive: true });
  const node = path.join(layout, 'node.exe');
  try {
    once(wine, [node, '-e', '0'], wineEnv, layout);
  } catch (error) {
    line('note', `the shipped node.exe does not start under this Wine (${String(error.message).split(': ').slice(1).join(': ').trim()}): node.exe swapped for Node ${WINE_FALLBACK_NODE}`);
    copyFileSync(nodeWindowsExe(WINE_FALLBACK_NODE, () => undefined), node);
  }
  report('wine: altazion-update.exe --version (launcher)', 'wine: node.exe altazion-update.cjs --version (baseline)',
    pairs([wine, [node, toWinePath(path.join(layout, 'altazion-update.cjs')), '--version'], wineEnv, layout], [wine, [path.join(layout, 'altazion-update.exe'), '--version'], wineEnv, layout]),
    // Under Wine the launcher's node.exe is not a Unix child it waits for: GNU time would see the launcher alone.
    false);
  if (GNU_TIME) line('  peak RSS', 'not compared under Wine (GNU time sees the launcher process, not its node.exe)');
}

try {
  main();
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

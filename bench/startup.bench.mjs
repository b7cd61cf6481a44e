// Start-up time of the executables: `--version` of dist/altazion-update (Linux SEA) beside
// `node -e 0`, and of dist/altazion-update.exe under Wine beside Wine's own start-up
// (`wine cmd /c exit`), whole processes in alternated pairs (stdout and stderr redirected to files:
// Node under Wine gives EBADF on a pipe). Median of paired ratios with min-max and n.
// Target: the Linux executable <= 2.0 x node -e 0 (the start-up budget `get` has too). The Wine
// rows are context, with no target: Wine's emulation cost is not the product's.
//   node bench/startup.bench.mjs          (BENCH_PAIRS=n; WINEPREFIX as for the tests)
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmtMs, median, note, pairs, ratioText, row } from './lib.mjs';

const project = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = process.env.ALTAZION_TEST_DIST ?? path.join(project, 'dist');
const linuxExe = path.join(dist, 'altazion-update');
const windowsExe = path.join(dist, 'altazion-update.exe');
const line = (label, value) => note('startup', label, value);

const scratch = mkdtempSync(path.join(os.tmpdir(), 'altazion-startup-'));
const outFile = path.join(scratch, 'stdout.txt');
const errFile = path.join(scratch, 'stderr.txt');

/** Wall time (ms) of one run of a command, stdout and stderr to files. */
function once(file, args, env = process.env) {
  const out = openSync(outFile, 'w');
  const err = openSync(errFile, 'w');
  const start = process.hrtime.bigint();
  const result = spawnSync(file, args, { env, stdio: ['ignore', out, err] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  closeSync(out);
  closeSync(err);
  if (result.status !== 0) throw new Error(`${file} ${args.join(' ')} exited ${result.status}: ${readFileSync(errFile, 'utf8')}`);
  return ms;
}

/** Two warm-up runs of each side, then alternated pairs. */
async function compare(label, product, baseline) {
  for (let i = 0; i < 2; i++) { product(); baseline(); }
  return pairs({ label, product: async () => product(), baseline: async () => baseline() });
}

function findWine() {
  for (const candidate of ['wine', 'wine64']) {
    const found = spawnSync('sh', ['-c', `command -v ${candidate}`], { encoding: 'utf8' });
    if (found.status === 0 && found.stdout.trim()) return found.stdout.trim();
  }
  return null;
}

if (!existsSync(linuxExe)) {
  line('skipped', `${linuxExe} is missing (run node build.mjs)`);
  process.exit(0);
}

const linux = await compare('linux --version', () => once(linuxExe, ['--version']), () => once(process.execPath, ['-e', '0']));
row('startup', 'linux build: altazion-update --version / node -e 0', ratioText(linux.ratios), '<= 2.0 x', median(linux.ratios) <= 2.0);
line('  medians', `--version ${fmtMs(median(linux.product))}, node -e 0 ${fmtMs(median(linux.baseline))}`);

const wine = findWine();
if (!wine || !existsSync(windowsExe)) {
  line('windows build under wine', wine ? `${windowsExe} is missing` : 'skipped: wine is not installed');
  process.exit(0);
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
  spawnSync('sh', ['-c', `"${wine}" wineboot -i >/dev/null 2>&1; "${wine}" winecfg -v win10 >/dev/null 2>&1; wineserver -w 2>/dev/null; true`], { env: wineEnv });
  writeFileSync(path.join(wineEnv.WINEPREFIX, '.altazion-win10'), 'win10\n');
}
const windows = await compare('wine --version', () => once(wine, [windowsExe, '--version'], wineEnv), () => once(wine, ['cmd', '/c', 'exit'], wineEnv));
line('windows build under wine: --version / wine cmd /c exit', `${ratioText(windows.ratios)} (context, no target)`);
line('  medians', `--version ${fmtMs(median(windows.product))}, wine cmd /c exit ${fmtMs(median(windows.baseline))}, difference ${fmtMs(Math.max(0, median(windows.product) - median(windows.baseline)))}`);

// Start-up time of the Windows executable under Wine beside the Linux build (issue 3): median wall
// time of `--version` over repeated runs of dist/altazion-update (Linux SEA) and of
// dist/altazion-update.exe under Wine (stdout and stderr redirected to files: Node under Wine gives EBADF on a pipe),
// with `node -e 0` and Wine's own start-up (`wine cmd /c exit`) measured in the same run as
// baselines. Prints figures; asserts nothing.
//   node bench/startup.bench.mjs          (BENCH_RUNS=N, default 9; WINEPREFIX as for the tests)
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const project = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = process.env.ALTAZION_TEST_DIST ?? path.join(project, 'dist');
const linuxExe = path.join(dist, 'altazion-update');
const windowsExe = path.join(dist, 'altazion-update.exe');
const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const line = (label, value) => console.log(`startup: ${label.padEnd(44)} ${value}`);
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const scratch = mkdtempSync(path.join(os.tmpdir(), 'altazion-startup-'));
const outFile = path.join(scratch, 'stdout.txt');
const errFile = path.join(scratch, 'stderr.txt');

/** Median wall time (ms) of a command, stdout and stderr to files, after two warm-up runs. */
function time(file, args, env = process.env) {
  const samples = [];
  for (let i = 0; i < RUNS + 2; i++) {
    const out = openSync(outFile, 'w');
    const err = openSync(errFile, 'w');
    const start = process.hrtime.bigint();
    const result = spawnSync(file, args, { env, stdio: ['ignore', out, err] });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    closeSync(out);
    closeSync(err);
    if (result.status !== 0) throw new Error(`${file} ${args.join(' ')} exited ${result.status}: ${readFileSync(errFile, 'utf8')}`);
    if (i >= 2) samples.push(ms);
  }
  return median(samples);
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

const node = time(process.execPath, ['-e', '0']);
const linux = time(linuxExe, ['--version']);
line(`node -e 0 (median of ${RUNS})`, `${node.toFixed(0)} ms`);
line('linux build: altazion-update --version', `${linux.toFixed(0)} ms  (${(linux / node).toFixed(2)} x node -e 0)`);

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
const wineAlone = time(wine, ['cmd', '/c', 'exit'], wineEnv);
const windows = time(wine, [windowsExe, '--version'], wineEnv);
line('wine cmd /c exit (Wine start-up alone)', `${wineAlone.toFixed(0)} ms`);
line('windows build under wine: --version', `${windows.toFixed(0)} ms  (${(windows / linux).toFixed(2)} x linux build)`);
line('windows build minus Wine start-up', `${Math.max(0, windows - wineAlone).toFixed(0)} ms`);

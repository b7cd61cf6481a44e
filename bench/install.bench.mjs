// Install of a big web module in the sandbox: 20,000 files / 1 GB (BENCH_INSTALL_FILES,
// BENCH_INSTALL_MB to change). Measures, in the same run:
//   - the downtime of the install (app_offline.htm written -> pool started and app_offline.htm gone),
//   - `cp -r` of the same tree (what an in-place file copy would cost at least),
//   - the part of the downtime beyond stopping and starting the pool (read from the install log),
//   - the peak RSS of the install process (process.resourceUsage().maxRSS, printed at exit).
// Targets: downtime <= 2% of the copy, <= 1 s beyond the pool stop/start, peak RSS <= 150 MB.
// Runs the bundle (dist/altazion-update.cjs, built by `npm run bench`); fixtures under /tmp.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const project = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bundle = path.join(project, 'dist', 'altazion-update.cjs');
const FILES = Number(process.env.BENCH_INSTALL_FILES ?? 20_000);
const MB = Number(process.env.BENCH_INSTALL_MB ?? 1024);
if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run \`node build.mjs --bundle-only\` (npm run bench does)`);

const cli = (args, options = {}) => execFileSync(process.execPath, [bundle, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });

/** Writes FILES files totalling MB megabytes under `dir` (incompressible bytes, 100 per folder). */
function writeTree(dir, version) {
  const size = Math.floor((MB * 1024 * 1024) / FILES);
  const block = createHash('sha512').update(version).digest();
  const chunk = Buffer.alloc(size);
  for (let i = 0; i < size; i += block.length) block.copy(chunk, i);
  // Cheap per-file variation so files differ; content stays deterministic.
  const seed = Buffer.alloc(size);
  for (let i = 0; i < size; i++) seed[i] = (i * 2654435761) >>> 24;
  for (let i = 0; i < size; i++) chunk[i] ^= seed[i];
  for (let i = 0; i < FILES; i++) {
    const folder = path.join(dir, 'bin', `d${Math.floor(i / 100)}`);
    if (i % 100 === 0) mkdirSync(folder, { recursive: true });
    chunk.writeUInt32LE(i, 0);
    writeFileSync(path.join(folder, `f${i}.dll`), chunk);
  }
}

function secondsBetween(log, from, to) {
  const at = (marker) => {
    const line = log.split('\n').find((l) => l.includes(marker));
    if (!line) throw new Error(`install log has no "${marker}"`);
    return Date.parse(line.slice(0, 24));
  };
  return (at(to) - at(from)) / 1000;
}

const base = mkdtempSync(path.join(os.tmpdir(), 'altazion-bench-install-'));
try {
  const root = path.join(base, 'sb', 'root');
  const feed = path.join(base, 'sb', 'feed');
  const info = JSON.parse(cli(['sandbox', 'create', '--root', root, '--feed', feed, '--modules', 'ecommerce', '--json']).trim().split('\n')[0]).data;
  const app = path.join(info.Apps, 'ecommerce');
  const newVersion = '26.1.1.1';
  process.stdout.write(`fixture: ${FILES} files, ${MB} MB, under ${base}\n`);
  let t = Date.now();
  writeTree(app, info.InstalledVersion);
  // The new version: same shape, other bytes, as a stored (not deflated) signed package.
  const build = path.join(base, 'build');
  writeTree(build, newVersion);
  for (const file of ['web.config', 'default.htm']) writeFileSync(path.join(build, file), `${file} ${newVersion}\n`);
  writeFileSync(path.join(build, 'altazion-package.json'), JSON.stringify({ schemaVersion: 1, module: 'ecommerce', version: newVersion, kind: 'web' }));
  const packages = path.join(base, 'packages');
  mkdirSync(packages);
  const { register } = await import('tsx/esm/api');
  register();
  const { buildPackageZip } = await import(path.join(project, 'src', 'feed', 'publish.ts'));
  await buildPackageZip(build, path.join(packages, `ecommerce-${newVersion}.zip`), { compress: false });
  rmSync(build, { recursive: true, force: true });
  cli(['publish', '--packages', packages, '--key', info.SigningKey, '--out', feed, '--json']);
  rmSync(packages, { recursive: true, force: true });
  process.stdout.write(`fixture ready in ${((Date.now() - t) / 1000).toFixed(1)} s\n`);

  // Baseline in the same run: copying the tree in place.
  execFileSync('sync');
  t = process.hrtime.bigint();
  execFileSync('cp', ['-r', app, path.join(base, 'copy')]);
  const copySeconds = Number(process.hrtime.bigint() - t) / 1e9;
  rmSync(path.join(base, 'copy'), { recursive: true, force: true });

  // The download happens before anything goes offline; do it first so the install run is the install.
  cli(['check', '--root', root, '--json']);
  execFileSync('sync');
  const preload = path.join(base, 'maxrss.cjs');
  writeFileSync(preload, "process.on('exit', () => require('fs').writeSync(2, `MAXRSS_KB ${process.resourceUsage().maxRSS}\\n`));\n");
  t = process.hrtime.bigint();
  const run = spawnSync(process.execPath, ['--require', preload, bundle, 'install', '--root', root, '--name', 'ecommerce', '--json'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const installSeconds = Number(process.hrtime.bigint() - t) / 1e9;
  if (run.status !== 0) throw new Error(`install exited ${run.status}: ${run.stderr}\n${run.stdout}`);
  const record = run.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((m) => m.typeName === 'Altazion.InstallResult').data;
  if (record.Result !== 'Installed') throw new Error(`install: ${record.Result}: ${record.Message}`);
  const maxRssMb = Number(/MAXRSS_KB (\d+)/.exec(run.stderr)[1]) / 1024;
  const log = readFileSync(record.LogPath, 'utf8');
  const poolStop = secondsBetween(log, 'step stop-pools', 'step stop-service');
  const poolStart = secondsBetween(log, 'step start-pools', 'step app-online');
  const downtime = record.DowntimeSeconds;
  const beyond = downtime - poolStop - poolStart;
  const ratio = downtime / copySeconds;
  const verdict = (ok) => (ok ? 'ok' : 'MISSED');
  console.log(`install ${info.InstalledVersion} -> ${newVersion} of a ${FILES}-file / ${MB} MB web module (whole install ${installSeconds.toFixed(1)} s)`);
  console.log(`  cp -r of the same tree (baseline) ${copySeconds.toFixed(2)} s`);
  console.log(`  downtime (offline -> online)      ${downtime.toFixed(3)} s   ratio ${(ratio * 100).toFixed(2)} % of the copy   target <= 2 %   ${verdict(ratio <= 0.02)}`);
  console.log(`  pool stop ${poolStop.toFixed(3)} s + pool start ${poolStart.toFixed(3)} s; beyond them ${beyond.toFixed(3)} s   target <= 1 s   ${verdict(beyond <= 1)}`);
  console.log(`  peak RSS of the install process   ${maxRssMb.toFixed(0)} MB   target <= 150 MB   ${verdict(maxRssMb <= 150)}`);
} finally {
  rmSync(base, { recursive: true, force: true });
}

// Install of a big web module in the sandbox, at three shapes (files x size):
//   2,000 x 512 KiB, 20,000 x 50 KiB, 100,000 x 10 KiB (about 1 GiB each; BENCH_INSTALL_SHAPES,
//   e.g. "20000x50", to choose). The package is deflated, its content half compressible like
//   binaries. For each shape, in alternated rounds of whole processes:
//   - staging: the extraction the install does (src/install/staging.ts in a process started like
//     the executable) beside `unzip -q` of the same package;
//   - the whole install (`altazion-update install`, package already verified in the cache as after
//     `check`) beside `unzip -q` of the same package, and `cp -r` of the installed tree: the
//     downtime beyond the pool's stop and start (from the install log) as a share of that copy;
//   - peak RSS of the install process; and what the backup cost before the install reported: the
//     previous folder is renamed aside, nothing is copied or compressed.
// Targets (issue 17): staging <= 1.25 x unzip; install <= 1.5 x unzip; downtime beyond the pool
// stop/start <= 2 % of cp -r; peak RSS <= 150 MB; no backup copy or compression before the result.
//   npm run bench -- install            (node build.mjs --bundle-only first; needs unzip)
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { fmtMs, has, load, median, note, ratiosOf, ratioText, rounds, row, run, sh } from './lib.mjs';

const B = 'install';
const project = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bundle = path.join(project, 'dist', 'altazion-update.cjs');
const SHAPES = (process.env.BENCH_INSTALL_SHAPES ?? '2000x512,20000x50,100000x10').split(',').map((s) => {
  const [files, kb] = s.split('x').map(Number);
  return { files, kb };
});
if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run \`node build.mjs --bundle-only\` (npm run bench does)`);
if (!has('unzip')) { note(B, 'skipped', 'unzip is not installed (apt-get install unzip): it is the baseline'); process.exit(0); }

// A folder of its own each run: a second bench started on the same ALTAZION_BENCH_DIR used to
// delete the first one's fixtures (its package vanished mid-run: unzip exit 9 at 100,000 files).
const WORK_PARENT = process.env.ALTAZION_BENCH_DIR ?? os.tmpdir();
mkdirSync(WORK_PARENT, { recursive: true });
const WORK = mkdtempSync(path.join(WORK_PARENT, 'altazion-bench-install-'));

// The staging process: the install's own extraction, started like the executable (its thread-pool
// setting first, when the source has one; the small-buffer pool every command gets at start-up,
// src/cli/main.ts) and with the install command's memory setting (young generation).
const stageChild = path.join(WORK, 'stage.cjs');
const threadPool = path.join(project, 'src', 'cli', 'thread-pool.ts');
const memorySettings = [['buffer-pool', 'keepBufferPoolSmall'], ['young-generation', 'keepYoungGenerationSmall']]
  .filter(([file]) => existsSync(path.join(project, 'src', 'cli', `${file}.ts`)))
  .map(([file, fn]) => `import { ${fn} } from './src/cli/${file}';\n${fn}();\n`).join('');
await build({
  stdin: {
    contents: `${existsSync(threadPool) ? "import './src/cli/thread-pool';\n" : ''}${memorySettings}import { extractPackage } from './src/install/staging';
extractPackage(process.argv[2], process.argv[3]).then((n) => process.stdout.write(String(n)), (e) => { console.error(e); process.exitCode = 1; });`,
    resolveDir: project, loader: 'ts',
  },
  bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: stageChild, logLevel: 'error',
});

/** `files` files of `kb` KiB under `dir`/bin, 100 per folder: half random, half a repeated pattern. */
function writeTree(dir, files, kb, seed) {
  const size = kb * 1024;
  const random = createHash('sha512').update(seed).digest();
  const chunk = Buffer.alloc(size);
  for (let i = 0; i < size / 2; i++) chunk[i] = random[i % 64] ^ ((i * 2654435761) >>> 24);
  for (let i = Math.floor(size / 2); i < size; i++) chunk[i] = (i % 61) + 32;
  for (let i = 0; i < files; i++) {
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

const cli = (args) => sh(process.execPath, [bundle, ...args]);
/** CPU seconds (user + system) of two sides, medians: the machine's load weighs less on them than on wall time. */
const cpuText = (a, b) => {
  const x = a.map((r) => r.cpuS).filter((v) => v !== undefined);
  const y = b.map((r) => r.cpuS).filter((v) => v !== undefined);
  return x.length && y.length ? `${median(x).toFixed(2)} s / ${median(y).toFixed(2)} s = ${(median(x) / median(y)).toFixed(2)} x` : 'not measured (GNU time missing)';
};
const { register } = await import('tsx/esm/api');
register();
const { buildPackageZip } = await import(path.join(project, 'src', 'feed', 'publish.ts'));

note(B, 'machine', load());
// A failure in one shape (a process that exits non-zero or is killed, a fixture step) is a row of
// its own, naming the shape, the phase and the error; the next shapes still run, and the bench
// exits non-zero: it never stops without saying why.
let phase = 'fixture';
let failed = false;
process.on('uncaughtException', (error) => {
  console.log(`${B}: FAILED (uncaught, phase ${phase}): ${error.stack ?? error}`);
  process.exit(1);
});
for (const shape of SHAPES) {
  phase = 'fixture';
  try {
    await benchShape(shape);
  } catch (error) {
    failed = true;
    row(B, `${shape.files} files: bench ran to its end`, `FAILED in ${phase}: ${String(error?.message ?? error).split('\n').slice(0, 3).join(' ')}`, 'no failure', false);
    console.error(error);
  }
  note(B, 'machine', load());
}
if (failed) {
  note(B, 'left for a look', WORK);
  process.exitCode = 1;
} else rmSync(WORK, { recursive: true, force: true });

async function benchShape(shape) {
  const base = path.join(WORK, `${shape.files}x${shape.kb}`);
  rmSync(base, { recursive: true, force: true });
  mkdirSync(base, { recursive: true });
  const root = path.join(base, 'sb', 'root');
  const info = JSON.parse(cli(['sandbox', 'create', '--root', root, '--feed', path.join(base, 'sb', 'feed'), '--modules', 'ecommerce', '--json']).trim().split('\n')[0]).data;
  const app = path.join(info.Apps, 'ecommerce');
  const newVersion = '26.1.1.1';
  let t = Date.now();
  writeTree(app, shape.files, shape.kb, info.InstalledVersion);
  const buildDir = path.join(base, 'build');
  writeTree(buildDir, shape.files, shape.kb, newVersion);
  for (const file of ['web.config', 'default.htm']) writeFileSync(path.join(buildDir, file), `${file} ${newVersion}\n`);
  writeFileSync(path.join(buildDir, 'altazion-package.json'), JSON.stringify({ schemaVersion: 1, module: 'ecommerce', version: newVersion, kind: 'web' }));
  const packages = path.join(base, 'packages');
  mkdirSync(packages);
  await buildPackageZip(buildDir, path.join(packages, `ecommerce-${newVersion}.zip`), { compress: true });
  rmSync(buildDir, { recursive: true, force: true });
  cli(['publish', '--packages', packages, '--key', info.SigningKey, '--out', info.Feed, '--json']);
  rmSync(packages, { recursive: true, force: true });
  cli(['check', '--root', root, '--json']); // the download is not the install: the package is cached first
  const cache = path.join(root, 'bin', 'updates', 'cache');
  // The baselines and the staging child read their own copy: the one in the cache is the product's.
  const pkg = path.join(base, `ecommerce-${newVersion}.zip`);
  copyFileSync(path.join(cache, readdirSync(cache).find((n) => n.startsWith(`ecommerce-${newVersion}`))), pkg);
  const mb = statSync(pkg).size / 1048576;
  note(B, `${shape.files} files x ${shape.kb} KiB`, `package ${mb.toFixed(0)} MiB (deflated), fixture ready in ${((Date.now() - t) / 1000).toFixed(0)} s, under ${base}`);

  const out = path.join(base, 'out');
  const clear = () => { rmSync(out, { recursive: true, force: true }); sh('sync', []); };

  // --- staging ----------------------------------------------------------------------------------
  phase = 'staging';
  const staging = await rounds({
    label: `staging ${shape.files}`,
    prepare: clear,
    sides: {
      product: () => run(process.execPath, [stageChild, pkg, out], { node: true }).then((r) => ({ value: r.ms, rssMb: r.rssMb, cpuS: r.cpuS })),
      unzip: () => run('unzip', ['-q', pkg, '-d', out]).then((r) => ({ value: r.ms, cpuS: r.cpuS })),
    },
  });
  const stagingRatios = ratiosOf(staging.product, staging.unzip);
  row(B, `${shape.files} files: staging / unzip -q`, `${ratioText(stagingRatios)}`, '<= 1.25 x', median(stagingRatios) <= 1.25);
  note(B, `${shape.files} files: staging, unzip -q (medians)`, `${fmtMs(median(staging.product.values))}, ${fmtMs(median(staging.unzip.values))}; staging peak RSS ${Math.max(...staging.product.results.map((r) => r.rssMb)).toFixed(0)} MB`);
  note(B, `${shape.files} files: CPU time, staging / unzip -q (medians)`, cpuText(staging.product.results, staging.unzip.results));
  clear();

  // --- the whole install, beside unzip and cp -r -------------------------------------------------
  phase = 'install';
  const copy = path.join(base, 'copy');
  const restore = () => {
    // Back to the old version for the next install: the backup folder is the old folder.
    const backup = readdirSync(info.Apps).find((n) => n.startsWith('ecommerce.altazion-backup-'));
    if (backup) {
      rmSync(app, { recursive: true, force: true });
      renameSync(path.join(info.Apps, backup), app);
    }
    rmSync(copy, { recursive: true, force: true });
    clear();
  };
  const whole = await rounds({
    label: `install ${shape.files}`,
    prepare: restore,
    sides: {
      install: async () => {
        const r = await run(process.execPath, [bundle, 'install', '--root', root, '--name', 'ecommerce', '--json'], { node: true });
        const record = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((m) => m.typeName === 'Altazion.InstallResult').data;
        if (record.Result !== 'Installed') throw new Error(`install: ${record.Result}: ${record.Message}`);
        const log = readFileSync(record.LogPath, 'utf8');
        const poolStop = secondsBetween(log, 'step stop-pools', 'step stop-service');
        const poolStart = secondsBetween(log, 'step start-pools', 'step app-online');
        // The swap's two renames (in the sandbox each first scans /proc for a process holding a file
        // inside, as Windows refuses such a rename in the kernel); the rest of the window is the
        // app_offline.htm, the verify, the journal's point of no return and the log lines.
        const renames = secondsBetween(log, 'step swap-out', 'step swap-in') + secondsBetween(log, 'step swap-in', 'step verify');
        const backupIsFolder = record.BackupPath !== null && statSync(record.BackupPath).isDirectory();
        return { value: r.ms, rssMb: r.rssMb, cpuS: r.cpuS, downtime: record.DowntimeSeconds, beyond: record.DowntimeSeconds - poolStop - poolStart, renames, backupIsFolder };
      },
      unzip: () => run('unzip', ['-q', pkg, '-d', out]).then((r) => ({ value: r.ms, cpuS: r.cpuS })),
      'cp -r': () => run('cp', ['-r', app, copy]).then((r) => r.ms),
    },
  });
  const installRatios = ratiosOf(whole.install, whole.unzip);
  row(B, `${shape.files} files: whole install / unzip -q`, ratioText(installRatios), '<= 1.5 x', median(installRatios) <= 1.5);
  const beyondShare = whole.install.results.map((r, i) => (r.beyond * 1000) / whole['cp -r'].values[i]);
  row(B, `${shape.files} files: downtime beyond pool stop+start / cp -r`, `${(median(beyondShare) * 100).toFixed(2)} % [${(Math.min(...beyondShare) * 100).toFixed(2)}-${(Math.max(...beyondShare) * 100).toFixed(2)}] (n=${beyondShare.length})`, '<= 2 %', median(beyondShare) <= 0.02);
  note(B, `${shape.files} files: downtime beyond pool stop+start (medians)`, `${fmtMs(median(whole.install.results.map((r) => r.beyond * 1000)))}: the swap's two renames ${fmtMs(median(whole.install.results.map((r) => r.renames * 1000)))}, the rest ${fmtMs(median(whole.install.results.map((r) => (r.beyond - r.renames) * 1000)))} (log timestamps, ms)`);
  const peak = Math.max(...whole.install.results.map((r) => r.rssMb));
  row(B, `${shape.files} files: peak RSS of the install process (max of n)`, `${peak.toFixed(0)} MB`, '<= 150 MB', peak <= 150);
  const folders = whole.install.results.every((r) => r.backupIsFolder);
  row(B, `${shape.files} files: backup work before the result`, folders ? 'none: previous folder renamed aside' : 'a copy or an archive', 'none', folders);
  note(B, `${shape.files} files: CPU time, install / unzip -q (medians)`, cpuText(whole.install.results, whole.unzip.results));
  note(B, `${shape.files} files: install, unzip -q, cp -r (medians)`, `${fmtMs(median(whole.install.values))}, ${fmtMs(median(whole.unzip.values))}, ${fmtMs(median(whole['cp -r'].values))}; downtime ${median(whole.install.results.map((r) => r.downtime)).toFixed(3)} s`);
  // What the backup costs later, out of the install (the service or `check` compresses it).
  phase = 'backup compression (check)';
  // The rounds put the old version back before each side: the last side run may have left no backup.
  if (!readdirSync(info.Apps).some((n) => n.startsWith('ecommerce.altazion-backup-'))) {
    restore();
    await run(process.execPath, [bundle, 'install', '--root', root, '--name', 'ecommerce', '--json']);
  }
  t = Date.now();
  const later = await run(process.execPath, [bundle, 'check', '--root', root, '--json'], { node: true });
  const backups = path.join(root, 'bin', 'updates', 'backups');
  const parts = readdirSync(backups).filter((n) => n.startsWith('ecommerce-') && n.endsWith('.zip'));
  if (parts.length === 0) throw new Error(`check compressed no backup into ${backups}`);
  note(B, `${shape.files} files: compressing the backup later (check)`, `${fmtMs(Date.now() - t)} (whole check process), ${parts.length} archive(s), ${(parts.reduce((n, p) => n + statSync(path.join(backups, p)).size, 0) / 1048576).toFixed(0)} MiB`);
  row(B, `${shape.files} files: peak RSS of check compressing the backup`, `${later.rssMb.toFixed(0)} MB`, '<= 150 MB', later.rssMb <= 150);
  rmSync(base, { recursive: true, force: true });
}

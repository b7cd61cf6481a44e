// `get` on a sandbox whose database has 20,000 and 50,000 standard objects (issue 21): the first
// `get` after a change analyses (whole catalog read, drift, every script tokenised); the next ones,
// with the database unchanged, reuse the analysis. Each `get` run is paired with a `node -e 0` run
// (alternated, whole processes), and the median of the paired ratios is printed with its min-max and
// n; peak RSS (GNU time's maximum resident set size) of the analysing run and of a reusing run.
// Targets: unchanged database <= 2.0 x `node -e 0`; peak <= 150 MB at 20,000 objects. Then the
// same `get` while `service run` checks the database every minute (what a SQL Server instance runs:
// `get` shows the service's check and loads no driver), and, for comparison, a `get` that asks a
// SQL Server (driver loaded, connection refused at once: the least that asking it costs).
// The unchanged `get` is measured as `node dist/altazion-update.cjs` (what Windows runs: the launcher
// starts node.exe with the bundle) and, when built, as dist/altazion-update (Linux's single executable).
//   node bench/database-scale.bench.mjs          (BENCH_RUNS=N, default 11; BENCH_SIZES=20000,50000)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, promises as fs, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';
import { median, pairs, run } from './lib.mjs';

register();
const project = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bundle = path.join(project, 'dist', 'altazion-update.cjs');
const exe = path.join(project, 'dist', 'altazion-update');
const RUNS = Math.max(9, Number(process.env.BENCH_RUNS ?? 11));
const SIZES = (process.env.BENCH_SIZES ?? '20000,50000').split(',').map(Number);
const line = (label, value) => console.log(`database-scale: ${label.padEnd(58)} ${value}`);

if (!existsSync(bundle)) {
  console.log(`database-scale: ${bundle} is missing (node build.mjs --bundle-only), benchmark skipped`);
  process.exit(0);
}
const { createSandbox } = await import('../src/sandbox/create.ts');
const { SandboxStore } = await import('../src/sandbox/database/store.ts');
const { buildDatabasePackageFiles, standardCatalog } = await import('../src/sandbox/database/fixtures.ts');
const { buildBaseline, buildDefinitions } = await import('../src/database/normalize.ts');
const { buildPackageZip } = await import('../src/feed/publish.ts');
const { instanceLayout } = await import('../src/config/paths.ts');
const { MANIFEST_FILE } = await import('../src/core/package-manifest.ts');

/** A standard schema of `count` objects shaped like an ERP's: tables with keys and indexes, procedures, views, functions. */
function bigCatalog(version, count) {
  const catalog = standardCatalog(version);
  const body = (i) => `  SET NOCOUNT ON;\n  -- règle de gestion n°${i}\n  SELECT t.id, t.code, t.libelle, t.montant, t.cree_le\n  FROM E.t_${i % 8000} AS t\n  WHERE t.id = @id AND t.code LIKE N'%' + @filtre + N'%'\n  ORDER BY t.cree_le DESC;\n`.repeat(4);
  for (let i = 0; catalog.objects.length < count; i++) {
    const kind = i % 10;
    if (kind < 4) {
      catalog.objects.push({
        schema: 'E', name: `t_${i}`, type: 'table',
        columns: [
          { name: 'id', type: 'int', nullable: false, identity: true },
          { name: 'code', type: 'varchar(30)', nullable: false },
          { name: 'libelle', type: 'nvarchar(200)', nullable: true },
          { name: 'montant', type: 'decimal(18,2)', nullable: false, default: { definition: '((0))' } },
          { name: 'cree_le', type: 'datetime2(0)', nullable: false, default: { name: `DF_t_${i}_cree`, definition: '(sysutcdatetime())' } },
        ],
        constraints: [{ kind: 'primary key', name: `PK_t_${i}`, columns: ['id'], clustered: true }],
        indexes: [{ name: `IX_t_${i}_code`, unique: false, clustered: false, columns: [{ name: 'code' }], included: ['libelle'] }],
      });
    } else if (kind < 7) {
      catalog.objects.push({ schema: 'E', name: `ps_${i}`, type: 'procedure', definition: `CREATE PROCEDURE E.ps_${i}\n  @id int, @filtre nvarchar(50) = N''\nAS\nBEGIN\n${body(i)}END\n` });
    } else if (kind < 9) {
      catalog.objects.push({ schema: 'E', name: `vw_${i}`, type: 'view', definition: `CREATE VIEW E.vw_${i}\nAS\n  SELECT t.id, t.code, t.libelle FROM E.t_${i % 8000} AS t WHERE t.montant > 0 -- vue ${i}\n` });
    } else {
      catalog.objects.push({ schema: 'E', name: `fn_${i}`, type: 'function', definition: `CREATE FUNCTION E.fn_${i} (@id int) RETURNS decimal(18,2)\nAS\nBEGIN\n  RETURN (SELECT SUM(montant) FROM E.t_${i % 8000} WHERE id = @id);\nEND\n` });
    }
  }
  return catalog;
}

/**
 * The product's get and `node -e 0`, whole processes through bench/lib.mjs (like the get bench):
 * the order turns every round, two warm-up pairs first. `command`: [file, ...args] of the product.
 */
async function pairedRuns(args, command = [process.execPath, bundle]) {
  for (let i = 0; i < 2; i++) { await run(command[0], [...command.slice(1), ...args]); await run(process.execPath, ['-e', '0']); }
  const result = await pairs({
    n: RUNS,
    product: async () => (await run(command[0], [...command.slice(1), ...args])).ms,
    baseline: async () => (await run(process.execPath, ['-e', '0'])).ms,
  });
  return { ratios: result.ratios, product: median(result.product), baseline: median(result.baseline) };
}

/** Peak RSS (MB) of one run, from GNU time; undefined when /usr/bin/time is not there. */
function peakMb(args) {
  if (!existsSync('/usr/bin/time')) return undefined;
  const run = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, bundle, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const kb = Number(run.stderr.trim().split('\n').pop());
  return kb / 1024;
}

/** Runs `work` while `service run` checks the database of `root` (after its first check). */
async function whileServiceChecks(root, layout, work) {
  const checkFile = path.join(layout.updates, 'database', 'service-check.json');
  await fs.rm(checkFile, { force: true });
  const service = spawn(process.execPath, [bundle, 'service', 'run', '--root', root, '--port', '0'], { stdio: 'ignore' });
  const exited = new Promise((resolve) => service.once('exit', resolve));
  try {
    const until = Date.now() + 120_000;
    while (!existsSync(checkFile)) {
      if (Date.now() > until || service.exitCode !== null) throw new Error(`the service made no database check (exit ${service.exitCode})`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return await work();
  } finally {
    service.kill('SIGTERM');
    await exited;
  }
}

const loadAverage = () => `${os.loadavg().map((l) => l.toFixed(1)).join(' / ')} on ${os.cpus().length} CPUs`;
line('load average (1, 5, 15 min) at start', loadAverage());
const rows = [];
for (const size of SIZES) {
  const base = mkdtempSync(path.join(os.tmpdir(), `altazion-bench-db${size}-`));
  const root = path.join(base, 'root');
  try {
    const sb = await createSandbox({ root, feed: path.join(base, 'feed'), modules: ['ecommerce', 'gestioncommerciale', 'database'] });
    const layout = instanceLayout(root);
    // The database at the old version with `size` standard objects, and a package whose baseline of it has them all.
    const catalog = bigCatalog(sb.InstalledVersion, size);
    const folder = path.join(base, 'host', 'database');
    await fs.rm(folder, { recursive: true, force: true });
    const small = buildDatabasePackageFiles(sb.AvailableVersion, { previousVersions: [sb.InstalledVersion] });
    const manifest = JSON.parse(small[MANIFEST_FILE].toString());
    const rows0 = [];
    let n = 0;
    for (const s of manifest.database.scripts.filter((x) => x.version === '25.9')) rows0.push({ guid: `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`, version: s.version, isRoot: false, scriptNumber: s.number, prepared: true, executed: true, validated: true });
    rows0.push({ guid: `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`, version: sb.InstalledVersion, isRoot: true, scriptNumber: 0, prepared: true, executed: true, validated: true });
    await SandboxStore.create(folder, catalog, rows0);
    small[`baselines/${sb.InstalledVersion}.json`] = Buffer.from(JSON.stringify(buildBaseline(sb.InstalledVersion, catalog)));
    small[`baselines/${sb.InstalledVersion}.definitions.json`] = Buffer.from(JSON.stringify(buildDefinitions(sb.InstalledVersion, catalog)));
    const pkgDir = path.join(base, 'pkg');
    for (const [name, content] of Object.entries(small)) {
      await fs.mkdir(path.dirname(path.join(pkgDir, name)), { recursive: true });
      await fs.writeFile(path.join(pkgDir, name), content);
    }
    // `check` first (status.xml, the feed's packages in the cache), then the big package in place of the small one.
    const check = spawnSync(process.execPath, [bundle, 'check', '--root', root, '--json'], { encoding: 'utf8' });
    if (check.status !== 0) throw new Error(`check exited ${check.status}: ${check.stderr}`);
    await fs.mkdir(layout.cache, { recursive: true });
    await buildPackageZip(pkgDir, path.join(layout.cache, `database-${sb.AvailableVersion}.zip`));
    const catalogMb = (await fs.stat(path.join(folder, 'catalog.ndjson'))).size / 1048576;
    const args = ['get', '--root', root, '--json'];

    // The analysing run: the snapshot is removed before each, so every run reads and analyses everything.
    const snapshot = path.join(layout.updates, 'database', 'analysis.json');
    const cold = [];
    for (let i = 0; i < 3; i++) {
      await fs.rm(snapshot, { force: true });
      const start = process.hrtime.bigint();
      const run = spawnSync(process.execPath, [bundle, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      if (run.status !== 0) throw new Error(`get exited ${run.status}: ${run.stderr}`);
      cold.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    await fs.rm(snapshot, { force: true });
    const coldPeak = peakMb(args);
    const output = spawnSync(process.execPath, [bundle, ...args], { encoding: 'utf8' }).stdout;
    const record = output.split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((m) => m.data?.Name === 'database')?.data;
    const warm = await pairedRuns(args);
    const warmPeak = peakMb(args);
    const ratio = median(warm.ratios);
    line(`${size} objects: catalog.ndjson`, `${catalogMb.toFixed(1)} MB; database record: ${record?.Status} (${record?.InstalledVersion} -> ${record?.AvailableVersion}) ${record?.Detail ?? ''}`);
    line(`${size} objects: get, analysing (median of 3)`, `${median(cold).toFixed(0)} ms, peak ${coldPeak?.toFixed(0) ?? '?'} MB`);
    line(`${size} objects: get, database unchanged (median, n=${warm.ratios.length})`, `${warm.product.toFixed(0)} ms vs node -e 0 ${warm.baseline.toFixed(0)} ms`);
    line(`${size} objects: paired ratio get / node -e 0`, `median ${ratio.toFixed(2)} (min ${Math.min(...warm.ratios).toFixed(2)}, max ${Math.max(...warm.ratios).toFixed(2)}), peak ${warmPeak?.toFixed(0) ?? '?'} MB`);
    if (existsSync(exe)) {
      const sea = await pairedRuns(args, [exe]);
      line(`${size} objects: dist/altazion-update get, unchanged (median)`, `${sea.product.toFixed(0)} ms vs node -e 0 ${sea.baseline.toFixed(0)} ms: median ${median(sea.ratios).toFixed(2)} (min ${Math.min(...sea.ratios).toFixed(2)}, max ${Math.max(...sea.ratios).toFixed(2)})`);
      rows.push([`${size}: unchanged get <= 2.0 x node -e 0 (dist/altazion-update)`, median(sea.ratios) <= 2, median(sea.ratios).toFixed(2)]);
    }
    rows.push([`${size}: unchanged get <= 2.0 x node -e 0 (node + bundle)`, ratio <= 2, ratio.toFixed(2)]);
    if (size === 20000) rows.push(['20000: peak RSS <= 150 MB (analysing run)', coldPeak !== undefined && coldPeak <= 150, `${coldPeak?.toFixed(0)} MB`]);
    if (size === 20000) rows.push(['20000: peak RSS <= 150 MB (unchanged run)', warmPeak !== undefined && warmPeak <= 150, `${warmPeak?.toFixed(0)} MB`]);

    // What a server with SQL Server runs: the service checks the database every minute and `get`
    // shows its check (docs/database.md "How get sees the database"), opening no connection.
    const watched = await whileServiceChecks(root, layout, async () => {
      const shown = spawnSync(process.execPath, [bundle, ...args, '--verbose'], { encoding: 'utf8' }).stdout;
      if (!shown.includes('database: as the service checked it')) throw new Error(`get did not use the service's check: ${shown.slice(0, 2000)}`);
      return { bundle: await pairedRuns(args), exe: existsSync(exe) ? await pairedRuns(args, [exe]) : undefined };
    });
    for (const [layoutName, result] of [['node + bundle', watched.bundle], ['dist/altazion-update', watched.exe]]) {
      if (!result) continue;
      const r = median(result.ratios);
      line(`${size} objects: get, service checking, ${layoutName}`, `${result.product.toFixed(0)} ms vs node -e 0 ${result.baseline.toFixed(0)} ms: median ${r.toFixed(2)} (min ${Math.min(...result.ratios).toFixed(2)}, max ${Math.max(...result.ratios).toFixed(2)})`);
      rows.push([`${size}: get while the service checks <= 2.0 x node -e 0 (${layoutName})`, r <= 2, r.toFixed(2)]);
    }
    // For comparison, what asking a SQL Server costs at least without the service: the driver is
    // loaded and a connection tried (here refused at once; a real server adds TLS, login and query).
    const connections = await fs.readFile(layout.connectionsConfig, 'utf8');
    await fs.writeFile(layout.connectionsConfig, connections.replace(/connectionString="[^"]*"/, 'connectionString="Data Source=127.0.0.1,1;Initial Catalog=Equihira;User ID=bench;Password=bench;Connect Timeout=5"'));
    const asking = await pairedRuns(args);
    line(`${size} objects: get asking SQL Server (refused), node + bundle`, `${asking.product.toFixed(0)} ms vs node -e 0 ${asking.baseline.toFixed(0)} ms: median ${median(asking.ratios).toFixed(2)} (min ${Math.min(...asking.ratios).toFixed(2)}, max ${Math.max(...asking.ratios).toFixed(2)}) (no target: the lower bound of asking it)`);
    await fs.writeFile(layout.connectionsConfig, connections);
  } finally {
    if (process.env.BENCH_KEEP) console.log(`database-scale: kept ${root}`); else rmSync(base, { recursive: true, force: true });
  }
}
line('load average (1, 5, 15 min) at end', loadAverage());
for (const [label, met, value] of rows) line(`target ${label}`, `${met ? 'met' : 'MISSED'} (${value})`);

// Download benchmark (issue 2): a 1 GiB package fetched from the local test feed server (serving
// it from memory, see below) by downloadPackage (streaming, sha256 of the bytes read back as they
// land, size cap, verification, rename into the cache), compared with `curl -s -o` of the same URL
// in the same run, and with bench/download-floor.cjs, the least a verifying download does (socket
// reads, pool writes, the same read-back hashing; nothing else): curl hashes nothing, so that
// floor says how close to curl any verifying client can get on the machine measured. Median of 9
// runs each, alternated.
// The downloader runs in a child process so its peak RSS (process.resourceUsage().maxRSS) is its
// own; it starts like the executable (CommonJS bundle, src/cli/thread-pool.ts first). The feed
// layer and the test server are bundled with esbuild first (no TypeScript loader in the measured
// process).
//   node bench/download.bench.mjs           (ALTAZION_BENCH_DOWNLOAD_MB=256 for a quicker run)
// Targets: throughput >= 0.9 x curl, peak RSS <= 100 MB. Prints figures; asserts nothing.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const WORK = process.env.ALTAZION_BENCH_DIR ?? '/tmp/altazion-bench-download';
const SIZE_MB = Number(process.env.ALTAZION_BENCH_DOWNLOAD_MB ?? 1024);
// One run varies by +-15% here (2 shared CPUs, the server on them too): 9 alternated runs give a
// median that moves by a few percent between invocations; 5 moved by up to 0.15 in the ratio.
const RUNS = Number(process.env.ALTAZION_BENCH_DOWNLOAD_RUNS ?? 9);
const MB = 1024 * 1024;
const line = (label, value) => console.log(`download: ${label.padEnd(44)} ${value}`);
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

if (spawnSync('curl', ['--version']).status !== 0) {
  console.log('download: curl not found, benchmark skipped');
  process.exit(0);
}

await mkdir(WORK, { recursive: true });
const bundleOptions = { bundle: true, platform: 'node', target: 'node20', logLevel: 'error' };
// The fixture tools and the test feed server, for this process and the server's.
const bundle = path.join(WORK, 'feed-bench.mjs');
await build({
  ...bundleOptions,
  stdin: {
    contents: [
      "export { buildPackageZip, publishFeed } from './src/feed/publish';",
      "export { generateSigningKey } from './src/feed/keys';",
      "export { startFeedServer } from './test/helpers/feed-server';",
    ].join('\n'),
    resolveDir: REPO,
    loader: 'ts',
  },
  format: 'esm',
  outfile: bundle,
  // yauzl/yazl and friends are CommonJS: give the ESM bundle a require().
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
});
// The downloader's process starts like the executable: CommonJS, the entry's thread-pool setting
// first (src/cli/thread-pool.ts: one libuv thread unless UV_THREADPOOL_SIZE is set).
const childScript = path.join(WORK, 'download-child.cjs');
await build({
  ...bundleOptions,
  stdin: {
    contents: `
import { DEFAULT_THREAD_POOL_SIZE } from './src/cli/thread-pool';
import { downloadPackage } from './src/feed/download';
import { loadVerifiedIndex } from './src/feed/index-loader';
import { openFeedSource } from './src/feed/source';
async function main() {
  const [url, cacheDir, trustedJson] = process.argv.slice(2);
  const source = openFeedSource(url, { env: {} });
  const started = process.hrtime.bigint();
  const { index } = await loadVerifiedIndex({ source, trustedKeys: JSON.parse(trustedJson), now: new Date() });
  const release = index.modules.ecommerce.releases[0];
  const result = await downloadPackage({ source, release, cacheDir });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const usage = process.resourceUsage();
  process.stdout.write(JSON.stringify({ ms, maxRssKb: usage.maxRSS, cpuS: (usage.userCPUTime + usage.systemCPUTime) / 1e6, sha256: result.sha256, fromCache: result.fromCache, threadPool: process.env.UV_THREADPOOL_SIZE ?? DEFAULT_THREAD_POOL_SIZE }));
}
main().catch((error) => { console.error(error); process.exitCode = 1; });
`,
    resolveDir: REPO,
    loader: 'ts',
  },
  format: 'cjs',
  outfile: childScript,
});
// The floor requires the product's read-back hasher (TypeScript): bundled too.
const floorScript = path.join(WORK, 'download-floor.cjs');
await build({ ...bundleOptions, entryPoints: [path.join(REPO, 'bench', 'download-floor.cjs')], format: 'cjs', outfile: floorScript });
const lib = await import(`${bundle}?t=${Date.now()}`);

// --- fixture: a signed feed with one SIZE_MB package (reused when present) --------------------
const feedDir = path.join(WORK, 'feed');
const fixtureFile = path.join(WORK, 'fixture.json');
let fixture = existsSync(fixtureFile) ? JSON.parse(await readFile(fixtureFile, 'utf8')) : undefined;
if (!fixture || fixture.sizeMb !== SIZE_MB || !existsSync(path.join(feedDir, fixture.release.package))) {
  const started = Date.now();
  await rm(feedDir, { recursive: true, force: true });
  const src = path.join(WORK, 'src');
  const incoming = path.join(WORK, 'incoming');
  await rm(src, { recursive: true, force: true });
  await mkdir(path.join(src, 'bin'), { recursive: true });
  await writeFile(path.join(src, 'altazion-package.json'), JSON.stringify({ schemaVersion: 1, module: 'ecommerce', version: '26.1', kind: 'web' }));
  // Incompressible content, written in 4 MiB blocks (never held whole in memory).
  const { randomFillSync } = await import('node:crypto');
  const { open } = await import('node:fs/promises');
  const handle = await open(path.join(src, 'bin', 'payload.bin'), 'w');
  const block = Buffer.alloc(4 * MB);
  for (let written = 0; written < SIZE_MB * MB; written += block.length) await handle.write(randomFillSync(block));
  await handle.close();
  await lib.buildPackageZip(src, path.join(incoming, 'ecommerce-26.1.zip'), { compress: false });
  await rm(src, { recursive: true, force: true });
  const key = lib.generateSigningKey('bench');
  const published = await lib.publishFeed({ packagesDir: incoming, key, outDir: feedDir, expiresInDays: 3650, now: new Date() });
  await rm(incoming, { recursive: true, force: true });
  fixture = { sizeMb: SIZE_MB, trusted: [{ id: key.keyId, publicKey: key.publicKey }], release: published.releases[0] };
  await writeFile(fixtureFile, JSON.stringify(fixture, null, 2));
  line('fixture created in', `${((Date.now() - started) / 1000).toFixed(1)} s (${WORK})`);
}
const { release, trusted } = fixture;

// --- the feed server, in its own process ----------------------------------------------------
// It serves the package from memory: a real feed is on another machine, but this one shares the 2
// CPUs with the client measured. Reading the file on node's four pool threads cost it ~0.75 s CPU
// per GiB, taken from our downloader (two threads busy: hashing, writing) and not from curl (one
// thread). In alternated rounds on the same machine (2026-12-01): ratio 0.92 with the file read
// per request, 1.15 from memory; curl's own times did not move.
// ALTAZION_BENCH_DOWNLOAD_SERVER=file measures the old way. The server's CPU per GiB is printed.
const SERVER_MODE = process.env.ALTAZION_BENCH_DOWNLOAD_SERVER === 'file' ? 'file' : 'memory';
const serverScript = path.join(WORK, 'server.mjs');
await writeFile(serverScript, `
import { startFeedServer } from ${JSON.stringify(bundle)};
const server = await startFeedServer(process.argv[2], {}, { fromMemory: process.argv[3] === 'memory' });
process.stdout.write(server.url + '\\n');
process.stdin.resume();
process.stdin.on('end', () => server.close().then(() => {
  const sent = server.requests.reduce((sum, r) => sum + r.bytesSent, 0);
  const { user, system } = process.cpuUsage();
  process.stdout.write(JSON.stringify({ sent, cpuS: (user + system) / 1e6 }) + '\\n');
  process.exit(0);
}));
`);
const server = spawn(process.execPath, [serverScript, feedDir, SERVER_MODE], { stdio: ['pipe', 'pipe', 'inherit'] });
const serverLines = [];
const serverExited = new Promise((resolve) => server.once('exit', resolve));
const url = await new Promise((resolve, reject) => {
  let text = '';
  server.stdout.on('data', (d) => {
    text += d;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n')) {
      serverLines.push(text.slice(0, nl));
      text = text.slice(nl + 1);
      if (serverLines.length === 1) resolve(serverLines[0].trim());
    }
  });
  server.once('exit', (code) => reject(new Error(`feed server exited (${code})`)));
});

// curl's CPU time comes from GNU time when it is installed (figures only; the ratio is wall time).
const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

function timed(command, args, { cpu = false } = {}) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const [file, argv] = cpu && GNU_TIME ? [GNU_TIME, ['-f', 'CPU %U %S', command, ...args]] : [command, args];
    const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    child.on('error', reject);
    child.on('exit', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const m = /CPU ([\d.]+) ([\d.]+)/.exec(err);
      if (code !== 0) reject(new Error(`${command} exited with ${code}: ${err}`));
      else resolve({ ms, out, cpuS: m ? Number(m[1]) + Number(m[2]) : undefined });
    });
  });
}

const target = `${url}${release.package}`;
const outDir = path.join(WORK, 'out');
const curlRuns = [];
const nodeRuns = [];
const floorRuns = [];
const floorCpu = [];
const curlCpu = [];
const nodeCpu = [];
const rss = [];
let threadPool;
const loadBefore = os.loadavg()[0];
try {
  // Warm the page cache of the served file so the first measured run is not penalised.
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  await timed('curl', ['-s', '-o', '/dev/null', target]);
  for (let run = 0; run < RUNS; run++) {
    const curlOut = path.join(outDir, 'curl.zip');
    const curl = await timed('curl', ['-s', '-f', '-o', curlOut, target], { cpu: true });
    curlRuns.push(curl.ms);
    if (curl.cpuS !== undefined) curlCpu.push(curl.cpuS);
    await rm(curlOut, { force: true });

    const cacheDir = path.join(outDir, `cache-${run}`);
    const { out } = await timed(process.execPath, [childScript, url, cacheDir, JSON.stringify(trusted)]);
    const result = JSON.parse(out);
    if (result.sha256 !== release.sha256 || result.fromCache) throw new Error(`unexpected download result ${out}`);
    nodeRuns.push(result.ms);
    threadPool = result.threadPool;
    nodeCpu.push(result.cpuS);
    rss.push(result.maxRssKb / 1024);
    await rm(cacheDir, { recursive: true, force: true });

    const floorOut = path.join(outDir, 'floor.zip');
    const floor = JSON.parse((await timed(process.execPath, [floorScript, target, floorOut])).out);
    if (floor.sha256 !== release.sha256) throw new Error(`${floorScript}: sha256 ${floor.sha256}, expected ${release.sha256}`);
    floorRuns.push(floor.ms);
    floorCpu.push(floor.cpuS);
    await rm(floorOut, { force: true });
  }
} finally {
  server.stdin.end();
  await serverExited;
  await rm(outDir, { recursive: true, force: true });
}
const serverUsage = serverLines[1] ? JSON.parse(serverLines[1]) : undefined;

const sizeMb = release.size / MB;
const curlMbs = sizeMb / (median(curlRuns) / 1000);
const nodeMbs = sizeMb / (median(nodeRuns) / 1000);
const floorMbs = sizeMb / (median(floorRuns) / 1000);
const ratio = nodeMbs / curlMbs;
const peak = Math.max(...rss);
line(`package`, `${sizeMb.toFixed(0)} MiB from ${url} (runs: ${RUNS}, median)`);
const throughput = (label, mbs, runs) => line(label, `${mbs.toFixed(0)} MB/s  (${runs.map((m) => (m / 1000).toFixed(2)).join(' / ')} s)`);
throughput('curl -s -o', curlMbs, curlRuns);
throughput('downloadPackage (index + download + verify)', nodeMbs, nodeRuns);
throughput('minimal verifying client (download-floor)', floorMbs, floorRuns);
const perGb = (cpu) => `${(median(cpu) / (sizeMb / 1024)).toFixed(2)} s CPU per GiB`;
if (curlCpu.length) line('CPU time (user+sys), curl', perGb(curlCpu));
line('CPU time (user+sys), downloadPackage', perGb(nodeCpu));
line('CPU time (user+sys), minimal verifying client', perGb(floorCpu));
if (serverUsage?.sent) line(`CPU time, feed server (package from ${SERVER_MODE})`, `${(serverUsage.cpuS / (serverUsage.sent / 1024 ** 3)).toFixed(2)} s CPU per GiB served`);
line("downloader's libuv thread pool", `${threadPool} thread(s) (src/cli/thread-pool.ts)`);
line('load average (1 min) before / after', `${loadBefore.toFixed(1)} / ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} CPUs`);
line('minimal verifying client, ratio to curl', `${(floorMbs / curlMbs).toFixed(2)} (the most a client that hashes can expect here)`);
line('downloadPackage, ratio to that client', (nodeMbs / floorMbs).toFixed(2));
line('throughput ratio to curl (target >= 0.9)', `${ratio.toFixed(2)} ${ratio >= 0.9 ? 'met' : 'NOT met'}`);
line('peak RSS of the downloader (target <= 100 MB)', `${peak.toFixed(1)} MB ${peak <= 100 ? 'met' : 'NOT met'}`);

// Download benchmark: a 1 GiB package (ALTAZION_BENCH_DOWNLOAD_MB) downloaded and verified by
// downloadPackage (index, stream, sha256, size cap, rename into the cache), from the test feed
// server on loopback and from a folder feed, beside `curl -s -o` of the same URL and `cp` of the
// same file, alternated in the same run (ALTAZION_BENCH_DOWNLOAD_RUNS rounds, default 9).
// Every side is a whole process. Prints the median of the paired ratios (min-max, n), peak RSS
// of each downloader and CPU seconds per GiB for every side; asserts nothing.
//   node bench/download.bench.mjs
//   ALTAZION_BENCH_NODE=/path/to/node node bench/download.bench.mjs   (the downloader on another Node)
//   ALTAZION_BENCH_DOWNLOAD_COMPARE=main node bench/download.bench.mjs   (also the downloader of that git
//     revision, from the HTTP feed, in the same rounds: what a change did, beside curl)
// Targets: throughput >= 0.4 x curl on loopback (several times any customer's link), peak RSS
// <= 100 MB from the HTTP feed and from the folder feed.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const WORK = process.env.ALTAZION_BENCH_DIR ?? path.join(os.tmpdir(), 'altazion-bench-download');
const SIZE_MB = Number(process.env.ALTAZION_BENCH_DOWNLOAD_MB ?? 1024);
const RUNS = Number(process.env.ALTAZION_BENCH_DOWNLOAD_RUNS ?? 9);
// The Node that runs the downloader: the tooling's by default; the executables may ship another.
const NODE = process.env.ALTAZION_BENCH_NODE ?? process.execPath;
const COMPARE = process.env.ALTAZION_BENCH_DOWNLOAD_COMPARE;
const MB = 1024 * 1024;
const line = (label, value) => console.log(`download: ${label.padEnd(46)} ${value}`);
const sorted = (values) => [...values].sort((a, b) => a - b);
const median = (values) => sorted(values)[Math.floor(values.length / 2)];
const spread = (values) => `${median(values).toFixed(2)} (min ${sorted(values)[0].toFixed(2)}, max ${sorted(values).at(-1).toFixed(2)}, n ${values.length})`;

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
// The downloader: the product's feed code bundled as CommonJS, as in the executable.
const childScript = path.join(WORK, 'download-child.cjs');
const buildChild = (sourceRoot, outfile) => build({
  ...bundleOptions,
  nodePaths: [path.join(REPO, 'node_modules')],
  stdin: {
    contents: `
import { downloadPackage } from './src/feed/download';
import { loadVerifiedIndex } from './src/feed/index-loader';
import { openFeedSource } from './src/feed/source';
async function main() {
  const [location, cacheDir, trustedJson] = process.argv.slice(2);
  const source = openFeedSource(location, { env: {} });
  const { index } = await loadVerifiedIndex({ source, trustedKeys: JSON.parse(trustedJson), now: new Date() });
  const result = await downloadPackage({ source, release: index.modules.ecommerce.releases[0], cacheDir });
  const usage = process.resourceUsage();
  process.stdout.write(JSON.stringify({ maxRssKb: usage.maxRSS, sha256: result.sha256, fromCache: result.fromCache }));
}
main().catch((error) => { console.error(error); process.exitCode = 1; });
`,
    resolveDir: sourceRoot,
    loader: 'ts',
  },
  format: 'cjs',
  outfile,
});
await buildChild(REPO, childScript);
// The same downloader as of another revision: its src/ exported from git, bundled the same way.
const compareScript = path.join(WORK, 'download-child-compare.cjs');
if (COMPARE) {
  const compareRoot = path.join(WORK, 'compare');
  await rm(compareRoot, { recursive: true, force: true });
  await mkdir(compareRoot, { recursive: true });
  execFileSync('bash', ['-c', 'git -C "$0" archive "$1" src | tar -x -C "$2"', REPO, COMPARE, compareRoot]);
  await buildChild(compareRoot, compareScript);
}
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
// It serves the package from memory: a real feed is on another machine, but this one shares the
// CPUs with the clients measured, and reading the file for every request would take CPU from them.
const serverScript = path.join(WORK, 'server.mjs');
await writeFile(serverScript, `
import { startFeedServer } from ${JSON.stringify(bundle)};
const server = await startFeedServer(process.argv[2], {}, { fromMemory: true });
process.stdout.write(server.url + '\\n');
process.stdin.resume();
process.stdin.on('end', () => server.close().then(() => {
  const sent = server.requests.reduce((sum, r) => sum + r.bytesSent, 0);
  const { user, system } = process.cpuUsage();
  process.stdout.write(JSON.stringify({ sent, cpuS: (user + system) / 1e6 }) + '\\n');
  process.exit(0);
}));
`);
const server = spawn(process.execPath, [serverScript, feedDir], { stdio: ['pipe', 'pipe', 'inherit'] });
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

/**
 * Runs a command under bash, whose `times` builtin then prints the CPU time of its children: wall
 * time (ms), CPU seconds (user + system) and stdout, for any program alike.
 */
function timed(command, args) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn('bash', ['-c', '"$@" && times >&2', 'bash', command, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    child.on('error', reject);
    child.on('exit', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (code !== 0) { reject(new Error(`${command} exited with ${code}: ${err}`)); return; }
      const times = [...err.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
      resolve({ ms, out, cpuS: times.length >= 4 ? times[2] + times[3] : undefined });
    });
  });
}

const target = `${url}${release.package}`;
const outDir = path.join(WORK, 'out');
const sides = { curl: [], http: [], cp: [], folder: [], compare: [] };
const cpu = { curl: [], http: [], cp: [], folder: [], compare: [] };
const rss = { http: [], folder: [], compare: [] };
const ratios = { http: [], folder: [], compare: [], speedup: [] };
const loadBefore = os.loadavg()[0];

async function product(location, side, run) {
  const cacheDir = path.join(outDir, `cache-${side}-${run}`);
  const result = await timed(NODE, [side === 'compare' ? compareScript : childScript, location, cacheDir, JSON.stringify(trusted)]);
  const answer = JSON.parse(result.out);
  if (answer.sha256 !== release.sha256 || answer.fromCache) throw new Error(`unexpected download result ${result.out}`);
  await rm(cacheDir, { recursive: true, force: true });
  rss[side].push(answer.maxRssKb / 1024);
  return result;
}

try {
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  // Warm the page cache of the served and copied file so the first round is not penalised.
  await timed('curl', ['-s', '-o', '/dev/null', target]);
  await timed('dd', [`if=${path.join(feedDir, release.package)}`, 'of=/dev/null', 'bs=1M', 'status=none']);
  for (let run = 0; run < RUNS; run++) {
    const copy = path.join(outDir, 'copy.zip');
    const rounds = {};
    rounds.curl = await timed('curl', ['-s', '-f', '-o', copy, target]).finally(() => rm(copy, { force: true }));
    // The revision compared runs before or after this one, in turn.
    if (COMPARE && run % 2) rounds.compare = await product(url, 'compare', run);
    rounds.http = await product(url, 'http', run);
    if (COMPARE && !(run % 2)) rounds.compare = await product(url, 'compare', run);
    rounds.cp = await timed('cp', [path.join(feedDir, release.package), copy]).finally(() => rm(copy, { force: true }));
    rounds.folder = await product(feedDir, 'folder', run);
    for (const [side, result] of Object.entries(rounds)) {
      sides[side].push(result.ms);
      if (result.cpuS !== undefined) cpu[side].push(result.cpuS);
    }
    ratios.http.push(rounds.curl.ms / rounds.http.ms);
    ratios.folder.push(rounds.cp.ms / rounds.folder.ms);
    if (COMPARE) {
      ratios.compare.push(rounds.curl.ms / rounds.compare.ms);
      ratios.speedup.push(rounds.compare.ms / rounds.http.ms);
    }
  }
} finally {
  server.stdin.end();
  await serverExited;
  await rm(outDir, { recursive: true, force: true });
}
const serverUsage = serverLines[1] ? JSON.parse(serverLines[1]) : undefined;

const sizeMb = release.size / MB;
const gib = sizeMb / 1024;
const nodeVersion = spawnSync(NODE, ['--version'], { encoding: 'utf8' }).stdout.trim();
line('package', `${sizeMb.toFixed(0)} MiB, ${RUNS} alternated rounds, ${os.cpus().length} CPUs, downloader on Node ${nodeVersion}`);
const labels = {
  curl: 'curl -s -o (loopback HTTP)',
  http: 'downloadPackage, HTTP feed',
  cp: 'cp of the same file',
  folder: 'downloadPackage, folder feed',
  ...(COMPARE ? { compare: `downloadPackage at ${COMPARE}, HTTP feed` } : {}),
};
for (const [side, label] of Object.entries(labels)) {
  const cpuText = cpu[side].length ? `, ${(median(cpu[side]) / gib).toFixed(2)} s CPU per GiB` : '';
  line(label, `${(sizeMb / (median(sides[side]) / 1000)).toFixed(0)} MB/s (median ${(median(sides[side]) / 1000).toFixed(2)} s${cpuText})`);
}
if (serverUsage?.sent) line('feed server (package from memory)', `${(serverUsage.cpuS / (serverUsage.sent / 1024 ** 3)).toFixed(2)} s CPU per GiB served`);
line('load average (1 min) before / after', `${loadBefore.toFixed(1)} / ${os.loadavg()[0].toFixed(1)}`);
const httpRatio = median(ratios.http);
line('HTTP: throughput ratio to curl (paired)', spread(ratios.http));
line('folder: throughput ratio to cp (paired)', spread(ratios.folder));
if (COMPARE) {
  line(`HTTP at ${COMPARE}: ratio to curl (paired)`, spread(ratios.compare));
  line(`HTTP: speed-up over ${COMPARE} (paired)`, spread(ratios.speedup));
  line(`peak RSS at ${COMPARE} from the http feed`, `${Math.max(...rss.compare).toFixed(1)} MB`);
}
line('target: HTTP ratio to curl >= 0.4', httpRatio >= 0.4 ? 'met' : 'NOT met');
for (const side of ['http', 'folder']) {
  const peak = Math.max(...rss[side]);
  line(`target: peak RSS from the ${side} feed <= 100 MB`, `${peak.toFixed(1)} MB ${peak <= 100 ? 'met' : 'NOT met'}`);
}

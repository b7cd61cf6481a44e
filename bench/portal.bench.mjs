// Portal benchmark (issue 7): the real `service run` (bundle dist/altazion-update.cjs, built by
// `npm run bench`) on a fresh sandbox, measured over HTTP on 127.0.0.1:
//   - time to first byte of the module page (GET /, a new connection each time): median and p95 of N
//   - 200 concurrent connections on GET /api/modules for a few seconds (autocannon): req/s and
//     latency percentiles.
//   node bench/portal.bench.mjs     (ALTAZION_BENCH_PORTAL_SECONDS=10, ALTAZION_BENCH_PORTAL_TTFB_N=50)
// Prints figures; asserts nothing.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BUNDLE = path.join(REPO, 'dist', 'altazion-update.cjs');
const WORK = process.env.ALTAZION_BENCH_DIR ? path.join(process.env.ALTAZION_BENCH_DIR, 'portal') : '/tmp/altazion-bench-portal';
const SECONDS = Number(process.env.ALTAZION_BENCH_PORTAL_SECONDS ?? 10);
const TTFB_N = Number(process.env.ALTAZION_BENCH_PORTAL_TTFB_N ?? 50);
const CONNECTIONS = 200;
const line = (label, value) => console.log(`portal: ${label.padEnd(48)} ${value}`);
const percentile = (values, p) => { const s = [...values].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((s.length - 1) * p))]; };

if (!existsSync(BUNDLE)) {
  console.log(`portal: ${BUNDLE} is missing (node build.mjs --bundle-only), benchmark skipped`);
  process.exit(0);
}

function cli(args) {
  const run = spawnSync(process.execPath, [BUNDLE, ...args], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`altazion-update ${args.join(' ')} failed (${run.status}): ${run.stderr}`);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject).listen(0, '127.0.0.1', () => { const { port } = server.address(); server.close(() => resolve(port)); });
  });
}

/** One GET on a new connection; ms until the first byte of the response arrives. */
function ttfb(port, urlPath) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const req = http.get({ host: '127.0.0.1', port, path: urlPath, agent: false, headers: { host: `localhost:${port}` } }, (res) => {
      let first;
      res.once('data', () => { first ??= process.hrtime.bigint(); });
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`GET ${urlPath}: HTTP ${res.statusCode}`));
        else resolve(Number((first ?? process.hrtime.bigint()) - started) / 1e6);
      });
    });
    req.on('error', reject);
  });
}

await rm(WORK, { recursive: true, force: true });
await mkdir(WORK, { recursive: true });
const root = path.join(WORK, 'CPoint', '[e]');
cli(['sandbox', 'create', '--root', root, '--feed', path.join(WORK, 'feed')]);
cli(['check', '--root', root]);

const port = await freePort();
const service = spawn(process.execPath, [BUNDLE, 'service', 'run', '--root', root, '--port', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
let stderr = '';
service.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
try {
  const until = Date.now() + 30_000;
  for (;;) {
    const ok = await ttfb(port, '/api/modules').then(() => true, () => false);
    if (ok) break;
    if (Date.now() > until || service.exitCode !== null) throw new Error(`service did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  for (let i = 0; i < 5; i++) await ttfb(port, '/'); // warm-up

  const times = [];
  for (let i = 0; i < TTFB_N; i++) times.push(await ttfb(port, '/'));
  line(`module page GET / time to first byte (n=${TTFB_N})`, `median ${percentile(times, 0.5).toFixed(1)} ms, p95 ${percentile(times, 0.95).toFixed(1)} ms, max ${Math.max(...times).toFixed(1)} ms`);

  const result = await autocannon({
    url: `http://127.0.0.1:${port}/api/modules`,
    headers: { host: `localhost:${port}` },
    connections: CONNECTIONS,
    duration: SECONDS,
  });
  line(`GET /api/modules, ${CONNECTIONS} concurrent connections, ${SECONDS} s`, `${result.requests.average.toFixed(0)} req/s (total ${result.requests.total}, non-2xx ${result.non2xx}, errors ${result.errors}, timeouts ${result.timeouts})`);
  line('  latency', `p50 ${result.latency.p50} ms, p90 ${result.latency.p90} ms, p97.5 ${result.latency.p97_5} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms`);
} finally {
  service.kill('SIGTERM');
  await new Promise((resolve) => service.once('exit', resolve));
  await rm(WORK, { recursive: true, force: true });
}

// Peak RSS and CPU of a plain download (body -> sha256 -> file, one write at a time) through each
// HTTP client, from a loopback server holding the file in memory: how the client choice of
// src/net/http.ts was measured (bench/README.md). Not part of `npm run bench`: it informs a choice.
//   node bench/http-clients.mjs                       (ALTAZION_BENCH_MB=256, ALTAZION_BENCH_RUNS=4)
//   ALTAZION_BENCH_NODE=/path/to/node node bench/http-clients.mjs   (the clients on another Node)
// undici and node-fetch are measured when they resolve from here (`npm install --no-save undici
// node-fetch@3`); the product uses node:http only.
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync, rmSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MB = Number(process.env.ALTAZION_BENCH_MB ?? 256);
const RUNS = Number(process.env.ALTAZION_BENCH_RUNS ?? 4);
const NODE = process.env.ALTAZION_BENCH_NODE ?? process.execPath;
const require = createRequire(path.join(REPO, 'package.json'));
const resolves = (name) => { try { return require.resolve(name); } catch { return undefined; } };

// The server is a process of its own: a child forked from a process holding the file would
// inherit that memory in its peak RSS.
const server = spawn(process.execPath, ['--input-type=module', '-e', `
  import http from 'node:http'; import { randomFillSync } from 'node:crypto';
  const payload = randomFillSync(Buffer.allocUnsafe(${MB} * 1024 * 1024));
  const server = http.createServer((_req, res) => { res.writeHead(200, { 'content-length': payload.length }); res.end(payload); });
  server.listen(0, '127.0.0.1', () => console.log('http://127.0.0.1:' + server.address().port + '/p.zip'));
  process.stdin.resume(); process.stdin.on('end', () => process.exit(0));
`], { stdio: ['pipe', 'pipe', 'inherit'] });
const url = await new Promise((resolve, reject) => {
  server.stdout.once('data', (d) => resolve(String(d).trim()));
  server.once('exit', (code) => reject(new Error(`server exited (${code})`)));
});

const work = mkdtempSync(path.join(os.tmpdir(), 'altazion-http-clients-'));
const client = path.join(work, 'client.mjs');
writeFileSync(client, `
import { createHash } from 'node:crypto'; import fs from 'node:fs'; import http from 'node:http'; import { Writable } from 'node:stream'; import { pipeline } from 'node:stream/promises';
const [kind, url, out, modulePath] = process.argv.slice(2);
let body;
if (kind === 'node:http') body = await new Promise((resolve, reject) => http.get(url, resolve).on('error', reject));
else if (kind === 'undici') body = (await (await import(modulePath)).request(url)).body;
else body = (await (await import(modulePath)).default(url, { compress: false })).body;
const hash = createHash('sha256'); const fd = fs.openSync(out, 'w'); let at = 0;
await pipeline(body, new Writable({ highWaterMark: 1 << 20, writev(chunks, done) {
  const buffers = chunks.map((c) => c.chunk);
  fs.writev(fd, buffers, at, (error, n) => { at += n; done(error); });
  for (const b of buffers) hash.update(b);
} }));
const usage = process.resourceUsage();
process.stdout.write(JSON.stringify({ rssMb: usage.maxRSS / 1024, cpuS: (usage.userCPUTime + usage.systemCPUTime) / 1e6 }));
`);

const clients = [['node:http', '']];
for (const name of ['undici', 'node-fetch']) if (resolves(name)) clients.push([name, pathToFileURL(require.resolve(name)).href]);

const results = Object.fromEntries(clients.map(([kind]) => [kind, []]));
try {
  // Alternated: each round runs every client once, so a change of load hits them alike.
  for (let run = 0; run < RUNS; run++) {
    for (const [kind, modulePath] of clients) {
      const out = path.join(work, 'out.bin');
      const child = await new Promise((resolve, reject) => {
        const p = spawn(NODE, [client, kind, url, out, modulePath], { stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        p.stdout.on('data', (d) => { stdout += d; });
        p.stderr.on('data', (d) => { stderr += d; });
        p.on('error', reject);
        p.on('close', (status) => resolve({ status, stdout, stderr }));
      });
      rmSync(out, { force: true });
      if (child.status !== 0) throw new Error(`${kind}: ${child.stderr}`);
      results[kind].push(JSON.parse(child.stdout));
    }
  }
} finally {
  server.stdin.end();
  rmSync(work, { recursive: true, force: true });
}
const version = spawnSync(NODE, ['--version'], { encoding: 'utf8' }).stdout.trim();
console.log(`${MB} MiB from loopback, ${RUNS} alternated rounds, Node ${version}, load ${os.loadavg()[0].toFixed(1)}`);
for (const [kind, runs] of Object.entries(results)) {
  const rss = runs.map((r) => r.rssMb.toFixed(0)).join(' ');
  const cpu = runs.map((r) => (r.cpuS / (MB / 1024)).toFixed(1)).join(' ');
  console.log(`  ${kind.padEnd(12)} peak RSS ${rss} MB   CPU ${cpu} s per GiB`);
}

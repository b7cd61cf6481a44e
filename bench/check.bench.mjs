// `check` end to end (what the service does periodically: fetch and verify the signed index,
// download and verify every package the server needs, write status.xml) from an empty cache, on
// the demo sandbox with a large ecommerce release (BENCH_CHECK_MB, default 256 MiB of
// incompressible payload), from both kinds of feed:
//   - HTTP (a plain node static server on 127.0.0.1), beside `curl` fetching the same files;
//   - a folder (as an air-gapped site's share), beside `cp` of the same files.
// Whole processes in alternated pairs; median of paired ratios with min-max and n; peak RSS.
// Targets: check <= 2.5 x its baseline (issue 23's download goal of >= 0.4 x curl, with the index
// and status.xml on top); peak RSS <= 100 MB from either feed (the download's goal).
//   npm run bench -- check             (node build.mjs --bundle-only first; needs curl)
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmtMs, has, load, median, note, pairs, ratioText, row, run, sh } from './lib.mjs';

const B = 'check';
const project = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bundle = path.join(project, 'dist', 'altazion-update.cjs');
const SIZE_MB = Number(process.env.BENCH_CHECK_MB ?? 256);
if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run \`node build.mjs --bundle-only\``);

const base = mkdtempSync(path.join(os.tmpdir(), 'altazion-bench-check-'));
const cli = (args) => sh(process.execPath, [bundle, ...args]);
let server;
try {
  const root = path.join(base, 'root');
  const feed = path.join(base, 'feed');
  const info = JSON.parse(cli(['sandbox', 'create', '--root', root, '--feed', feed, '--json']).trim().split('\n')[0]).data;
  // A large release of ecommerce: incompressible payload, stored.
  const { register } = await import('tsx/esm/api');
  register();
  const { buildPackageZip } = await import(path.join(project, 'src', 'feed', 'publish.ts'));
  const { randomFillSync } = await import('node:crypto');
  const { openSync, writeSync, closeSync } = await import('node:fs');
  const src = path.join(base, 'src');
  mkdirSync(path.join(src, 'bin'), { recursive: true });
  writeFileSync(path.join(src, 'altazion-package.json'), JSON.stringify({ schemaVersion: 1, module: 'ecommerce', version: '26.2.1.1', kind: 'web' }));
  const fd = openSync(path.join(src, 'bin', 'payload.bin'), 'w');
  const block = Buffer.alloc(4 * 1024 * 1024);
  for (let written = 0; written < SIZE_MB * 1024 * 1024; written += block.length) writeSync(fd, randomFillSync(block));
  closeSync(fd);
  const packages = path.join(base, 'packages');
  mkdirSync(packages);
  await buildPackageZip(src, path.join(packages, 'ecommerce-26.2.1.1.zip'), { compress: false });
  rmSync(src, { recursive: true, force: true });
  cli(['publish', '--packages', packages, '--key', info.SigningKey, '--out', feed, '--json']);
  rmSync(packages, { recursive: true, force: true });

  // What a check fetches: the index, its signatures, and the newest package of each module.
  const index = JSON.parse(readFileSync(path.join(feed, 'release-index.json'), 'utf8'));
  const files = ['release-index.json', 'release-index.json.sig'];
  for (const m of Object.values(index.modules ?? {})) {
    const newest = [...m.releases].sort((a, b) => b.version.localeCompare(a.version, undefined, { numeric: true }))[0];
    if (newest) files.push(newest.package);
  }
  const bytes = files.reduce((sum, f) => sum + statSync(path.join(feed, f)).size, 0);
  note(B, 'feed', `${files.length} files, ${(bytes / 1048576).toFixed(0)} MiB (${files.length - 2} packages); ${load()}`);

  // A plain static server for the HTTP feed (the same one for check and curl).
  server = http.createServer((req, res) => {
    const file = path.join(feed, decodeURIComponent(new URL(req.url, 'http://x').pathname));
    if (!file.startsWith(feed) || !existsSync(file) || !statSync(file).isFile()) { res.writeHead(404).end(); return; }
    res.writeHead(200, { 'content-length': statSync(file).size });
    createReadStream(file).pipe(res);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}/`;

  const config = path.join(root, 'bin', 'updates', 'updater.config');
  const original = readFileSync(config, 'utf8');
  const useFeed = (location) => writeFileSync(config, original.replace(/<feed location="[^"]*"/, `<feed location="${location}"`));
  const out = path.join(base, 'out');
  const fresh = () => {
    // An empty cache and no status.xml: the check downloads everything (feed-state stays: same index).
    rmSync(path.join(root, 'bin', 'updates', 'cache'), { recursive: true, force: true });
    rmSync(path.join(root, 'bin', 'updates', 'status.xml'), { force: true });
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
  };
  const check = async () => {
    const r = await run(process.execPath, [bundle, 'check', '--root', root, '--json'], { node: true });
    const cached = readdirSync(path.join(root, 'bin', 'updates', 'cache')).filter((n) => n.endsWith('.zip')).length;
    if (cached < files.length - 2) throw new Error(`check cached ${cached} packages, expected ${files.length - 2}: ${r.stderr}`);
    return { value: r.ms, rssMb: r.rssMb };
  };

  const kinds = [];
  if (has('curl')) kinds.push(['HTTP feed', url, () => run('curl', ['-s', '-f', ...files.flatMap((f) => ['-o', path.join(out, path.basename(f)), url + f])]).then((r) => r.ms), 'curl']);
  else note(B, 'HTTP feed', 'skipped: curl is not installed');
  kinds.push(['folder feed', feed, () => run('cp', [...files.map((f) => path.join(feed, f)), out]).then((r) => r.ms), 'cp']);

  for (const [kind, location, baseline, baselineName] of kinds) {
    useFeed(location);
    const result = await pairs({ label: `check ${kind}`, prepare: fresh, product: check, baseline });
    row(B, `check, ${kind} / ${baselineName} of the same files`, ratioText(result.ratios), '<= 2.5 x', median(result.ratios) <= 2.5);
    const peak = Math.max(...result.results.product.results.map((r) => r.rssMb));
    row(B, `check, ${kind}: peak RSS (max of n)`, `${peak.toFixed(0)} MB`, '<= 100 MB', peak <= 100);
    note(B, `  medians (${kind})`, `check ${fmtMs(median(result.product))}, ${baselineName} ${fmtMs(median(result.baseline))}`);
  }
  useFeed(feed);
  note(B, 'machine', load());
} finally {
  server?.close();
  rmSync(base, { recursive: true, force: true });
}

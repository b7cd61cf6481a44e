// The least a verifying download has to do, for the download benchmark to compare with: one GET
// on a plain socket, reads of 256 KiB into reused buffers, what arrives in one turn of the event
// loop (up to 1 MiB) written at its offset by a one-thread libuv pool (as the executable does),
// and the sha256 read back from the file as writes land, on a worker thread (the product's
// src/feed/read-back-hasher.ts). No retries, no size cap, no resume, no index, no checks beyond
// the digest.
// curl does none of the hashing, which costs ~0.7 s CPU per GiB here even alone; on 2 shared
// CPUs this floor shows how close to curl any verifying client can get on the machine measured.
// The benchmark bundles it with esbuild (it requires TypeScript) and runs the bundle:
//   node <bundle> <url> <output file>   -> {"ms","cpuS","maxRssKb","sha256"} on stdout
'use strict';
process.env.UV_THREADPOOL_SIZE = '1';
const { connect } = require('node:net');
const { openSync, writev, closeSync } = require('node:fs');
const { startReadBackHasher } = require('../src/feed/read-back-hasher');

const [target, outFile] = process.argv.slice(2);
const url = new URL(target);
const READ = 256 * 1024;
const GATHER = 1024 * 1024;
const free = Array.from({ length: 16 }, () => Buffer.allocUnsafe(READ));
const fd = openSync(outFile, 'w');
const hasher = startReadBackHasher(outFile, { inWorker: true });
const started = process.hrtime.bigint();
let head = Buffer.alloc(0);
let inBody = false;
let offset = 0;
let writes = 0;
let ended = false;
let paused = false;
let gathered = { chunks: [], pooled: [], bytes: 0 };

let landed = 0;

async function finish() {
  if (!ended || writes > 0) return;
  closeSync(fd);
  const sha256 = await hasher.digest(offset);
  const usage = process.resourceUsage();
  process.stdout.write(JSON.stringify({
    ms: Number(process.hrtime.bigint() - started) / 1e6,
    cpuS: (usage.userCPUTime + usage.systemCPUTime) / 1e6,
    maxRssKb: usage.maxRSS,
    sha256,
  }));
}

/** Writes what was gathered, at its offset; its pool buffers come back once it landed (in order: one pool thread). */
function flush() {
  const { chunks, pooled, bytes } = gathered;
  if (bytes === 0) return;
  gathered = { chunks: [], pooled: [], bytes: 0 };
  writes++;
  writev(fd, chunks, offset - bytes, (error) => {
    if (error) throw error;
    writes--;
    landed += bytes;
    hasher.landed(landed);
    free.push(...pooled);
    if (paused) { paused = false; socket.resume(); }
    finish();
  });
}

/** Gathers `body` (lying in the pool buffer `pooled`, if any); false pauses the socket. */
function onBody(body, pooled) {
  if (gathered.bytes === 0) setImmediate(flush);
  gathered.chunks.push(body);
  if (pooled) gathered.pooled.push(pooled);
  gathered.bytes += body.length;
  offset += body.length;
  if (gathered.bytes >= GATHER) flush();
  if (free.length > 1) return true;
  paused = true; // one buffer must stay free for the next read
  return false;
}

const socket = connect({
  host: url.hostname,
  port: Number(url.port) || 80,
  onread: {
    buffer: () => free.pop(),
    callback: (nread, buffer) => {
      const chunk = buffer.subarray(0, nread);
      if (inBody) return onBody(chunk, buffer);
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) { free.push(buffer); return true; }
      if (!/^HTTP\/1\.[01] 200 /.test(head.toString('latin1', 0, 16))) throw new Error(`unexpected answer: ${head.toString('latin1', 0, 40)}`);
      inBody = true;
      const rest = Buffer.from(head.subarray(end + 4));
      free.push(buffer);
      return rest.length === 0 || onBody(rest, undefined);
    },
  },
});
socket.write(`GET ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nConnection: close\r\n\r\n`);
socket.on('end', () => { flush(); ended = true; finish(); });

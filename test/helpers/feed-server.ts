// A real HTTP feed server on 127.0.0.1 for tests and the download benchmark: serves a folder,
// honours Range, and can misbehave on demand (faults apply to paths matching `faults.match`,
// by default the .zip packages, so the index stays readable):
//   tamperAt       flip the byte at this file offset
//   truncateTo     serve only the first N bytes (Content-Length consistent with that)
//   dropAfter      send N bytes of the body, then destroy the socket (`dropTimes` requests, default all)
//   status500      answer 500 to this many requests (then behave)
//   bytesPerSecond throttle the body
//   stallAfter     send N bytes then hang (nothing more, connection kept open)
//   contentLengthDelta  announce Content-Length off by this many bytes
//   chunked        no Content-Length (chunked transfer encoding)
//   ignoreRange    answer 200 with the whole file to range requests
//   extraBytes     append this many bytes after the file (with chunked: undetectable until they come)
// With `fromMemory`, file contents are read once and served from memory (same headers, ranges and
// faults): the download benchmark uses it so the server's own file reads do not take CPU from the
// client measured on the same machine (a real feed is served from another machine).
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';

export interface FeedServerFaults {
  match?: RegExp;
  tamperAt?: number;
  truncateTo?: number;
  dropAfter?: number;
  dropTimes?: number;
  status500?: number;
  bytesPerSecond?: number;
  stallAfter?: number;
  contentLengthDelta?: number;
  chunked?: boolean;
  ignoreRange?: boolean;
  extraBytes?: number;
  /** Waits this long before answering (a slow server, or a client given time to work meanwhile). */
  answerAfterMs?: number;
}

export interface RequestLog {
  path: string;
  range?: string;
  status: number;
  /** Body bytes written to the socket for this request (updated as it goes). */
  bytesSent: number;
  /** True when the client went away before the whole body was sent. */
  aborted: boolean;
  /** Proxy-style absolute request target (`GET http://host/path`), when a client used us as a proxy. */
  absoluteTarget?: string;
}

export interface FeedServer {
  url: string;
  port: number;
  root: string;
  faults: FeedServerFaults;
  requests: RequestLog[];
  close(): Promise<void>;
}

function sliceStream(limit: number | undefined, onBytes: (n: number) => void, options: { tamperAt?: number; start: number; bytesPerSecond?: number }) {
  let position = options.start;
  let sent = 0;
  return new Transform({
    transform(this: Transform, chunk: Buffer, _enc, callback) {
      let out = chunk;
      if (limit !== undefined && sent + out.length > limit) out = out.subarray(0, Math.max(0, limit - sent));
      if (options.tamperAt !== undefined && options.tamperAt >= position && options.tamperAt < position + out.length) {
        out = Buffer.from(out);
        out[options.tamperAt - position] ^= 0xff;
      }
      position += chunk.length;
      sent += out.length;
      onBytes(out.length);
      const rate = options.bytesPerSecond;
      if (!rate) { callback(null, out.length ? out : undefined); return; }
      // Throttle in small slices so a slow server still trickles bytes steadily.
      const slice = 16 * 1024;
      let at = 0;
      const next = () => {
        if (at >= out.length) { callback(); return; }
        const piece = out.subarray(at, at + slice);
        at += piece.length;
        this.push(piece);
        setTimeout(next, (piece.length / rate) * 1000);
      };
      next();
    },
  });
}

export interface FeedServerOptions {
  /** Serve file contents from memory (read once; read again when the file's size or mtime changes). */
  fromMemory?: boolean;
}

export async function startFeedServer(root: string, initialFaults: FeedServerFaults = {}, options: FeedServerOptions = {}): Promise<FeedServer> {
  const state: FeedServer = { url: '', port: 0, root, faults: initialFaults, requests: [], close: async () => {} };
  const sockets = new Set<import('node:net').Socket>();
  const inMemory = new Map<string, { size: number; mtimeMs: number; bytes: Buffer }>();
  const contents = async (file: string, size: number, mtimeMs: number): Promise<Buffer> => {
    const known = inMemory.get(file);
    if (known && known.size === size && known.mtimeMs === mtimeMs) return known.bytes;
    const bytes = await readFile(file);
    inMemory.set(file, { size, mtimeMs, bytes });
    return bytes;
  };

  const server = http.createServer(async (req, res) => {
    const rawTarget = req.url ?? '/';
    const absolute = /^https?:\/\//i.test(rawTarget);
    const url = new URL(rawTarget, 'http://127.0.0.1');
    const relative = decodeURIComponent(url.pathname).replace(/^\/+/, '');
    const log: RequestLog = { path: relative, range: req.headers.range, status: 0, bytesSent: 0, aborted: false, absoluteTarget: absolute ? rawTarget : undefined };
    state.requests.push(log);
    const faults = state.faults;
    const faulty = (faults.match ?? /\.zip$/i).test(relative);
    const send = (status: number, text: string) => { log.status = status; res.writeHead(status, { 'content-type': 'text/plain' }).end(text); };

    const file = path.resolve(root, relative);
    if (!file.startsWith(path.resolve(root) + path.sep)) return send(403, 'forbidden');
    if (faulty && faults.answerAfterMs) await new Promise((resolve) => setTimeout(resolve, faults.answerAfterMs));
    if (faulty && faults.status500 && faults.status500 > 0) {
      faults.status500--;
      return send(500, 'injected failure');
    }
    let size: number;
    let mtimeMs: number;
    try {
      const s = await stat(file);
      if (!s.isFile()) return send(404, 'not found');
      size = s.size;
      mtimeMs = s.mtimeMs;
    } catch {
      return send(404, 'not found');
    }
    const fileSize = faulty && faults.truncateTo !== undefined ? Math.min(size, faults.truncateTo) : size;
    const extra = faulty ? faults.extraBytes ?? 0 : 0;
    const servedSize = fileSize + extra;

    let start = 0;
    let status = 200;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (range && !(faulty && faults.ignoreRange)) {
      start = Number(range[1]);
      if (start >= servedSize) {
        log.status = 416;
        res.writeHead(416, { 'content-range': `bytes */${servedSize}` }).end();
        return;
      }
      status = 206;
    }
    const headers: Record<string, string | number> = { 'content-type': 'application/octet-stream', 'accept-ranges': 'bytes' };
    const length = servedSize - start;
    if (!(faulty && faults.chunked)) headers['content-length'] = length + (faulty ? faults.contentLengthDelta ?? 0 : 0);
    if (status === 206) headers['content-range'] = `bytes ${start}-${servedSize - 1}/${servedSize}`;
    log.status = status;
    res.writeHead(status, headers);
    res.flushHeaders();
    if (req.method === 'HEAD') return res.end();

    let limit: number | undefined;
    let drop = false;
    let stall = false;
    if (faulty && faults.dropAfter !== undefined && (faults.dropTimes === undefined || faults.dropTimes > 0)) {
      if (faults.dropTimes !== undefined) faults.dropTimes--;
      limit = faults.dropAfter;
      drop = true;
    } else if (faulty && faults.stallAfter !== undefined) {
      limit = faults.stallAfter;
      stall = true;
    }
    res.on('close', () => { if (!res.writableFinished) log.aborted = true; });
    const body = options.fromMemory
      ? Readable.from([(await contents(file, size, mtimeMs)).subarray(start, Math.max(start, fileSize))], { objectMode: false })
      : createReadStream(file, { start, end: fileSize - 1 < start ? start - 1 : fileSize - 1, highWaterMark: 1024 * 1024 });
    const slicer = sliceStream(limit, (n) => { log.bytesSent += n; }, { tamperAt: faulty ? faults.tamperAt : undefined, start, bytesPerSecond: faulty ? faults.bytesPerSecond : undefined });
    body.pipe(slicer);
    slicer.pipe(res, { end: false });
    slicer.on('end', () => {
      if (drop) { res.socket?.destroy(); return; }
      if (stall) return; // keep the connection open, send nothing more
      if (extra > 0 && start <= fileSize) {
        // Bytes beyond the real file (an oversized package).
        const chunk = Buffer.alloc(64 * 1024, 0x5a);
        let left = extra;
        const pump = () => {
          while (left > 0) {
            const n = Math.min(left, chunk.length);
            left -= n;
            log.bytesSent += n;
            if (!res.write(chunk.subarray(0, n))) { res.once('drain', pump); return; }
          }
          res.end();
        };
        pump();
        return;
      }
      res.end();
    });
  });
  server.on('connection', (socket) => { sockets.add(socket); socket.on('close', () => sockets.delete(socket)); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  state.port = port;
  state.url = `http://127.0.0.1:${port}/`;
  state.close = () => new Promise<void>((resolve) => {
    for (const s of sockets) s.destroy();
    server.close(() => resolve());
  });
  return state;
}

// Serves a feed folder over HTTP on 127.0.0.1, as a publisher's web server would (the demo uses
// it so the sandbox exercises the real HTTP path). GET/HEAD only, Range supported, no listing.
import { createReadStream, promises as fs } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export interface RunningServer { url: string; close(): Promise<void> }

export async function serveFolder(folder: string, port = 0): Promise<RunningServer> {
  const rootDir = path.resolve(folder);
  const server = http.createServer(async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') { res.writeHead(405).end(); return; }
    const relative = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname).replace(/^\/+/, '');
    const file = path.resolve(rootDir, relative);
    if (!file.startsWith(rootDir + path.sep)) { res.writeHead(403).end(); return; }
    const stat = await fs.stat(file).catch(() => undefined);
    if (!stat?.isFile()) { res.writeHead(404).end(); return; }
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = range ? Number(range[1]) : 0;
    if (start > stat.size) { res.writeHead(416, { 'Content-Range': `bytes */${stat.size}` }).end(); return; }
    const headers: http.OutgoingHttpHeaders = { 'Content-Length': stat.size - start, 'Accept-Ranges': 'bytes', 'Content-Type': 'application/octet-stream' };
    if (range) headers['Content-Range'] = `bytes ${start}-${stat.size - 1}/${stat.size}`;
    res.writeHead(range ? 206 : 200, headers);
    if (req.method === 'HEAD') { res.end(); return; }
    createReadStream(file, { start }).pipe(res);
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
  const { port: actual } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${actual}/`,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

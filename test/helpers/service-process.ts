// `service run` as a real process on a sandbox, for the tests that need the whole service running.
import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { cliCommand } from './cli';
import type { TestSandbox } from './sandbox';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject).listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export function get(port: number, urlPath: string): Promise<number> {
  return new Promise((resolve) => {
    http.get({ host: '127.0.0.1', port, path: urlPath, headers: { host: `localhost:${port}` } }, (res) => { res.resume(); resolve(res.statusCode ?? 0); })
      .on('error', () => resolve(0));
  });
}

export function getText(port: number, urlPath: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: urlPath, headers: { host: `localhost:${port}` } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => { body += d; }).on('end', () => resolve(body));
    }).on('error', reject);
  });
}

export async function startServiceProcess(box: TestSandbox, extra: string[] = []) {
  const port = await freePort();
  const { file, prefix } = cliCommand('bundle');
  const child = spawn(file, [...prefix, 'service', 'run', '--root', box.Root, '--port', String(port), ...extra], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const until = Date.now() + 30_000;
  while ((await get(port, '/api/modules')) !== 200) {
    if (Date.now() > until || child.exitCode !== null) throw new Error(`service did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, port, exited, stderr: () => stderr };
}

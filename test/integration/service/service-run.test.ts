// `service run` as a real process on a sandbox: serves the portal, checks the feed, logs under
// bin/updates/logs, and stops cleanly on SIGTERM, SIGINT and when stdin closes (the Windows host's
// stop request). Also the log rotation on disk.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { RotatingLog, rotatedNames } from '../../../src/service/logger';
import { cliCommand, runCli } from '../../helpers/cli';
import { makeSandbox, type TestSandbox } from '../../helpers/sandbox';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject).listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function get(port: number, urlPath: string): Promise<number> {
  return new Promise((resolve) => {
    http.get({ host: '127.0.0.1', port, path: urlPath, headers: { host: `localhost:${port}` } }, (res) => { res.resume(); resolve(res.statusCode ?? 0); })
      .on('error', () => resolve(0));
  });
}

async function startServiceProcess(box: TestSandbox, extra: string[] = []) {
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

describe('service run (process)', function () {
  this.timeout(120_000);
  let box: TestSandbox;
  before(async () => { box = await makeSandbox(); });
  after(async () => { await box?.remove(); });

  for (const [how, stop] of [
    ['SIGTERM', (c: ReturnType<typeof spawn>) => c.kill('SIGTERM')],
    ['SIGINT', (c: ReturnType<typeof spawn>) => c.kill('SIGINT')],
  ] as const) {
    it(`serves the portal and stops cleanly on ${how} (exit 0, port released)`, async () => {
      const service = await startServiceProcess(box);
      stop(service.child);
      const { code, signal } = await service.exited;
      expect({ code, signal }, service.stderr()).to.deep.equal({ code: 0, signal: null });
      expect(await get(service.port, '/')).to.equal(0);
      const log = await fs.readFile(path.join(box.Root, 'bin', 'updates', 'logs', 'service.log'), 'utf8');
      expect(log).to.contain('service started').and.contain('service stopped');
    });
  }

  it('stops when stdin closes with --stop-on-stdin-close (how the Windows service host stops it)', async () => {
    const service = await startServiceProcess(box, ['--stop-on-stdin-close']);
    service.child.stdin!.end();
    const { code } = await service.exited;
    expect(code, service.stderr()).to.equal(0);
  });

  it('refuses to start on a port already in use (exit 2, the port named)', async () => {
    const busy = net.createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', () => resolve()));
    const port = (busy.address() as net.AddressInfo).port;
    try {
      const run = await runCli(['service', 'run', '--root', box.Root, '--port', String(port), '--json'], { kind: 'bundle', timeoutMs: 30_000 });
      expect(run.code, run.stderr).to.equal(2);
      expect(run.errors()[0]!.message).to.contain(`port ${port}`);
    } finally {
      busy.close();
    }
  });

  it('service install / uninstall refuse clearly outside Windows (exit 2), except on a sandbox (its simulated service manager)', async function () {
    if (process.platform === 'win32') this.skip();
    const server = path.join(box.base, 'not-a-sandbox', 'root'); // no updater.config: a Windows host
    for (const action of ['install', 'uninstall']) {
      const run = await runCli(['service', action, '--root', server, '--json'], { kind: 'bundle' });
      expect(run.code, action).to.equal(2);
      expect(run.errors()[0]).to.include({ code: 'E_USAGE' });
      expect(run.errors()[0]!.message).to.contain('only works on Windows');
    }
    const removed = await runCli(['service', 'uninstall', '--root', box.Root, '--json'], { kind: 'bundle' });
    expect(removed.objects('Altazion.Service')[0]).to.include({ Name: 'AltazionUpdate', Status: 'Removed' });
    expect(JSON.parse(await fs.readFile(box.HostState, 'utf8')).services.map((s: { name: string }) => s.name)).to.not.include('AltazionUpdate');
    const installed = await runCli(['service', 'install', '--root', box.Root, '--json'], { kind: 'bundle' });
    expect(installed.code, installed.stdout).to.equal(0);
    expect(installed.objects('Altazion.Service')[0]).to.include({ Name: 'AltazionUpdate', Status: 'Installed', StartMode: 'AutomaticDelayed' });
  });

  it('checks the feed after start (status.xml written, the check logged)', async () => {
    const status = path.join(box.Root, 'bin', 'updates', 'status.xml');
    await fs.rm(status, { force: true });
    const service = await startServiceProcess(box);
    try {
      // The first check runs 10 s after start (let the machine finish booting).
      const until = Date.now() + 40_000;
      while (!(await fs.stat(status).catch(() => undefined))) {
        if (Date.now() > until) throw new Error('no check happened');
        await new Promise((r) => setTimeout(r, 250));
      }
      const log = await fs.readFile(path.join(box.Root, 'bin', 'updates', 'logs', 'service.log'), 'utf8');
      expect(log).to.contain('checking the feed');
    } finally {
      service.child.kill('SIGTERM');
      await service.exited;
    }
  });
});

describe('service log rotation', () => {
  it('rotates by size and keeps N files, newest first', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'altazion-log-'));
    try {
      const file = path.join(dir, 'service.log');
      const log = new RotatingLog({ file, maxBytes: 200, keep: 2, now: () => new Date('2026-01-01T00:00:00Z') });
      for (let i = 0; i < 20; i++) log.write(`line ${String(i).padStart(2, '0')} ${'x'.repeat(40)}`);
      const names = (await fs.readdir(dir)).sort();
      expect(names).to.deep.equal(['service.1.log', 'service.2.log', 'service.log']);
      for (const name of names) expect((await fs.stat(path.join(dir, name))).size).to.be.at.most(200);
      const current = await fs.readFile(file, 'utf8');
      expect(current).to.contain('line 19').and.match(/^2026-01-01T00:00:00.000Z line/);
      const previous = await fs.readFile(path.join(dir, 'service.1.log'), 'utf8');
      expect(previous).not.to.contain('line 19');
      const oldest = await fs.readFile(path.join(dir, 'service.2.log'), 'utf8');
      expect(oldest).not.to.contain('line 00'); // dropped beyond keep=2
      expect(rotatedNames('/x/service.log', 3)).to.deep.equal(['/x/service.1.log', '/x/service.2.log', '/x/service.3.log']);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});

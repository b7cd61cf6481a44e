// `service run` as a real process on a sandbox: serves the portal, checks the feed, logs under
// bin/updates/logs, and stops cleanly on SIGTERM, SIGINT and when stdin closes (the Windows host's
// stop request). Also the log rotation on disk.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { EVENT_IDS } from '../../../src/core/events';
import { sandboxEventLogPath } from '../../../src/platform/sandbox';
import { RotatingLog, rotatedNames } from '../../../src/service/logger';
import { cliCommand, runCli } from '../../helpers/cli';
import { freePort, get, getText, startServiceProcess } from '../../helpers/service-process';
import { makeSandbox, type TestSandbox } from '../../helpers/sandbox';

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

  describe('port taken: the configured fallback port (the legacy EMainServer holds 8080)', () => {
    const busy: net.Server[] = [];
    const sockets = new Set<net.Socket>();
    const occupy = async (): Promise<number> => {
      // A program holding the port: accepts connections, never answers (its sockets closed at the end).
      const server = net.createServer((socket) => { sockets.add(socket); });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
      busy.push(server);
      return (server.address() as net.AddressInfo).port;
    };
    const setPorts = async (port: number, fallbackPort: number) => {
      const file = path.join(box.Root, 'bin', 'updates', 'updater.config');
      const text = await fs.readFile(file, 'utf8');
      await fs.writeFile(file, text.replace(/<portal [^>]*\/>/, `<portal port="${port}" fallbackPort="${fallbackPort}" />`));
    };
    // The Event Log as the sandbox host keeps it (host/eventlog.jsonl, one entry a line).
    const events = async () => (await fs.readFile(sandboxEventLogPath(box.HostState), 'utf8').catch(() => '')).split('\n').filter(Boolean)
      .map((line) => JSON.parse(line) as { id: number; level: string; message: string });
    const computer = async () => (JSON.parse(await fs.readFile(box.HostState, 'utf8')) as { computerName: string }).computerName;
    afterEach(async () => {
      for (const socket of sockets) socket.destroy();
      sockets.clear();
      for (const server of busy.splice(0)) await new Promise((r) => server.close(r));
    });

    it('service run takes the fallback port, says so (console, service log, event log), and records the URL for repair and the health page', async () => {
      const taken = await occupy();
      const fallback = await freePort();
      await setPorts(taken, fallback);
      const eventsBefore = (await events()).length;
      const { file, prefix } = cliCommand('bundle');
      const child = spawn(file, [...prefix, 'service', 'run', '--root', box.Root, '--json'], { stdio: ['pipe', 'pipe', 'pipe'] });
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      let stdout = '';
      // Ready when it prints the portal's URL (NDJSON log line).
      await new Promise<void>((resolve, reject) => {
        child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; if (stdout.includes('Portal: ')) resolve(); });
        child.once('exit', (code) => reject(new Error(`service exited with ${code}: ${stdout}`)));
      });
      const url = `http://localhost:${fallback}/`;
      try {
        const logs = stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; level?: string; message?: string });
        const warning = logs.find((m) => m.type === 'log' && m.level === 'warning')!;
        expect(warning.message).to.equal(`port ${taken} on 127.0.0.1 is in use (the legacy service altazionkoostodes ("Altazion - service principal") runs on this server and serves the old portal on port 8080): `
          + `the portal listens on the fallback port ${fallback} instead, ${url} (<portal fallbackPort> in updater.config)`);
        expect(logs.some((m) => m.message === `Portal: ${url} (log: ${path.join(box.Root, 'bin', 'updates', 'logs', 'service.log')})`)).to.equal(true);
        expect(await get(fallback, '/api/modules')).to.equal(200);
        const serviceLog = await fs.readFile(path.join(box.Root, 'bin', 'updates', 'logs', 'service.log'), 'utf8');
        expect(serviceLog).to.contain(JSON.stringify({ v: 1, type: 'log', level: 'warning', message: warning.message }));
        // The Event Log (simulated by the sandbox host), through the platform: id 1700, worded in the
        // language of <notifications language> (French by default).
        expect((await events()).slice(eventsBefore).map((e) => [e.id, e.level, e.message])).to.deep.equal([[EVENT_IDS.portalFallback.id, 'Warning',
          `Le portail de mise à jour de ${await computer()} écoute sur son port de secours : le port ${taken} de 127.0.0.1 est occupé `
          + `(l’ancien service altazionkoostodes (« Altazion - service principal ») tourne sur ce serveur et sert l’ancien portail sur le port 8080) : `
          + `le portail écoute à la place sur le port de secours ${fallback}, ${url} (<portal fallbackPort> de updater.config)`]]);
        // Where it listens, for repair, the health page and the other tools (the reason with its message id, for the French portal).
        const state = JSON.parse(await fs.readFile(path.join(box.Root, 'bin', 'updates', 'portal.json'), 'utf8'));
        expect(state).to.deep.include({ v: 1, url, port: fallback, configuredPort: taken, fallback: true, reason: warning.message, reasonId: 'portal.fallback', pid: child.pid });
        // repair's portal check shows the URL the portal really has (and says why).
        const repair = await runCli(['repair', '--check', 'portal', '--dry-run', '--root', box.Root, '--json'], { kind: 'bundle' });
        const portal = repair.objects('Altazion.RepairResult')[0]!;
        expect(portal).to.include({ Check: 'portal', Target: url, Status: 'Ok' });
        expect(String(portal.Detail)).to.equal(`http://127.0.0.1:${fallback}/ answered HTTP 200; the fallback port: ${warning.message}`);
        expect(portal.DetailId).to.equal('repair.portal.fallback');
        // The health page shows it too, in French.
        const health = await getText(fallback, '/health');
        expect(health).to.contain(`<code>${url}</code>`);
        expect(health).to.contain('port de secours').and.contain('tourne sur ce serveur et sert l’ancien portail').and.not.contain('fallback port');
      } finally {
        child.stdin.end();
        child.kill('SIGTERM');
        expect(await exited).to.equal(0);
      }
      // Stopped: the record of where it listened goes with it.
      expect(await fs.stat(path.join(box.Root, 'bin', 'updates', 'portal.json')).then(() => true, () => false)).to.equal(false);
    });

    it('both the port and the fallback taken: exit 2 naming both, said in the event log', async () => {
      const taken = await occupy();
      const fallback = await occupy();
      await setPorts(taken, fallback);
      const eventsBefore = (await events()).length;
      const run = await runCli(['service', 'run', '--root', box.Root, '--json'], { kind: 'bundle', timeoutMs: 30_000 });
      expect(run.code, run.stderr).to.equal(2);
      const [error] = run.errors();
      expect(error).to.include({ code: 'E_CONFIG', message: `portal ports ${taken} and ${fallback} on 127.0.0.1 are both in use: the portal cannot start` });
      expect(error!.hint).to.contain('fallbackPort');
      const logged = (await events()).slice(eventsBefore);
      expect(logged.map((e) => [e.id, e.level, e.message])).to.deep.equal([[EVENT_IDS.portalFailed.id, 'Error',
        `Le portail de mise à jour de ${await computer()} ne peut pas démarrer, le service de mise à jour s’arrête : `
        + `les ports ${taken} et ${fallback} du portail sur 127.0.0.1 sont tous deux occupés : le portail ne peut pas démarrer`]]);
    });

    it('an explicit --port is used as given: taken, it is exit 2 naming that port', async () => {
      const taken = await occupy();
      const run = await runCli(['service', 'run', '--root', box.Root, '--port', String(taken), '--json'], { kind: 'bundle', timeoutMs: 30_000 });
      expect(run.code, run.stderr).to.equal(2);
      expect(run.errors()[0]!.message).to.equal(`portal port ${taken} on 127.0.0.1 is already in use`);
    });
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

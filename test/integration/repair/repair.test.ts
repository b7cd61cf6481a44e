// Each check of `repair` on a sandbox broken the way the seed describes: it reports the problem,
// fixes it, a second run reports Ok; a dry run reports WouldFix and changes nothing (hash of the
// whole sandbox tree, host state included, before and after).
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateSigningKey } from '../../../src/feed/keys';
import { startFeedServer } from '../../helpers/feed-server';
import { REPAIR_CHECKS } from '../../../src/repair';
import {
  byCheck, changeHost, crashInstall, feedModules, freePort, hashTree, holdFile, makeSandbox, portalProcessArgv, readHost, repair, repairCli,
  setPortalPort, shellIn, statuses, type TestSandbox,
} from './sandbox-helpers';

const DAY = 24 * 60 * 60 * 1000;

describe('repair on a broken sandbox', function () {
  this.timeout(60000);
  let sb: TestSandbox;
  afterEach(async () => { await sb?.cleanup(); });

  /** Runs the same checks with --dry-run, and proves nothing moved. */
  async function dryRunChangesNothing(checks: string[]) {
    const before = await hashTree(sb.base);
    const records = await repair(sb, { checks, dryRun: true });
    expect(await hashTree(sb.base)).to.equal(before);
    expect(statuses(records)).to.not.include('Fixed');
    return records;
  }

  it('lists the checks in their stable order', () => {
    expect(REPAIR_CHECKS).to.deep.equal(['settings', 'service', 'portal', 'feed', 'freshness', 'applications', 'rights', 'locks', 'app-offline', 'pools', 'journal', 'disk', 'acl']);
  });

  describe('service and portal', () => {
    beforeEach(async () => {
      sb = await makeSandbox();
      const port = await freePort();
      await setPortalPort(sb, port);
      // Our update service: stopped, started by hand; starting it brings the portal up (a real process).
      await changeHost(sb, (s) => {
        const ours = s.services.find((x) => x.name === 'AltazionUpdate')!;
        ours.state = 'Stopped';
        ours.startMode = 'Manual';
        ours.run = portalProcessArgv(port);
        s.services.find((x) => x.name === 'altazionkoostodes')!.startMode = 'Automatic';
      });
    });

    it('dry run: WouldFix for the start modes and the start, portal Failed, nothing changed', async () => {
      const records = await dryRunChangesNothing(['service', 'portal']);
      const ours = byCheck(records, 'service').find((r) => r.Target.startsWith('AltazionUpdate'))!;
      expect(ours.Status).to.equal('WouldFix');
      expect(ours.Detail).to.match(/start mode is Manual/).and.match(/Stopped/);
      expect(ours.Action).to.match(/Automatic \(Delayed Start\).*start the service/);
      expect(byCheck(records, 'service').find((r) => r.Target.startsWith('altazionkoostodes'))!.Status).to.equal('WouldFix');
      expect(statuses(records, 'portal')).to.deep.equal(['Failed']);
    });

    it('sets Automatic (Delayed Start), starts the service, the portal answers; a second run is Ok', async () => {
      const first = await repair(sb, { checks: ['service', 'portal'] });
      expect(statuses(first, 'service')).to.deep.equal(['Fixed', 'Fixed']);
      const ours = byCheck(first, 'service').find((r) => r.Target.startsWith('AltazionUpdate'))!;
      expect(ours.Action).to.equal('start mode set to Automatic (Delayed Start), started');
      expect(ours.Detail).to.match(/the portal answers now/);
      expect(statuses(first, 'portal')).to.deep.equal(['Ok']);
      const host = await readHost(sb);
      expect(host.services.filter((s) => /AltazionUpdate|altazionkoostodes/.test(s.name)).map((s) => [s.state, s.startMode]))
        .to.deep.equal([['Running', 'AutomaticDelayed'], ['Running', 'AutomaticDelayed']]);
      const second = await repair(sb, { checks: ['service', 'portal'] });
      expect(statuses(second)).to.deep.equal(['Ok', 'Ok', 'Ok']);
    });

    it('restarts the service when it runs but the portal does not answer', async () => {
      await changeHost(sb, (s) => {
        const ours = s.services.find((x) => x.name === 'AltazionUpdate')!;
        ours.state = 'Running'; // "running", but no portal process behind it
        ours.startMode = 'AutomaticDelayed';
        s.services.find((x) => x.name === 'altazionkoostodes')!.startMode = 'AutomaticDelayed';
      });
      const first = await repair(sb, { checks: ['service', 'portal'] });
      const ours = byCheck(first, 'service').find((r) => r.Target.startsWith('AltazionUpdate'))!;
      expect(ours.Status).to.equal('Fixed');
      expect(ours.Detail).to.match(/runs but the portal does not answer/);
      expect(ours.Action).to.equal('restarted');
      expect(statuses(first, 'portal')).to.deep.equal(['Ok']);
      expect(statuses(await repair(sb, { checks: ['service', 'portal'] }))).to.deep.equal(['Ok', 'Ok', 'Ok']);
    });

    it('leaves a Disabled service alone and says so; no updater service at all is Failed', async () => {
      await changeHost(sb, (s) => { s.services.find((x) => x.name === 'altazionkoostodes')!.startMode = 'Disabled'; });
      const records = await repair(sb, { checks: ['service'] });
      const legacy = records.find((r) => r.Target.startsWith('altazionkoostodes'))!;
      expect(legacy.Status).to.equal('Warning');
      expect(legacy.Detail).to.match(/Disabled/);
      expect((await readHost(sb)).services.find((x) => x.name === 'altazionkoostodes')!.startMode).to.equal('Disabled');
      await changeHost(sb, (s) => { s.services = s.services.filter((x) => !/AltazionUpdate|altazionkoostodes/.test(x.name)); });
      const none = await repair(sb, { checks: ['service'] });
      expect(statuses(none)).to.deep.equal(['Failed']);
      expect(none[0].Action).to.match(/service install/);
    });

    it('through the CLI: NDJSON records and exit code 1 while the portal is down, 0 once fixed', async () => {
      const dry = repairCli(sb, ['--check', 'service', '--check', 'portal', '--dry-run']);
      expect(dry.code, dry.stderr).to.equal(1);
      expect(dry.messages.every((m) => m.v === 1)).to.equal(true);
      expect(dry.records.map((r) => r.Status)).to.include('WouldFix');
      const fixed = repairCli(sb, ['--check', 'service,portal']);
      expect(fixed.code, fixed.stderr).to.equal(0);
      expect(fixed.records.map((r) => r.Status)).to.deep.equal(['Fixed', 'Fixed', 'Ok']);
    });
  });

  describe('the legacy main service and our portal (issue 18: never two services fighting over a port)', () => {
    /** A process standing for our service's portal on `port` (our header), and the portal.json `service run` writes. */
    async function ourPortalOn(port: number, configuredPort: number) {
      const child = spawn(process.execPath, ['-e', `require('http').createServer((q, s) => { s.setHeader('X-Altazion-Portal', 'test'); s.end('portal'); }).listen(${port}, '127.0.0.1', () => process.stdout.write('ready'))`], { stdio: ['ignore', 'pipe', 'ignore'] });
      sb.track(child.pid);
      await new Promise<void>((resolve, reject) => { child.stdout!.once('data', () => resolve()); child.once('exit', (code) => reject(new Error(`portal exited (${code})`))); });
      await fs.writeFile(path.join(sb.root, 'bin', 'updates', 'portal.json'), JSON.stringify({
        v: 1, url: `http://localhost:${port}/`, port, configuredPort, fallback: port !== configuredPort, pid: child.pid, startedAt: new Date().toISOString(),
        ...(port !== configuredPort ? { reason: `port ${configuredPort} on 127.0.0.1 is in use` } : {}),
      }));
      return child;
    }

    it('leaves the legacy service stopped while our portal holds the port it serves the old portal on, and starts it once ours is on the fallback port', async () => {
      sb = await makeSandbox();
      // legacyPort stands for 8080: the port of the old portal, and our configured port.
      const [legacyPort, fallbackPort] = [await freePort(), await freePort()];
      const file = path.join(sb.root, 'bin', 'updates', 'updater.config');
      await fs.writeFile(file, (await fs.readFile(file, 'utf8')).replace(/<portal [^>]*\/>/, `<portal port="${legacyPort}" fallbackPort="${fallbackPort}" />`));
      await changeHost(sb, (s) => { s.services.find((x) => x.name === 'altazionkoostodes')!.state = 'Stopped'; });
      const onLegacyPort = await ourPortalOn(legacyPort, legacyPort);

      const held = await repair(sb, { checks: ['service', 'portal'], legacyPortalPort: legacyPort });
      const legacy = byCheck(held, 'service').find((r) => r.Target.startsWith('altazionkoostodes'))!;
      expect(legacy.Status).to.equal('Warning');
      expect(legacy.Detail).to.equal('service is Stopped');
      expect(legacy.Action).to.equal(`not started: the portal of AltazionUpdate listens on port ${legacyPort}, where altazionkoostodes serves the old portal, and the two would fight over it. `
        + `To run both: stop AltazionUpdate, start altazionkoostodes, then start AltazionUpdate again: it takes the fallback port ${fallbackPort} (<portal fallbackPort> in updater.config)`);
      expect((await readHost(sb)).services.find((x) => x.name === 'altazionkoostodes')!.state).to.equal('Stopped');
      expect(byCheck(held, 'portal')[0]).to.include({ Target: `http://localhost:${legacyPort}/`, Status: 'Ok' });
      // The legacy service is handled before ours (it would get its old port back first).
      expect(byCheck(held, 'service').map((r) => r.Target.split(' ')[0])).to.deep.equal(['altazionkoostodes', 'AltazionUpdate']);

      // Ours restarted on the fallback port (what service run does when the old port is taken).
      onLegacyPort.kill('SIGKILL');
      await ourPortalOn(fallbackPort, legacyPort);
      const started = await repair(sb, { checks: ['service', 'portal'], legacyPortalPort: legacyPort });
      expect(byCheck(started, 'service').find((r) => r.Target.startsWith('altazionkoostodes'))).to.include({ Status: 'Fixed', Action: 'started' });
      expect((await readHost(sb)).services.find((x) => x.name === 'altazionkoostodes')!.state).to.equal('Running');
      const portal = byCheck(started, 'portal')[0]!;
      expect(portal).to.include({ Target: `http://localhost:${fallbackPort}/`, Status: 'Ok' });
      expect(portal.Detail).to.equal(`http://127.0.0.1:${fallbackPort}/ answered HTTP 200; the fallback port: port ${legacyPort} on 127.0.0.1 is in use`);
    });

    it('the legacy portal answering on our port is not our portal: portal Failed, our service would be restarted', async () => {
      sb = await makeSandbox();
      const port = await freePort();
      await setPortalPort(sb, port);
      // The old portal (no header of ours) holds the port; our service "runs" and would bring its portal up on restart.
      const old = spawn(process.execPath, ['-e', `require('http').createServer((q, s) => s.end('ancien portail')).listen(${port}, '127.0.0.1', () => process.stdout.write('ready'))`], { stdio: ['ignore', 'pipe', 'ignore'] });
      sb.track(old.pid);
      await new Promise<void>((resolve) => old.stdout!.once('data', () => resolve()));
      const records = await repair(sb, { checks: ['service', 'portal'], dryRun: true });
      const ours = byCheck(records, 'service').find((r) => r.Target.startsWith('AltazionUpdate'))!;
      expect(ours.Status).to.equal('WouldFix');
      expect(ours.Detail).to.equal(`service runs but the portal does not answer (http://127.0.0.1:${port}/ answered HTTP 200, but not as this updater's portal (no X-Altazion-Portal header): another program listens on that port)`);
      expect(byCheck(records, 'portal')[0]).to.include({ Status: 'Failed', Target: `http://localhost:${port}/` });
    });
  });

  describe('feed', () => {
    it('an expired feed is Failed with E_FEED_EXPIRED; after the publisher re-signs it, Ok', async () => {
      sb = await makeSandbox(new Date(Date.now() - 40 * DAY)); // signed 40 days ago for 30 days
      const before = await hashTree(sb.base);
      const records = await repair(sb, { checks: ['feed', 'freshness'] });
      expect(await hashTree(sb.base)).to.equal(before);
      expect(statuses(records, 'feed')).to.deep.equal(['Failed']);
      expect(byCheck(records, 'feed')[0].Detail).to.match(/^E_FEED_EXPIRED: /);
      expect(statuses(records, 'freshness')).to.deep.equal(['Skipped']);
      const { publishFeed } = await import('../../../src/feed/publish');
      const { parseSigningKey } = await import('../../../src/feed/keys');
      const key = parseSigningKey(await fs.readFile(sb.info.SigningKey, 'utf8'), sb.info.SigningKey);
      // The publisher re-signs the same releases with a fresh expiry.
      const again = await fs.mkdtemp(path.join(os.tmpdir(), 'altazion-republish-'));
      const packages = path.join(sb.info.Feed, 'packages');
      for (const name of await fs.readdir(packages)) await fs.copyFile(path.join(packages, name), path.join(again, name));
      await publishFeed({ packagesDir: again, key, outDir: sb.info.Feed, expiresInDays: 30, now: new Date() });
      await fs.rm(again, { recursive: true });
      expect(statuses(await repair(sb, { checks: ['feed'] }))).to.deep.equal(['Ok']);
    });

    it('an http feed through the proxy: Ok while it answers; the proxy down is Failed E_FEED_UNREACHABLE', async () => {
      sb = await makeSandbox();
      const proxy = await startFeedServer(sb.info.Feed); // answers proxy-style requests from the feed folder
      try {
        const file = sb.info.UpdaterConfig;
        const text = await fs.readFile(file, 'utf8');
        await fs.writeFile(file, text
          .replace(/<feed location="[^"]+"/, '<feed location="http://updates.altazion.invalid/"')
          .replace('</updater>', `<proxy url="${proxy.url}" /></updater>`));
        const ok = await repair(sb, { checks: ['feed'] });
        expect(ok.map((r) => [r.Target, r.Status])).to.deep.equal([['http://updates.altazion.invalid/', 'Ok']]);
        expect(ok[0].Detail).to.contain(`through the proxy ${proxy.url}`);
        expect(proxy.requests.some((r) => r.absoluteTarget === 'http://updates.altazion.invalid/release-index.json')).to.equal(true);
      } finally {
        await proxy.close();
      }
      const down = await repair(sb, { checks: ['feed'] });
      expect(down[0].Status).to.equal('Failed');
      expect(down[0].Detail).to.match(/^E_FEED_UNREACHABLE: /);
    });

    it('a feed signed by an unknown key is Failed with E_FEED_UNKNOWN_KEY and the hint to trust it', async () => {
      sb = await makeSandbox();
      const file = sb.info.UpdaterConfig;
      const other = generateSigningKey('someone-else');
      const text = await fs.readFile(file, 'utf8');
      await fs.writeFile(file, text.replace(/<trustedKey id="[^"]+" publicKey="[^"]+"/, `<trustedKey id="${other.keyId}" publicKey="${other.publicKey}"`));
      const records = await repair(sb, { checks: ['feed'] });
      expect(records[0].Status).to.equal('Failed');
      expect(records[0].Detail).to.match(/^E_FEED_UNKNOWN_KEY: /);
    });
  });

  describe('freshness', () => {
    it('status.xml behind a release over a day old: runs a check now; a second run is Ok', async () => {
      sb = await makeSandbox(new Date(Date.now() - 3 * DAY));
      const status = path.join(sb.root, 'bin', 'updates', 'status.xml');
      const dry = await dryRunChangesNothing(['freshness']);
      const modules = await feedModules(sb); // every module the publisher lists, database included
      expect(modules).to.include.members(['ecommerce', 'gestioncommerciale', 'logistique']);
      expect(statuses(dry)).to.deep.equal(modules.map(() => 'WouldFix'));
      expect(dry[0].Detail).to.match(/no status\.xml.*25\.10\.1\.2 published 7\d h ago/);
      const first = await repair(sb, { checks: ['freshness'] });
      expect(statuses(first)).to.deep.equal(modules.map(() => 'Fixed'));
      expect(first.map((r) => r.Target)).to.deep.equal(modules);
      expect(await fs.readFile(status, 'utf8')).to.contain('25.10.1.2');
      const second = await repair(sb, { checks: ['freshness'] });
      expect(statuses(second)).to.deep.equal(['Ok']);
      expect(second[0].Detail).to.match(/latest version of every module/);
    });

    it('a release published less than a day ago is Ok: the service picks it up', async () => {
      sb = await makeSandbox(new Date(Date.now() - 2 * 60 * 60 * 1000));
      const records = await dryRunChangesNothing(['freshness']);
      expect(statuses(records)).to.deep.equal((await feedModules(sb)).map(() => 'Ok'));
      expect(records[0].Detail).to.match(/published less than a day ago/);
    });
  });

  describe('applications and rights', () => {
    beforeEach(async () => {
      sb = await makeSandbox();
      // ecommerce's pool identity lost its write access to applicationspath.config, so ecommerce could not declare itself.
      const file = path.join(sb.configDir, 'applicationspath.config');
      const text = await fs.readFile(file, 'utf8');
      await fs.writeFile(file, text.replace(/\s*<application name="ecommerce"[^>]*\/>/, ''));
      await changeHost(sb, (s) => { s.rights[file] = s.rights[file].filter((i) => i !== 'IIS AppPool\\ecommerce'); });
    });

    it('dry run: the undeclared module is named, the grant is WouldFix, nothing changed', async () => {
      const records = await dryRunChangesNothing(['applications', 'rights']);
      const app = byCheck(records, 'applications');
      expect(app.map((r) => r.Status)).to.deep.equal(['Warning']);
      expect(app[0].Target).to.equal('Default Web Site/');
      expect(app[0].Detail).to.match(/pool ecommerce\) of module ecommerce at .*apps\/ecommerce runs but is not declared/);
      const rights = byCheck(records, 'rights');
      expect(rights.find((r) => r.Target.startsWith('IIS AppPool\\ecommerce'))!.Status).to.equal('WouldFix');
      expect(rights.filter((r) => r.Status === 'Ok').map((r) => r.Target.split(' -> ')[0])).to.have.members(['IIS AppPool\\gestcom', 'NT AUTHORITY\\NetworkService']);
    });

    it('grants Modify on applicationspath.config only (never bin\\config or the settings); a second run finds the rights Ok; once the module declares itself, applications is Ok', async () => {
      const appsConfig = path.join(sb.configDir, 'applicationspath.config');
      const first = await repair(sb, { checks: ['applications', 'rights'] });
      const grant = byCheck(first, 'rights').find((r) => r.Target.startsWith('IIS AppPool\\ecommerce'))!;
      expect(grant.Status).to.equal('Fixed');
      expect(grant.Target).to.equal(`IIS AppPool\\ecommerce -> ${appsConfig}`);
      expect(grant.Action).to.match(/granted Modify on .*applicationspath\.config \(that file only\) to IIS AppPool\\ecommerce; restart pool ecommerce/);
      const host = await readHost(sb);
      expect(host.rights[appsConfig]).to.include('IIS AppPool\\ecommerce');
      expect(host.rights[sb.configDir], 'nothing granted on the folder').to.equal(undefined);
      const { SandboxRights } = await import('../../../src/platform/sandbox/rights');
      const access = await new SandboxRights(sb.stateFile).othersAccess(sb.info.UpdaterConfig);
      expect(access.write.map((w) => w.sid), 'the identity cannot write the settings').to.deep.equal([]);
      const second = await repair(sb, { checks: ['applications', 'rights'] });
      expect(statuses(second, 'rights')).to.deep.equal(['Ok', 'Ok', 'Ok']);
      expect(statuses(second, 'applications')).to.deep.equal(['Warning']); // declaring is the module's job
      // The module restarts and rewrites its entry (what the grant allows).
      const file = path.join(sb.configDir, 'applicationspath.config');
      const text = await fs.readFile(file, 'utf8');
      await fs.writeFile(file, text.replace('</applications>', `<application name="ecommerce" path="${path.join(sb.apps, 'ecommerce')}/" /></applications>`));
      const third = await repair(sb, { checks: ['applications', 'rights'] });
      expect(statuses(third)).to.deep.equal(['Ok', 'Ok']);
    });
  });

  describe('locks', () => {
    it('names an Explorer window holding a file (image, pid, user); Ok once it is closed; pool workers are expected', async () => {
      sb = await makeSandbox();
      const explorer = await holdFile(path.join(sb.apps, 'gestcom', 'web.config'), 'explorer.exe');
      const worker = await holdFile(path.join(sb.apps, 'ecommerce', 'web.config'), 'w3wp.exe');
      sb.track(explorer.pid);
      sb.track(worker.pid);
      const records = await dryRunChangesNothing(['locks']);
      expect(records.map((r) => r.Status)).to.deep.equal(['Warning']);
      expect(records[0].Detail).to.contain(`explorer.exe (pid ${explorer.pid}, user ${os.userInfo().username}) holds ${path.join(sb.apps, 'gestcom', 'web.config')}`);
      expect(records[0].Detail).to.match(/Explorer window/);
      expect(records[0].Action).to.equal(`close it, or end it: taskkill /PID ${explorer.pid}`);
      explorer.kill('SIGKILL');
      await new Promise((resolve) => explorer.once('exit', resolve));
      const after = await repair(sb, { checks: ['locks'] });
      expect(statuses(after)).to.deep.equal(['Ok']);
      expect(after[0].Detail).to.contain(`w3wp.exe (pid ${worker.pid}`);
    });
  });

  describe('locks: shells', () => {
    it('names a command prompt of any user whose current directory is a module folder', async () => {
      sb = await makeSandbox();
      const shell = await shellIn(path.join(sb.apps, 'logistique'));
      sb.track(shell.pid);
      const records = await repair(sb, { checks: ['locks'] });
      expect(records.map((r) => [r.Target, r.Status])).to.deep.equal([[path.join(sb.apps, 'logistique') + '/', 'Warning']]);
      expect(records[0].Detail).to.match(new RegExp(`^cmd\\.exe \\(pid ${shell.pid}, user \\S+\\) holds .*logistique: a command prompt keeps it open`));
    });
  });

  describe('app-offline', () => {
    beforeEach(async () => { sb = await makeSandbox(); });

    it('renames a stale app_offline.htm to .bak; deletes app_offline.html when a .bak exists; a second run is Ok', async () => {
      const ecommerce = path.join(sb.apps, 'ecommerce');
      const gestcom = path.join(sb.apps, 'gestcom');
      await fs.writeFile(path.join(ecommerce, 'app_offline.htm'), 'maintenance');
      await fs.writeFile(path.join(gestcom, 'app_offline.html'), 'maintenance');
      await fs.writeFile(path.join(gestcom, 'app_offline.html.bak'), 'older');
      const dry = await dryRunChangesNothing(['app-offline']);
      expect(dry.map((r) => [r.Status, r.Action])).to.have.deep.members([['WouldFix', 'rename to app_offline.htm.bak'], ['WouldFix', 'delete it (app_offline.html.bak already exists)']]);
      const first = await repair(sb, { checks: ['app-offline'] });
      expect(statuses(first)).to.deep.equal(['Fixed', 'Fixed']);
      expect((await fs.readdir(ecommerce)).filter((n) => n.startsWith('app_offline'))).to.deep.equal(['app_offline.htm.bak']);
      expect((await fs.readdir(gestcom)).filter((n) => n.startsWith('app_offline'))).to.deep.equal(['app_offline.html.bak']);
      expect(await fs.readFile(path.join(gestcom, 'app_offline.html.bak'), 'utf8')).to.equal('older');
      expect(statuses(await repair(sb, { checks: ['app-offline'] }))).to.deep.equal(['Ok']);
    });

    it('leaves app_offline.htm alone while an install runs', async () => {
      const file = path.join(sb.apps, 'ecommerce', 'app_offline.htm');
      await fs.writeFile(file, 'maintenance');
      await fs.writeFile(path.join(sb.root, 'bin', 'updates', 'install.lock'), JSON.stringify({ pid: process.pid, user: 'admin', host: os.hostname(), requestedBy: 'cli', startedAt: new Date().toISOString(), description: 'install ecommerce 25.10.1.2' }));
      const records = await repair(sb, { checks: ['app-offline'] });
      expect(statuses(records)).to.deep.equal(['Skipped']);
      expect(records[0].Detail).to.match(/an install is running \(install ecommerce 25\.10\.1\.2 \(pid \d+, user admin/);
      expect(await fs.readFile(file, 'utf8')).to.equal('maintenance');
    });

    it('a lock left by a dead process is not a running install', async () => {
      await fs.writeFile(path.join(sb.apps, 'ecommerce', 'app_offline.htm'), 'maintenance');
      await fs.writeFile(path.join(sb.root, 'bin', 'updates', 'install.lock'), JSON.stringify({ pid: 2 ** 22 + 12345, host: os.hostname() }));
      expect(statuses(await repair(sb, { checks: ['app-offline'] }))).to.deep.equal(['Fixed']);
    });
  });

  describe('pools', () => {
    beforeEach(async () => {
      sb = await makeSandbox();
      await changeHost(sb, (s) => {
        s.pools.find((p) => p.name === 'ecommerce')!.state = 'Stopped';
        s.services.find((x) => x.name === 'AltazionLogistique')!.state = 'Stopped';
      });
    });

    it('starts a pool and a module service left stopped; a second run is Ok', async () => {
      const dry = await dryRunChangesNothing(['pools']);
      expect(dry.map((r) => [r.Target, r.Status, r.Action])).to.deep.equal([
        ['ecommerce', 'WouldFix', 'start pool ecommerce'],
        ['AltazionLogistique', 'WouldFix', 'start service AltazionLogistique'],
      ]);
      expect(statuses(await repair(sb, { checks: ['pools'] }))).to.deep.equal(['Fixed', 'Fixed']);
      const host = await readHost(sb);
      expect(host.pools.find((p) => p.name === 'ecommerce')!.state).to.equal('Started');
      expect(host.services.find((x) => x.name === 'AltazionLogistique')!.state).to.equal('Running');
      expect(statuses(await repair(sb, { checks: ['pools'] }))).to.deep.equal(['Ok']);
    });

    it('a pool that refuses to start is Failed with the reason', async () => {
      await changeHost(sb, (s) => { s.faults = { failStartPool: ['ecommerce'] }; });
      const records = await repair(sb, { checks: ['pools'] });
      expect(records.map((r) => r.Status)).to.deep.equal(['Failed', 'Fixed']);
      expect(records[0].Detail).to.match(/failed to start \(simulated fault\)/);
    });
  });

  describe('journal (an install killed mid-way, as by a power loss)', () => {
    const manifestVersion = async (folder: string) => JSON.parse(await fs.readFile(path.join(sb.apps, folder, 'altazion-package.json'), 'utf8')).version as string;

    it('before the point of no return: dry run (CLI) changes nothing; repair rolls back, restarts the pool; a second run is Ok', async () => {
      sb = await makeSandbox();
      const crash = crashInstall(sb, 'ecommerce', 'hook:PREINSTALL');
      expect(crash.signal, crash.stderr).to.equal('SIGKILL');
      expect((await readHost(sb)).pools.find((p) => p.name === 'ecommerce')!.state).to.equal('Stopped');
      const before = await hashTree(sb.base);
      // Through the CLI: repair must not run the recovery other commands run first.
      const dry = repairCli(sb, ['--check', 'journal,pools,app-offline', '--dry-run']);
      expect(await hashTree(sb.base)).to.equal(before);
      expect(dry.code, dry.stderr).to.equal(0);
      const journal = dry.records.find((r) => r.Check === 'journal')!;
      expect(journal).to.include({ Status: 'WouldFix', Action: 'roll back to the previous version' });
      expect(journal.Target).to.match(/^ecommerce \(install \S+\)$/);
      // The journal names the last step it recorded before the crash (hooks without a script are not journaled).
      expect(journal.Detail).to.match(/interrupted at step [\w:-]+: would restore ecommerce 25\.9\.12\.3/);
      // The stopped pool is the journal's to put back, not the pools check's.
      expect(dry.records.find((r) => r.Check === 'pools')).to.include({ Target: 'ecommerce', Status: 'Skipped' });
      const fixed = repairCli(sb, ['--check', 'journal,pools,app-offline']);
      expect(fixed.code, fixed.stderr).to.equal(0);
      expect(fixed.records.find((r) => r.Check === 'journal')!.Status).to.equal('Fixed');
      expect(await manifestVersion('ecommerce')).to.equal('25.9.12.3');
      expect((await fs.readdir(sb.apps)).filter((n) => n.includes('.altazion-'))).to.deep.equal([]);
      expect((await readHost(sb)).pools.find((p) => p.name === 'ecommerce')!.state).to.equal('Started');
      expect(await fs.readdir(path.join(sb.apps, 'ecommerce'))).to.not.include('app_offline.htm');
      expect(statuses(await repair(sb, { checks: ['journal', 'pools', 'app-offline'] }))).to.deep.equal(['Ok', 'Ok', 'Ok']);
    });

    it('after the point of no return: repair finishes the install forward', async () => {
      sb = await makeSandbox();
      expect(crashInstall(sb, 'ecommerce', 'start-pools').signal).to.equal('SIGKILL');
      const dry = await dryRunChangesNothing(['journal']);
      expect(dry[0]).to.include({ Status: 'WouldFix', Action: 'finish the install (past the point of no return)' });
      const fixed = await repair(sb, { checks: ['journal'] });
      expect(fixed[0].Status).to.equal('Fixed');
      expect(fixed[0].Action).to.match(/finished, 25\.10\.1\.2 installed/);
      expect(await manifestVersion('ecommerce')).to.equal('25.10.1.2');
      expect((await readHost(sb)).pools.find((p) => p.name === 'ecommerce')!.state).to.equal('Started');
      expect(statuses(await repair(sb, { checks: ['journal'] }))).to.deep.equal(['Ok']);
    });
  });

  describe('disk', () => {
    it('Failed with figures when the volume is too small, Warning when low, Ok otherwise', async () => {
      sb = await makeSandbox();
      await changeHost(sb, (s) => { s.faults = { freeBytes: 100 * 1024 * 1024 }; });
      const full = await repair(sb, { checks: ['disk'] });
      expect(statuses(full)).to.deep.equal(['Failed']);
      expect(full[0].Detail).to.match(/^100\.0 MB free, 512\.0 MB needed .*minFreeMegabytes> 512 MB: an install would not start/);
      expect(full[0].Action).to.equal('free at least 412.0 MB on this volume');
      await changeHost(sb, (s) => { s.faults = { freeBytes: 700 * 1024 * 1024 }; });
      expect(statuses(await repair(sb, { checks: ['disk'] }))).to.deep.equal(['Warning']);
      await changeHost(sb, (s) => { delete s.faults; });
      const ok = await repair(sb, { checks: ['disk'] });
      expect(statuses(ok)).to.deep.equal(['Ok']);
    });
  });

  describe('everything at once', () => {
    it('a sandbox broken every way: the dry run changes nothing; repair fixes; the second run has nothing left to fix', async () => {
      sb = await makeSandbox(new Date(Date.now() - 3 * DAY));
      const port = await freePort();
      await setPortalPort(sb, port);
      await fs.writeFile(path.join(sb.apps, 'ecommerce', 'app_offline.htm'), 'maintenance');
      await changeHost(sb, (s) => {
        const ours = s.services.find((x) => x.name === 'AltazionUpdate')!;
        ours.state = 'Stopped';
        ours.startMode = 'Manual';
        ours.run = portalProcessArgv(port);
        s.pools.find((p) => p.name === 'gestcom')!.state = 'Stopped';
      });
      const dry = await dryRunChangesNothing([]);
      expect([...new Set(dry.map((r) => r.Check))]).to.deep.equal([...REPAIR_CHECKS]);
      const freshness = (await feedModules(sb)).map(() => 'freshness');
      expect(dry.filter((r) => r.Status === 'WouldFix').map((r) => r.Check)).to.have.members(['service', ...freshness, 'app-offline', 'pools']);
      const cli = repairCli(sb, []);
      expect(cli.code, cli.stderr).to.equal(0);
      expect(cli.records.filter((r) => r.Status === 'Fixed').map((r) => r.Check)).to.have.members(['service', ...freshness, 'app-offline', 'pools']);
      const second = await repair(sb);
      expect(second.filter((r) => ['Fixed', 'WouldFix', 'Failed'].includes(r.Status))).to.deep.equal([]);
    });

    it('a malformed updater.config is bad input: exit 2 naming the file and field, nothing changed', async () => {
      sb = await makeSandbox();
      const file = sb.info.UpdaterConfig;
      await fs.writeFile(file, (await fs.readFile(file, 'utf8')).replace(/<portal port="\d+"/, '<portal port="99999"'));
      await fs.writeFile(path.join(sb.apps, 'ecommerce', 'app_offline.htm'), 'maintenance');
      const before = await hashTree(sb.base);
      const run = repairCli(sb, []);
      expect(run.code).to.equal(2);
      expect(run.records).to.deep.equal([]);
      expect(run.messages.find((m) => m.type === 'error')!.message).to.equal(`${file}: <portal> @port: 99999 is not a TCP port`);
      expect(await hashTree(sb.base)).to.equal(before);
    });

    it('an unknown check id is a usage error (exit 2) naming the valid ids', async () => {
      sb = await makeSandbox();
      const run = repairCli(sb, ['--check', 'bogus']);
      expect(run.code).to.equal(2);
      const error = run.messages.find((m) => m.type === 'error')!;
      expect(error.code).to.equal('E_USAGE');
      expect(error.message).to.match(/"bogus" is not a repair check \(settings, service, portal, feed/);
      // An empty --check (a script's unset variable) is not "every check, and fix what they find".
      const empty = repairCli(sb, ['--check', '']);
      expect(empty.code).to.equal(2);
      expect(empty.messages.filter((m) => m.type === 'object')).to.deep.equal([]);
      expect(empty.messages.find((m) => m.type === 'error')).to.include({ code: 'E_USAGE', message: '--check: the value is empty; leave --check out for every check' });
    });
  });
});

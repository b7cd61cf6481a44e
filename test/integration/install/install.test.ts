// Installs in a real sandbox (files, simulated IIS/services, real lock holders): success, dry run,
// a fault injected at every journaled step, file holders, bad packages, the install lock.
import { expect } from 'chai';
import { createWriteStream, promises as fs } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import { parseSigningKey } from '../../../src/feed/keys';
import { publishFeed } from '../../../src/feed/publish';
import os from 'node:os';
import path from 'node:path';
import { runInstall } from '../../../src/install';
import { stepIndex, type InstallStep } from '../../../src/install-state/journal';
import { acquireInstallLock, currentOwner } from '../../../src/install-state/lock';
import { listInstallHistory } from '../../../src/install/history';
import { readSandboxState, updateSandboxState } from '../../../src/platform/sandbox/state';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { holdFile } from '../../helpers/lock-holder';
import { tidyBackups } from '../../../src/install/backup';
import { fingerprint, hashTree, hashZip, journals, makeBox, runCli, setInstallConfig, siblingsOf, type Box } from './fixtures';

const rolledBackSteps = (seen: readonly InstallStep[]) => seen.filter((s) => stepIndex(s) <= stepIndex('health'));

describe('install (sandbox)', function () {
  this.timeout(300_000);
  let box: Box;
  const modules = { ecommerce: 'ecommerce', logistique: 'logistique' } as const;
  let oldHashes: Record<string, Record<string, string>>;
  let newHashes: Record<string, Record<string, string>>;
  const seen: Record<string, InstallStep[]> = {};

  before(async () => {
    box = await makeBox(['ecommerce', 'logistique', 'gestioncommerciale']);
    oldHashes = {};
    for (const folder of Object.values(modules)) oldHashes[folder] = await hashTree(box.appPath(folder));
    const run = await runInstall(box.ctx(), { names: ['ecommerce', 'logistique'], onStep: (step, j) => { (seen[j.module] ??= []).push(step); } });
    expect(run.exitCode).to.equal(0);
    newHashes = {};
    for (const folder of Object.values(modules)) newHashes[folder] = await hashTree(box.appPath(folder));
    await box.reset();
  });
  after(() => box.remove());
  afterEach(() => box.reset());

  it('installs web and service modules: new files, e.config preserved, states restored, backup kept then compressed later, history and log', async () => {
    // `before` recorded the new trees; install again here (every test starts from a reset sandbox).
    const run = await runInstall(box.ctx(), { names: ['ecommerce', 'logistique'] });
    expect(run.records.map((r) => r.Result)).to.deep.equal(['Installed', 'Installed']);
    for (const folder of Object.values(modules)) expect(await hashTree(box.appPath(folder))).to.deep.equal(newHashes[folder]);
    for (const folder of Object.values(modules)) {
      expect(newHashes[folder]).to.not.deep.equal(oldHashes[folder]);
      expect(newHashes[folder]['e.config']).to.equal(oldHashes[folder]['e.config']);
      expect(Object.keys(newHashes[folder])).to.not.include('app_offline.htm');
    }
    const manifest = JSON.parse(await fs.readFile(path.join(box.appPath('ecommerce'), 'altazion-package.json'), 'utf8'));
    expect(manifest.version).to.equal(box.AvailableVersion);
    const state = await box.state();
    expect(state.pools.find((p) => p.name === 'ecommerce')!.state).to.equal('Started');
    expect(state.services.find((s) => s.name === 'AltazionLogistique')!.state).to.equal('Running');
    expect(await journals(box)).to.deep.equal([]);
    // The backup is the previous folder, renamed aside by the swap: nothing was copied or compressed.
    const history = await listInstallHistory(box.ctx().layout);
    expect(history.map((h) => h.Name)).to.deep.equal(['ecommerce', 'logistique']); // newest first
    expect((await siblingsOf(box)).sort()).to.deep.equal(history.map((h) => path.basename(h.BackupPath!)).sort());
    for (const h of history) {
      expect(h.Result).to.equal('Installed');
      expect(h.BackupPath).to.match(/\.altazion-backup-25\.9\.12\.3-\d{8}T\d{6}-[0-9a-f]{6}$/);
      expect(await hashTree(h.BackupPath!)).to.deep.equal(oldHashes[h.Name]);
      const log = await fs.readFile(h.LogPath!, 'utf8');
      expect(log).to.include('step swap-in').and.include(`backup ${h.BackupPath}`);
      expect(h.DowntimeSeconds).to.be.greaterThan(0);
    }
    // Later (the service after the job, or `check`): compressed into bin/updates/backups, folder gone.
    const work = await tidyBackups(box.ctx());
    expect(work.map((w) => w.folder).sort()).to.deep.equal(history.map((h) => h.BackupPath).sort());
    expect(await siblingsOf(box)).to.deep.equal([]);
    for (const w of work) {
      const h = history.find((x) => x.BackupPath === w.folder)!;
      expect(path.basename(w.archive!)).to.match(new RegExp(`^${h.Name}-25\\.9\\.12\\.3-\\d{8}T\\d{6}-[0-9a-f]{6}\\.zip$`));
      expect(await hashZip(w.archive!)).to.deep.equal(oldHashes[h.Name]);
    }
    expect(await tidyBackups(box.ctx())).to.deep.equal([]);
  });

  it('backups="folder" keeps the previous folders beside the module, the newest keepBackups of them', async () => {
    await setInstallConfig(box, { backups: 'folder', keepBackups: '1' });
    const first = await runInstall(box.ctx(), { names: ['ecommerce'] });
    expect(first.records[0].Result).to.equal('Installed');
    const second = await runInstall(box.ctx(), { names: ['ecommerce'], force: true });
    expect(second.records[0].Result).to.equal('Installed');
    expect((await siblingsOf(box)).sort()).to.have.length(2);
    const work = await tidyBackups(box.ctx());
    expect(work.map((w) => [w.folder, w.removed])).to.deep.equal([[first.records[0].BackupPath, true]]);
    expect(await siblingsOf(box)).to.deep.equal([path.basename(second.records[0].BackupPath!)]);
    expect(await hashTree(second.records[0].BackupPath!)).to.deep.equal(newHashes.ecommerce);
  });

  it('--dry-run emits WhatIf records and changes nothing (whole sandbox and host state hashed)', async () => {
    const before = await fingerprint(box);
    const run = await runInstall(box.ctx(), { dryRun: true });
    expect(run.records.map((r) => [r.Name, r.Result])).to.deep.equal([
      ['logistique', 'WhatIf'], ['ecommerce', 'WhatIf'], ['gestioncommerciale', 'WhatIf'],
    ]);
    expect(run.records[1].Message).to.match(/would install: 25\.9\.12\.3 -> 25\.10\.1\.2.*stop pool\(s\) ecommerce/);
    expect(await fingerprint(box)).to.equal(before);
  });

  it('--dry-run reports a module it would not install as the real run does (not as WhatIf): a version not in the feed, a downgrade without --allow-downgrade', async () => {
    // The installed logistique claims a version newer than the feed's: installing the feed's is a downgrade.
    const manifest = path.join(box.appPath('logistique'), 'altazion-package.json');
    await fs.writeFile(manifest, (await fs.readFile(manifest, 'utf8')).replace(/"version":\s*"[^"]+"/, '"version": "99.1"'));
    const cases = [
      { names: ['ecommerce'], version: '25.1', result: 'Failed', exitCode: 2, errors: ['E_NOT_FOUND'] },
      { names: ['logistique'], version: box.AvailableVersion, result: 'ManualActionRequired', exitCode: 3, errors: [] },
    ];
    for (const { names, version, result, exitCode, errors } of cases) {
      const before = await fingerprint(box);
      const dry = await runInstall(box.ctx(), { names, version, dryRun: true });
      expect(await fingerprint(box)).to.equal(before);
      const real = await runInstall(box.ctx(), { names, version });
      for (const [what, run] of [['dry run', dry], ['real run', real]] as const) {
        expect(run.records.map((r) => r.Result), `${names[0]} ${version}: ${what}`).to.deep.equal([result]);
        expect(run.exitCode, `${names[0]} ${version}: ${what}`).to.equal(exitCode);
        expect(run.errors.map((e) => e.code), `${names[0]} ${version}: ${what}`).to.deep.equal(errors);
      }
      expect(dry.records[0].ToVersion).to.equal(real.records[0].ToVersion);
    }
  });

  for (const [name, folder] of Object.entries(modules)) {
    it(`${name}: a fault at every step up to the health check rolls back completely`, async () => {
      const startState = JSON.stringify(await box.state());
      const steps = rolledBackSteps(seen[name]);
      expect(steps).to.include('swap-in').and.include('stage');
      expect(steps.includes('app-offline')).to.equal(name === 'ecommerce');
      for (const faultAt of steps) {
        const run = await runInstall(box.ctx(), {
          names: [name],
          onStep: (step: InstallStep) => { if (step === faultAt) throw new Error(`injected fault at ${step}`); },
        });
        const record = run.records[0];
        expect(record.Result, `${faultAt}: ${record.Message}`).to.equal('RolledBack');
        expect(record.Message).to.include(`injected fault at ${faultAt}`);
        expect(run.exitCode).to.equal(1);
        expect(await hashTree(box.appPath(folder)), `files after a fault at ${faultAt}`).to.deep.equal(oldHashes[folder]);
        const state = await box.state();
        expect(JSON.stringify(state), `host state after a fault at ${faultAt}`).to.equal(startState);
        expect(await siblingsOf(box)).to.deep.equal([]);
        expect(await journals(box)).to.deep.equal([]);
      }
    });
  }

  it('the offline window asks for file holders only when the rename is refused (or a PREBACKUP hook needs the files)', async () => {
    const ctx = box.ctx();
    const platform = await ctx.platform();
    let asked = 0;
    const counting = { ...platform, locks: { holders: (paths: readonly string[]) => { asked++; return platform.locks.holders(paths); } } };
    const run = await runInstall({ ...ctx, platform: async () => counting }, { names: ['ecommerce'] });
    expect(run.records[0].Result).to.equal('Installed');
    expect(asked, 'a Restart Manager pass over the module inside the offline window').to.equal(0);
  });

  it('a failing ENDUPDATE step only warns: the install stands', async () => {
    const run = await runInstall(box.ctx(), { names: ['ecommerce'], onStep: (s) => { if (s === 'hook:ENDUPDATE') throw new Error('late fault'); } });
    expect(run.records[0].Result).to.equal('Installed');
    expect(await hashTree(box.appPath('ecommerce'))).to.deep.equal(newHashes.ecommerce);
  });

  it('a pool that refuses to start after the swap puts the old version back and the pool as it was', async () => {
    await updateSandboxState(box.HostState, (s) => { s.faults = { failStartPool: ['ecommerce'] }; });
    const run = await runInstall(box.ctx(), { names: ['ecommerce'] });
    expect(run.records[0].Result).to.equal('RolledBack');
    // The pool cannot be restarted either (the fault stays): the result says so.
    expect(run.records[0].Message).to.include('failed to start').and.include('but pool ecommerce');
    expect(await hashTree(box.appPath('ecommerce'))).to.deep.equal(oldHashes.ecommerce);
    expect(await journals(box)).to.deep.equal([]);
    expect(await siblingsOf(box)).to.deep.equal([]);
  });

  it('a web module with a known URL is checked over HTTP once back online', async () => {
    let hits = 0;
    let poolWhenHit = '';
    const server = http.createServer((_req, res) => {
      hits++;
      readSandboxState(box.HostState).then((st) => { poolWhenHit = st.pools.find((p) => p.name === 'ecommerce')!.state; res.end('ok'); });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      await updateSandboxState(box.HostState, (st) => { st.applications.find((a) => a.appPool === 'ecommerce')!.url = `http://127.0.0.1:${port}/`; });
      const run = await runInstall(box.ctx(), { names: ['ecommerce'] });
      expect(run.records[0].Result).to.equal('Installed');
      expect(hits).to.equal(1);
      expect(poolWhenHit).to.equal('Started');
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('a worker of the pool holding a file is released by the pool stop: the install succeeds', async () => {
    const holder = await holdFile(path.join(box.appPath('ecommerce'), 'bin', 'Altazion.ecommerce.dll'), 'w3wp.exe');
    try {
      await updateSandboxState(box.HostState, (s) => { s.pools.find((p) => p.name === 'ecommerce')!.workerPids = [holder.pid]; });
      const run = await runInstall(box.ctx(), { names: ['ecommerce'] });
      expect(run.records[0].Result, run.records[0].Message).to.equal('Installed');
      expect(await hashTree(box.appPath('ecommerce'))).to.deep.equal(newHashes.ecommerce);
    } finally {
      await holder.stop();
    }
  });

  it('an unrelated holder (explorer.exe) outlasts the retry budget: rolled back, holder named with pid and user', async () => {
    await setInstallConfig(box, { lockWaitSeconds: '2' });
    const holder = await holdFile(path.join(box.appPath('ecommerce'), 'default.htm'), 'explorer.exe');
    try {
      const run = await runInstall(box.ctx(), { names: ['ecommerce'] });
      const record = run.records[0];
      expect(record.Result).to.equal('RolledBack');
      expect(record.Message).to.include('explorer.exe').and.include(`pid ${holder.pid}`).and.include(`user ${os.userInfo().username}`);
      expect(await hashTree(box.appPath('ecommerce'))).to.deep.equal(oldHashes.ecommerce);
      expect((await box.state()).pools.find((p) => p.name === 'ecommerce')!.state).to.equal('Started');
      const log = await fs.readFile(record.LogPath!, 'utf8');
      expect(log).to.include('files still held: explorer.exe');
    } finally {
      await holder.stop();
    }
  });

  it('a tampered package in the feed is refused before anything goes offline (exit 2)', async () => {
    const pkg = path.join(box.Feed, 'packages', `ecommerce-${box.AvailableVersion}.zip`);
    const bytes = await fs.readFile(pkg);
    bytes[bytes.length - 30] ^= 0xff;
    await fs.writeFile(pkg, bytes);
    await fs.rm(path.join(box.Root, 'bin', 'updates', 'cache'), { recursive: true, force: true });
    const before = await hashTree(box.Apps);
    const stateBefore = await fs.readFile(box.HostState, 'utf8');
    const run = await runInstall(box.ctx(), { names: ['ecommerce'] });
    expect(run.records[0].Result).to.equal('Failed');
    expect(run.records[0].Message).to.match(/sha256/);
    expect(run.exitCode).to.equal(2);
    const [last] = await listInstallHistory(box.ctx().layout);
    expect([last.Name, last.Result]).to.deep.equal(['ecommerce', 'Failed']);
    expect(await hashTree(box.Apps)).to.deep.equal(before);
    expect(await fs.readFile(box.HostState, 'utf8')).to.equal(stateBefore);
  });

  it('a second install while one runs exits 4 naming the holder', async () => {
    const owner = { ...currentOwner('portal', 'install ecommerce 25.10.1.2'), pid: process.pid };
    const lock = await acquireInstallLock(box.ctx().layout, owner);
    try {
      const cli = await runCli(['install', '--root', box.Root, '--name', 'gestioncommerciale', '--json']);
      expect(cli.code).to.equal(4);
      const error = cli.errors[0];
      expect(error.code).to.equal('E_BUSY');
      expect(String(error.message)).to.include(`pid ${process.pid}`).and.include(`user ${owner.user}`).and.include(`host ${owner.host}`)
        .and.include('requested by portal').and.include(owner.startedAt);
      expect(await hashTree(box.appPath('gestcom'))).to.not.have.property('app_offline.htm');
    } finally {
      await lock.release();
    }
  });

  it('a lock left by a dead process is taken over', async () => {
    const layout = box.ctx().layout;
    await fs.mkdir(path.dirname(layout.installLock), { recursive: true });
    await fs.writeFile(layout.installLock, JSON.stringify({ ...currentOwner('cli', 'crashed install'), pid: 2 ** 22 + 12345 }));
    const run = await runInstall(box.ctx(), { names: ['gestioncommerciale'] });
    expect(run.records[0].Result).to.equal('Installed');
    expect(await fs.access(layout.installLock).then(() => true, () => false)).to.equal(false);
  });
});

describe('install (sandbox): unsafe packages signed by the publisher are still refused before going offline', function () {
  this.timeout(120_000);
  let box: Box;
  before(async () => { box = await makeBox(['ecommerce']); });
  after(() => box.remove());

  const cases: Array<[string, string, RegExp]> = [
    ['zip-slip', '../../../evil.dll', /\.\.|relative path/],
    ['absolute path', '/tmp/evil.dll', /absolute/],
    ['drive letter', 'C:/Windows/evil.dll', /absolute|drive/],
  ];
  for (const [what, entry, re] of cases) {
    it(what, async () => {
      await box.reset();
      const packages = path.join(box.base, 'bad-packages');
      await fs.mkdir(packages, { recursive: true });
      const version = '25.11.1.1';
      const zip = path.join(packages, `ecommerce-${version}.zip`);
      const placeholder = 'x'.repeat(entry.length);
      const z = new yazl.ZipFile();
      z.addBuffer(Buffer.from(JSON.stringify({ schemaVersion: 1, module: 'ecommerce', version, kind: 'web' })), 'altazion-package.json');
      z.addBuffer(Buffer.from('web.config'), 'web.config');
      z.addBuffer(Buffer.from('evil'), placeholder);
      z.end();
      await pipeline(z.outputStream, createWriteStream(zip));
      const bytes = await fs.readFile(zip);
      for (let at = bytes.indexOf(placeholder); at >= 0; at = bytes.indexOf(placeholder, at + 1)) bytes.write(entry, at, 'latin1');
      await fs.writeFile(zip, bytes);
      const key = parseSigningKey(await fs.readFile(box.SigningKey, 'utf8'), box.SigningKey);
      await publishFeed({ packagesDir: packages, key, outDir: box.Feed, expiresInDays: 30, now: new Date() });
      await fs.rm(packages, { recursive: true });

      const apps = await hashTree(box.Apps);
      const host = await fs.readFile(box.HostState, 'utf8');
      const run = await runInstall(box.ctx(), { names: ['ecommerce'] });
      expect(run.records[0].Result).to.equal('Failed');
      expect(run.records[0].Message).to.match(re);
      expect(run.exitCode).to.equal(2);
      expect(await hashTree(box.Apps)).to.deep.equal(apps);
      expect(await fs.readFile(box.HostState, 'utf8')).to.equal(host);
      const log = await fs.readFile(run.records[0].LogPath!, 'utf8');
      expect(log).to.include('refused before any change').and.not.include('step app-offline');
    });
  }
});

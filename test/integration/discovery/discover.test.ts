import { expect } from 'chai';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
// @ts-expect-error plain ESM helper shared with build.mjs
import { nodeWindowsExe } from '../../../tools/node-runtime.mjs';
import { instanceLayout } from '../../../src/config/paths';
import { discoverModules } from '../../../src/discovery/discover';
import { PlatformUnavailableError } from '../../../src/platform/errors';
import { SandboxPlatform } from '../../../src/platform/sandbox';
import type { Platform } from '../../../src/platform/types';
import { writeSandboxState, emptySandboxState } from '../../../src/platform/sandbox/state';

describe('discovery on a sandbox host', () => {
  let base: string;
  beforeEach(async () => { base = await fs.mkdtemp(path.join(os.tmpdir(), 'altazion-discovery-')); });
  afterEach(async () => { await fs.rm(base, { recursive: true, force: true }); });

  async function setup(apps: string, state = emptySandboxState()) {
    const layout = instanceLayout(path.join(base, 'root'));
    await fs.mkdir(layout.config, { recursive: true });
    await fs.writeFile(layout.applicationsConfig, apps);
    const stateFile = path.join(base, 'host.json');
    await writeSandboxState(stateFile, state);
    return { layout, platform: await SandboxPlatform.open(stateFile) };
  }

  it('finds pools by physical path (case and separators ignored), services by binary, versions by manifest or PE resource', async function () {
    this.timeout(120000);
    const web = path.join(base, 'apps', 'GestCom');
    const svc = path.join(base, 'apps', 'logistique');
    const legacy = path.join(base, 'apps', 'legacy');
    await fs.mkdir(web, { recursive: true });
    await fs.mkdir(svc, { recursive: true });
    await fs.mkdir(path.join(legacy, 'bin'), { recursive: true });
    await fs.writeFile(path.join(web, 'altazion-package.json'), JSON.stringify({ schemaVersion: 1, module: 'gestioncommerciale', version: '25.9.1.1', kind: 'web' }));
    // A module installed by the legacy updater: no manifest, a real PE main assembly.
    await fs.symlink(nodeWindowsExe(), path.join(legacy, 'bin', 'Altazion.Integration.dll'));
    const state = emptySandboxState();
    state.pools.push({ name: 'gestcom', state: 'Started', identity: 'IIS AppPool\\gestcom' });
    state.applications.push({ site: 'Default Web Site', virtualPath: '/gestcom', physicalPath: web.toUpperCase() + '/', appPool: 'gestcom' });
    state.services.push({ name: 'AltazionLogistique', displayName: 'Logistique', state: 'Running', startMode: 'Automatic', binaryPath: `"${path.join(svc, 'Altazion.Logistique.exe')}" -k`, account: 'LocalSystem' });
    const { layout, platform } = await setup(`<applications>
      <application name="gestcom" path="${web}" />
      <application name="logistique" path="${svc}/" />
      <application name="integration" path="${legacy}" />
      <application name="ecommerce" instance="preprod" path="${path.join(base, 'missing')}" />
    </applications>`, state);
    const modules = await discoverModules({ layout, pathApi: path.posix, platform });
    expect(modules.map((m) => [m.name, m.instance, m.kind, m.installedVersion, m.versionSource, m.exists])).to.deep.equal([
      ['gestioncommerciale', '', 'web', '25.9.1.1', 'manifest', true],
      ['logistique', '', 'service', 'Unknown', 'none', true],
      ['integration', '', 'web', `${process.versions.node}.0`, 'assembly', true],
      ['ecommerce', 'preprod', 'web', 'Unknown', 'none', false],
    ]);
    expect(modules[0].appPools).to.deep.equal(['gestcom']);
    expect(modules[1].serviceName).to.equal('AltazionLogistique');
  });

  it('names the file and how to fix it when applicationspath.config is missing', async () => {
    const layout = instanceLayout(path.join(base, 'nowhere'));
    const stateFile = path.join(base, 'host.json');
    await writeSandboxState(stateFile, emptySandboxState());
    const platform = await SandboxPlatform.open(stateFile);
    try {
      await discoverModules({ layout, pathApi: path.posix, platform });
      expect.fail('should have thrown');
    } catch (error) {
      expect((error as Error).message).to.contain(layout.applicationsConfig);
      expect((error as { hint?: string }).hint).to.match(/--root/);
    }
  });

  it('without a platform that can answer (no Windows bridge): from the files alone for reads that ask, pools and services unknown; an error otherwise', async function () {
    this.timeout(120000);
    const web = path.join(base, 'apps', 'ecommerce');
    const legacy = path.join(base, 'apps', 'logistique');
    await fs.mkdir(web, { recursive: true });
    await fs.mkdir(legacy, { recursive: true });
    await fs.writeFile(path.join(web, 'altazion-package.json'), JSON.stringify({ schemaVersion: 1, module: 'ecommerce', version: '25.9.1.1', kind: 'web' }));
    await fs.symlink(nodeWindowsExe(), path.join(legacy, 'Altazion.Logistique.exe'));
    const state = emptySandboxState();
    state.pools.push({ name: 'ecommerce', state: 'Started', identity: 'IIS AppPool\\ecommerce' });
    state.applications.push({ site: 'Default Web Site', virtualPath: '/ecommerce', physicalPath: web, appPool: 'ecommerce' });
    const { layout, platform } = await setup(`<applications><application name="ecommerce" path="${web}" /><application name="logistique" path="${legacy}" /></applications>`, state);
    const unavailable = new PlatformUnavailableError('the Windows bridge cannot run: the .NET Framework 4.x is not installed; powershell.exe exited with code 0 without an answer');
    const broken = (error: Error): Platform => Object.assign(Object.create(platform) as Platform, { services: { ...platform.services, list: () => Promise.reject(error) } });

    const told: Error[] = [];
    const modules = await discoverModules({ layout, pathApi: path.posix, platform: broken(unavailable), onPlatformUnavailable: (e) => told.push(e) });
    expect(told).to.deep.equal([unavailable]);
    expect(modules.map((m) => [m.name, m.kind, m.installedVersion, m.versionSource, m.appPools, m.serviceName])).to.deep.equal([
      ['ecommerce', 'web', '25.9.1.1', 'manifest', [], undefined],
      ['logistique', 'service', `${process.versions.node}.0`, 'assembly', [], undefined],
    ]);
    // An install (no callback) must not go on blind; and any other failure is a failure.
    const blind = await discoverModules({ layout, pathApi: path.posix, platform: broken(unavailable) }).catch((e: unknown) => e);
    expect(blind).to.equal(unavailable);
    const other = new Error('access denied');
    expect(await discoverModules({ layout, pathApi: path.posix, platform: broken(other), onPlatformUnavailable: () => undefined }).catch((e: unknown) => e)).to.equal(other);
  });
});

import { expect } from 'chai';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
// @ts-expect-error plain ESM helper shared with build.mjs
import { nodeWindowsExe } from '../../../tools/node-runtime.mjs';
import { instanceLayout } from '../../../src/config/paths';
import { discoverModules } from '../../../src/discovery/discover';
import { SandboxPlatform } from '../../../src/platform/sandbox';
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
});

import { expect } from 'chai';
import { moduleNames } from '../../../src/core/modules';
import type { InstalledModule } from '../../../src/discovery/discover';
import type { ReleaseEntry } from '../../../src/feed/types';
import { findHook, planInstall, type PlanInput } from '../../../src/install/plan';

const mod = (name: string, kind: InstalledModule['kind'], version: string, extra: Partial<InstalledModule> = {}): InstalledModule => ({
  name, instance: '', kind, path: `D:\\app\\${name}\\`, exists: true, installedVersion: version, versionSource: 'manifest', appPools: [], ...extra,
});
const rel = (version: string, requires?: Record<string, string>): ReleaseEntry => ({
  version, publishedAt: '2026-10-01T00:00:00Z', package: `packages/x-${version}.zip`, size: 1000, sha256: 'a'.repeat(64), ...(requires ? { requires } : {}),
});

function input(over: Partial<PlanInput>): PlanInput {
  return { installed: [], selected: [], releases: new Map(), hookFiles: [], moduleAliases: moduleNames, ...over };
}

describe('install plan (pure)', () => {
  it('orders database, then services, then web, and names pools, service, versions', () => {
    const installed = [
      mod('ecommerce', 'web', '25.9', { appPools: ['eco'] }),
      mod('logistique', 'service', '25.9', { serviceName: 'AltazionLogistique' }),
      mod('database', 'database', '25.9'),
    ];
    const plans = planInstall(input({
      installed, selected: installed,
      releases: new Map([['ecommerce', [rel('25.10'), rel('25.9.5')]], ['logistique', [rel('25.10')]], ['database', [rel('25.10')]]]),
    }));
    expect(plans.map((p) => [p.name, p.action, p.fromVersion, p.toVersion])).to.deep.equal([
      ['database', 'database', '25.9', '25.10'],
      ['logistique', 'install', '25.9', '25.10'],
      ['ecommerce', 'install', '25.9', '25.10'],
    ]);
    expect(plans[1].service).to.equal('AltazionLogistique');
    expect(plans[2].pools).to.deep.equal(['eco']);
    expect(plans[2].reason).to.include('stop pool(s) eco');
  });

  it('holds a release whose database requirement is unmet, unless the database is installed first or --force', () => {
    const web = mod('ecommerce', 'web', '25.9');
    const db = mod('database', 'database', '25.9');
    const releases = new Map([['ecommerce', [rel('25.10', { database: '25.10' })]], ['database', [rel('25.10')]]]);
    const held = planInstall(input({ installed: [web, db], selected: [web], releases }));
    expect(held[0].action).to.equal('held');
    expect(held[0].reason).to.include('database 25.10 or later is required (installed: 25.9)');
    const both = planInstall(input({ installed: [web, db], selected: [web, db], releases }));
    expect(both.map((p) => p.action)).to.deep.equal(['database', 'install']);
    const forced = planInstall(input({ installed: [web, db], selected: [web], releases, force: true }));
    expect(forced[0].action).to.equal('install');
    expect(forced[0].reason).to.include('forced');
  });

  it('up to date, downgrade needs --force, unknown version in the feed is unavailable', () => {
    const web = mod('ecommerce', 'web', '25.10');
    const releases = new Map([['ecommerce', [rel('25.10'), rel('25.9')]]]);
    expect(planInstall(input({ installed: [web], selected: [web], releases }))[0].action).to.equal('up-to-date');
    expect(planInstall(input({ installed: [web], selected: [web], releases, version: '25.9' }))[0].action).to.equal('held');
    expect(planInstall(input({ installed: [web], selected: [web], releases, version: '25.9', force: true }))[0].action).to.equal('install');
    const missing = planInstall(input({ installed: [web], selected: [web], releases, version: '26.1' }))[0];
    expect(missing.action).to.equal('unavailable');
    expect(missing.reason).to.include('26.1').and.include('25.10, 25.9');
  });

  it('an Unknown installed version is installed (the legacy updater left no manifest)', () => {
    const web = mod('ecommerce', 'web', 'Unknown');
    expect(planInstall(input({ installed: [web], selected: [web], releases: new Map([['ecommerce', [rel('25.10')]]]) }))[0].action).to.equal('install');
  });

  it('finds hooks with either separator, any case, and module aliases', () => {
    const files = ['startupdate_phygital.ps1', 'PREINSTALL-PhygitalApi.ps1', 'ENDUPDATE_other.ps1', 'POSTINSTALL_phygitalapi.txt'];
    const names = moduleNames('phygitalapi');
    expect(findHook(files, 'STARTUPDATE', names)).to.equal('startupdate_phygital.ps1');
    expect(findHook(files, 'PREINSTALL', names)).to.equal('PREINSTALL-PhygitalApi.ps1');
    expect(findHook(files, 'ENDUPDATE', names)).to.equal(undefined);
    expect(findHook(files, 'POSTINSTALL', names)).to.equal(undefined);
    const web = mod('phygitalapi', 'web', '25.9');
    const plan = planInstall(input({ installed: [web], selected: [web], releases: new Map([['phygitalapi', [rel('25.10')]]]), hookFiles: files }))[0];
    expect(plan.hooks).to.deep.equal({ STARTUPDATE: 'startupdate_phygital.ps1', PREINSTALL: 'PREINSTALL-PhygitalApi.ps1' });
  });
});

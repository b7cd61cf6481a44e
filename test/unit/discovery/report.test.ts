import { expect } from 'chai';
import type { InstalledModule } from '../../../src/discovery/discover';
import { buildUpdateReport, type Availability } from '../../../src/discovery/report';

const mod = (over: Partial<InstalledModule>): InstalledModule => ({
  name: 'ecommerce', instance: '', kind: 'web', path: 'D:\\app\\ecommerce\\', exists: true,
  installedVersion: '25.9.12.3', versionSource: 'manifest', appPools: ['ecommerce'], ...over,
});

const latest = (over: Partial<Availability> = {}): Availability => ({ version: '25.10.1.2', publishedAt: '2026-11-01T00:00:00Z', downloaded: true, ...over });

describe('what get reports (pure)', () => {
  const report = (modules: InstalledModule[], available: [string, Availability][], checked = true, installedVersions?: Map<string, string>) =>
    buildUpdateReport({ modules, available: new Map(available), checked, computerName: 'SRV01', installedVersions });

  it('reports an update when the feed has a newer version', () => {
    const [r] = report([mod({})], [['ecommerce', latest()]]);
    expect(r).to.deep.include({ Status: 'UpdateAvailable', UpdateAvailable: true, Downloaded: true, InstalledVersion: '25.9.12.3', AvailableVersion: '25.10.1.2', ComputerName: 'SRV01' });
  });
  it('is up to date at the same or a newer version (numeric comparison)', () => {
    expect(report([mod({ installedVersion: '25.10.1.2' })], [['ecommerce', latest()]])[0]).to.deep.include({ Status: 'UpToDate', UpdateAvailable: false, Downloaded: false });
    expect(report([mod({ installedVersion: '25.10.1.10' })], [['ecommerce', latest()]])[0].Status).to.equal('UpToDate');
  });
  it('says NotInstalled when the folder is gone, Unknown when the version cannot be read or the feed was never checked', () => {
    expect(report([mod({ exists: false })], [['ecommerce', latest()]])[0].Status).to.equal('NotInstalled');
    const unknown = report([mod({ installedVersion: 'Unknown', versionSource: 'none' })], [['ecommerce', latest()]])[0];
    expect(unknown).to.deep.include({ Status: 'Unknown', UpdateAvailable: true });
    const unchecked = report([mod({})], [], false)[0];
    expect(unchecked.Status).to.equal('Unknown');
    expect(unchecked.Detail).to.match(/not been checked/);
    expect(report([mod({})], [], true)[0].Detail).to.match(/not published/);
  });
  it('holds a release whose database requirement is not met', () => {
    const needsDb = latest({ requires: { database: '25.10' } });
    const held = report([mod({})], [['ecommerce', needsDb]], true, new Map([['database', '25.9.12.3']]))[0];
    expect(held.Status).to.equal('ManualActionRequired');
    expect(held.Detail).to.contain('requires database 25.10 or later (installed: 25.9.12.3)');
    const ok = report([mod({})], [['ecommerce', needsDb]], true, new Map([['database', '25.10']]))[0];
    expect(ok.Status).to.equal('UpdateAvailable');
  });
  it('reports every instance of a module separately', () => {
    const records = report([mod({}), mod({ instance: 'preprod', installedVersion: '25.10.1.2' })], [['ecommerce', latest()]]);
    expect(records.map((r) => [r.Instance, r.Status])).to.deep.equal([['', 'UpdateAvailable'], ['preprod', 'UpToDate']]);
  });
});

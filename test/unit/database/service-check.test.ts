// When `get` may show the service's latest check of the database instead of asking it (issue 21):
// recent, same connection, same package and kept baselines, and no change of ours since it began.
import { expect } from 'chai';
import { judgeServiceCheck, SERVICE_CHECK_MAX_AGE_MS, type DatabaseChanges, type ServiceCheck } from '../../../src/database/service-check';

const started = new Date('2026-12-06T10:00:00.000Z');
const at = (ms: number) => new Date(started.getTime() + ms);
const key = (server: string, marker: string) => `${server}|${marker}|pkg-25.10.1.2`;

function check(overrides: Partial<ServiceCheck> = {}): ServiceCheck {
  return {
    format: 1, connection: 'Equihira: data source=sql01;initial catalog=Equihira', server: 'sql01 / Equihira', marker: 'm1', key: key('sql01 / Equihira', 'm1'),
    startedAt: started.toISOString(), checkedBy: 'service pid 1',
    status: { Server: 'sql01 / Equihira', InstalledVersion: '25.9.12.3', PackageVersion: '25.10.1.2', Customized: false, ProvenStandard: true, Modified: [], Missing: [], Extra: [], PendingScripts: [], Status: 'UpToDate', Detail: '', Action: '' },
    ...overrides,
  };
}
const expected = { connection: 'Equihira: data source=sql01;initial catalog=Equihira', key: key('sql01 / Equihira', 'm1') };
const changes = (running: boolean, ms: number): DatabaseChanges => ({ format: 1, running, at: at(ms).toISOString(), pid: 42 });

describe('judgeServiceCheck', () => {
  it('trusts a recent check of the same connection and package, and says how old it is', () => {
    expect(judgeServiceCheck(check(), at(30_000), expected, undefined)).to.deep.equal({ trusted: true, ageMs: 30_000 });
    expect(judgeServiceCheck(check(), at(SERVICE_CHECK_MAX_AGE_MS), expected, undefined).trusted).to.equal(true);
  });

  it('asks the database when there is no check, or one of another format', () => {
    expect(judgeServiceCheck(undefined, at(1), expected, undefined)).to.deep.equal({ trusted: false, why: 'the service has not checked it' });
    expect(judgeServiceCheck({ ...check(), format: 2 } as unknown as ServiceCheck, at(1), expected, undefined).trusted).to.equal(false);
    expect(judgeServiceCheck({ ...check(), status: undefined } as unknown as ServiceCheck, at(1), expected, undefined).trusted).to.equal(false);
  });

  it('asks the database when the check is too old, from the future (clock set back) or undated', () => {
    expect(judgeServiceCheck(check(), at(SERVICE_CHECK_MAX_AGE_MS + 1), expected, undefined)).to.deep.equal({ trusted: false, why: "the service's check is 90 s old" });
    expect(judgeServiceCheck(check(), at(-1), expected, undefined).trusted).to.equal(false);
    expect(judgeServiceCheck(check({ startedAt: 'yesterday' }), at(1), expected, undefined).trusted).to.equal(false);
  });

  it('asks the database when the connection, the package or a kept baseline changed since', () => {
    expect(judgeServiceCheck(check(), at(1), { ...expected, connection: 'Equihira: data source=sql02;initial catalog=Equihira' }, undefined))
      .to.deep.equal({ trusted: false, why: 'the connection changed since the service checked it' });
    const otherPackage = 'sql01 / Equihira|m1|pkg-25.11.0.1';
    expect(judgeServiceCheck(check(), at(1), { ...expected, key: otherPackage }, undefined).trusted).to.equal(false);
  });

  it('asks the database while a change of ours runs (or was killed), and when one ended after the check began', () => {
    expect(judgeServiceCheck(check(), at(10_000), expected, changes(true, -3_600_000))).to.deep.include({ trusted: false });
    expect(judgeServiceCheck(check(), at(10_000), expected, changes(false, 5_000))).to.deep.equal({ trusted: false, why: 'the database was changed after the service checked it' });
    // A change ending the very millisecond the check began may not be in it.
    expect(judgeServiceCheck(check(), at(10_000), expected, changes(false, 0)).trusted).to.equal(false);
    expect(judgeServiceCheck(check(), at(10_000), expected, { format: 1, running: false, at: 'unknown', pid: 0 }).trusted).to.equal(false);
    expect(judgeServiceCheck(check(), at(10_000), expected, changes(false, -1))).to.deep.equal({ trusted: true, ageMs: 10_000 });
  });
});

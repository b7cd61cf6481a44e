import { expect } from 'chai';
import { autoInstallCandidates, decideSchedule, nextOccurrence, parseAt, parseDays, windowContaining, type ScheduledInstall } from '../../../src/schedule/plan';

const local = (y: number, mo: number, d: number, h = 0, mi = 0) => new Date(y, mo - 1, d, h, mi);
const entry = (over: Partial<ScheduledInstall>): ScheduledInstall => ({
  Id: 'x-1', Names: ['ecommerce'], Instance: null, Version: null, Force: false, At: '', NotAfter: '', RequestedBy: 'cli', User: 'u', CreatedAt: '', State: 'Pending', ...over,
});

describe('maintenance windows (pure)', () => {
  it('HH:MM is the next one: tonight, or tomorrow when already past', () => {
    expect(nextOccurrence('02:00', local(2026, 5, 1, 22, 30))).to.deep.equal(local(2026, 5, 2, 2, 0));
    expect(nextOccurrence('23:00', local(2026, 5, 1, 22, 30))).to.deep.equal(local(2026, 5, 1, 23, 0));
  });

  it('--at takes HH:MM, local dates and PowerShell round-trip dates; refuses the past and nonsense, naming the option', () => {
    const now = local(2026, 5, 1, 12);
    expect(parseAt('2026-05-02 02:00', now)).to.deep.equal(local(2026, 5, 2, 2));
    expect(parseAt('2026-05-02T02:00:00.0000000', now)).to.deep.equal(local(2026, 5, 2, 2));
    expect(parseAt('2026-05-02T02:00:00.0000000Z', now).toISOString()).to.equal('2026-05-02T02:00:00.000Z');
    expect(parseAt('2026-05-02T02:00:00+02:00', now).toISOString()).to.equal('2026-05-02T00:00:00.000Z');
    expect(() => parseAt('25:00', now)).to.throw(/--at: "25:00" is not a time/);
    expect(() => parseAt('2026-02-30 02:00', now)).to.throw(/not a valid date/);
    expect(() => parseAt('2026-04-01 02:00', now)).to.throw(/--at: 2026-04-01 02:00 is in the past/);
    expect(() => parseAt('tomorrow', now, '-At')).to.throw(/^-At: "tomorrow"/);
  });

  it('a pending install is due from its time to its NotAfter, missed after; running ones are left alone', () => {
    const e1 = entry({ Id: 'a', At: local(2026, 5, 2, 2).toISOString(), NotAfter: local(2026, 5, 2, 4).toISOString() });
    const e2 = entry({ Id: 'b', At: local(2026, 5, 3, 2).toISOString(), NotAfter: local(2026, 5, 3, 4).toISOString() });
    const e3 = entry({ Id: 'c', At: local(2026, 5, 1, 2).toISOString(), NotAfter: local(2026, 5, 1, 4).toISOString(), State: 'Running' });
    expect(decideSchedule([e1, e2, e3], local(2026, 5, 2, 1))).to.deep.equal({ due: [], missed: [], nextAt: local(2026, 5, 2, 2) });
    expect(decideSchedule([e1, e2], local(2026, 5, 2, 3)).due.map((e) => e.Id)).to.deep.equal(['a']);
    expect(decideSchedule([e1, e2], local(2026, 5, 2, 5)).missed.map((e) => e.Id)).to.deep.equal(['a']);
  });

  it('weekly windows, over midnight too', () => {
    const weekend = { days: parseDays('samedi,sunday') as number[], start: 120, end: 300 };
    expect(weekend.days).to.deep.equal([6, 0]);
    expect(parseDays('someday')).to.deep.equal({ unknown: 'someday' });
    // 2026-05-02 is a Saturday.
    expect(windowContaining([weekend], local(2026, 5, 2, 3))).to.deep.equal({ start: local(2026, 5, 2, 2), end: local(2026, 5, 2, 5) });
    expect(windowContaining([weekend], local(2026, 5, 2, 5))).to.equal(undefined);
    expect(windowContaining([weekend], local(2026, 5, 4, 3))).to.equal(undefined);
    const overnight = { days: [5], start: 23 * 60, end: 60 };
    expect(windowContaining([overnight], local(2026, 5, 2, 0, 30))).to.deep.equal({ start: local(2026, 5, 1, 23), end: local(2026, 5, 2, 1) });
  });

  it('the policy installs chosen modules with a plain update, never one needing a manual action (a customised database), once per window', () => {
    const policy = { windows: [{ days: [0, 1, 2, 3, 4, 5, 6], start: 120, end: 300 }], modules: ['ecommerce', 'database'] };
    const modules = [
      { Name: 'ecommerce', Instance: '', Status: 'UpdateAvailable', UpdateAvailable: true, AvailableVersion: '25.10' },
      { Name: 'database', Instance: '', Status: 'ManualActionRequired', UpdateAvailable: true, AvailableVersion: '25.10' },
      { Name: 'logistique', Instance: '', Status: 'UpdateAvailable', UpdateAvailable: true, AvailableVersion: '25.10' },
    ];
    const inside = autoInstallCandidates(policy, modules, local(2026, 5, 2, 3), new Set());
    expect(inside.candidates).to.deep.equal([{ name: 'ecommerce', instance: '', version: '25.10' }]);
    expect(autoInstallCandidates(policy, modules, local(2026, 5, 2, 6), new Set()).candidates).to.deep.equal([]);
    const tried = new Set([`ecommerce||25.10|${local(2026, 5, 2, 2).toISOString()}`]);
    expect(autoInstallCandidates(policy, modules, local(2026, 5, 2, 4), tried).candidates).to.deep.equal([]);
  });
});

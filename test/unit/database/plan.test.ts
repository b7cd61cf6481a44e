import { expect } from 'chai';
import { findScript, installedDatabaseVersion, planDatabase, scriptStatuses, versionKey } from '../../../src/database/plan';
import type { DatabaseScriptEntry } from '../../../src/core/package-manifest';
import type { JournalRow } from '../../../src/database/journal-sql';
import type { DriftReport } from '../../../src/database/drift';

const script = (version: string, number: number): DatabaseScriptEntry => ({
  id: `${version}/${String(number).padStart(4, '0')}`, version, number, name: `s${number}`, file: `scripts/${number}.sql`, sha256: '0'.repeat(64), transactional: true,
});
const row = (version: string, scriptNumber: number, flags: Partial<JournalRow> = {}): JournalRow => ({
  guid: `${version}-${scriptNumber}`, version, isRoot: false, scriptNumber, prepared: true, executed: true, validated: true, ...flags,
});
const drift = (standard: boolean): DriftReport => ({
  baselineVersion: '25.5', standard, extra: [], extraKeys: new Set(),
  modified: standard ? [] : [{ object: 'E.clients', type: 'table', state: 'Modified', detail: '' }], missing: [],
  customizedKeys: new Set(standard ? [] : ['e.clients']),
});

describe('database/plan', () => {
  const scripts = [script('25.5', 1), script('25.10', 1), script('25.10', 2), script('25.10', 3)];

  it('normalises release labels, legacy ones included', () => {
    expect(versionKey('2019-2')).to.equal('19.2');
    expect(versionKey('25.10.0.0')).to.equal('25.10');
    expect(versionKey(' 25.10 ')).to.equal('25.10');
  });

  it('derives script statuses and the installed version from the journal', () => {
    const journal = [row('25.5', 1), row('25.5', 0, { isRoot: true }), row('25.10', 1, { executed: false }), row('25.10', 2, { executed: true, validated: false })];
    const statuses = scriptStatuses(scripts, journal);
    expect([...statuses.values()]).to.deep.equal(['Applied', 'AppliedManually', 'Failed', 'Pending']);
    expect(installedDatabaseVersion(journal)).to.equal('25.5');
    expect(installedDatabaseVersion([row('2019-2', 0, { isRoot: true }), row('2019-11', 0, { isRoot: true })])).to.equal('19.11');
    expect(installedDatabaseVersion([])).to.equal(undefined);
  });

  it('runs automatically when the schema is standard, not when it is customised, unless forced', () => {
    const journal = [row('25.5', 1), row('25.5', 0, { isRoot: true })];
    const auto = planDatabase({ targetVersion: '25.10', scripts, journal, drift: drift(true), force: false });
    expect(auto.decision).to.equal('Automatic');
    expect(auto.pending.map((p) => p.entry.id)).to.deep.equal(['25.10/0001', '25.10/0002', '25.10/0003']);
    const impacts = new Map([['25.10/0002', { objects: [], objectNames: ['E.clients'], customized: ['E.clients'], dynamicSql: false }]]);
    const manual = planDatabase({ targetVersion: '25.10', scripts, journal, drift: drift(false), impacts, force: false });
    expect(manual.decision).to.equal('ManualActionRequired');
    expect(manual.reasons.join('\n')).to.match(/E\.clients \(Modified\)/).and.match(/script 25\.10\/0002 touches customised object\(s\): E\.clients/);
    expect(planDatabase({ targetVersion: '25.10', scripts, journal, drift: drift(false), force: true }).decision).to.equal('Forced');
  });

  it('is manual when the baseline of the installed version is unknown, and up to date when nothing is pending', () => {
    const unknown = planDatabase({ targetVersion: '25.10', scripts, journal: [], drift: undefined, force: false });
    expect(unknown.decision).to.equal('ManualActionRequired');
    expect(unknown.reasons[0]).to.match(/no baseline for the installed database version \(none\)/);
    const all = scripts.map((s) => row(s.version, s.number));
    expect(planDatabase({ targetVersion: '25.10', scripts, journal: all, drift: undefined, force: false }).decision).to.equal('UpToDate');
  });

  it('finds scripts by id, case-insensitively, or by version and number', () => {
    expect(findScript(scripts, '25.10/0002')?.number).to.equal(2);
    expect(findScript(scripts, '25.10#2')?.number).to.equal(2);
    expect(findScript(scripts, '25.10.0/2')?.number).to.equal(2);
    expect(findScript(scripts, '25.10/9')).to.equal(undefined);
  });
});

import { expect } from 'chai';
import { compareVersions, isVersion, maxVersion, parseVersion } from '../../../src/core/version';

describe('versions (YY.N releases, YY.M.D.H builds)', () => {
  it('compares numerically part by part, not as text', () => {
    expect(compareVersions('25.10', '25.9')).to.equal(1);
    expect(compareVersions('25.5.28.7', '25.5.28.10')).to.equal(-1);
    expect(compareVersions('9.0', '10.0')).to.equal(-1);
  });
  it('treats a missing part as 0', () => {
    expect(compareVersions('25.10', '25.10.0.0')).to.equal(0);
    expect(compareVersions('25.10', '25.10.0.1')).to.equal(-1);
  });
  it('rejects what is not 1 to 4 numeric parts', () => {
    for (const bad of ['', '25.x', '1.2.3.4.5', 'v25.1', '25..1', '-1']) {
      expect(isVersion(bad), bad).to.equal(false);
      expect(parseVersion(bad), bad).to.equal(undefined);
    }
    expect(() => compareVersions('abc', '1')).to.throw(/not a version: abc/);
  });
  it('finds the highest release', () => {
    const releases = [{ v: '25.9.1.1' }, { v: '25.10.1.2' }, { v: '25.10.1.1' }];
    expect(maxVersion(releases, (r) => r.v)).to.deep.equal({ v: '25.10.1.2' });
    expect(maxVersion([], (r: { v: string }) => r.v)).to.equal(undefined);
  });
});

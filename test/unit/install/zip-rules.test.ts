import { expect } from 'chai';
import { DEFAULT_ZIP_LIMITS, duplicateName, entryNameProblem, entryProblem, globToRegExp } from '../../../src/install/zip-rules';

describe('package entry rules', () => {
  it('accepts ordinary relative names', () => {
    for (const ok of ['web.config', 'bin/Altazion.Core.dll', 'content/', 'a/b.c/d-e_f.txt', 'console.log', 'CONx']) {
      expect(entryNameProblem(ok), ok).to.equal(undefined);
    }
  });
  it('refuses names that escape or misbehave on Windows', () => {
    const cases: Record<string, RegExp> = {
      '../evil.dll': /\.\./,
      'bin/../../evil.dll': /\.\./,
      '/etc/passwd': /absolute/,
      'C:/Windows/evil.dll': /drive letter/,
      'c:evil.dll': /drive letter/,
      '\\\\server\\share\\x': /backslash/,
      'bin\\evil.dll': /backslash/,
      'CON': /reserved/,
      'bin/aux.txt': /reserved/,
      'LPT1.log': /reserved/,
      'com9': /reserved/,
      'name.': /dot or a space/,
      'folder /x': /dot or a space/,
      'a//b': /empty/,
      './a': /empty or "\."/,
      'a\u0001b': /control/,
      'ab:c': /character not allowed/, // an NTFS alternate data stream
      'a:b': /drive letter/,
      '': /empty/,
    };
    for (const [name, re] of Object.entries(cases)) expect(entryNameProblem(name), JSON.stringify(name)).to.match(re);
  });
  it('refuses symlinks, oversized entries and bombs', () => {
    const base = { name: 'a', uncompressedSize: 10, compressedSize: 10, unixMode: 0o100644 };
    expect(entryProblem(base, DEFAULT_ZIP_LIMITS)).to.equal(undefined);
    expect(entryProblem({ ...base, unixMode: 0o120777 }, DEFAULT_ZIP_LIMITS)).to.match(/symbolic link/);
    expect(entryProblem({ ...base, uncompressedSize: 11 }, { ...DEFAULT_ZIP_LIMITS, maxEntryBytes: 10 })).to.match(/limit 10/);
    expect(entryProblem({ ...base, uncompressedSize: 5e9, compressedSize: 1e6 }, { ...DEFAULT_ZIP_LIMITS, maxEntryBytes: 1e10 })).to.match(/ratio/);
  });
  it('finds case-insensitive duplicates', () => {
    expect(duplicateName(['a/B.dll', 'a/b.dll'])).to.equal('a/b.dll');
    expect(duplicateName(['a/', 'a/b'])).to.equal(undefined);
  });
  it('globs', () => {
    expect(globToRegExp('e.config').test('E.CONFIG')).to.equal(true);
    expect(globToRegExp('App_Data/**').test('App_Data/x/y.db')).to.equal(true);
    expect(globToRegExp('*.license').test('bin/a.license')).to.equal(false);
    expect(globToRegExp('**/*.license').test('bin/a.license')).to.equal(true);
    expect(globToRegExp('**/*.license').test('a.license')).to.equal(true);
  });
});

import { expect } from 'chai';
import { checkNoRollback, checkNotExpired, parseReleaseIndex, unsafePackagePathReason, validateReleaseIndex } from '../../../src/feed/index-schema';
import { AltazionError } from '../../../src/core/errors';

const SHA = 'a'.repeat(64);

function release(version: string, extra: Record<string, unknown> = {}) {
  return { version, publishedAt: '2026-01-02T03:04:05Z', package: `packages/ecommerce-${version}.zip`, size: 10, sha256: SHA, ...extra };
}

function sample(): any {
  return {
    schemaVersion: 1,
    indexVersion: 4,
    generatedAt: '2026-01-02T00:00:00Z',
    expiresAt: '2026-02-01T00:00:00.000Z',
    modules: {
      ecommerce: { kind: 'web', releases: [release('25.10.1.2'), release('25.9'), release('25.11', { requires: { database: '25.11' } })] },
      database: { kind: 'database', releases: [] },
    },
  };
}

function errorOf(fn: () => unknown): AltazionError {
  try { fn(); } catch (e) { return e as AltazionError; }
  throw new Error('expected an error');
}

describe('feed/index-schema', () => {
  it('accepts a valid index, sorts releases and lower-cases hashes', () => {
    const doc = sample();
    doc.modules.ecommerce.releases[0].sha256 = 'ABCDEF'.padEnd(64, '0');
    const index = validateReleaseIndex(doc);
    expect(index.modules.ecommerce.releases.map((r) => r.version)).to.deep.equal(['25.9', '25.10.1.2', '25.11']);
    expect(index.modules.ecommerce.releases[1].sha256).to.equal('abcdef'.padEnd(64, '0'));
    expect(index.modules.ecommerce.releases[2].requires).to.deep.equal({ database: '25.11' });
  });

  it('names the field in every rejection', () => {
    const cases: [(d: any) => void, string][] = [
      [(d) => { d.schemaVersion = 2; }, 'release-index.json: schemaVersion: '],
      [(d) => { d.indexVersion = 0; }, 'release-index.json: indexVersion: must be a positive integer'],
      [(d) => { d.indexVersion = 1.5; }, 'release-index.json: indexVersion: '],
      [(d) => { d.generatedAt = 'yesterday'; }, 'release-index.json: generatedAt: '],
      [(d) => { d.expiresAt = '2025-01-01T00:00:00Z'; }, 'release-index.json: expiresAt: '],
      [(d) => { d.modules = []; }, 'release-index.json: modules: '],
      [(d) => { d.modules.ecommerce.kind = 'desktop'; }, 'release-index.json: modules.ecommerce.kind: '],
      [(d) => { d.modules.ecommerce.releases = {}; }, 'release-index.json: modules.ecommerce.releases: must be an array'],
      [(d) => { d.modules.ecommerce.releases[2].sha256 = 'abc'; }, 'release-index.json: modules.ecommerce.releases[2].sha256: must be 64 hex digits'],
      [(d) => { d.modules.ecommerce.releases[1].version = 'v2'; }, 'release-index.json: modules.ecommerce.releases[1].version: '],
      [(d) => { d.modules.ecommerce.releases[0].size = -1; }, 'release-index.json: modules.ecommerce.releases[0].size: '],
      [(d) => { d.modules.ecommerce.releases[0].size = '10'; }, 'release-index.json: modules.ecommerce.releases[0].size: '],
      [(d) => { d.modules.ecommerce.releases[0].publishedAt = '2026-13-45'; }, 'release-index.json: modules.ecommerce.releases[0].publishedAt: '],
      [(d) => { d.modules.ecommerce.releases[0].requires = { database: 'x' }; }, 'release-index.json: modules.ecommerce.releases[0].requires.database: '],
      [(d) => { d.modules.ecommerce.releases[1].version = '25.10.1.2.0'; }, 'release-index.json: modules.ecommerce.releases[1].version: '],
      [(d) => { d.modules.ecommerce.releases[1].version = '25.10.1.2'; }, 'release-index.json: modules.ecommerce.releases[1].version: 25.10.1.2 is listed twice'],
      [(d) => { d.modules.database.releases.push(release('25.9')); }, 'release-index.json: modules.database.releases[0].package: '],
      [(d) => { d.modules['Bad Key'] = { kind: 'web', releases: [] }; }, 'release-index.json: modules.Bad Key: '],
    ];
    for (const [mutate, prefix] of cases) {
      const doc = sample();
      mutate(doc);
      const err = errorOf(() => validateReleaseIndex(doc));
      expect(err.code, prefix).to.equal('E_FEED_INVALID');
      expect(err.message.startsWith(prefix), `${err.message} should start with ${prefix}`).to.equal(true);
    }
  });

  it('rejects unsafe package paths', () => {
    for (const p of ['../x.zip', 'packages/../../x.zip', '/etc/x.zip', 'C:/x.zip', 'c:x.zip', '\\\\srv\\share\\x.zip', 'packages\\x.zip', '//srv/share/x.zip', 'https://evil/x.zip', 'packages/./x.zip', 'packages/x.exe', '']) {
      expect(unsafePackagePathReason(p), p).to.be.a('string');
      const doc = sample();
      doc.modules.ecommerce.releases[0].package = p;
      expect(() => validateReleaseIndex(doc), p).to.throw(/modules\.ecommerce\.releases\[0\]\.package/);
    }
    expect(unsafePackagePathReason('packages/ecommerce-25.10.zip')).to.equal(undefined);
  });

  it('parses bytes with a BOM and reports bad JSON with the location', () => {
    const bytes = Buffer.from('\uFEFF' + JSON.stringify(sample()));
    expect(parseReleaseIndex(bytes).indexVersion).to.equal(4);
    const err = errorOf(() => parseReleaseIndex(Buffer.from('{nope'), 'D:/feed'));
    expect(err.message).to.match(/^release-index\.json: \(document\): not valid JSON/).and.contain('D:/feed');
  });

  it('checks expiry against the given now', () => {
    const index = validateReleaseIndex(sample());
    expect(() => checkNotExpired(index, new Date('2026-01-31T23:59:59Z'))).to.not.throw();
    const err = errorOf(() => checkNotExpired(index, new Date('2026-02-01T00:00:00Z'), 'https://f/'));
    expect(err.code).to.equal('E_FEED_EXPIRED');
    expect(err.message).to.contain('2026-02-01T00:00:00.000Z').and.contain('https://f/');
  });

  it('rejects an index version lower than the last accepted one', () => {
    const index = validateReleaseIndex(sample());
    expect(() => checkNoRollback(index, undefined)).to.not.throw();
    expect(() => checkNoRollback(index, 4)).to.not.throw();
    const err = errorOf(() => checkNoRollback(index, 5, 'https://f/'));
    expect(err.code).to.equal('E_FEED_ROLLBACK');
    expect(err.message).to.contain('4 is lower than 5');
  });
});

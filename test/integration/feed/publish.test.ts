import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import yauzl from 'yauzl';
import { AltazionError } from '../../../src/core/errors';
import { loadVerifiedIndex } from '../../../src/feed/index-loader';
import { generateSigningKey } from '../../../src/feed/keys';
import { buildPackageZip, publishFeed, readPackageManifest } from '../../../src/feed/publish';
import { openFeedSource } from '../../../src/feed/source';
import { makePackage, tempDir, rejection } from './fixtures';


describe('feed/publish', () => {
  let dir: string;
  beforeEach(async () => { dir = await tempDir(); });
  afterEach(() => rm(dir, { recursive: true, force: true }));
  const key = generateSigningKey('pub');
  const trusted = [{ id: 'pub', publicKey: key.publicKey }];
  const now = new Date('2026-05-01T00:00:00Z');

  it('builds a package zip from a folder with the manifest at its root', async () => {
    const folder = path.join(dir, 'src');
    await mkdir(path.join(folder, 'bin', 'sub'), { recursive: true });
    await writeFile(path.join(folder, 'altazion-package.json'), JSON.stringify({ schemaVersion: 1, module: 'ecommerce', version: '25.10', kind: 'web' }));
    await writeFile(path.join(folder, 'bin', 'sub', 'a.dll'), 'A');
    const zip = await buildPackageZip(folder, path.join(dir, 'out', 'p.zip'));
    expect(zip.manifest.module).to.equal('ecommerce');
    const names: string[] = [];
    const z = await yauzl.openPromise(zip.path, { lazyEntries: true });
    for await (const e of z.eachEntry()) names.push(e.fileName);
    z.close();
    expect(names.sort()).to.deep.equal(['altazion-package.json', 'bin/sub/a.dll']);
    expect((await readPackageManifest(zip.path)).version).to.equal('25.10');

    await rm(path.join(folder, 'altazion-package.json'));
    const err = await rejection(buildPackageZip(folder, path.join(dir, 'q.zip')));
    expect(err.code).to.equal('E_PACKAGE_INVALID');
  });

  it('publishes a signed feed whose sizes and hashes it computed itself', async () => {
    const incoming = path.join(dir, 'in');
    await mkdir(incoming);
    await makePackage(incoming, { module: 'ecommerce', version: '25.10.1.2', kind: 'web', requires: { database: '25.10' } });
    await makePackage(incoming, { module: 'database', version: '25.10', kind: 'database' });
    const out = path.join(dir, 'feed');
    const result = await publishFeed({ packagesDir: incoming, key, outDir: out, expiresInDays: 10, now });
    expect(result.indexVersion).to.equal(1);
    expect(result.expiresAt).to.equal('2026-05-11T00:00:00.000Z');
    expect(await readdir(path.join(out, 'packages'))).to.deep.equal(['database-25.10.zip', 'ecommerce-25.10.1.2.zip']);

    const verified = await loadVerifiedIndex({ source: openFeedSource(out), trustedKeys: trusted, now });
    const rel = verified.index.modules.ecommerce.releases[0];
    const bytes = await readFile(path.join(out, rel.package));
    expect(rel.size).to.equal(bytes.length);
    expect(rel.sha256).to.equal(createHash('sha256').update(bytes).digest('hex'));
    expect(rel.requires).to.deep.equal({ database: '25.10' });
    expect(verified.index.modules.database.kind).to.equal('database');
  });

  it('merges with the existing index: keeps older releases and bumps the index version', async () => {
    const out = path.join(dir, 'feed');
    const first = path.join(dir, 'in1');
    const second = path.join(dir, 'in2');
    await mkdir(first);
    await mkdir(second);
    await makePackage(first, { module: 'ecommerce', version: '25.9', kind: 'web' });
    await publishFeed({ packagesDir: first, key, outDir: out, expiresInDays: 10, now });
    await makePackage(second, { module: 'ecommerce', version: '25.10', kind: 'web' });
    const result = await publishFeed({ packagesDir: second, key, outDir: out, expiresInDays: 10, now });
    expect(result.indexVersion).to.equal(2);
    expect(result.releases.map((r) => `${r.version}:${r.added}`)).to.deep.equal(['25.9:false', '25.10:true']);
    const verified = await loadVerifiedIndex({ source: openFeedSource(out), trustedKeys: trusted, now, lastAcceptedVersion: 1 });
    expect(verified.index.modules.ecommerce.releases.map((r) => r.version)).to.deep.equal(['25.9', '25.10']);

    const low = await rejection(publishFeed({ packagesDir: second, key, outDir: out, expiresInDays: 10, now, indexVersion: 2 }));
    expect(low.code).to.equal('E_USAGE');
    expect(low.message).to.contain('--index-version: 2 must be higher than 2');
    expect((await publishFeed({ packagesDir: second, key, outDir: out, expiresInDays: 10, now, indexVersion: 10 })).indexVersion).to.equal(10);
  });

  it('refuses to publish a version again with different content, and leaves the feed as it was', async () => {
    const out = path.join(dir, 'feed');
    const incoming = path.join(dir, 'in');
    await mkdir(incoming);
    await makePackage(incoming, { module: 'ecommerce', version: '25.10', kind: 'web' });
    await publishFeed({ packagesDir: incoming, key, outDir: out, expiresInDays: 10, now });
    const before = await readFile(path.join(out, 'release-index.json'));
    await makePackage(incoming, { module: 'ecommerce', version: '25.10', kind: 'web' });
    const err = await rejection(publishFeed({ packagesDir: incoming, key, outDir: out, expiresInDays: 10, now }));
    expect(err.code).to.equal('E_USAGE');
    expect(err.message).to.contain('already published with different content');
    expect((await readFile(path.join(out, 'release-index.json'))).equals(before)).to.equal(true);
  });

  it('rejects a package without a valid manifest, naming the zip', async () => {
    const incoming = path.join(dir, 'in');
    await mkdir(incoming);
    await writeFile(path.join(incoming, 'broken.zip'), 'not a zip');
    const err = await rejection(publishFeed({ packagesDir: incoming, key, outDir: path.join(dir, 'feed'), expiresInDays: 10, now }));
    expect(err.code).to.equal('E_PACKAGE_INVALID');
    expect(err.message).to.contain('broken.zip');
    expect(await readdir(dir)).to.deep.equal(['in']);
  });

  it('checks a database package before publishing it (a script that does not match its sha256 is refused)', async () => {
    const { buildDatabasePackageFiles } = await import('../../../src/sandbox/database/fixtures');
    const folder = path.join(dir, 'db');
    const files = buildDatabasePackageFiles('25.10.1.2');
    const script = Object.keys(files).find((f) => f.endsWith('.sql'))!;
    files[script] = Buffer.concat([files[script], Buffer.from('\n-- edited after packaging\n')]);
    for (const [name, content] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(folder, name)), { recursive: true });
      await writeFile(path.join(folder, name), content);
    }
    const incoming = path.join(dir, 'in');
    await buildPackageZip(folder, path.join(incoming, 'database-25.10.1.2.zip'));
    const err = await rejection(publishFeed({ packagesDir: incoming, key, outDir: path.join(dir, 'feed'), expiresInDays: 10, now }));
    expect(err.code).to.equal('E_PACKAGE_INTEGRITY');
    expect(err.message).to.contain(script.split('/').pop()!);
    expect(await readdir(dir)).to.not.include('feed');
  });
});

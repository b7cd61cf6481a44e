// keygen and publish through the bundled command line (dist/altazion-update.cjs, built by npm test).
import { expect } from 'chai';
import { readdir, readFile, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { loadVerifiedIndex } from '../../../src/feed/index-loader';
import { openFeedSource } from '../../../src/feed/source';
import { runCli } from '../../helpers/cli';
import { makePackage, tempDir } from './fixtures';

describe('keygen and publish commands', function () {
  this.timeout(120_000);
  let dir: string;
  before(async () => { dir = await tempDir('altazion-cli-feed-'); });
  after(() => rm(dir, { recursive: true, force: true }));

  it('creates a key, refuses to overwrite it, and publishes a feed that verifies with the printed public key', async () => {
    const keyFile = path.join(dir, 'keys', 'pub.key');
    const made = await runCli(['keygen', '--out', keyFile, '--id', 'altazion-2026', '--json'], { kind: 'bundle' });
    expect(made.code, made.stderr).to.equal(0);
    const [record] = made.objects('Altazion.SigningKey');
    expect(record.KeyId).to.equal('altazion-2026');
    expect(record.TrustedKey).to.equal(`<trustedKey id="altazion-2026" publicKey="${record.PublicKey}" />`);
    expect((await stat(keyFile)).mode & 0o077, 'private key readable by others').to.equal(0);
    const keyText = await readFile(keyFile, 'utf8');

    // Under a file instead of a folder: the folder named, exit 2.
    const underFile = await runCli(['keygen', '--out', path.join(keyFile, 'other.key'), '--json'], { kind: 'bundle' });
    expect(underFile.code, underFile.stdout).to.equal(2);
    expect(underFile.errors()[0]).to.deep.include({ code: 'E_USAGE', message: `--out: ${keyFile} is not a folder` });

    const again = await runCli(['keygen', '--out', keyFile, '--json'], { kind: 'bundle' });
    expect(again.code).to.equal(2);
    expect(again.errors()[0].message).to.contain('already exists');
    expect(await readFile(keyFile, 'utf8')).to.equal(keyText);

    const incoming = path.join(dir, 'incoming');
    await mkdir(incoming);
    await makePackage(incoming, { module: 'ecommerce', version: '25.10.1.2', kind: 'web' });
    const feedDir = path.join(dir, 'feed');
    const published = await runCli(['publish', '--packages', incoming, '--key', keyFile, '--out', feedDir, '--expires-days', '7', '--json'], { kind: 'bundle' });
    expect(published.code, published.stderr).to.equal(0);
    const releases = published.objects('Altazion.PublishedRelease');
    expect(releases).to.have.length(1);
    expect(releases[0]).to.include({ Module: 'ecommerce', Version: '25.10.1.2', Package: 'packages/ecommerce-25.10.1.2.zip', Added: true });

    const verified = await loadVerifiedIndex({ source: openFeedSource(feedDir), trustedKeys: [{ id: 'altazion-2026', publicKey: String(record.PublicKey) }], now: new Date() });
    expect(verified.index.modules.ecommerce.releases[0].sha256).to.equal(releases[0].Sha256);
    expect(Date.parse(verified.index.expiresAt) - Date.parse(verified.index.generatedAt)).to.equal(7 * 86_400_000);

    // A lower index version is refused and the feed is left as it was.
    const before = await readFile(path.join(feedDir, 'release-index.json'));
    const lower = await runCli(['publish', '--packages', incoming, '--key', keyFile, '--out', feedDir, '--index-version', '1', '--json'], { kind: 'bundle' });
    expect(lower.code).to.equal(2);
    expect(lower.errors()[0].message).to.contain('--index-version');
    expect((await readFile(path.join(feedDir, 'release-index.json'))).equals(before)).to.equal(true);

    // --out naming a file: named, exit 2, the file untouched.
    const outFile = path.join(dir, 'feed.txt');
    await writeFile(outFile, 'mine');
    const onFile = await runCli(['publish', '--packages', incoming, '--key', keyFile, '--out', outFile, '--json'], { kind: 'bundle' });
    expect(onFile.code, onFile.stdout).to.equal(2);
    expect(onFile.errors()[0]).to.deep.include({ code: 'E_USAGE', message: `--out: ${outFile} is not a folder` });
    expect(await readFile(outFile, 'utf8')).to.equal('mine');
  });

  it('rejects a bad key file with exit code 2, naming the file, and writes nothing', async () => {
    const badKey = path.join(dir, 'bad.key');
    await writeFile(badKey, '{"type":"altazion-update-signing-key","algorithm":"ed25519","keyId":"x"}');
    const incoming = path.join(dir, 'incoming2');
    await mkdir(incoming);
    await makePackage(incoming, { module: 'ecommerce', version: '25.11', kind: 'web' });
    const out = path.join(dir, 'feed2');
    const result = await runCli(['publish', '--packages', incoming, '--key', badKey, '--out', out, '--json'], { kind: 'bundle' });
    expect(result.code).to.equal(2);
    expect(result.errors()[0].message).to.contain(badKey).and.contain('privateKeyPem');
    expect(await readdir(dir)).to.not.include('feed2');
  });
});

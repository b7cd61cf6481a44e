// Publisher key rotation and revocation without touching servers (src/feed/key-list.ts): the
// publisher uses the real `keygen` and `publish` commands on a sandbox's feed; the server runs
// `check` (the bundled command line). Its updater.config only ever trusts the sandbox's first key.
import { expect } from 'chai';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { readKeyState } from '../../../src/feed/key-list';
import { parseSigningKey } from '../../../src/feed/keys';
import { encodeSignatureFile, signIndex } from '../../../src/feed/signature';
import { runCli, type CliResult } from '../../helpers/cli';
import { makeSandbox, treeDigest, type TestSandbox } from '../../helpers/sandbox';

describe('publisher key rotation and revocation (keygen, publish, check)', function () {
  this.timeout(240_000);
  let box: TestSandbox;
  let keyState: string;
  let oldKey: string; // the sandbox's key: the only one in updater.config
  let newKey: string;
  const saved: Record<string, Buffer> = {};

  const check = () => runCli(['check', '--root', box.Root, '--json'], { kind: 'bundle' });
  const publish = (...args: string[]) => runCli(['publish', '--out', box.Feed, '--json', ...args], { kind: 'bundle' });
  const ok = (run: CliResult) => expect(run.code, run.stdout + run.stderr).to.equal(0);
  const feedFile = (name: string) => path.join(box.Feed, name);
  /** Re-signs the feed's index with `key` only, as someone holding that key could. */
  const signIndexWith = async (keyFile: string) => {
    const key = parseSigningKey(await fs.readFile(keyFile, 'utf8'), keyFile);
    const index = JSON.parse(await fs.readFile(feedFile('release-index.json'), 'utf8')) as { indexVersion: number };
    index.indexVersion += 100;
    const bytes = Buffer.from(JSON.stringify(index, null, 2) + '\n');
    await fs.writeFile(feedFile('release-index.json'), bytes);
    await fs.writeFile(feedFile('release-index.json.sig'), encodeSignatureFile(signIndex(bytes, [key])));
  };
  const saveFeed = async (label: string) => {
    for (const name of ['release-index.json', 'release-index.json.sig', 'release-keys.json', 'release-keys.json.sig']) {
      saved[`${label}/${name}`] = await fs.readFile(feedFile(name)).catch(() => Buffer.alloc(0));
    }
  };
  const restoreFeed = async (label: string, names: string[]) => {
    for (const name of names) await fs.writeFile(feedFile(name), saved[`${label}/${name}`]!);
  };
  /** A failing check changes nothing on the server (status, feed state, accepted keys). */
  const refused = async (code: string, message: RegExp) => {
    const before = await treeDigest(path.join(box.Root, 'bin', 'updates', 'cache')) + (await fs.readFile(keyState, 'utf8').catch(() => '')) + (await fs.readFile(path.join(box.Root, 'bin', 'updates', 'feed-state.json'), 'utf8').catch(() => ''));
    const run = await check();
    expect(run.code, run.stdout).to.equal(2);
    expect(run.errors()[0]).to.deep.include({ code });
    expect(run.errors()[0]!.message).to.match(message);
    const after = await treeDigest(path.join(box.Root, 'bin', 'updates', 'cache')) + (await fs.readFile(keyState, 'utf8').catch(() => '')) + (await fs.readFile(path.join(box.Root, 'bin', 'updates', 'feed-state.json'), 'utf8').catch(() => ''));
    expect(after, 'nothing changed').to.equal(before);
  };

  before(async () => {
    box = await makeSandbox();
    keyState = path.join(box.Root, 'bin', 'updates', 'trusted-keys.json');
    oldKey = box.SigningKey;
    newKey = path.join(box.base, 'publisher', 'altazion-2027.key');
    ok(await check());
    const made = await runCli(['keygen', '--out', newKey, '--id', 'altazion-2027', '--json'], { kind: 'bundle' });
    ok(made);
    expect(made.objects('Altazion.SigningKey')[0]).to.include({ KeyId: 'altazion-2027', PublicKeyFile: `${newKey}.pub` });
    expect((await fs.stat(`${newKey}.pub`)).mode & 0o077, 'the public half is readable').to.not.equal(0);
    expect(await fs.readFile(`${newKey}.pub`, 'utf8')).to.not.contain('PRIVATE');
  });
  after(() => box?.remove());

  it('rotation, step 1: the old key introduces the new one; servers accept and keep the key list', async () => {
    const run = await publish('--key', oldKey, '--key', newKey, '--introduce', `${newKey}.pub`);
    ok(run);
    expect(run.objects('Altazion.KeyList')[0]).to.deep.include({ Version: 1, Keys: ['sandbox-publisher', 'altazion-2027'], Revoked: [], Changed: true });
    await saveFeed('v1');
    ok(await check());
    const state = (await readKeyState(keyState))!;
    expect(state).to.deep.include({ keyListVersion: 1, signedBy: 'sandbox-publisher' });
    expect(state.keys.map((k) => k.id)).to.deep.equal(['sandbox-publisher', 'altazion-2027']);
  });

  it('rotation, step 2: an index signed by the new key alone is accepted (updater.config untouched)', async () => {
    ok(await publish('--key', newKey));
    const sig = JSON.parse(await fs.readFile(feedFile('release-index.json.sig'), 'utf8')) as { signatures: Array<{ keyId: string }> };
    expect(sig.signatures.map((s) => s.keyId)).to.deep.equal(['altazion-2027']);
    ok(await check());
    expect(await fs.readFile(box.UpdaterConfig, 'utf8')).to.not.contain('altazion-2027');
  });

  it('refuses a key list signed by a key it does not trust, and changes nothing', async () => {
    await saveFeed('before-forgery');
    const intruder = path.join(box.base, 'intruder.key');
    ok(await runCli(['keygen', '--out', intruder, '--id', 'intruder', '--json'], { kind: 'bundle' }));
    const key = parseSigningKey(await fs.readFile(intruder, 'utf8'), intruder);
    const list = JSON.parse(await fs.readFile(feedFile('release-keys.json'), 'utf8')) as { keyListVersion: number; keys: Array<{ id: string; publicKey: string }> };
    list.keyListVersion = 9;
    list.keys.push({ id: 'intruder', publicKey: key.publicKey });
    const bytes = Buffer.from(JSON.stringify(list));
    await fs.writeFile(feedFile('release-keys.json'), bytes);
    await fs.writeFile(feedFile('release-keys.json.sig'), encodeSignatureFile(signIndex(bytes, [key])));
    await refused('E_FEED_UNKNOWN_KEY', /release-keys\.json\.sig: signed by unknown key "intruder"/);
    // Tampering with a trusted list breaks its signature.
    await restoreFeed('before-forgery', ['release-keys.json.sig']);
    await refused('E_FEED_SIGNATURE', /release-keys\.json/);
    await restoreFeed('before-forgery', ['release-keys.json', 'release-keys.json.sig']);
    ok(await check());
  });

  it('revocation: the old key is revoked; nothing it signs is accepted, even once the key list is gone or replayed', async () => {
    const run = await publish('--key', newKey, '--revoke', 'sandbox-publisher');
    ok(run);
    expect(run.objects('Altazion.KeyList')[0]).to.deep.include({ Version: 2, Keys: ['altazion-2027'], Revoked: ['sandbox-publisher'] });
    await saveFeed('v2');
    ok(await check());
    const state = (await readKeyState(keyState))!;
    expect(state.keyListVersion).to.equal(2);
    expect(state.revoked.map((k) => k.id)).to.deep.equal(['sandbox-publisher']);

    // Someone still holding the old key signs an index: refused, although updater.config lists that key.
    await signIndexWith(oldKey);
    await refused('E_FEED_REVOKED_KEY', /signed only by revoked key "sandbox-publisher"/);
    // ... and serves no key list at all: the revocation was kept.
    await fs.rm(feedFile('release-keys.json'));
    await fs.rm(feedFile('release-keys.json.sig'));
    await refused('E_FEED_REVOKED_KEY', /revoked key "sandbox-publisher"/);
    // ... or replays the older key list, which did not revoke it yet.
    await restoreFeed('v1', ['release-keys.json', 'release-keys.json.sig']);
    await refused('E_FEED_ROLLBACK', /key list version 1 is older than version 2/);
    expect((await readKeyState(keyState))!.keyListVersion).to.equal(2);

    // A key list signed by the revoked key (introducing another) is refused too.
    const key = parseSigningKey(await fs.readFile(oldKey, 'utf8'), oldKey);
    const forged = Buffer.from(JSON.stringify({ schemaVersion: 1, keyListVersion: 3, generatedAt: new Date().toISOString(), keys: [{ id: 'sandbox-publisher', publicKey: key.publicKey }], revoked: [] }));
    await fs.writeFile(feedFile('release-keys.json'), forged);
    await fs.writeFile(feedFile('release-keys.json.sig'), encodeSignatureFile(signIndex(forged, [key])));
    await refused('E_FEED_REVOKED_KEY', /release-keys\.json\.sig: signed only by revoked key "sandbox-publisher"/);

    // The genuine feed works again.
    await restoreFeed('v2', ['release-index.json', 'release-index.json.sig', 'release-keys.json', 'release-keys.json.sig']);
    ok(await check());
  });

  it('the same key list version with other content is refused', async () => {
    const key = parseSigningKey(await fs.readFile(newKey, 'utf8'), newKey);
    const list = JSON.parse(await fs.readFile(feedFile('release-keys.json'), 'utf8')) as Record<string, unknown>;
    const altered = Buffer.from(JSON.stringify({ ...list, generatedAt: '2030-01-01T00:00:00.000Z' }));
    await fs.writeFile(feedFile('release-keys.json'), altered);
    await fs.writeFile(feedFile('release-keys.json.sig'), encodeSignatureFile(signIndex(altered, [key])));
    await refused('E_FEED_ROLLBACK', /key list version 2 differs from the one accepted/);
    await restoreFeed('v2', ['release-keys.json', 'release-keys.json.sig']);
  });

  it('publish refuses what servers would refuse, and writes nothing', async () => {
    const before = await treeDigest(box.Feed);
    const revokedSigner = await publish('--key', oldKey);
    expect(revokedSigner.code).to.equal(2);
    expect(revokedSigner.errors()[0]!.message).to.match(/every signing key is revoked/);
    const untrustedListSigner = await publish('--key', oldKey, '--key', newKey, '--introduce', `${oldKey}`);
    expect(untrustedListSigner.code).to.equal(2);
    expect(untrustedListSigner.errors()[0]!.message).to.match(/was revoked: a revoked key is never trusted again/);
    const unknown = await publish('--key', newKey, '--revoke', 'nobody');
    expect(unknown.code).to.equal(2);
    expect(unknown.errors()[0]!.message).to.match(/--revoke: "nobody" is neither in the key list/);
    expect(await treeDigest(box.Feed)).to.equal(before);
  });
});

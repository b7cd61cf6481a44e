// The publisher's key list (src/feed/key-list.ts), pure: schema, trust arithmetic, acceptance rules.
import { expect } from 'chai';
import { AltazionError } from '../../../src/core/errors';
import { acceptKeyList, effectiveTrust, parseKeyList, type KeyState } from '../../../src/feed/key-list';
import { generateSigningKey } from '../../../src/feed/keys';
import { encodeSignatureFile, signIndex } from '../../../src/feed/signature';

const LOCATION = 'https://feed.example/';
const NOW = new Date('2026-06-01T00:00:00Z');
const k1 = generateSigningKey('k1');
const k2 = generateSigningKey('k2');
const k3 = generateSigningKey('k3');
const pub = (k: typeof k1) => ({ id: k.keyId, publicKey: k.publicKey });

function signed(list: object, ...keys: Array<typeof k1>) {
  const bytes = Buffer.from(JSON.stringify(list));
  return { bytes, signature: Buffer.from(encodeSignatureFile(signIndex(bytes, keys))) };
}
function errorOf(fn: () => unknown): AltazionError {
  try { fn(); } catch (e) { return e as AltazionError; }
  throw new Error('expected an error');
}
const list = (version: number, keys: object[], revoked: object[] = []) => ({ schemaVersion: 1, keyListVersion: version, generatedAt: NOW.toISOString(), keys, revoked });

describe('feed/key-list', () => {
  it('names the field of a malformed key list', () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ ...list(1, []), schemaVersion: 2 }, /schemaVersion/],
      [list(0, []), /keyListVersion: must be a positive integer/],
      [{ ...list(1, []), keys: 'x' }, /keys: must be an array/],
      [list(1, [{ id: 'bad id!', publicKey: k1.publicKey }]), /keys\[0\]\.id/],
      [list(1, [{ id: 'k1', publicKey: 'garbage' }]), /keys\[0\]\.publicKey/],
      [list(1, [pub(k1), pub(k1)]), /keys\[1\]\.id: "k1" is listed twice/],
      [list(1, [pub(k1)], [pub(k1)]), /keys\[0\]: "k1" is both trusted and revoked/],
      [list(1, [], [{ id: 'k1' }]), /revoked\[0\]\.publicKey/],
    ];
    for (const [doc, re] of cases) {
      const err = errorOf(() => parseKeyList(Buffer.from(JSON.stringify(doc)), LOCATION));
      expect(err.code, String(re)).to.equal('E_FEED_INVALID');
      expect(err.message).to.match(re).and.contain('release-keys.json').and.contain(LOCATION);
    }
  });

  it('trusts updater.config\'s keys and the accepted list\'s, minus the revoked ones (by id or by public key)', () => {
    const state = { keyListVersion: 2, sha256: '', acceptedAt: '', location: '', signedBy: 'k1', keys: [pub(k2)], revoked: [{ id: 'old-name', publicKey: k1.publicKey }] } satisfies KeyState;
    expect(effectiveTrust([pub(k1)], undefined).keys.map((k) => k.id)).to.deep.equal(['k1']);
    // k1 is revoked under another id: updater.config cannot bring it back.
    expect(effectiveTrust([pub(k1)], state).keys.map((k) => k.id)).to.deep.equal(['k2']);
  });

  it('accepts a list signed by a key trusted before it, never by a key it introduces itself', () => {
    const state = acceptKeyList({ ...signed(list(1, [pub(k1), pub(k2)]), k1), configKeys: [pub(k1)], state: undefined, location: LOCATION, now: NOW });
    expect(state).to.deep.include({ keyListVersion: 1, signedBy: 'k1' });
    const selfSigned = errorOf(() => acceptKeyList({ ...signed(list(1, [pub(k3)]), k3), configKeys: [pub(k1)], state: undefined, location: LOCATION, now: NOW }));
    expect(selfSigned.code).to.equal('E_FEED_UNKNOWN_KEY');
    // The same list again is a no-op; a next version signed by k2 (trusted through the list) is fine.
    const same = acceptKeyList({ ...signed(list(1, [pub(k1), pub(k2)]), k1), configKeys: [pub(k1)], state, location: LOCATION, now: NOW });
    expect(same).to.equal(state);
    const next = acceptKeyList({ ...signed(list(2, [pub(k2)], [pub(k1)]), k2), configKeys: [pub(k1)], state, location: LOCATION, now: NOW });
    expect(next.revoked.map((r) => r.id)).to.deep.equal(['k1']);
    // Revocations are for ever: a later list that forgets them does not bring k1 back.
    const later = acceptKeyList({ ...signed(list(3, [pub(k2), pub(k3)]), k2), configKeys: [pub(k1)], state: next, location: LOCATION, now: NOW });
    expect(later.revoked.map((r) => r.id)).to.deep.equal(['k1']);
    expect(effectiveTrust([pub(k1)], later).keys.map((k) => k.id)).to.deep.equal(['k2', 'k3']);
  });

  it('refuses a list that gives a key id of updater.config to another key', () => {
    const err = errorOf(() => acceptKeyList({ ...signed(list(1, [{ id: 'k1', publicKey: k2.publicKey }]), k1), configKeys: [pub(k1)], state: undefined, location: LOCATION, now: NOW, configFile: 'C:/x/updater.config' }));
    expect(err.code).to.equal('E_FEED_INVALID');
    expect(err.message).to.match(/keys\[0\]\.id: "k1" is the id of another key in C:\/x\/updater\.config/);
  });
});

import { expect } from 'chai';
import { generateSigningKey } from '../../../src/feed/keys';
import { encodeSignatureFile, signIndex, verifyIndexSignature } from '../../../src/feed/signature';
import { AltazionError } from '../../../src/core/errors';

const LOCATION = 'https://feed.example/onpremise/';

function errorOf(fn: () => unknown): AltazionError {
  try { fn(); } catch (e) { return e as AltazionError; }
  throw new Error('expected an error');
}

describe('feed/signature', () => {
  const key = generateSigningKey('pub-1');
  const other = generateSigningKey('pub-2');
  const index = Buffer.from('{"schemaVersion":1,"indexVersion":3}\n');
  const sig = Buffer.from(encodeSignatureFile(signIndex(index, [key])));
  const trusted = [{ id: 'pub-1', publicKey: key.publicKey }];

  it('accepts the exact bytes signed by a trusted key', () => {
    expect(verifyIndexSignature(index, sig, trusted, LOCATION)).to.deep.equal({ keyId: 'pub-1' });
  });

  it('rejects a single changed byte (even whitespace) with E_FEED_SIGNATURE naming the feed', () => {
    const tampered = Buffer.from(index);
    tampered[tampered.length - 1] = 0x20;
    const err = errorOf(() => verifyIndexSignature(tampered, sig, trusted, LOCATION));
    expect(err.code).to.equal('E_FEED_SIGNATURE');
    expect(err.message).to.contain(LOCATION).and.contain('pub-1');
  });

  it('rejects a missing signature file', () => {
    const err = errorOf(() => verifyIndexSignature(index, undefined, trusted, LOCATION));
    expect(err.code).to.equal('E_FEED_SIGNATURE');
    expect(err.message).to.match(/release-index\.json\.sig: missing/).and.contain(LOCATION);
  });

  it('rejects malformed signature files naming the field', () => {
    const cases: [string, RegExp][] = [
      ['not json', /not valid JSON/],
      ['{"signatures":[]}', /signatures: must be a non-empty array/],
      ['{"signatures":[{"keyId":"pub-1","algorithm":"rsa","signature":"x"}]}', /signatures\[0\]\.algorithm/],
      ['{"signatures":[{"keyId":"pub-1","algorithm":"ed25519","signature":"abc"}]}', /signatures\[0\]\.signature/],
    ];
    for (const [text, re] of cases) {
      const err = errorOf(() => verifyIndexSignature(index, Buffer.from(text), trusted, LOCATION));
      expect(err.code, text).to.equal('E_FEED_SIGNATURE');
      expect(err.message, text).to.match(re).and.contain(LOCATION);
    }
  });

  it('rejects a signature by an unknown key with E_FEED_UNKNOWN_KEY naming the key id', () => {
    const foreign = Buffer.from(encodeSignatureFile(signIndex(index, [other])));
    const err = errorOf(() => verifyIndexSignature(index, foreign, trusted, LOCATION));
    expect(err.code).to.equal('E_FEED_UNKNOWN_KEY');
    expect(err.message).to.contain('"pub-2"').and.contain(LOCATION);
  });

  it('rejects a signature claiming a trusted key id but made with another key', () => {
    const forged = signIndex(index, [{ ...other, keyId: 'pub-1' }]);
    const err = errorOf(() => verifyIndexSignature(index, Buffer.from(encodeSignatureFile(forged)), trusted, LOCATION));
    expect(err.code).to.equal('E_FEED_SIGNATURE');
  });

  it('accepts when one of several signatures is by a trusted key (key rotation)', () => {
    const both = Buffer.from(encodeSignatureFile(signIndex(index, [other, key])));
    expect(verifyIndexSignature(index, both, trusted, LOCATION).keyId).to.equal('pub-1');
  });

  it('reports a malformed trusted key as a configuration error', () => {
    const err = errorOf(() => verifyIndexSignature(index, sig, [{ id: 'pub-1', publicKey: 'garbage!' }], LOCATION, 'C:/x/updater.config'));
    expect(err.code).to.equal('E_CONFIG');
    expect(err.message).to.contain('updater.config').and.contain('pub-1');
  });
});

import { expect } from 'chai';
import { createHash, createPublicKey, sign, verify } from 'node:crypto';
import { generateSigningKey, keyIdFor, parsePublicKey, parseSigningKey } from '../../../src/feed/keys';
import { AltazionError } from '../../../src/core/errors';

function codeOf(fn: () => unknown): string | undefined {
  try { fn(); } catch (e) { return (e as AltazionError).code; }
  return undefined;
}

describe('feed/keys', () => {
  it('generates an Ed25519 key whose id is the first 16 hex of sha256(SPKI DER)', () => {
    const key = generateSigningKey();
    const der = Buffer.from(key.publicKey, 'base64');
    expect(key.keyId).to.equal(createHash('sha256').update(der).digest('hex').slice(0, 16));
    expect(createPublicKey({ key: der, format: 'der', type: 'spki' }).asymmetricKeyType).to.equal('ed25519');
  });

  it('round-trips the key file and signs verifiably with the public key', () => {
    const key = generateSigningKey('altazion-2026');
    const parsed = parseSigningKey(key.keyFileText, 'k.json');
    expect(parsed.keyId).to.equal('altazion-2026');
    expect(parsed.publicKey).to.equal(key.publicKey);
    const data = Buffer.from('hello');
    const sig = sign(null, data, parsed.privateKey);
    expect(verify(null, data, parsePublicKey(key.publicKey)!, sig)).to.equal(true);
  });

  it('accepts a bare PEM private key and derives its id', () => {
    const key = generateSigningKey();
    const pem = JSON.parse(key.keyFileText).privateKeyPem as string;
    const parsed = parseSigningKey(pem, 'k.pem');
    expect(parsed.keyId).to.equal(key.keyId);
    expect(parsed.keyId).to.equal(keyIdFor(createPublicKey(parsed.privateKey)));
  });

  it('accepts a PEM public key and rejects non-Ed25519 or garbage keys', () => {
    const key = generateSigningKey();
    const pem = createPublicKey({ key: Buffer.from(key.publicKey, 'base64'), format: 'der', type: 'spki' }).export({ type: 'spki', format: 'pem' }).toString();
    expect(parsePublicKey(pem)).to.not.equal(undefined);
    expect(parsePublicKey('not a key!')).to.equal(undefined);
    expect(parsePublicKey(Buffer.from('x'.repeat(44)).toString('base64'))).to.equal(undefined);
  });

  it('rejects malformed key files naming the field', () => {
    const key = generateSigningKey();
    const doc = JSON.parse(key.keyFileText);
    expect(() => parseSigningKey(JSON.stringify({ ...doc, publicKey: generateSigningKey().publicKey }), 'k.json')).to.throw(/k\.json: publicKey: does not match/);
    expect(() => parseSigningKey(JSON.stringify({ ...doc, algorithm: 'rsa' }), 'k.json')).to.throw(/k\.json: algorithm/);
    expect(() => parseSigningKey('{', 'k.json')).to.throw(/k\.json: \(document\): not valid JSON/);
    expect(codeOf(() => parseSigningKey('hello', 'k.json'))).to.equal('E_USAGE');
    expect(codeOf(() => generateSigningKey('bad id with spaces'))).to.equal('E_USAGE');
  });
});

// Ed25519 signatures over the EXACT bytes of release-index.json (never a re-serialisation: any
// change of whitespace or key order invalidates the signature). The .sig file format:
//   { "signatures": [ { "keyId": "...", "algorithm": "ed25519", "signature": "<base64>" } ] }
// Several signatures allow key rotation: the index is accepted when one signature by a trusted key
// verifies. Pure (node:crypto only).
import { sign, verify } from 'node:crypto';
import { AltazionError, configError } from '../core/errors';
import type { TrustedKey } from '../config/updater-config';
import { parsePublicKey, type SigningKey } from './keys';
import { SIGNATURE_FILE, type SignatureEntry, type SignatureFile } from './types';

export const MAX_SIGNATURE_FILE_BYTES = 64 * 1024;

/** Signs the index bytes with each key. */
export function signIndex(indexBytes: Uint8Array, keys: readonly SigningKey[]): SignatureFile {
  return {
    signatures: keys.map((k) => ({ keyId: k.keyId, algorithm: 'ed25519' as const, signature: sign(null, indexBytes, k.privateKey).toString('base64') })),
  };
}

export function encodeSignatureFile(file: SignatureFile): string {
  return JSON.stringify(file, null, 2) + '\n';
}

function sigError(location: string, problem: string, hint?: string): AltazionError {
  return new AltazionError('E_FEED_SIGNATURE', `${SIGNATURE_FILE}: ${problem} (feed ${location})`, { target: location, hint });
}

/** Parses the .sig bytes; anything malformed is a signature failure naming the field. */
export function parseSignatureFile(bytes: Uint8Array, location: string): SignatureFile {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(bytes).toString('utf8').replace(/^\uFEFF/, ''));
  } catch (error) {
    throw sigError(location, `not valid JSON (${(error as Error).message})`);
  }
  const signatures = (doc as { signatures?: unknown } | null)?.signatures;
  if (!Array.isArray(signatures) || signatures.length === 0) throw sigError(location, 'signatures: must be a non-empty array');
  const entries: SignatureEntry[] = signatures.map((s: Record<string, unknown> | null, i) => {
    const field = `signatures[${i}]`;
    if (!s || typeof s !== 'object') throw sigError(location, `${field}: must be an object`);
    if (typeof s.keyId !== 'string' || s.keyId === '') throw sigError(location, `${field}.keyId: required string`);
    if (s.algorithm !== 'ed25519') throw sigError(location, `${field}.algorithm: unsupported ${JSON.stringify(s.algorithm)} (expected "ed25519")`);
    if (typeof s.signature !== 'string' || !/^[A-Za-z0-9+/]{86}==$/.test(s.signature)) {
      throw sigError(location, `${field}.signature: must be the base64 of a 64-byte Ed25519 signature`);
    }
    return { keyId: s.keyId, algorithm: 'ed25519', signature: s.signature };
  });
  return { signatures: entries };
}

/**
 * Verifies the signature file (`undefined` = missing) against the exact index bytes. Returns the
 * id of the trusted key that vouched for the index; throws E_FEED_SIGNATURE (missing, malformed or
 * bad signature) or E_FEED_UNKNOWN_KEY (signed only by keys we do not trust), naming the feed.
 */
export function verifyIndexSignature(
  indexBytes: Uint8Array,
  signatureBytes: Uint8Array | undefined,
  trustedKeys: readonly TrustedKey[],
  location: string,
  configFile = 'updater.config',
): { keyId: string } {
  if (signatureBytes === undefined) {
    throw sigError(location, 'missing: the index is not signed', 'the feed must carry release-index.json.sig next to release-index.json (`altazion-update publish` writes it)');
  }
  const file = parseSignatureFile(signatureBytes, location);
  let badKeyId: string | undefined;
  for (const entry of file.signatures) {
    const trusted = trustedKeys.find((k) => k.id === entry.keyId);
    if (!trusted) continue;
    const key = parsePublicKey(trusted.publicKey);
    if (!key) throw configError(configFile, `<trustedKey> (${trusted.id}) @publicKey`, 'not an Ed25519 public key (base64 SPKI DER or PEM)');
    if (verify(null, indexBytes, key, Buffer.from(entry.signature, 'base64'))) return { keyId: entry.keyId };
    badKeyId = entry.keyId;
  }
  if (badKeyId !== undefined) {
    throw sigError(location, `the signature by key "${badKeyId}" does not match ${'release-index.json'} (tampered or corrupted index)`, 'do not use this feed; ask the publisher');
  }
  const ids = file.signatures.map((s) => `"${s.keyId}"`).join(', ');
  throw new AltazionError(
    'E_FEED_UNKNOWN_KEY',
    `${SIGNATURE_FILE}: signed by unknown key ${ids}, not among the trusted keys${trustedKeys.length ? ` (${trustedKeys.map((k) => `"${k.id}"`).join(', ')})` : ' (none configured)'} (feed ${location})`,
    { target: location, hint: `add the publisher's public key as <trustedKey id="..." publicKey="..."/> in ${configFile} if you trust it` },
  );
}

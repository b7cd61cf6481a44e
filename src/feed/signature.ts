// Ed25519 signatures over the EXACT bytes of release-index.json (never a re-serialisation: any
// change of whitespace or key order invalidates the signature). The .sig file format:
//   { "signatures": [ { "keyId": "...", "algorithm": "ed25519", "signature": "<base64>" } ] }
// Several signatures allow key rotation: the index is accepted when one signature by a trusted key
// verifies; signatures by revoked keys never count (key-list.ts). The publisher's key list
// (release-keys.json) is signed the same way. Pure (node:crypto only).
import { sign, verify } from 'node:crypto';
import { AltazionError, configError } from '../core/errors';
import { msg, type Message } from '../core/messages';
import type { TrustedKey } from '../config/updater-config';
import { normalizePublicKey, parsePublicKey, type SigningKey } from './keys';
import { INDEX_FILE, type RevokedKey, type SignatureEntry, type SignatureFile } from './types';

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

function sigError(sigFile: string, location: string, problem: string | Message, hint?: string | Message): AltazionError {
  return new AltazionError('E_FEED_SIGNATURE', msg('feed.signatureProblem', { file: sigFile, problem, location }), { target: location, ...(hint !== undefined ? { hint } : {}) });
}

/** Parses the .sig bytes; anything malformed is a signature failure naming the field. */
export function parseSignatureFile(bytes: Uint8Array, location: string, signedFile: string = INDEX_FILE): SignatureFile {
  const sigFile = `${signedFile}.sig`;
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(bytes).toString('utf8').replace(/^\uFEFF/, ''));
  } catch (error) {
    throw sigError(sigFile, location, `not valid JSON (${(error as Error).message})`);
  }
  const signatures = (doc as { signatures?: unknown } | null)?.signatures;
  if (!Array.isArray(signatures) || signatures.length === 0) throw sigError(sigFile, location, 'signatures: must be a non-empty array');
  const entries: SignatureEntry[] = signatures.map((s: Record<string, unknown> | null, i) => {
    const field = `signatures[${i}]`;
    if (!s || typeof s !== 'object') throw sigError(sigFile, location, `${field}: must be an object`);
    if (typeof s.keyId !== 'string' || s.keyId === '') throw sigError(sigFile, location, `${field}.keyId: required string`);
    if (s.algorithm !== 'ed25519') throw sigError(sigFile, location, `${field}.algorithm: unsupported ${JSON.stringify(s.algorithm)} (expected "ed25519")`);
    if (typeof s.signature !== 'string' || !/^[A-Za-z0-9+/]{86}==$/.test(s.signature)) {
      throw sigError(sigFile, location, `${field}.signature: must be the base64 of a 64-byte Ed25519 signature`);
    }
    return { keyId: s.keyId, algorithm: 'ed25519', signature: s.signature };
  });
  return { signatures: entries };
}

/**
 * Verifies the signature file (`undefined` = missing) against the exact index bytes. Returns the
 * id of the trusted key that vouched for the index; throws E_FEED_SIGNATURE (missing, malformed or
 * bad signature), E_FEED_UNKNOWN_KEY (signed only by keys we do not trust) or E_FEED_REVOKED_KEY
 * (signed only by keys the publisher revoked), naming the feed.
 */
export function verifyIndexSignature(
  indexBytes: Uint8Array,
  signatureBytes: Uint8Array | undefined,
  trustedKeys: readonly TrustedKey[],
  location: string,
  configFile = 'updater.config',
  revoked: readonly RevokedKey[] = [],
): { keyId: string } {
  return verifySignatures(indexBytes, signatureBytes, { keys: trustedKeys, revoked }, location, INDEX_FILE, configFile);
}

/** The same for any signed feed file (`signedFile`: release-index.json or release-keys.json). */
export function verifySignatures(
  bytes: Uint8Array,
  signatureBytes: Uint8Array | undefined,
  trust: { keys: readonly TrustedKey[]; revoked?: readonly RevokedKey[] },
  location: string,
  signedFile: string,
  configFile = 'updater.config',
): { keyId: string } {
  const sigFile = `${signedFile}.sig`;
  if (signatureBytes === undefined) {
    throw sigError(sigFile, location, msg('feed.signatureMissing', { signed: signedFile }), msg('feed.signatureMissingHint', { file: sigFile, signed: signedFile }));
  }
  const file = parseSignatureFile(signatureBytes, location, signedFile);
  const revoked = trust.revoked ?? [];
  let badKeyId: string | undefined;
  const revokedIds: string[] = [];
  for (const entry of file.signatures) {
    const trusted = trust.keys.find((k) => k.id === entry.keyId);
    // A revoked key never vouches for anything, even when updater.config still lists it.
    if (revoked.some((r) => r.id === entry.keyId) || (trusted && isRevokedKey(trusted, revoked))) { revokedIds.push(entry.keyId); continue; }
    if (!trusted) continue;
    const key = parsePublicKey(trusted.publicKey);
    if (!key) throw configError(configFile, `<trustedKey> (${trusted.id}) @publicKey`, 'not an Ed25519 public key (base64 SPKI DER or PEM)');
    if (verify(null, bytes, key, Buffer.from(entry.signature, 'base64'))) return { keyId: entry.keyId };
    badKeyId = entry.keyId;
  }
  if (badKeyId !== undefined) {
    throw sigError(sigFile, location, msg('feed.signatureMismatch', { key: badKeyId, signed: signedFile }), msg('feed.doNotUse'));
  }
  if (revokedIds.length > 0) {
    throw new AltazionError('E_FEED_REVOKED_KEY', msg('feed.revokedKey', { file: sigFile, keys: revokedIds.map((id) => `"${id}"`).join(', '), location }), {
      target: location, hint: msg('feed.revokedKeyHint'),
    });
  }
  const ids = file.signatures.map((s) => `"${s.keyId}"`).join(', ');
  const trustedIds = trust.keys.map((k) => `"${k.id}"`);
  throw new AltazionError(
    'E_FEED_UNKNOWN_KEY',
    trustedIds.length
      ? msg('feed.unknownKey', { file: sigFile, keys: ids, trusted: trustedIds.join(', '), location })
      : msg('feed.unknownKeyNone', { file: sigFile, keys: ids, location }),
    { target: location, hint: msg('feed.unknownKeyHint', { config: configFile }) },
  );
}

function isRevokedKey(key: TrustedKey, revoked: readonly RevokedKey[]): boolean {
  const mine = normalizePublicKey(key.publicKey);
  return revoked.some((r) => normalizePublicKey(r.publicKey) === mine);
}

// Ed25519 publisher keys, node:crypto only.
//
// Key file (written by `keygen`, read by `publish`): a JSON document, kept secret by the publisher:
//   { "type": "altazion-update-signing-key", "algorithm": "ed25519", "keyId": "3f1c...",
//     "publicKey": "<base64 SPKI DER>", "privateKeyPem": "-----BEGIN PRIVATE KEY-----\n..." }
// A bare PKCS#8 PEM private key is accepted too (its key id is then derived from the public key).
// Trusted keys in updater.config hold the public key as base64 of the SPKI DER (what `keygen`
// prints); a PEM public key is accepted as well.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { AltazionError } from '../core/errors';

export const KEY_FILE_TYPE = 'altazion-update-signing-key';

export interface SigningKey {
  keyId: string;
  privateKey: KeyObject;
  /** Base64 of the SPKI DER: the value for `<trustedKey publicKey="...">`. */
  publicKey: string;
}

export interface KeyFileContent {
  type: typeof KEY_FILE_TYPE;
  algorithm: 'ed25519';
  keyId: string;
  publicKey: string;
  privateKeyPem: string;
}

export interface GeneratedKey extends SigningKey {
  /** Text of the private key file (JSON), to be written with restrictive permissions. */
  keyFileText: string;
}

const KEY_ID_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function isValidKeyId(id: string): boolean {
  return KEY_ID_RE.test(id);
}

/** Default key id: the first 16 hex digits of sha256 over the SPKI DER of the public key. */
export function keyIdFor(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('hex').slice(0, 16);
}

export function publicKeyToBase64(publicKey: KeyObject): string {
  return publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
}

/** Creates a new Ed25519 key pair; `keyId` defaults to the one derived from the public key. */
export function generateSigningKey(keyId?: string): GeneratedKey {
  if (keyId !== undefined && !isValidKeyId(keyId)) {
    throw new AltazionError('E_USAGE', `--id: "${keyId}" is not a valid key id (letters, digits, . _ -; up to 64 characters)`);
  }
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const id = keyId ?? keyIdFor(publicKey);
  const content: KeyFileContent = {
    type: KEY_FILE_TYPE,
    algorithm: 'ed25519',
    keyId: id,
    publicKey: publicKeyToBase64(publicKey),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
  return { keyId: id, privateKey, publicKey: content.publicKey, keyFileText: JSON.stringify(content, null, 2) + '\n' };
}

/** Parses a key file (JSON as written by generateSigningKey, or a bare PEM); `source` names it in messages. */
export function parseSigningKey(text: string, source: string): SigningKey {
  const fail = (field: string, problem: string) =>
    new AltazionError('E_USAGE', `${source}: ${field}: ${problem}`, { target: source, hint: 'create a key with `altazion-update keygen --out <file>`' });
  const trimmed = text.replace(/^\uFEFF/, '').trim();
  let pem: string;
  let declaredId: string | undefined;
  let declaredPublic: string | undefined;
  if (trimmed.startsWith('{')) {
    let doc: Record<string, unknown>;
    try {
      doc = JSON.parse(trimmed) as Record<string, unknown>;
    } catch (error) {
      throw fail('(document)', `not valid JSON (${(error as Error).message})`);
    }
    if (doc.type !== KEY_FILE_TYPE) throw fail('type', `expected "${KEY_FILE_TYPE}"`);
    if (doc.algorithm !== 'ed25519') throw fail('algorithm', `unsupported ${JSON.stringify(doc.algorithm)} (expected "ed25519")`);
    if (typeof doc.keyId !== 'string' || !isValidKeyId(doc.keyId)) throw fail('keyId', `invalid key id ${JSON.stringify(doc.keyId)}`);
    if (typeof doc.privateKeyPem !== 'string') throw fail('privateKeyPem', 'required string');
    pem = doc.privateKeyPem;
    declaredId = doc.keyId;
    declaredPublic = typeof doc.publicKey === 'string' ? doc.publicKey : undefined;
  } else if (trimmed.includes('-----BEGIN PRIVATE KEY-----')) {
    pem = trimmed;
  } else {
    throw fail('(document)', 'neither an altazion-update key file (JSON) nor a PEM private key');
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: pem, format: 'pem' });
  } catch (error) {
    throw fail('privateKeyPem', `not a readable private key (${(error as Error).message})`);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') throw fail('privateKeyPem', `a ${privateKey.asymmetricKeyType} key, expected ed25519`);
  const publicKeyObject = createPublicKey(privateKey);
  const publicKey = publicKeyToBase64(publicKeyObject);
  // A key file whose public half does not match its private key was edited by hand: refuse it
  // rather than publish a feed that no client configured from that file could verify.
  if (declaredPublic !== undefined && declaredPublic !== publicKey) throw fail('publicKey', 'does not match the private key');
  return { keyId: declaredId ?? keyIdFor(publicKeyObject), privateKey, publicKey };
}

/** One spelling per key (base64 of the SPKI DER), to compare keys written as PEM or base64; the text itself when unreadable. */
export function normalizePublicKey(text: string): string {
  const key = parsePublicKey(text);
  return key ? publicKeyToBase64(key) : text.trim();
}

export const PUBLIC_KEY_FILE_TYPE = 'altazion-update-public-key';

/** Text of the public key file `keygen` writes beside the private one (safe to hand over: `publish --introduce`). */
export function publicKeyFileText(key: { keyId: string; publicKey: string }): string {
  return JSON.stringify({ type: PUBLIC_KEY_FILE_TYPE, algorithm: 'ed25519', keyId: key.keyId, publicKey: key.publicKey }, null, 2) + '\n';
}

/**
 * A public key and its id from a public key file (`keygen`'s .pub), a private key file (its public
 * half) or a bare PEM private key; `source` names it in messages.
 */
export function parseKeyReference(text: string, source: string): { keyId: string; publicKey: string } {
  const trimmed = text.replace(/^\uFEFF/, '').trim();
  if (trimmed.startsWith('{')) {
    let doc: Record<string, unknown> | undefined;
    try { doc = JSON.parse(trimmed) as Record<string, unknown>; } catch { doc = undefined; }
    if (doc?.type === PUBLIC_KEY_FILE_TYPE) {
      if (typeof doc.keyId !== 'string' || !isValidKeyId(doc.keyId)) throw new AltazionError('E_USAGE', `${source}: keyId: invalid key id ${JSON.stringify(doc.keyId)}`, { target: source });
      if (typeof doc.publicKey !== 'string' || !parsePublicKey(doc.publicKey)) throw new AltazionError('E_USAGE', `${source}: publicKey: not an Ed25519 public key`, { target: source });
      return { keyId: doc.keyId, publicKey: normalizePublicKey(doc.publicKey) };
    }
  }
  const key = parseSigningKey(text, source);
  return { keyId: key.keyId, publicKey: key.publicKey };
}

/**
 * Reads a trusted public key: base64 of the SPKI DER, or a PEM `PUBLIC KEY` block. Returns
 * undefined when it is not an Ed25519 public key (the caller names the config field).
 */
export function parsePublicKey(text: string): KeyObject | undefined {
  const trimmed = text.trim();
  try {
    const key = trimmed.includes('-----BEGIN')
      ? createPublicKey({ key: trimmed, format: 'pem' })
      : /^[A-Za-z0-9+/=\s]+$/.test(trimmed)
        ? createPublicKey({ key: Buffer.from(trimmed.replace(/\s+/g, ''), 'base64'), format: 'der', type: 'spki' })
        : undefined;
    return key?.asymmetricKeyType === 'ed25519' ? key : undefined;
  } catch {
    return undefined;
  }
}

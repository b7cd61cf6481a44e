// Publisher key rotation and revocation without touching servers (SPEC §12). Beside the index, the
// feed may carry a key list, signed like the index (same .sig format) by a key the server already
// trusts:
//   release-keys.json       { "schemaVersion": 1, "keyListVersion": 2, "generatedAt": "...",
//                             "keys":    [ { "id": "altazion-2027", "publicKey": "<base64 SPKI DER>" } ],
//                             "revoked": [ { "id": "altazion-2026", "publicKey": "...", "revokedAt": "..." } ] }
//   release-keys.json.sig
// A server trusts the keys of updater.config plus the `keys` of the last list it accepted, minus
// every key any accepted list revoked (revocation is for ever, and beats updater.config). It
// accepts a list only when a key it trusted before signed it and its version is higher than the
// last one accepted (the same version must be the very same bytes); it keeps what it accepted in
// bin\updates\trusted-keys.json. Anything signed only by a revoked key is refused.
// Pure, apart from reading and writing that state file.
import { createHash } from 'node:crypto';
import { AltazionError, configError } from '../core/errors';
import { msg, type Message } from '../core/messages';
import type { TrustedKey } from '../config/updater-config';
import { writeFileAtomic } from '../io/files';
import { readStateFile } from './state-file';
import { isValidKeyId, normalizePublicKey, parsePublicKey } from './keys';
import { verifySignatures } from './signature';
import { KEYS_FILE, KEYS_SIGNATURE_FILE, type KeyState, type RevokedKey } from './types';

export type { KeyState, RevokedKey } from './types';


export interface KeyList {
  schemaVersion: 1;
  /** Only ever grows: a lower one is a replay of an older list. */
  keyListVersion: number;
  generatedAt: string;
  keys: TrustedKey[];
  revoked: RevokedKey[];
}


/** The keys a server trusts now, and those it never will again. */
export interface Trust { keys: TrustedKey[]; revoked: RevokedKey[] }

export function isRevoked(key: { id: string; publicKey: string }, revoked: readonly RevokedKey[]): RevokedKey | undefined {
  const mine = normalizePublicKey(key.publicKey);
  return revoked.find((r) => r.id === key.id || normalizePublicKey(r.publicKey) === mine);
}

/** updater.config's keys plus the accepted list's, minus the revoked ones. */
export function effectiveTrust(configKeys: readonly TrustedKey[], state: KeyState | undefined): Trust {
  const revoked = state?.revoked ?? [];
  const keys: TrustedKey[] = [];
  for (const key of [...configKeys, ...(state?.keys ?? [])]) {
    if (keys.some((k) => k.id === key.id)) continue;
    if (isRevoked(key, revoked)) continue;
    keys.push(key);
  }
  return { keys, revoked: [...revoked] };
}

function invalid(location: string, field: string, problem: string | Message): AltazionError {
  return new AltazionError('E_FEED_INVALID', msg('feed.invalidField', { file: KEYS_FILE, field, problem, location }), { target: location });
}

function keyEntry(value: unknown, field: string, location: string): TrustedKey {
  const entry = value as Record<string, unknown> | null;
  if (!entry || typeof entry !== 'object') throw invalid(location, field, 'must be an object');
  if (typeof entry.id !== 'string' || !isValidKeyId(entry.id)) throw invalid(location, `${field}.id`, `invalid key id ${JSON.stringify(entry.id)}`);
  if (typeof entry.publicKey !== 'string' || !parsePublicKey(entry.publicKey)) throw invalid(location, `${field}.publicKey`, 'not an Ed25519 public key (base64 SPKI DER)');
  return { id: entry.id, publicKey: entry.publicKey };
}

/** Parses release-keys.json; anything off is E_FEED_INVALID naming the field. */
export function parseKeyList(bytes: Uint8Array, location: string): KeyList {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(Buffer.from(bytes).toString('utf8').replace(/^\uFEFF/, '')) as Record<string, unknown>;
  } catch (error) {
    throw invalid(location, '(document)', `not valid JSON (${(error as Error).message})`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw invalid(location, '(document)', 'must be an object');
  if (doc.schemaVersion !== 1) throw invalid(location, 'schemaVersion', `unsupported ${JSON.stringify(doc.schemaVersion)} (expected 1)`);
  const version = doc.keyListVersion;
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1) throw invalid(location, 'keyListVersion', `must be a positive integer, got ${JSON.stringify(version)}`);
  if (!Array.isArray(doc.keys)) throw invalid(location, 'keys', 'must be an array');
  if (doc.revoked !== undefined && !Array.isArray(doc.revoked)) throw invalid(location, 'revoked', 'must be an array');
  const keys = doc.keys.map((k, i) => keyEntry(k, `keys[${i}]`, location));
  const revoked = ((doc.revoked as unknown[] | undefined) ?? []).map((r, i): RevokedKey => {
    const key = keyEntry(r, `revoked[${i}]`, location);
    const at = (r as Record<string, unknown>).revokedAt;
    return typeof at === 'string' ? { ...key, revokedAt: at } : key;
  });
  keys.forEach((k, i) => {
    if (keys.findIndex((o) => o.id === k.id) !== i) throw invalid(location, `keys[${i}].id`, `"${k.id}" is listed twice`);
    if (isRevoked(k, revoked)) throw invalid(location, `keys[${i}]`, `"${k.id}" is both trusted and revoked`);
  });
  return { schemaVersion: 1, keyListVersion: version, generatedAt: String(doc.generatedAt ?? ''), keys, revoked };
}

export interface KeyListInput {
  bytes: Uint8Array;
  /** release-keys.json.sig; undefined when missing. */
  signature: Uint8Array | undefined;
  configKeys: readonly TrustedKey[];
  state: KeyState | undefined;
  location: string;
  now: Date;
  configFile?: string;
  stateFile?: string;
}

/**
 * Verifies and applies a key list. Returns the state to keep: the same object when the list is the
 * one already accepted. Throws E_FEED_SIGNATURE / E_FEED_UNKNOWN_KEY / E_FEED_REVOKED_KEY (not
 * signed by a key trusted before it), E_FEED_ROLLBACK (an older list, or the same version with
 * other content), E_FEED_INVALID (malformed, or redefining a key of updater.config).
 */
export function acceptKeyList(input: KeyListInput): KeyState {
  const { location, state } = input;
  const before = effectiveTrust(input.configKeys, state);
  // Signature first, by a key trusted before this list: a list cannot vouch for itself.
  const { keyId } = verifySignatures(input.bytes, input.signature, before, location, KEYS_FILE, input.configFile);
  const list = parseKeyList(input.bytes, location);
  const sha256 = createHash('sha256').update(input.bytes).digest('hex');
  if (state) {
    const where = input.stateFile ?? 'trusted-keys.json';
    if (list.keyListVersion < state.keyListVersion) {
      throw new AltazionError('E_FEED_ROLLBACK', msg('feed.keyList.replayed', { file: KEYS_FILE, version: list.keyListVersion, accepted: state.keyListVersion, acceptedAt: state.acceptedAt, location }), {
        target: location, hint: msg('feed.keyList.replayedHint', { state: where }),
      });
    }
    if (list.keyListVersion === state.keyListVersion) {
      if (sha256 === state.sha256) return state;
      throw new AltazionError('E_FEED_ROLLBACK', msg('feed.keyList.changed', { file: KEYS_FILE, version: list.keyListVersion, acceptedAt: state.acceptedAt, location }), {
        target: location, hint: msg('feed.keyList.changedHint'),
      });
    }
  }
  for (const [i, key] of list.keys.entries()) {
    const configured = input.configKeys.find((k) => k.id === key.id);
    if (configured && normalizePublicKey(configured.publicKey) !== normalizePublicKey(key.publicKey)) {
      throw invalid(location, `keys[${i}].id`, msg('feed.keyList.otherKey', { id: key.id, config: input.configFile ?? 'updater.config' }));
    }
  }
  const revoked = [...(state?.revoked ?? [])];
  for (const r of list.revoked) if (!isRevoked(r, revoked)) revoked.push(r);
  return { keyListVersion: list.keyListVersion, sha256, acceptedAt: input.now.toISOString(), location, signedBy: keyId, keys: list.keys, revoked };
}

// ---------------------------------------------------------------------------------------------
// bin/updates/trusted-keys.json

/** Reads the accepted key state; undefined when none was ever accepted. A corrupt file is an error: ignoring it would trust revoked keys again. */
export async function readKeyState(file: string): Promise<KeyState | undefined> {
  const hint = 'restore it from a backup: deleting it would trust again the keys the publisher revoked';
  const doc = (await readStateFile(file, hint)) as Partial<KeyState> | undefined;
  if (!doc) return undefined;
  const v = doc.keyListVersion;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) throw configError(file, 'keyListVersion', `must be a positive integer, got ${JSON.stringify(v)}`, hint);
  if (!Array.isArray(doc.keys) || !Array.isArray(doc.revoked)) throw configError(file, 'keys / revoked', 'must be arrays', hint);
  const keys = doc.keys.filter((k): k is TrustedKey => typeof k?.id === 'string' && typeof k?.publicKey === 'string');
  const revoked = doc.revoked.filter((k): k is RevokedKey => typeof k?.id === 'string' && typeof k?.publicKey === 'string');
  if (revoked.length !== doc.revoked.length) throw configError(file, 'revoked', 'an entry lacks its id or publicKey', hint);
  return {
    keyListVersion: v, sha256: String(doc.sha256 ?? ''), acceptedAt: String(doc.acceptedAt ?? ''), location: String(doc.location ?? ''),
    signedBy: String(doc.signedBy ?? ''), keys, revoked,
  };
}

/** Keeps an accepted key list; never goes back to a lower version (two processes may check at once). */
export async function recordAcceptedKeys(file: string, state: KeyState): Promise<void> {
  const current = await readKeyState(file).catch(() => undefined);
  if (current && current.keyListVersion >= state.keyListVersion) return;
  await writeFileAtomic(file, JSON.stringify(state, null, 2) + '\n');
}

export { KEYS_FILE, KEYS_SIGNATURE_FILE };

// Loads the feed's index and accepts it only when it is signed by a trusted key, follows the
// schema, has not expired and is not older than the last index accepted (rollback). The last
// accepted version lives in bin/updates/feed-state.json, written (temp file + rename) only after
// an index passed every check. The trusted keys are updater.config's, changed by the publisher's
// key list when the feed carries one (key-list.ts), read and verified first.
import { setTimeout as sleep } from 'node:timers/promises';
import { AltazionError, configError } from '../core/errors';
import { readStateFile } from './state-file';
import { writeFileAtomic } from '../io/files';
import type { TrustedKey } from '../config/updater-config';
import { checkNoRollback, checkNotExpired, parseReleaseIndex } from './index-schema';
import { MAX_SIGNATURE_FILE_BYTES, verifySignatures } from './signature';
import { isNotFound, isRetryable } from './source';
import { acceptKeyList, effectiveTrust, type KeyState } from './key-list';
import { INDEX_FILE, KEYS_FILE, KEYS_SIGNATURE_FILE, SIGNATURE_FILE, type FeedSource, type VerifiedIndex } from './types';

export const MAX_INDEX_BYTES = 16 * 1024 * 1024;
export const MAX_KEYS_BYTES = 1024 * 1024;

export interface LoadIndexOptions {
  source: FeedSource;
  trustedKeys: readonly TrustedKey[];
  now: Date;
  /** From readFeedState(); undefined when no index was ever accepted. */
  lastAcceptedVersion?: number;
  /** Names updater.config in messages about a malformed trusted key. */
  configFile?: string;
  /** The key list accepted before (bin/updates/trusted-keys.json), if any. */
  keyState?: KeyState;
  /** Names trusted-keys.json in messages. */
  keyStateFile?: string;
  /** Extra attempts after a transient failure (connection lost, 5xx) reading a file (default 2). */
  retries?: number;
  /** First backoff delay, doubled each time (default 500 ms). */
  retryDelayMs?: number;
}

/** Reads a small feed file, retrying transient failures (a proxy's 502, a reset connection). */
async function readWithRetry(source: FeedSource, file: string, maxBytes: number, retries: number, delayMs: number): Promise<Buffer> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await source.readFile(file, maxBytes);
    } catch (error) {
      if (attempt >= retries || !isRetryable(error)) throw error;
      await sleep(delayMs * 2 ** attempt);
    }
  }
}

/** Reads the index and its signature through the source and verifies everything; nothing is written. */
export async function loadVerifiedIndex(options: LoadIndexOptions): Promise<VerifiedIndex> {
  const { source, trustedKeys, now } = options;
  const location = source.location;
  const retries = options.retries ?? 2;
  const delayMs = options.retryDelayMs ?? 500;
  let indexBytes: Buffer;
  try {
    indexBytes = await readWithRetry(source, INDEX_FILE, MAX_INDEX_BYTES, retries, delayMs);
  } catch (error) {
    if (isNotFound(error)) {
      throw new AltazionError('E_FEED_INVALID', `${INDEX_FILE}: not found in the feed ${location}`, { target: location, hint: 'check the feed location in updater.config', cause: error });
    }
    throw error;
  }
  const optional = async (file: string, maxBytes: number) => {
    try {
      return await readWithRetry(source, file, maxBytes, retries, delayMs);
    } catch (error) {
      if (!isNotFound(error)) throw error;
      return undefined;
    }
  };
  const signatureBytes = await optional(SIGNATURE_FILE, MAX_SIGNATURE_FILE_BYTES);
  // The publisher's key list, when there is one, decides which keys are trusted (and revoked).
  let keys = options.keyState;
  const keysBytes = await optional(KEYS_FILE, MAX_KEYS_BYTES);
  if (keysBytes) {
    keys = acceptKeyList({
      bytes: keysBytes, signature: await optional(KEYS_SIGNATURE_FILE, MAX_SIGNATURE_FILE_BYTES), configKeys: trustedKeys, state: options.keyState,
      location, now, configFile: options.configFile, stateFile: options.keyStateFile,
    });
  }
  // Signature first: nothing in an unsigned or tampered index is looked at.
  const { keyId } = verifySignatures(indexBytes, signatureBytes, effectiveTrust(trustedKeys, keys), location, INDEX_FILE, options.configFile);
  const index = parseReleaseIndex(indexBytes, location);
  checkNotExpired(index, now, location);
  checkNoRollback(index, options.lastAcceptedVersion, location);
  return { index, keyId, location, ...(keys ? { keys } : {}) };
}

// ---------------------------------------------------------------------------------------------
// bin/updates/feed-state.json

export interface FeedState {
  /** Highest index version ever accepted: a lower one is refused as a rollback. */
  lastAcceptedIndexVersion: number;
  acceptedAt: string;
  location: string;
  keyId: string;
}

/** Reads the feed state; undefined when the file does not exist. A corrupt file is reported, not ignored (ignoring it would re-open rollbacks). */
export async function readFeedState(file: string): Promise<FeedState | undefined> {
  const hint = 'delete the file to accept the feed\'s current index version again';
  const doc = await readStateFile(file, hint);
  if (!doc) return undefined;
  const v = doc?.lastAcceptedIndexVersion;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) throw configError(file, 'lastAcceptedIndexVersion', `must be a positive integer, got ${JSON.stringify(v)}`, hint);
  return {
    lastAcceptedIndexVersion: v,
    acceptedAt: String(doc.acceptedAt ?? ''),
    location: String(doc.location ?? ''),
    keyId: String(doc.keyId ?? ''),
  };
}

/**
 * Records a fully verified index as the last accepted one. Never lowers the recorded version
 * (two processes may check concurrently). Returns the state now on disk.
 */
export async function recordAcceptedIndex(file: string, verified: VerifiedIndex, now: Date): Promise<FeedState> {
  const current = await readFeedState(file).catch(() => undefined);
  if (current && current.lastAcceptedIndexVersion >= verified.index.indexVersion) return current;
  const state: FeedState = {
    lastAcceptedIndexVersion: verified.index.indexVersion,
    acceptedAt: now.toISOString(),
    location: verified.location,
    keyId: verified.keyId,
  };
  await writeFileAtomic(file, JSON.stringify(state, null, 2) + '\n');
  return state;
}

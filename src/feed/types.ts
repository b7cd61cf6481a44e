// Contracts of the feed layer (SPEC §4). The feed is a folder served as is over http(s), or read
// directly from a folder / UNC share:
//   release-index.json        the signed payload (ReleaseIndex below), exact bytes are signed
//   release-index.json.sig    { "signatures": [ { "keyId": "...", "algorithm": "ed25519", "signature": "<base64>" } ] }
//   release-keys.json(.sig)   optional: the publisher's key list, signed the same way (key-list.ts)
//   packages/<module>-<version>.zip
import type { ModuleKind } from '../core/modules';
import type { Readable } from 'node:stream';
import type { TrustedKey } from '../config/updater-config';

export const INDEX_FILE = 'release-index.json';
export const SIGNATURE_FILE = 'release-index.json.sig';
/** The publisher's key list (rotation, revocation: key-list.ts) and its signatures, same format. */
export const KEYS_FILE = 'release-keys.json';
export const KEYS_SIGNATURE_FILE = 'release-keys.json.sig';

export interface ReleaseEntry {
  version: string;
  /** ISO 8601 date-time. */
  publishedAt: string;
  /** Path relative to the feed root, e.g. `packages/ecommerce-25.10.1.2.zip`. */
  package: string;
  size: number;
  sha256: string;
  /** Minimum versions of other modules, e.g. { "database": "25.10" }. */
  requires?: Record<string, string>;
}

export interface ModuleCatalogEntry {
  kind: ModuleKind;
  releases: ReleaseEntry[];
}

export interface ReleaseIndex {
  schemaVersion: 1;
  /** Only ever grows: an index with a lower version than the last accepted one is a rollback attack. */
  indexVersion: number;
  generatedAt: string;
  expiresAt: string;
  modules: Record<string, ModuleCatalogEntry>;
}

export interface SignatureEntry { keyId: string; algorithm: 'ed25519'; signature: string }
export interface SignatureFile { signatures: SignatureEntry[] }

/** A verified index: what it says, which key vouched for it, and where it came from. */
export interface VerifiedIndex {
  index: ReleaseIndex;
  keyId: string;
  /** Human description of the feed location (URL or folder). */
  location: string;
  /** The key list accepted on the way (key-list.ts KeyState), to keep once everything verified. */
  keys?: KeyState;
}

export interface FeedStream {
  /** The file's bytes from `start` on. */
  stream: Readable;
  /** Offset the stream starts at (0 unless a range request was honoured). */
  start: number;
  /** Total size of the file when the source knows it. */
  totalSize?: number;
}

/** Where feed files come from: http(s) (proxy honoured) or a folder / UNC path. */
export interface FeedSource {
  readonly location: string;
  /** Reads a small file whole (the index and its signature), bounded by maxBytes. */
  readFile(relativePath: string, maxBytes: number): Promise<Buffer>;
  /** Opens a file for streaming, from `start` when > 0 (HTTP Range; a folder seeks). */
  openStream(relativePath: string, start: number, signal?: AbortSignal): Promise<FeedStream>;
}

export interface DownloadProgress { received: number; total: number }

/** A key the publisher revoked (key-list.ts): its signatures never count again. */
export interface RevokedKey { id: string; publicKey: string; revokedAt?: string }

/** What a server accepted (bin\updates\trusted-keys.json). */
export interface KeyState {
  keyListVersion: number;
  /** sha256 of the accepted release-keys.json bytes: the same version must be the same list. */
  sha256: string;
  acceptedAt: string;
  location: string;
  /** The trusted key that signed it. */
  signedBy: string;
  keys: TrustedKey[];
  /** Every key revoked by any accepted list (never shrinks). */
  revoked: RevokedKey[];
}

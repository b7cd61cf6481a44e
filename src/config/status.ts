// bin\updates\status.xml: the latest versions the updater detected (SPEC §4), written by `check`.
import { configError } from '../core/errors';
import { isVersion } from '../core/version';
import { attr, buildXml, children, parseBooleanAttr, parseXml, rootElement } from './xml';

export interface ModuleStatus {
  name: string;
  latestVersion: string;
  publishedAt: string;
  kind: string;
  downloaded: boolean;
  verified: boolean;
  sha256: string;
  size: number;
  /** Package file in the cache, when downloaded. */
  packageFile?: string;
  /** Minimum versions of other modules the latest release needs. */
  requires?: Record<string, string>;
}

/** `database:25.10;ecommerce:25.9` <-> { database: '25.10', ecommerce: '25.9' } */
export function formatRequires(requires: Record<string, string> | undefined): string | undefined {
  const entries = Object.entries(requires ?? {});
  return entries.length ? entries.map(([k, v]) => `${k}:${v}`).join(';') : undefined;
}

export function parseRequires(text: string | undefined): Record<string, string> | undefined {
  if (!text) return undefined;
  const pairs = text.split(';').map((p) => p.split(':').map((s) => s.trim())).filter(([k, v]) => k && v);
  return pairs.length ? Object.fromEntries(pairs) : undefined;
}

export interface StatusDocument {
  checkedAt: string;
  feed: string;
  indexVersion: number;
  modules: ModuleStatus[];
}

export function parseStatusXml(input: Uint8Array | string, file: string): StatusDocument {
  const root = rootElement(parseXml(input, file), 'status', file);
  return {
    checkedAt: attr(root, 'checkedat') ?? '',
    feed: attr(root, 'feed') ?? '',
    indexVersion: Number(attr(root, 'indexversion') ?? 0) || 0,
    modules: children(root, 'module').map((m, i) => ({
      name: (attr(m, 'name') ?? '').toLowerCase(),
      latestVersion: latestVersionOf(attr(m, 'latestversion'), file, `<module> #${i + 1} (${attr(m, 'name') ?? ''})`),
      publishedAt: attr(m, 'publishedat') ?? '',
      kind: attr(m, 'kind') ?? '',
      downloaded: parseBooleanAttr(attr(m, 'downloaded'), file, `<module> #${i + 1} @downloaded`, false),
      verified: parseBooleanAttr(attr(m, 'verified'), file, `<module> #${i + 1} @verified`, false),
      sha256: attr(m, 'sha256') ?? '',
      size: Number(attr(m, 'size') ?? 0) || 0,
      ...(attr(m, 'package') ? { packageFile: attr(m, 'package') } : {}),
      ...(parseRequires(attr(m, 'requires')) ? { requires: parseRequires(attr(m, 'requires')) } : {}),
    })).filter((m) => m.name !== ''),
  };
}

/** Compared with installed versions later: anything but a version (or nothing) is named here. */
function latestVersionOf(value: string | undefined, file: string, where: string): string {
  const version = (value ?? '').trim();
  if (version !== '' && !isVersion(version)) throw configError(file, `${where} @latestVersion`, `"${version}" is not a version`);
  return version;
}

export function renderStatusXml(doc: StatusDocument): string {
  return buildXml({
    status: {
      '@_checkedAt': doc.checkedAt,
      '@_feed': doc.feed,
      '@_indexVersion': String(doc.indexVersion),
      module: doc.modules.map((m) => ({
        '@_name': m.name,
        '@_kind': m.kind,
        '@_latestVersion': m.latestVersion,
        '@_publishedAt': m.publishedAt,
        '@_downloaded': String(m.downloaded),
        '@_verified': String(m.verified),
        '@_sha256': m.sha256,
        '@_size': String(m.size),
        ...(m.packageFile ? { '@_package': m.packageFile } : {}),
        ...(formatRequires(m.requires) ? { '@_requires': formatRequires(m.requires) } : {}),
      })),
    },
  });
}

// `check`: what the service does periodically (SPEC §3, §9). Fetch and verify the signed index,
// download and verify the packages this server needs into the cache, then write status.xml.
// The last accepted index version is only advanced after everything verified.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { renderStatusXml, type ModuleStatus, type StatusDocument } from '../config/status';
import { AltazionError } from '../core/errors';
import type { ModuleKind } from '../core/modules';
import { RecordType } from '../core/records';
import { compareVersions, isVersion, maxVersion } from '../core/version';
import type { Context } from '../context/context';
import type { UpdateFound } from '../core/events';
import { discoverModules, type InstalledModule } from '../discovery/discover';
import { collectUpdates, readStatus, warnPlatformUnavailable } from '../discovery/updates';
import { recordAcceptedIndex } from '../feed/index-loader';
import { reportEvent } from '../events';
import { recordAcceptedKeys } from '../feed/key-list';
import { loadFeed, reportRefusal } from '../feed/load';
import { cachePathFor, downloadPackage, downloadWaitMessage } from '../feed/download';
import type { ReleaseEntry, VerifiedIndex } from '../feed/types';
import { pathExists, writeFileAtomic } from '../io/files';
import { compareText } from '../core/text-order';
import { moveLegacySettingsAndReport } from '../security/settings';

export interface CheckOptions {
  /** Emit the Altazion.Update records after the check (the `check` command does; get --refresh reports itself). */
  report: boolean;
  signal?: AbortSignal;
}

export interface CheckOutcome {
  index: VerifiedIndex;
  status: StatusDocument;
  failures: string[];
}

/** Modules of this server whose latest version changed since the last check (for "updates found"). */
function newUpdates(previous: StatusDocument | undefined, modules: readonly ModuleStatus[], installed: readonly InstalledModule[]): UpdateFound[] {
  const found: UpdateFound[] = [];
  for (const status of modules) {
    if (!status.latestVersion) continue;
    const before = previous?.modules.find((m) => m.name === status.name)?.latestVersion;
    if (before && compareVersions(before, status.latestVersion) === 0) continue;
    for (const m of installed) {
      if (m.name !== status.name || !m.exists) continue;
      if (isVersion(m.installedVersion) && compareVersions(m.installedVersion, status.latestVersion) >= 0) continue;
      found.push({ module: `${m.name}${m.instance ? ` [${m.instance}]` : ''}`, from: m.installedVersion, to: status.latestVersion });
    }
  }
  return found;
}

function moduleStatus(name: string, kind: ModuleKind, latest: ReleaseEntry): ModuleStatus {
  const status: ModuleStatus = { name, kind, latestVersion: latest.version, publishedAt: latest.publishedAt, downloaded: false, verified: false, sha256: latest.sha256, size: latest.size };
  if (latest.requires) status.requires = latest.requires;
  return status;
}

/**
 * Rewrites status.xml from an index verified by another command (an install): the latest version
 * of each module, and whether its package sits in the cache (only verified files ever enter it,
 * so its presence at the signed size is enough; nothing is re-hashed here).
 */
export async function writeStatusFromIndex(ctx: Context, verified: VerifiedIndex): Promise<void> {
  const modules: ModuleStatus[] = [];
  for (const [name, entry] of Object.entries(verified.index.modules).sort(([a], [b]) => compareText(a, b))) {
    const latest = maxVersion(entry.releases, (r: ReleaseEntry) => r.version);
    if (!latest) continue;
    const status = moduleStatus(name, entry.kind, latest);
    const cached = cachePathFor(ctx.layout.cache, latest);
    if ((await fs.stat(cached).catch(() => undefined))?.size === latest.size) {
      status.downloaded = true;
      status.verified = true;
      status.packageFile = path.basename(cached);
    }
    modules.push(status);
  }
  const document: StatusDocument = { checkedAt: ctx.now().toISOString(), feed: verified.location, indexVersion: verified.index.indexVersion, modules };
  await writeFileAtomic(ctx.layout.statusXml, renderStatusXml(document));
  await recordAcceptedIndex(ctx.layout.feedState, verified, ctx.now());
  if (verified.keys) await recordAcceptedKeys(ctx.layout.keyState, verified.keys);
}

export async function runCheck(ctx: Context, options: CheckOptions): Promise<CheckOutcome> {
  const { output, layout } = ctx;
  await moveLegacySettingsAndReport(ctx);
  const { verified, source } = await loadFeed(ctx, { reportRefusal: true });
  const { index } = verified;
  output.verbose(`feed ${verified.location}: index version ${index.indexVersion}, signed by ${verified.keyId}, expires ${index.expiresAt}`);

  const catalogKinds = new Map<string, ModuleKind>(Object.entries(index.modules).map(([k, m]) => [k, m.kind]));
  // Which packages to download needs only the modules and their versions: no bridge is no reason to stop.
  const installed = await discoverModules({ layout, pathApi: ctx.pathApi, platform: await ctx.platform(), catalogKinds, onPlatformUnavailable: warnPlatformUnavailable(ctx) });

  const modules: ModuleStatus[] = [];
  const failures: string[] = [];
  // Packages this run added to the cache: removed again if the feed turns out to be tampered with,
  // so that bad input changes nothing on disk.
  const added: string[] = [];
  const cacheExisted = await pathExists(layout.cache);
  for (const [name, entry] of Object.entries(index.modules).sort(([a], [b]) => compareText(a, b))) {
    const latest = maxVersion(entry.releases, (r: ReleaseEntry) => r.version);
    if (!latest) continue;
    const status = moduleStatus(name, entry.kind, latest);
    modules.push(status);
    // Download only what this server will install: a module present here at an older or unknown version.
    const needed = installed.some((m) => m.name === name && m.exists &&
      (!isVersion(m.installedVersion) || compareVersions(m.installedVersion, latest.version) < 0));
    if (!needed) continue;
    const progress = output.startProgress(`Downloading ${name} ${latest.version}`);
    try {
      const downloaded = await downloadPackage({
        source,
        release: latest,
        cacheDir: layout.cache,
        signal: options.signal,
        onWait: (holder) => output.info(downloadWaitMessage(latest, holder)),
        onProgress: ({ received, total }) => progress(`${(received / 1048576).toFixed(1)} / ${(total / 1048576).toFixed(1)} MB`, total ? (received / total) * 100 : 0),
      });
      progress('verified', 100, true);
      if (!downloaded.fromCache) added.push(downloaded.path);
      status.downloaded = true;
      status.verified = true;
      status.packageFile = path.basename(downloaded.path);
    } catch (error) {
      progress('failed', 100, true);
      const err = error instanceof AltazionError ? error : new AltazionError('E_DOWNLOAD', String((error as Error).message ?? error));
      if (err.code === 'E_PACKAGE_INTEGRITY') {
        await reportRefusal(ctx, verified.location, err);
        await Promise.all(added.map((file) => fs.rm(file, { force: true })));
        if (!cacheExisted) await fs.rmdir(layout.cache).catch(() => undefined);
        throw err;
      }
      // Transient: keep what verified (and the partial, to resume), say what failed, exit 1 at the end.
      failures.push(`${name} ${latest.version}: ${err.message}`);
      output.warn(`${name} ${latest.version} was not downloaded: ${err.message}`);
    }
  }

  const document: StatusDocument = { checkedAt: ctx.now().toISOString(), feed: verified.location, indexVersion: index.indexVersion, modules };
  const previous = await readStatus(layout.statusXml).catch(() => undefined);
  await writeFileAtomic(layout.statusXml, renderStatusXml(document));
  await recordAcceptedIndex(layout.feedState, verified, ctx.now());
  if (verified.keys) await recordAcceptedKeys(layout.keyState, verified.keys);
  output.verbose(`${layout.statusXml} written`);
  const updates = newUpdates(previous, modules, installed);
  if (updates.length > 0) await reportEvent(ctx, { kind: 'updatesFound', updates });

  if (options.report) {
    for (const record of await collectUpdates(ctx, {})) output.record(RecordType.Update, record);
  }
  if (failures.length > 0) {
    throw new AltazionError('E_DOWNLOAD', `${failures.length} package(s) could not be downloaded: ${failures.join('; ')}`, { target: verified.location });
  }
  return { index: verified, status: document, failures };
}

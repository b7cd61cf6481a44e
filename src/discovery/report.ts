// What `get` reports for each installed module instance: a pure function of what is installed and
// what the last check found (status.xml) — no I/O here.
import { compareVersions, isVersion } from '../core/version';
import { msg, recordText, type Message } from '../core/messages';
import type { UpdateRecord, UpdateStatus } from '../core/records';
import { UNKNOWN_VERSION, type InstalledModule } from './discover';

export interface Availability {
  version: string;
  publishedAt: string;
  downloaded: boolean;
  /** Minimum versions of other modules the release needs (e.g. database). */
  requires?: Record<string, string>;
}

export interface ReportInput {
  modules: readonly InstalledModule[];
  /** Latest release per module key, from status.xml or a fresh check. */
  available: ReadonlyMap<string, Availability>;
  /** Whether the feed was ever checked (status.xml exists). */
  checked: boolean;
  computerName: string;
  /** Installed version per module key, to evaluate `requires` (e.g. the database). */
  installedVersions?: ReadonlyMap<string, string>;
}

function unmetRequirement(version: string, requires: Record<string, string> | undefined, installed: ReadonlyMap<string, string> | undefined): Message | undefined {
  for (const [module, minimum] of Object.entries(requires ?? {})) {
    const current = installed?.get(module);
    if (!current || !isVersion(current) || compareVersions(current, minimum) < 0) {
      return msg('update.requires', { version, module, minimum, installed: current ?? msg('word.none') });
    }
  }
  return undefined;
}

export function buildUpdateRecord(module: InstalledModule, input: ReportInput): UpdateRecord {
  const latest = input.available.get(module.name);
  const base = {
    Name: module.name,
    Instance: module.instance,
    Kind: module.kind,
    Path: module.path,
    InstalledVersion: module.installedVersion,
    AvailableVersion: latest?.version ?? null,
    PublishedAt: latest?.publishedAt || null,
    ComputerName: input.computerName,
  };
  const result = (Status: UpdateStatus, detail: Message | '', UpdateAvailable = false): UpdateRecord => ({
    ...base,
    UpdateAvailable,
    Downloaded: Boolean(latest?.downloaded && UpdateAvailable),
    Status,
    ...recordText('Detail', detail),
  });

  if (!module.exists) return result('NotInstalled', msg('update.folderMissing', { path: module.path }));
  if (!latest) {
    return result('Unknown', input.checked ? msg('update.notPublished', { name: module.name }) : msg('update.neverChecked'));
  }
  if (module.installedVersion === UNKNOWN_VERSION || !isVersion(module.installedVersion)) {
    return result('Unknown', msg('update.versionUnknown'), true);
  }
  const order = compareVersions(module.installedVersion, latest.version);
  if (order >= 0) return result('UpToDate', order > 0 ? msg('update.newerThanFeed', { installed: module.installedVersion, available: latest.version }) : '');
  const unmet = unmetRequirement(latest.version, latest.requires, input.installedVersions);
  if (unmet) return result('ManualActionRequired', unmet, true);
  return result('UpdateAvailable', latest.downloaded ? msg('update.downloaded') : msg('update.notDownloaded'), true);
}

export function buildUpdateReport(input: ReportInput): UpdateRecord[] {
  return input.modules.map((m) => buildUpdateRecord(m, input));
}

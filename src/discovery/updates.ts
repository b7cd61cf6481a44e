// The `get` use case at the edge: read status.xml, discover the installed modules, build the report.
import { promises as fs } from 'node:fs';
import { parseStatusXml, type StatusDocument } from '../config/status';
import { AltazionError } from '../core/errors';
import { msg, recordMessage, recordText, type Message, type MessageId } from '../core/messages';
import { pastPointOfNoReturn, readJournals, type InstallJournal } from '../install-state/journal';
import { identityOf, tokenDirOf } from '../install-state/lock';
import { processRuns } from '../io/process-identity';
import { canonicalModuleName, type ModuleKind } from '../core/modules';
import type { UpdateRecord } from '../core/records';
import type { Context } from '../context/context';
import type { PlatformUnavailableError } from '../platform/errors';
import { discoverModules, reportUnmatchedSelection, selectModules, type InstalledModule } from './discover';
import { buildUpdateReport, type Availability } from './report';

export async function readStatus(file: string): Promise<StatusDocument | undefined> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch {
    return undefined;
  }
  return parseStatusXml(bytes, file);
}

export interface Selection {
  names?: readonly string[];
  instance?: string;
  /** Reports a name (or instance) that matches nothing and lets the others proceed; default: throw. */
  onUnknown?: (error: AltazionError) => void;
  /**
   * `get` without --refresh: show the database as the service last checked it when that check can
   * be trusted (database/flow/service-check.ts), instead of asking the database.
   */
  trustServiceCheck?: boolean;
}

const warnedContexts = new WeakSet<object>();

/**
 * For reads that go on without the platform (DiscoveryInput.onPlatformUnavailable): one warning per
 * command naming why IIS pools and services are unknown.
 */
export function warnPlatformUnavailable(ctx: Context): (error: PlatformUnavailableError) => void {
  return (error) => {
    if (warnedContexts.has(ctx.output)) return;
    warnedContexts.add(ctx.output);
    ctx.output.warn(error.hint
      ? msg('platform.unknownServicesHint', { error: error.worded, hint: error.hintRef ?? error.hint })
      : msg('platform.unknownServices', { error: error.worded }));
  };
}

/** Installed modules matching the selection; an explicit name or instance that matches nothing is an error. */
export async function discoverSelected(ctx: Context, selection: Selection, status?: StatusDocument): Promise<InstalledModule[]> {
  return selectFrom(ctx, await discoverAll(ctx, status), selection);
}

/** Every module instance declared on this server, as found on disk and on the platform. */
async function discoverAll(ctx: Context, status: StatusDocument | undefined): Promise<InstalledModule[]> {
  const catalogKinds = new Map<string, ModuleKind>();
  for (const m of status?.modules ?? []) if (m.kind) catalogKinds.set(m.name, m.kind as ModuleKind);
  return discoverModules({ layout: ctx.layout, pathApi: ctx.pathApi, platform: await ctx.platform(), catalogKinds, onPlatformUnavailable: warnPlatformUnavailable(ctx) });
}

function selectFrom(ctx: Context, all: InstalledModule[], selection: Selection): InstalledModule[] {
  const names = (selection.names ?? []).map(canonicalModuleName);
  const selected = selectModules(all, names, selection.instance);
  reportUnmatchedSelection(ctx.layout.applicationsConfig, all, selected, names, selection.instance, selection.onUnknown);
  return selected;
}

export function availabilityFrom(status: StatusDocument | undefined): Map<string, Availability> {
  const available = new Map<string, Availability>();
  for (const m of status?.modules ?? []) {
    if (!m.latestVersion) continue;
    available.set(m.name, { version: m.latestVersion, publishedAt: m.publishedAt, downloaded: m.downloaded && m.verified, ...(m.requires ? { requires: m.requires } : {}) });
  }
  return available;
}

/** The database's own view: installed version from its journal, and the database flow's verdict (the same on every surface). */
async function databaseView(ctx: Context, trustServiceCheck: boolean): Promise<{ installed?: string; status?: string; pending: string[]; detail: Message | string; failed?: Message | string }> {
  try {
    const { databaseStatus, serviceCheckedStatus } = await import('../database/flow/queries');
    const checked = trustServiceCheck ? await serviceCheckedStatus(ctx) : undefined;
    if (checked) {
      ctx.output.verbose(checked.status
        ? msg('db.asCheckedByService', { seconds: Math.round((ctx.now().getTime() - checked.checkedAt.getTime()) / 1000), by: checked.checkedBy })
        : msg('db.askingDatabase', { why: checked.why }));
    }
    const status = checked?.status ?? (await databaseStatus(ctx));
    const reason = recordMessage(status.Detail, status.DetailId, status.DetailParams);
    const detail = status.Status === 'ManualActionRequired' ? msg('db.manual', { reasons: reason, action: recordMessage(status.Action, status.ActionId, status.ActionParams) })
      : status.Status === 'UpToDate' ? '' : reason;
    return { installed: status.InstalledVersion ?? undefined, status: status.Status, pending: status.PendingScripts, detail };
  } catch (error) {
    // An unreachable database must not hide the other modules: report it on the database record.
    return { pending: [], detail: '', failed: error instanceof AltazionError ? error.worded : (error as Error).message };
  }
}

/** The detail of a record as a message again (what report.ts made), to extend it. */
function detailOf(record: UpdateRecord): Message | string {
  return recordMessage(record.Detail, record.DetailId, record.DetailParams);
}

function setDetail(record: UpdateRecord, detail: Message | string): void {
  delete record.DetailId;
  delete record.DetailParams;
  Object.assign(record, recordText('Detail', detail));
}

/**
 * Installs running now or interrupted, by module instance (from the install journals): while one
 * runs its module folder is renamed for a moment, and must not read as "not installed".
 */
async function installsInProgress(ctx: Context): Promise<Map<string, { journal: InstallJournal; running: boolean }>> {
  const found = new Map<string, { journal: InstallJournal; running: boolean }>();
  const journals = await readJournals(ctx.layout).catch(() => []);
  if (journals.length === 0) return found;
  for (const { journal } of journals) {
    if (!journal) continue;
    // The same rule as the lock and recovery (lock.ts, recovery.ts): the journal's process is
    // running exactly when its identity (pid, start time or token) still answers; a reused pid does not.
    const running = (await processRuns(identityOf(journal), tokenDirOf(ctx.layout))) !== false;
    found.set(`${journal.module}|${journal.instance.toLowerCase()}`, { journal, running });
  }
  return found;
}

export async function collectUpdates(ctx: Context, selection: Selection): Promise<UpdateRecord[]> {
  const status = await readStatus(ctx.layout.statusXml);
  // Discovered once: the selection is a part of everything (requirements are checked against every module).
  const everything = await discoverAll(ctx, status);
  const modules = selection.names?.length || selection.instance !== undefined ? selectFrom(ctx, everything, selection) : everything;
  const platform = await ctx.platform();

  const database = everything.some((m) => m.kind === 'database' && m.exists) ? await databaseView(ctx, selection.trustServiceCheck === true) : undefined;
  for (const m of everything) {
    if (m.kind === 'database' && database?.installed) { m.installedVersion = database.installed; m.versionSource = 'manifest'; }
  }
  // Requirements are evaluated against the main instance of each module.
  const installedVersions = new Map<string, string>();
  for (const m of everything) if (m.instance === '' || !installedVersions.has(m.name)) installedVersions.set(m.name, m.installedVersion);

  const records = buildUpdateReport({ modules, available: availabilityFrom(status), checked: status !== undefined, computerName: platform.computerName, installedVersions });
  for (const record of records) {
    if (record.Kind !== 'database' || !database || record.Status === 'NotInstalled') continue;
    if (database.failed) {
      record.Status = 'Unknown';
      setDetail(record, msg('update.databaseUnreadable', { error: database.failed }));
    } else if (database.status === 'ManualActionRequired' && (record.UpdateAvailable || database.pending.length > 0)) {
      // Customised, or not provable standard: the same verdict as `db status`, `install` and the portal.
      record.Status = 'ManualActionRequired';
      setDetail(record, database.detail);
    } else if (database.detail) {
      const own = detailOf(record);
      setDetail(record, own === '' ? database.detail : msg('list', { items: [own, database.detail] }));
    }
  }
  const installs = await installsInProgress(ctx);
  for (const record of records) {
    const install = installs.get(`${record.Name}|${record.Instance.toLowerCase()}`);
    if (!install) continue;
    const { journal, running } = install;
    const step: Message = { id: `step.${journal.step}` as MessageId };
    // The version that answers until the new folder is in place is the old one.
    record.InstalledVersion = journal.fromVersion;
    if (running) {
      record.Status = 'UpdateAvailable';
      record.UpdateAvailable = true;
      setDetail(record, msg('update.installing', { from: journal.fromVersion, to: journal.toVersion, step }));
    } else {
      // In no state to trust until it is finished; reads only say so, and name what finishes it.
      record.Status = 'ManualActionRequired';
      const outcome = journal.direction === 'rollback' || !pastPointOfNoReturn(journal)
        ? msg('update.interruptedBack', { version: journal.fromVersion }) : msg('update.interruptedForward', { version: journal.toVersion });
      setDetail(record, msg('update.interrupted', { id: journal.id, module: journal.module, from: journal.fromVersion, to: journal.toVersion, step, outcome }));
    }
  }
  return records;
}

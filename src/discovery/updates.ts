// The `get` use case at the edge: read status.xml, discover the installed modules, build the report.
import { promises as fs } from 'node:fs';
import { parseStatusXml, type StatusDocument } from '../config/status';
import { AltazionError } from '../core/errors';
import { canonicalModuleName, type ModuleKind } from '../core/modules';
import type { UpdateRecord } from '../core/records';
import type { Context } from '../context/context';
import { discoverModules, selectModules, type InstalledModule } from './discover';
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

export interface Selection { names?: readonly string[]; instance?: string }

/** Installed modules matching the selection; an explicit name or instance that matches nothing is an error. */
export async function discoverSelected(ctx: Context, selection: Selection, status?: StatusDocument): Promise<InstalledModule[]> {
  const catalogKinds = new Map<string, ModuleKind>();
  for (const m of status?.modules ?? []) if (m.kind) catalogKinds.set(m.name, m.kind as ModuleKind);
  const all = await discoverModules({ layout: ctx.layout, pathApi: ctx.pathApi, platform: await ctx.platform(), catalogKinds });
  const names = (selection.names ?? []).map(canonicalModuleName);
  const selected = selectModules(all, names, selection.instance);
  const unmatched = names.filter((n) => !selected.some((m) => m.name === n));
  if (unmatched.length > 0 || (selection.instance !== undefined && selected.length === 0)) {
    const what = unmatched.length > 0 ? `module ${unmatched.join(', ')}` : `instance "${selection.instance}"`;
    throw new AltazionError('E_NOT_FOUND', `${what} is not declared in ${ctx.layout.applicationsConfig}`, {
      target: unmatched[0] ?? selection.instance,
      hint: `declared: ${all.map((m) => m.name + (m.instance ? `[${m.instance}]` : '')).join(', ') || 'none'}`,
    });
  }
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

/** The database's own view (installed version from its journal, customisation, pending scripts). */
async function databaseView(ctx: Context): Promise<{ installed?: string; customized: boolean | null; pending: string[]; detail: string; failed?: string }> {
  try {
    const { databaseStatus } = await import('../database/flow');
    const status = await databaseStatus(ctx);
    return { installed: status.InstalledVersion ?? undefined, customized: status.Customized, pending: status.PendingScripts, detail: status.Detail };
  } catch (error) {
    // An unreachable database must not hide the other modules: report it on the database record.
    return { customized: null, pending: [], detail: '', failed: (error as Error).message };
  }
}

export async function collectUpdates(ctx: Context, selection: Selection): Promise<UpdateRecord[]> {
  const status = await readStatus(ctx.layout.statusXml);
  const everything = await discoverSelected(ctx, {}, status);
  const modules = selection.names?.length || selection.instance !== undefined ? await discoverSelected(ctx, selection, status) : everything;
  const platform = await ctx.platform();

  const database = everything.some((m) => m.kind === 'database' && m.exists) ? await databaseView(ctx) : undefined;
  for (const m of [...everything, ...modules]) {
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
      record.Detail = `the database cannot be read: ${database.failed}`;
    } else if (database.customized && (record.UpdateAvailable || database.pending.length > 0)) {
      record.Status = 'ManualActionRequired';
      record.Detail = database.detail;
    } else if (database.detail) {
      record.Detail = [record.Detail, database.detail].filter(Boolean).join('; ');
    }
  }
  return records;
}

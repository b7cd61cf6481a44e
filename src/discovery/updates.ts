// The `get` use case at the edge: read status.xml, discover the installed modules, build the report.
import { promises as fs } from 'node:fs';
import { parseStatusXml, type StatusDocument } from '../config/status';
import { AltazionError } from '../core/errors';
import { canonicalModuleName, type ModuleKind } from '../core/modules';
import type { UpdateRecord } from '../core/records';
import type { Context } from '../cli/context';
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

export async function collectUpdates(ctx: Context, selection: Selection): Promise<UpdateRecord[]> {
  const status = await readStatus(ctx.layout.statusXml);
  const modules = await discoverSelected(ctx, selection, status);
  const platform = await ctx.platform();
  const installedVersions = new Map<string, string>();
  // Requirements are evaluated against the main instance of each module.
  const everything = selection.names?.length || selection.instance ? await discoverSelected(ctx, {}, status) : modules;
  for (const m of everything) if (m.instance === '' || !installedVersions.has(m.name)) installedVersions.set(m.name, m.installedVersion);
  return buildUpdateReport({ modules, available: availabilityFrom(status), checked: status !== undefined, computerName: platform.computerName, installedVersions });
}

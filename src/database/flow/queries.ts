// The reads: `db status` (also what `get` and the portal show), `db scripts [--show id]`,
// `db drift [--show object]`, and the publisher's `db baseline`. None changes the database; each
// analyses at most once, and not at all while the database and the package are unchanged.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { AltazionError } from '../../core/errors';
import { recordText, textOf } from '../../core/messages';
import { isVersion } from '../../core/version';
import { makeOptionFolder } from '../../io/files';
import { driftItems } from '../drift';
import { JOURNAL_KEY } from '../journal-sql';
import { buildBaseline } from '../normalize';
import { scriptRecord, type DatabaseScriptRecordEx } from '../plan';
import { displayName } from '../catalog';
import { scriptObject } from '../script-object';
import { unifiedDiff } from '../diff';
import type { DatabaseStore } from '../store';
import { diskAnalysisCache, snapshotKeyNow, requirePlanned, scriptContent, withAnalysis, type AnalysisCache, type DatabaseAnalysis, type PackageChoice } from './analysis';
import { openDatabaseStore, readDefaultConnection } from './configuration';
import { judgeServiceCheck, type CheckVerdict } from '../service-check';
import { readDatabaseChanges, readServiceCheck, removeServiceCheck, writeServiceCheck } from './service-check';
import type { DatabaseContext } from './context';
import { statusRecord, type DatabaseStatusRecord, type DiffRecord, type DriftObjectRecord, type DriftRecord, type ShownScript } from './records';

export interface DbQueryOptions {
  /** A package zip or folder; default: the newest database package in the cache. */
  package?: PackageChoice;
  /** An open store (tests, or a caller that already has one). */
  store?: DatabaseStore;
  /** Where analyses are reused from; default: the snapshot on disk (bin\updates\database). */
  cache?: AnalysisCache;
}

const run = <T>(ctx: DatabaseContext, options: DbQueryOptions, packageRequired: boolean, work: (a: DatabaseAnalysis) => Promise<T>) =>
  withAnalysis(ctx, { ...options, cache: options.cache ?? ctx.analysisCache ?? diskAnalysisCache(ctx), packageRequired }, work);

/** `db status`: installed version, customisation, pending scripts, the verdict. Also what `get` shows for the database. */
export function databaseStatus(ctx: DatabaseContext, options: DbQueryOptions = {}): Promise<DatabaseStatusRecord> {
  return run(ctx, options, false, async (a) => statusRecord(a));
}

/**
 * The service's check, every minute: asks the database (one marker query while nothing changed;
 * a new analysis when something did) and leaves the status for `get` (service-check.ts). A failed
 * check removes the previous one, so that `get` asks the database and reports what fails.
 */
export async function checkDatabaseForService(ctx: DatabaseContext, options: { cache?: AnalysisCache; checkedBy: string }): Promise<{ status: DatabaseStatusRecord; analysed: boolean }> {
  const startedAt = ctx.now();
  try {
    const { identity } = await readDefaultConnection(ctx);
    return await run(ctx, { cache: options.cache }, false, async (a) => {
      const status = statusRecord(a);
      await writeServiceCheck(ctx.layout, { format: 1, connection: identity, server: a.server, marker: a.marker, key: a.key, startedAt: startedAt.toISOString(), checkedBy: options.checkedBy, status });
      return { status, analysed: a.fresh };
    });
  } catch (error) {
    await removeServiceCheck(ctx.layout).catch(() => undefined);
    throw error;
  }
}

/**
 * What `get` shows without asking the database: the service's check when it can be trusted
 * (recent, same connection, same package, no change of ours since). Otherwise why not, and the
 * caller asks the database.
 */
export async function serviceCheckedStatus(ctx: DatabaseContext, maxAgeMs?: number): Promise<{ status: DatabaseStatusRecord; checkedAt: Date; checkedBy: string; why?: undefined } | { status?: undefined; why: string }> {
  const check = await readServiceCheck(ctx.layout);
  if (!check) return { why: 'the service has not checked it' };
  const connection = await readDefaultConnection(ctx).catch(() => undefined);
  if (!connection) return { why: 'the connection cannot be read' };
  const key = await snapshotKeyNow(ctx, check.server, check.marker).catch(() => undefined);
  if (!key) return { why: 'the database package cannot be read' };
  const verdict: CheckVerdict = judgeServiceCheck(check, ctx.now(), { connection: connection.identity, key }, await readDatabaseChanges(ctx.layout), maxAgeMs);
  if (!verdict.trusted) return { why: verdict.why };
  return { status: check.status, checkedAt: new Date(check.startedAt), checkedBy: check.checkedBy };
}

/** `db scripts`: every script of the package with its status and impact. */
export function listDatabaseScripts(ctx: DatabaseContext, options: DbQueryOptions = {}): Promise<DatabaseScriptRecordEx[]> {
  return run(ctx, options, true, async (a) => a.plan!.scripts.map(scriptRecord));
}

/** `db scripts --show <id>`: one script with its content. */
export function showDatabaseScript(ctx: DatabaseContext, id: string, options: DbQueryOptions = {}): Promise<ShownScript> {
  return run(ctx, options, true, async (a) => {
    const planned = requirePlanned(a, id);
    return { ...scriptRecord(planned), Content: (await scriptContent(a, planned.entry)).text };
  });
}

export function driftRecords(a: DatabaseAnalysis): DriftRecord[] {
  if (!a.drift) throw new AltazionError('E_MANUAL_ACTION', `cannot measure the drift: ${textOf(a.driftUnknownReason ?? '')}`, { hint: 'pass --package with a database package that carries the baseline of the installed version' });
  const pending = a.plan?.pending ?? [];
  return driftItems(a.drift).map((d) => ({
    Object: d.object,
    Type: d.type,
    State: d.state,
    ...recordText('Detail', d.detail),
    TouchedBy: pending.filter((p) => p.impact?.objectNames.some((o) => o.toLowerCase() === d.object.toLowerCase())).map((p) => p.entry.id),
  }));
}

/** The object part of a drift record (without the pending scripts touching it). */
function described({ TouchedBy: _touchedBy, ...item }: DriftRecord): DriftObjectRecord {
  return item;
}

/** `db drift`: every Modified, Missing and Extra object, with the pending scripts touching it. */
export function databaseDrift(ctx: DatabaseContext, options: DbQueryOptions = {}): Promise<DriftRecord[]> {
  return run(ctx, options, false, async (a) => driftRecords(a));
}

/**
 * `db drift --show <object>`: what differs, as a unified diff from the standard definition (of the
 * installed version's baseline) to the one in the database. Extra objects show their definition.
 */
export function databaseDriftDiff(ctx: DatabaseContext, object: string, options: DbQueryOptions = {}): Promise<DiffRecord> {
  return run(ctx, options, false, async (a) => {
    const items = driftRecords(a);
    const wanted = object.trim().toLowerCase();
    const item = items.find((d) => d.Object.toLowerCase() === wanted) ?? items.find((d) => d.Object.split('.').pop()!.toLowerCase() === wanted);
    if (!item) {
      throw new AltazionError('E_NOT_FOUND', `${object} differs in nothing from the standard schema (it is not Modified, Missing or Extra)`, {
        target: object, hint: `objects that differ: ${items.filter((d) => d.State !== 'Extra').map((d) => d.Object).join(', ') || 'none'}`,
      });
    }
    if (item.State === 'Extra') {
      const live = (await a.store.readCatalog()).objects.find((o) => displayName(o).toLowerCase() === item.Object.toLowerCase());
      return { ...described(item), Diff: unifiedDiff(item.Object, null, live ? scriptObject(live) : null) };
    }
    return { ...described(item), Diff: a.diffs[item.Object] ?? '' };
  });
}

/**
 * Publisher side: the baseline of the database of the default connection (a reference database at
 * `version`, built by the release's scripts), written to `out` for the package's database section.
 */
export async function writeDatabaseBaseline(ctx: DatabaseContext, version: string, out: string, options: { store?: DatabaseStore } = {}): Promise<{ File: string; Version: string; Objects: number; Server: string }> {
  if (!isVersion(version)) throw new AltazionError('E_USAGE', `--version: "${version}" is not a version (e.g. 25.10.1.2)`, { target: version });
  const store = options.store ?? (await openDatabaseStore(ctx));
  try {
    const catalog = await store.readCatalog();
    catalog.objects = catalog.objects.filter((o) => `${o.schema}.${o.name}`.toLowerCase() !== JOURNAL_KEY);
    const baseline = buildBaseline(version, catalog);
    const file = path.resolve(out);
    await makeOptionFolder(path.dirname(file), 'out', file);
    await fs.writeFile(file, JSON.stringify(baseline, null, 1) + '\n');
    return { File: file, Version: version, Objects: baseline.objects.length, Server: store.description };
  } finally {
    if (!options.store) await store.close();
  }
}

export interface DatabaseOverview {
  status: DatabaseStatusRecord;
  /** Every script of the package (empty without a package), pending ones with their content. */
  scripts: Array<DatabaseScriptRecordEx & { Content?: string }>;
  /** Unified diffs of the objects that differ from the standard schema. */
  diffs: Record<string, string>;
}

/** The portal's database page: status, scripts and the pending scripts' content, from one analysis. */
export function databaseOverview(ctx: DatabaseContext, options: DbQueryOptions = {}): Promise<DatabaseOverview> {
  return run(ctx, options, false, async (a) => {
    const scripts: DatabaseOverview['scripts'] = [];
    for (const p of a.plan?.scripts ?? []) {
      const record: DatabaseOverview['scripts'][number] = scriptRecord(p);
      if (p.status === 'Pending' || p.status === 'Failed') record.Content = (await scriptContent(a, p.entry)).text;
      scripts.push(record);
    }
    return { status: statusRecord(a), scripts, diffs: a.diffs };
  });
}

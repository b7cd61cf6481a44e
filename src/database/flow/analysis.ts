// The analysis (SPEC §7): journal + catalog + baseline + every script's impact -> the plan. It reads
// the whole catalog and tokenises every script, so it runs once per command or request, and a
// snapshot of its result is reused while nothing it read has changed: the store's change marker
// (catalog shape + journal), the package file and the baselines we kept. The snapshot is small
// (no definitions, no script text); script text is read from the package when it is shown, run or
// exported.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { AltazionError } from '../../core/errors';
import { nodeCrypto } from '../../io/node-crypto';
import { msg, type Message } from '../../core/messages';
import type { DatabaseScriptEntry } from '../../core/package-manifest';
import { displayName, type Baseline, type Catalog } from '../catalog';
import { unifiedDiff } from '../diff';
import { scriptObject } from '../script-object';
import { computeDrift, type DriftItem, type DriftReport } from '../drift';
import { impactOfBatches, resolverFrom, type ScriptImpact } from '../impact';
import { JOURNAL_KEY, type JournalRow } from '../journal-sql';
import { baselineFor, definitionsFor, loadScript, openDatabasePackage, type DatabasePackage, type LoadedScript } from '../package';
import { findScript, installedDatabaseVersion, planDatabase, versionKey, type DatabasePlan, type PlannedScript } from '../plan';
import type { DatabaseStore } from '../store';
import { findCachedDatabasePackage, noPackageError, openDatabaseStore, readSavedBaseline, readSavedDefinitions, savedBaselinePath } from './configuration';
import { SNAPSHOT_FORMAT, type AnalysisCache, type AnalysisSnapshot } from './analysis-cache';
import type { DatabaseContext } from './context';

export { diskAnalysisCache, memoryAnalysisCache, type AnalysisCache, type AnalysisSnapshot } from './analysis-cache';

export interface DatabaseAnalysis {
  store: DatabaseStore;
  /** The store's description (what the records name as the server). */
  server: string;
  /** The package, opened on first use (a cached analysis never opened it). */
  package(): Promise<DatabasePackage>;
  packageVersion?: string;
  marker: string;
  /** What the analysis was computed from (the snapshot key): the service's check carries it for `get`. */
  key: string;
  journal: JournalRow[];
  /** Only on a fresh analysis (what backups of customised objects are taken from). */
  catalog?: Catalog;
  installedVersion?: string;
  drift?: DriftReport;
  driftUnknownReason?: Message | string;
  impacts: Map<string, ScriptImpact>;
  /** Unified diffs standard -> current of the Modified and Missing objects (by object name). */
  diffs: Record<string, string>;
  plan?: DatabasePlan;
  /** Whether this analysis was computed now (false: reused from a snapshot). */
  fresh: boolean;
}

/** The package to analyse: given (opened or a location), or the newest in the cache. */
export type PackageChoice = string | DatabasePackage | undefined;

interface PackageRef {
  location?: string;
  opened?: DatabasePackage;
  /** Identity for the snapshot key: path, size and modification time of the zip (or manifest of a folder). */
  identity: string;
}

async function packageRef(ctx: DatabaseContext, choice: PackageChoice, required: boolean): Promise<PackageRef | undefined> {
  if (choice && typeof choice !== 'string') return { opened: choice, identity: `opened:${choice.source}:${choice.manifest.version}:${nodeCrypto().createHash('sha256').update(JSON.stringify(choice.manifest)).digest('hex')}` };
  const location = choice ?? (await findCachedDatabasePackage(ctx));
  if (!location) {
    if (!required) return undefined;
    throw noPackageError(ctx);
  }
  const stat = await fs.stat(location).catch(() => undefined);
  if (!stat) throw new AltazionError('E_NOT_FOUND', `${location}: no such package`, { target: location });
  const probe = stat.isDirectory() ? await fs.stat(path.join(location, 'altazion-package.json')).catch(() => stat) : stat;
  return { location, identity: `${path.resolve(location)}:${probe.size}:${probe.mtimeMs}` };
}

/** What the snapshot was computed from, compared as is: a few hundred bytes, not worth hashing. */
export function snapshotKey(server: string, marker: string, pkg: PackageRef | undefined, kept: string[]): string {
  return JSON.stringify([SNAPSHOT_FORMAT, server, marker, pkg?.identity ?? null, kept]);
}

function reviveDrift(d: AnalysisSnapshot['drift']): DriftReport | undefined {
  if (!d) return undefined;
  const keys = (items: DriftItem[]) => new Set(items.map((i) => i.object.toLowerCase()));
  return { ...d, customizedKeys: keys([...d.modified, ...d.missing]), extraKeys: keys(d.extra) };
}

/** Reads and analyses everything (the expensive part). */
async function analyseNow(ctx: DatabaseContext, store: DatabaseStore, pkg: DatabasePackage | undefined, key: string, journal: JournalRow[], catalog: Catalog): Promise<AnalysisSnapshot> {
  const installedVersion = installedDatabaseVersion(journal);
  let baseline: Baseline | undefined;
  let driftUnknownReason: Message | undefined;
  if (!installedVersion) {
    driftUnknownReason = msg('db.noVersionRecorded');
  } else {
    baseline = (pkg ? await baselineFor(pkg, installedVersion) : undefined) ?? (await readSavedBaseline(ctx, installedVersion));
    if (!baseline) {
      const folder = path.dirname(savedBaselinePath(ctx, installedVersion));
      driftUnknownReason = pkg
        ? msg('db.baselineNotFound', { version: installedVersion, package: pkg.manifest.version, folder })
        : msg('db.baselineNotFoundNoPackage', { version: installedVersion, folder });
    }
  }
  // Scripts of the target release run one by one move objects to their target state: not drift.
  const target = pkg && baseline && versionKey(baseline.version) !== versionKey(pkg.manifest.version) ? await baselineFor(pkg, pkg.manifest.version) : undefined;
  const drift = baseline ? computeDrift(catalog, baseline, { ignore: [JOURNAL_KEY], alsoStandard: target }) : undefined;
  const impacts: Record<string, ScriptImpact> = {};
  if (pkg) {
    const resolve = resolverFrom([...catalog.objects, ...(baseline?.objects ?? [])], 'dbo');
    // One script in memory at a time: loaded, tokenised, dropped.
    for (const entry of pkg.manifest.database.scripts) impacts[entry.id] = impactOfBatches((await loadScript(pkg, entry)).batches, drift, resolve);
  }
  // What differs, as diffs a DBA reads: only for the objects that differ, from the standard definitions.
  const diffs: Record<string, string> = {};
  const differing = drift ? [...drift.modified, ...drift.missing].filter((d) => d.type !== 'database') : [];
  if (differing.length && installedVersion) {
    const standard = (pkg ? await definitionsFor(pkg, installedVersion) : undefined) ?? (await readSavedDefinitions(ctx, installedVersion));
    const live = new Map(catalog.objects.map((o) => [displayName(o).toLowerCase(), o]));
    for (const d of differing) {
      const current = live.get(d.object.toLowerCase());
      const standardText = standard?.[d.object] ?? Object.entries(standard ?? {}).find(([k]) => k.toLowerCase() === d.object.toLowerCase())?.[1];
      if (standardText === undefined && !current) continue;
      diffs[d.object] = standardText === undefined
        ? `(the standard definition of ${d.object} is not in the package: current definition below)\n${scriptObject(current!)}`
        : unifiedDiff(d.object, standardText, current ? scriptObject(current) : null);
    }
  }
  const { customizedKeys: _c, extraKeys: _e, ...plainDrift } = drift ?? ({} as DriftReport);
  return {
    format: SNAPSHOT_FORMAT, key, server: store.description, packageVersion: pkg?.manifest.version, scripts: pkg?.manifest.database.scripts ?? [],
    journal, installedVersion, ...(drift ? { drift: plainDrift } : {}), ...(driftUnknownReason ? { driftUnknownReason } : {}), impacts, diffs,
  };
}

export interface AnalyzeOptions {
  package?: PackageChoice;
  packageRequired: boolean;
  force?: boolean;
  /** Reuse snapshots from here (and keep the new one); none: always analyse. */
  cache?: AnalysisCache;
}

/** What an analysis depends on besides the database: the package and the baselines we kept. */
async function localInputs(ctx: DatabaseContext, choice: PackageChoice, required: boolean): Promise<{ ref: PackageRef | undefined; kept: string[] }> {
  const ref = await packageRef(ctx, choice, required);
  const kept = (await fs.readdir(path.join(ctx.layout.updates, 'database')).catch(() => [] as string[])).filter((n) => n.startsWith('baseline-')).sort();
  return { ref, kept };
}

/** The snapshot key an analysis of `server` at `marker` would have now, with the newest cached package (what `get` compares the service's check with). */
export async function snapshotKeyNow(ctx: DatabaseContext, server: string, marker: string): Promise<string> {
  const { ref, kept } = await localInputs(ctx, undefined, false);
  return snapshotKey(server, marker, ref, kept);
}

/** Analyses the database of `store` against the package (a snapshot is reused while nothing changed). */
export async function analyzeDatabase(ctx: DatabaseContext, store: DatabaseStore, options: AnalyzeOptions): Promise<DatabaseAnalysis> {
  const { ref, kept } = await localInputs(ctx, options.package, options.packageRequired);
  const marker = await store.changeMarker();
  const key = snapshotKey(store.description, marker, ref, kept);
  let opened: Promise<DatabasePackage> | undefined = ref?.opened ? Promise.resolve(ref.opened) : undefined;
  const openPackage = () => {
    if (!ref) throw noPackageError(ctx);
    opened ??= openDatabasePackage(ref.location!);
    return opened;
  };
  let snapshot = await options.cache?.get(key);
  let catalog: Catalog | undefined;
  if (!snapshot) {
    try {
      const journal = await store.readJournal();
      catalog = await store.readCatalog();
      snapshot = await analyseNow(ctx, store, ref ? await openPackage() : undefined, key, journal, catalog);
      if (options.cache) await options.cache.set(snapshot);
    } finally {
      options.cache?.settle?.(key);
    }
  }
  const impacts = new Map(Object.entries(snapshot.impacts));
  const drift = reviveDrift(snapshot.drift);
  const plan = snapshot.packageVersion !== undefined
    ? planDatabase({ targetVersion: snapshot.packageVersion, scripts: snapshot.scripts, journal: snapshot.journal, drift, driftUnknownReason: snapshot.driftUnknownReason, impacts, force: options.force ?? false })
    : undefined;
  return {
    store, server: store.description, package: openPackage, packageVersion: snapshot.packageVersion, marker, key, journal: snapshot.journal, catalog,
    installedVersion: snapshot.installedVersion, drift, driftUnknownReason: snapshot.driftUnknownReason, impacts, diffs: snapshot.diffs, plan, fresh: catalog !== undefined,
  };
}

/** The journal read again after a change, and the plan with it (no catalog read: the drift was decided before). */
export async function replan(a: DatabaseAnalysis): Promise<DatabaseAnalysis> {
  const journal = await a.store.readJournal();
  const plan = a.plan ? planDatabase({ targetVersion: a.plan.targetVersion, scripts: a.plan.scripts.map((s) => s.entry), journal, drift: a.drift, driftUnknownReason: a.driftUnknownReason, impacts: a.impacts, force: false }) : undefined;
  return { ...a, journal, installedVersion: installedDatabaseVersion(journal), plan };
}

export interface AnalysisRun { package?: PackageChoice; store?: DatabaseStore; packageRequired: boolean; force?: boolean; cache?: AnalysisCache }

/** Opens the store (unless given), analyses, runs `work`, closes what it opened. */
export async function withAnalysis<T>(ctx: DatabaseContext, options: AnalysisRun, work: (a: DatabaseAnalysis) => Promise<T>): Promise<T> {
  const store = options.store ?? (await openDatabaseStore(ctx));
  try {
    return await work(await analyzeDatabase(ctx, store, options));
  } finally {
    if (!options.store) await store.close();
  }
}

/** The planned script `id` names; unknown ids are bad input naming the package's scripts. */
export function requirePlanned(a: DatabaseAnalysis, id: string): PlannedScript {
  const scripts = a.plan?.scripts.map((s) => s.entry) ?? [];
  const entry = findScript(scripts, id);
  if (!entry) {
    throw new AltazionError('E_NOT_FOUND', msg('db.scriptUnknown', { id, version: a.packageVersion ?? '', scripts: scripts.map((s) => s.id).join(', ') }), { target: id });
  }
  return a.plan!.scripts.find((p) => p.entry.id === entry.id)!;
}

/** One script's text and batches, read from the package now (never kept for every script). */
export async function scriptContent(a: DatabaseAnalysis, entry: DatabaseScriptEntry): Promise<LoadedScript> {
  return loadScript(await a.package(), entry);
}

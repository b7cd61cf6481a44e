// The database flows (SPEC §7), the same for SQL Server and the sandbox: status, scripts, one
// script's content, drift report, and the install (automatic when the schema is standard; else
// ManualActionRequired with the report, and the admin's tools: run one script, mark one applied,
// export them, force). The install command calls installDatabase; `db` calls the others.
import { messageList, msg, recordText, type Message, type MessageParams } from '../core/messages';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Context } from '../cli/context';
import { parseApplicationsConfig } from '../config/applications';
import { defaultConnection, parseConnectionsConfig } from '../config/connections';
import { AltazionError, ExitCode } from '../core/errors';
import { MANIFEST_FILE, type DatabaseScriptEntry } from '../core/package-manifest';
import type { InstallResultKind, InstallResultRecord } from '../core/records';
import { compareVersions, isVersion } from '../core/version';
import { parseBaseline, type Baseline, type Catalog } from './catalog';
import { ConnectionStringError, parseConnectionString, redactConnectionString, type ParsedConnection } from './connection-string';
import { computeDrift, driftItems, type DriftReport } from './drift';
import { impactOfBatches, resolverFrom, type ScriptImpact } from './impact';
import { JOURNAL_KEY, type JournalRow } from './journal-sql';
import { buildBaseline } from './normalize';
import { baselineFor, loadScript, openDatabasePackage, type DatabasePackage, type LoadedScript } from './package';
import { findScript, installedDatabaseVersion, planDatabase, scriptRecord, versionKey, type DatabasePlan, type DatabaseScriptRecordEx, type PlannedScript } from './plan';
import { SandboxStore } from './sandbox-store';
import { isScriptFailure, type DatabaseStore, type ScriptFailedError } from './store';

/** The part of the CLI context the flows use (tests may pass their own). */
export type DatabaseContext = Pick<Context, 'layout' | 'output' | 'now' | 'platform'>;

export const DatabaseRecordType = {
  Status: 'Altazion.DatabaseStatus',
  Drift: 'Altazion.DatabaseDrift',
} as const;

// ---------------------------------------------------------------------------------------------
// Edges: connection, store, packages, saved baselines

/** The default connection of cpointsoftware.config, parsed. Bad input names the file and the connection. */
export async function readDefaultConnection(ctx: DatabaseContext): Promise<{ name: string; parsed: ParsedConnection; file: string }> {
  const file = ctx.layout.connectionsConfig;
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch (error) {
    throw new AltazionError('E_CONFIG', `${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, { target: file, hint: 'the database connection comes from bin\\config\\cpointsoftware.config' });
  }
  const entry = defaultConnection(parseConnectionsConfig(bytes, file), file);
  try {
    return { name: entry.name, parsed: parseConnectionString(entry.connectionString), file };
  } catch (error) {
    if (!(error instanceof ConnectionStringError)) throw error;
    throw new AltazionError('E_CONFIG', `${file}: <Connection name="${entry.name}"> connectionString: ${error.message}`, {
      target: file, hint: `connection string (password hidden): ${redactConnectionString(entry.connectionString)}`,
    });
  }
}

/** Opens the database of the default connection: the sandbox's files on a sandbox host, SQL Server otherwise. */
export async function openDatabaseStore(ctx: DatabaseContext): Promise<DatabaseStore> {
  const { name, parsed, file } = await readDefaultConnection(ctx);
  const platform = await ctx.platform();
  // `(sandbox)` is never a real server; a server really named `sandbox` is one outside a sandbox host.
  const sandboxServer = parsed.sandbox && (platform.kind === 'sandbox' || parsed.host.toLowerCase() === '(sandbox)');
  if (sandboxServer) {
    if (platform.kind !== 'sandbox') {
      throw new AltazionError('E_CONFIG', `${file}: <Connection name="${name}"> points at a sandbox database but this is not a sandbox host`, { target: file });
    }
    const folder = parsed.attachDbFilename ?? parsed.database;
    if (!folder) throw new AltazionError('E_CONFIG', `${file}: <Connection name="${name}"> connectionString: a sandbox database needs Initial Catalog=<folder>`, { target: file });
    return new SandboxStore(path.resolve(ctx.layout.config, folder), ctx.now);
  }
  const { MssqlStore } = await import('./mssql-store');
  try {
    return await MssqlStore.open(parsed);
  } catch (error) {
    // Configuration problems name the file and the connection they come from.
    if (error instanceof AltazionError && error.code === 'E_CONFIG') {
      throw new AltazionError('E_CONFIG', `${file}: <Connection name="${name}">: ${error.message}`, { target: file, hint: error.hint, cause: error });
    }
    throw error;
  }
}

/** Where we keep the baseline of the version we installed (used when a later package does not carry it). */
export function savedBaselinePath(ctx: DatabaseContext, version: string): string {
  return path.join(ctx.layout.updates, 'database', `baseline-${versionKey(version)}.json`);
}

async function readSavedBaseline(ctx: DatabaseContext, version: string): Promise<Baseline | undefined> {
  const file = savedBaselinePath(ctx, version);
  const text = await fs.readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    return parseBaseline(JSON.parse(text), file);
  } catch (error) {
    throw new AltazionError('E_CONFIG', (error as Error).message, { target: file });
  }
}

/** The newest database package in the cache (`<cache>/database-<version>.zip`), if any. */
export async function findCachedDatabasePackage(ctx: DatabaseContext): Promise<string | undefined> {
  const names = await fs.readdir(ctx.layout.cache).catch(() => [] as string[]);
  const candidates = names
    .map((n) => /^database-(.+)\.zip$/i.exec(n))
    .filter((m): m is RegExpExecArray => m !== null && isVersion(m[1]))
    .sort((a, b) => compareVersions(b[1], a[1]));
  return candidates.length ? path.join(ctx.layout.cache, candidates[0][0]) : undefined;
}

async function resolvePackage(ctx: DatabaseContext, pkg: string | DatabasePackage | undefined, required: boolean): Promise<DatabasePackage | undefined> {
  if (pkg && typeof pkg !== 'string') return pkg;
  const location = pkg ?? (await findCachedDatabasePackage(ctx));
  if (!location) {
    if (!required) return undefined;
    throw new AltazionError('E_NOT_FOUND', `no database package in ${ctx.layout.cache}`, { target: ctx.layout.cache, hint: 'run `altazion-update check` to download it, or pass --package <zip or folder>' });
  }
  return openDatabasePackage(location);
}

// ---------------------------------------------------------------------------------------------
// Analysis: journal + catalog + baseline + scripts -> plan

export interface DatabaseAnalysis {
  store: DatabaseStore;
  pkg?: DatabasePackage;
  journal: JournalRow[];
  catalog: Catalog;
  installedVersion?: string;
  baseline?: Baseline;
  drift?: DriftReport;
  driftUnknownReason?: string;
  scripts: Map<string, LoadedScript>;
  impacts: Map<string, ScriptImpact>;
  plan?: DatabasePlan;
}

export async function analyzeDatabase(ctx: DatabaseContext, store: DatabaseStore, pkg: DatabasePackage | undefined, force = false): Promise<DatabaseAnalysis> {
  const journal = await store.readJournal();
  const catalog = await store.readCatalog();
  const installedVersion = installedDatabaseVersion(journal);
  let baseline: Baseline | undefined;
  let driftUnknownReason: string | undefined;
  if (!installedVersion) {
    driftUnknownReason = 'E.sysparams_databaseversion records no installed version: the schema cannot be compared with a standard baseline';
  } else {
    baseline = (pkg ? await baselineFor(pkg, installedVersion) : undefined) ?? (await readSavedBaseline(ctx, installedVersion));
    if (!baseline) driftUnknownReason = `no baseline of the installed database version ${installedVersion} (neither in the package nor in ${path.dirname(savedBaselinePath(ctx, installedVersion))}): the schema cannot be proven standard`;
  }
  // Scripts of the target release run one by one move objects to their target state: not drift.
  const target = pkg && baseline && versionKey(baseline.version) !== versionKey(pkg.manifest.version) ? await baselineFor(pkg, pkg.manifest.version) : undefined;
  const drift = baseline ? computeDrift(catalog, baseline, { ignore: [JOURNAL_KEY], alsoStandard: target }) : undefined;
  const scripts = new Map<string, LoadedScript>();
  const impacts = new Map<string, ScriptImpact>();
  let plan: DatabasePlan | undefined;
  if (pkg) {
    const resolve = resolverFrom([...catalog.objects, ...(baseline?.objects ?? [])], 'dbo');
    for (const entry of pkg.manifest.database.scripts) {
      const loaded = await loadScript(pkg, entry);
      scripts.set(entry.id, loaded);
      impacts.set(entry.id, impactOfBatches(loaded.batches, drift, resolve));
    }
    plan = planDatabase({ targetVersion: pkg.manifest.version, scripts: pkg.manifest.database.scripts, journal, drift, driftUnknownReason, impacts, force });
  }
  return { store, pkg, journal, catalog, installedVersion, baseline, drift, driftUnknownReason, scripts, impacts, plan };
}

async function withAnalysis<T>(ctx: DatabaseContext, options: { package?: string | DatabasePackage; store?: DatabaseStore; packageRequired: boolean; force?: boolean }, work: (a: DatabaseAnalysis) => Promise<T>): Promise<T> {
  const pkg = await resolvePackage(ctx, options.package, options.packageRequired);
  const store = options.store ?? (await openDatabaseStore(ctx));
  try {
    return await work(await analyzeDatabase(ctx, store, pkg, options.force));
  } finally {
    if (!options.store) await store.close();
  }
}

// ---------------------------------------------------------------------------------------------
// `db status`, `db scripts`, `db scripts --show`, `db drift`

export interface DatabaseStatusRecord {
  Server: string;
  InstalledVersion: string | null;
  PackageVersion: string | null;
  /** null when the baseline of the installed version is unknown. */
  Customized: boolean | null;
  Modified: string[];
  Missing: string[];
  Extra: string[];
  PendingScripts: string[];
  Status: 'UpToDate' | 'UpdateAvailable' | 'ManualActionRequired' | 'Unknown';
  Detail: string;
  DetailId?: string;
  DetailParams?: MessageParams;
}

export interface DbQueryOptions {
  /** A package zip or folder; default: the newest database package in the cache. */
  package?: string | DatabasePackage;
  /** An open store (tests, or a caller that already has one). */
  store?: DatabaseStore;
}

function statusOf(a: DatabaseAnalysis): DatabaseStatusRecord {
  const plan = a.plan;
  let status: DatabaseStatusRecord['Status'] = 'Unknown';
  let detail: Message | string = a.driftUnknownReason ?? '';
  if (plan) {
    status = plan.decision === 'UpToDate' ? 'UpToDate' : plan.decision === 'Automatic' ? 'UpdateAvailable' : 'ManualActionRequired';
    detail = plan.decision === 'Automatic'
      ? msg('db.automatic', { count: plan.pending.length })
      : plan.decision === 'UpToDate' ? msg('db.allApplied') : messageList(plan.reasonMessages);
  } else if (a.drift) {
    status = a.drift.standard ? 'UpToDate' : 'ManualActionRequired';
    detail = a.drift.standard ? msg('db.standardNoPackage') : msg('db.customisedShort');
  }
  return {
    Server: a.store.description,
    InstalledVersion: a.installedVersion ?? null,
    PackageVersion: a.pkg?.manifest.version ?? null,
    Customized: a.drift ? !a.drift.standard : null,
    Modified: a.drift?.modified.map((d) => d.object) ?? [],
    Missing: a.drift?.missing.map((d) => d.object) ?? [],
    Extra: a.drift?.extra.map((d) => d.object) ?? [],
    PendingScripts: plan?.pending.map((p) => p.entry.id) ?? [],
    Status: status,
    ...recordText('Detail', detail),
  };
}

/** `db status`: installed version, customisation, pending scripts. Also what `get` shows for the database. */
export async function databaseStatus(ctx: DatabaseContext, options: DbQueryOptions = {}): Promise<DatabaseStatusRecord> {
  return withAnalysis(ctx, { ...options, packageRequired: false }, async (a) => statusOf(a));
}

/** `db scripts`: every script of the package with its status and impact. */
export async function listDatabaseScripts(ctx: DatabaseContext, options: DbQueryOptions = {}): Promise<DatabaseScriptRecordEx[]> {
  return withAnalysis(ctx, { ...options, packageRequired: true }, async (a) => a.plan!.scripts.map(scriptRecord));
}

export interface ShownScript extends DatabaseScriptRecordEx {
  Content: string;
}

/** `db scripts --show <id>`: one script with its content. */
export async function showDatabaseScript(ctx: DatabaseContext, id: string, options: DbQueryOptions = {}): Promise<ShownScript> {
  return withAnalysis(ctx, { ...options, packageRequired: true }, async (a) => {
    const planned = requirePlanned(a, id);
    return { ...scriptRecord(planned), Content: a.scripts.get(planned.entry.id)!.text };
  });
}

export interface DriftRecord {
  Object: string;
  Type: string;
  State: string;
  Detail: string;
  /** Pending scripts that touch the object. */
  TouchedBy: string[];
}

/** `db drift`: every Modified, Missing and Extra object, with the pending scripts touching it. */
export async function databaseDrift(ctx: DatabaseContext, options: DbQueryOptions = {}): Promise<DriftRecord[]> {
  return withAnalysis(ctx, { ...options, packageRequired: false }, async (a) => {
    if (!a.drift) throw new AltazionError('E_MANUAL_ACTION', `cannot measure the drift: ${a.driftUnknownReason}`, { hint: 'pass --package with a database package that carries the baseline of the installed version' });
    const pending = a.plan?.pending ?? [];
    return driftItems(a.drift).map((d) => ({
      Object: d.object,
      Type: d.type,
      State: d.state,
      Detail: d.detail,
      TouchedBy: pending.filter((p) => p.impact?.objectNames.some((o) => o.toLowerCase() === d.object.toLowerCase())).map((p) => p.entry.id),
    }));
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
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, JSON.stringify(baseline, null, 1) + '\n');
    return { File: file, Version: version, Objects: baseline.objects.length, Server: store.description };
  } finally {
    if (!options.store) await store.close();
  }
}

function requirePlanned(a: DatabaseAnalysis, id: string): PlannedScript {
  const entry = findScript(a.pkg!.manifest.database.scripts, id);
  if (!entry) {
    throw new AltazionError('E_NOT_FOUND', `script "${id}" is not in the database package ${a.pkg!.manifest.version} (${a.pkg!.manifest.database.scripts.map((s) => s.id).join(', ')})`, { target: id });
  }
  return a.plan!.scripts.find((p) => p.entry.id === entry.id)!;
}

// ---------------------------------------------------------------------------------------------
// Install

export interface DatabaseInstallOptions {
  instance?: string;
  force?: boolean;
  dryRun?: boolean;
  /** Run only this script (the admin reviewed it). */
  script?: string;
  /** Record this script as run by hand. */
  markApplied?: string;
  /** Write the pending scripts (and the report) into this folder; nothing else is done. */
  exportScripts?: string;
  /** An open store (tests); default: the default connection of cpointsoftware.config. */
  store?: DatabaseStore;
  /**
   * The database module's folder: once every script is applied, the package's manifest and
   * baselines are left there, as any module install leaves its manifest, so discovery reads the new
   * version. Default: the `database` entry of applicationspath.config for the instance, if any;
   * false: leave nothing.
   */
  moduleFolder?: string | false;
}

/** Exit code of an install result (the CLI's mapping for database results). */
export function exitCodeForResult(result: InstallResultKind): ExitCode {
  switch (result) {
    case 'ManualActionRequired': return ExitCode.ManualActionRequired;
    case 'Failed': case 'RolledBack': return ExitCode.Failed;
    default: return ExitCode.Ok;
  }
}

function safeFileName(text: string): string {
  return text.replace(/[<>:"/\\|?*\x00-\x1f]+/g, '_').replace(/\s+/g, ' ').trim().slice(0, 80);
}

/** Human report of a manual situation: drift, then each pending script with what it touches. */
export function manualReport(a: DatabaseAnalysis): string[] {
  const lines: string[] = [];
  if (a.drift) {
    for (const d of [...a.drift.modified, ...a.drift.missing]) lines.push(`${d.state}: ${d.object} (${d.type}) - ${d.detail}`);
    if (a.drift.extra.length) lines.push(`Extra (customer objects, allowed): ${a.drift.extra.map((d) => d.object).join(', ')}`);
  } else if (a.driftUnknownReason) {
    lines.push(a.driftUnknownReason);
  }
  for (const p of a.plan?.pending ?? []) {
    const impact = p.impact;
    const touches = impact?.objectNames.length ? impact.objectNames.join(', ') : 'no object found by analysis';
    const custom = impact?.customized.length ? ` - CUSTOMISED: ${impact.customized.join(', ')}` : '';
    lines.push(`Script ${p.entry.id} "${p.entry.name}": ${touches}${custom}${impact?.dynamicSql ? ' - runs dynamic SQL (read it)' : ''}${p.entry.transactional ? '' : ' - not transactional'}`);
  }
  return lines;
}

async function exportScripts(a: DatabaseAnalysis, dir: string): Promise<string[]> {
  const chosen = a.plan!.pending.length ? a.plan!.pending : a.plan!.scripts;
  await fs.mkdir(dir, { recursive: true });
  const written: string[] = [];
  let order = 0;
  for (const p of chosen) {
    const file = path.join(dir, `${String(++order).padStart(3, '0')} - ${safeFileName(p.entry.id)} - ${safeFileName(p.entry.name)}.sql`);
    const header = `-- ${p.entry.id} "${p.entry.name}" (release ${p.entry.version}, script n°${String(p.entry.number).padStart(4, '0')})\n` +
      `-- sha256 of the original: ${p.entry.sha256}${p.entry.transactional ? '' : '\n-- NOT transactional: run it alone'}\n` +
      `-- touches: ${p.impact?.objectNames.join(', ') || '(nothing found by analysis)'}${p.impact?.customized.length ? `\n-- CUSTOMISED objects: ${p.impact.customized.join(', ')}` : ''}\n` +
      `-- once run by hand: altazion-update install --name database --mark-applied ${p.entry.id}\n`;
    await fs.writeFile(file, header + a.scripts.get(p.entry.id)!.text);
    written.push(file);
  }
  await fs.writeFile(path.join(dir, 'report.txt'), [
    `Database ${a.store.description}`,
    `Installed version: ${a.installedVersion ?? '(none recorded)'}; package: ${a.pkg!.manifest.version}`,
    ...manualReport(a),
    '',
  ].join('\n'));
  return written;
}

/**
 * Installs (or works on) the database from a database package: the install command's entry point
 * for `--name database`. Bad input (unknown script, bad package) throws AltazionError; everything
 * else is in the returned record (map it to an exit code with exitCodeForResult).
 */
export async function installDatabase(ctx: DatabaseContext, pkgOrLocation: string | DatabasePackage, options: DatabaseInstallOptions = {}): Promise<InstallResultRecord> {
  const started = ctx.now();
  const pkg = (await resolvePackage(ctx, pkgOrLocation, true))!;
  const exclusive = [options.script, options.markApplied, options.exportScripts].filter((v) => v !== undefined);
  if (exclusive.length > 1) throw new AltazionError('E_USAGE', '--script, --mark-applied and --export-scripts cannot be combined: use one per run');
  const store = options.store ?? (await openDatabaseStore(ctx));
  try {
    const a = await analyzeDatabase(ctx, store, pkg, options.force ?? false);
    const plan = a.plan!;
    const result = (kind: InstallResultKind, message: string | Message): InstallResultRecord => ({
      Name: 'database',
      Instance: options.instance ?? '',
      FromVersion: a.installedVersion ?? 'Unknown',
      ToVersion: pkg.manifest.version,
      Result: kind,
      StartedAt: started.toISOString(),
      DurationSeconds: Math.round((ctx.now().getTime() - started.getTime()) / 100) / 10,
      DowntimeSeconds: 0,
      BackupPath: null,
      LogPath: null,
      ...recordText('Message', message),
      PendingScripts: a.plan!.pending.map((p) => p.entry.id),
    });
    const moduleFolder = options.moduleFolder === false ? undefined : options.moduleFolder ?? (await databaseModuleFolder(ctx, options.instance ?? ''));
    ctx.output.verbose(`database: ${store.description}; installed ${a.installedVersion ?? '(none)'}; package ${pkg.manifest.version}; ${plan.pending.length} pending script(s); decision ${plan.decision}`);

    if (options.exportScripts !== undefined) {
      const files = await exportScripts(a, path.resolve(options.exportScripts));
      return result(plan.pending.length ? 'ManualActionRequired' : 'UpToDate', msg('db.exported', { count: files.length, folder: path.resolve(options.exportScripts) }));
    }

    if (options.markApplied !== undefined) {
      const planned = requirePlanned(a, options.markApplied);
      if (planned.status === 'Applied' || planned.status === 'AppliedManually') {
        throw new AltazionError('E_USAGE', `script ${planned.entry.id} is already recorded as ${planned.status}`, { target: planned.entry.id });
      }
      if (options.dryRun) return result('WhatIf', `would record script ${planned.entry.id} as applied by hand`);
      await store.markApplied(planned.entry);
      ctx.output.info(`database: script ${planned.entry.id} recorded as applied by hand`);
      return finish(ctx, store, a, pkg, result, moduleFolder, msg('db.scriptMarked', { id: planned.entry.id }));
    }

    if (options.script !== undefined) {
      const planned = requirePlanned(a, options.script);
      if ((planned.status === 'Applied' || planned.status === 'AppliedManually') && !options.force) {
        throw new AltazionError('E_USAGE', `script ${planned.entry.id} is already recorded as ${planned.status}`, { target: planned.entry.id, hint: 'add --force to run it again' });
      }
      const earlier = plan.pending.filter((p) => p.entry.id !== planned.entry.id && pkg.manifest.database.scripts.indexOf(p.entry) < pkg.manifest.database.scripts.indexOf(planned.entry));
      if (earlier.length) ctx.output.warn(`database: running ${planned.entry.id} before earlier pending script(s) ${earlier.map((p) => p.entry.id).join(', ')}`);
      if (options.dryRun) return result('WhatIf', `would run script ${planned.entry.id} (${describeImpact(planned)})`);
      const failure = await runScripts(ctx, a, [planned]);
      if (failure) return result('Failed', failure.message);
      return finish(ctx, store, a, pkg, result, moduleFolder, msg('db.scriptApplied', { id: planned.entry.id }));
    }

    switch (plan.decision) {
      case 'UpToDate': {
        if (options.dryRun) return result('WhatIf', 'nothing to do: every script is applied');
        return finish(ctx, store, a, pkg, result, moduleFolder, msg('db.allApplied'));
      }
      case 'ManualActionRequired': {
        for (const line of manualReport(a)) ctx.output.warn(`database: ${line}`);
        return result('ManualActionRequired', msg('db.manual', { reasons: plan.reasonMessages }));
      }
      case 'Automatic':
      case 'Forced': {
        if (plan.decision === 'Forced') for (const line of plan.reasons) ctx.output.warn(`database: ${line}`);
        if (options.dryRun) return result('WhatIf', `would run ${plan.pending.length} script(s): ${plan.pending.map((p) => p.entry.id).join(', ')}${plan.decision === 'Forced' ? ' (forced on a customised database)' : ''}`);
        const failure = await runScripts(ctx, a, plan.pending);
        if (failure) return result('Failed', failure.message);
        return finish(ctx, store, a, pkg, result, moduleFolder, msg(plan.decision === 'Forced' ? 'db.scriptsAppliedForced' : 'db.scriptsApplied', { count: plan.pending.length }));
      }
      default:
        throw new AltazionError('E_INTERNAL', `unknown database decision ${String(plan.decision)}`);
    }
  } finally {
    if (!options.store) await store.close();
  }
}

function describeImpact(p: PlannedScript): string {
  return p.impact?.objectNames.length ? `touches ${p.impact.objectNames.join(', ')}` : 'no object found by analysis';
}

/** Runs scripts in order; stops at the first failure and returns it. */
async function runScripts(ctx: DatabaseContext, a: DatabaseAnalysis, scripts: readonly PlannedScript[]): Promise<ScriptFailedError | undefined> {
  const progress = ctx.output.startProgress(msg('progress.databaseScripts'));
  let done = 0;
  for (const p of scripts) {
    progress(msg('progress.script', { id: p.entry.id, name: p.entry.name }), (done / scripts.length) * 100);
    try {
      await a.store.runScript(p.entry, a.scripts.get(p.entry.id)!.batches);
    } catch (error) {
      if (!isScriptFailure(error)) throw error;
      progress(msg('progress.scriptFailed', { id: p.entry.id }), (done / scripts.length) * 100, true);
      ctx.output.error(error);
      return error;
    }
    done++;
    ctx.output.verbose(`database: script ${p.entry.id} applied`);
  }
  progress(msg('progress.done'), 100, true);
  return undefined;
}

/** After a change: when every script is applied, record the release and keep its baseline. */
async function finish(
  ctx: DatabaseContext, store: DatabaseStore, before: DatabaseAnalysis, pkg: DatabasePackage,
  result: (kind: InstallResultKind, message: string | Message) => InstallResultRecord, moduleFolder: string | undefined, message: Message,
): Promise<InstallResultRecord> {
  const after = await analyzeDatabase(ctx, store, pkg, false);
  const remaining = after.plan!.pending;
  if (remaining.length === 0) {
    const recorded = after.installedVersion !== undefined && versionKey(after.installedVersion) === versionKey(pkg.manifest.version);
    if (!recorded) await store.recordRelease(pkg.manifest.version);
    const file = savedBaselinePath(ctx, pkg.manifest.version);
    await fs.mkdir(path.dirname(file), { recursive: true });
    const baseline = await baselineFor(pkg, pkg.manifest.version);
    await fs.writeFile(file, JSON.stringify(baseline, null, 1) + '\n');
    if (moduleFolder) await leaveManifest(pkg, moduleFolder);
    const record = result(recorded && before.plan!.pending.length === 0 ? 'UpToDate' : 'Installed', message);
    record.PendingScripts = [];
    return record;
  }
  const record = result('ManualActionRequired', msg('db.stillPending', { done: message, count: remaining.length, ids: remaining.map((p) => p.entry.id).join(', ') }));
  record.PendingScripts = remaining.map((p) => p.entry.id);
  return record;
}

/** The folder of the `database` entry of applicationspath.config for an instance (undefined when none or unreadable). */
async function databaseModuleFolder(ctx: DatabaseContext, instance: string): Promise<string | undefined> {
  const bytes = await fs.readFile(ctx.layout.applicationsConfig).catch(() => undefined);
  if (!bytes) return undefined;
  try {
    const entry = parseApplicationsConfig(bytes, ctx.layout.applicationsConfig).find((e) => e.name === 'database' && e.instance.toLowerCase() === instance.toLowerCase());
    if (!entry) return undefined;
    const stat = await fs.stat(entry.path).catch(() => undefined);
    return stat?.isDirectory() ? entry.path : undefined;
  } catch {
    return undefined; // a broken applicationspath.config is reported by the commands that need it
  }
}

/** Writes the package's manifest and baselines into the module folder (each file: temp + rename). */
async function leaveManifest(pkg: DatabasePackage, folder: string): Promise<void> {
  const db = pkg.manifest.database;
  const files = [db.baseline, ...Object.values(db.baselines ?? {}), MANIFEST_FILE];
  for (const file of files) {
    const bytes = await pkg.read(file);
    if (!bytes) continue;
    const target = path.join(folder, ...file.split('/'));
    await fs.mkdir(path.dirname(target), { recursive: true });
    const temp = `${target}.${process.pid}.tmp`;
    await fs.writeFile(temp, bytes);
    await fs.rename(temp, target);
  }
}

/** Script entry lookup for callers holding a package (the portal's run-one / mark-applied buttons). */
export function scriptEntry(pkg: DatabasePackage, id: string): DatabaseScriptEntry | undefined {
  return findScript(pkg.manifest.database.scripts, id);
}

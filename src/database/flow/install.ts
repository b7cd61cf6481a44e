// `install --name database` (SPEC §7): automatic when the schema is standard; else
// ManualActionRequired with the report, and the admin's tools: one script (in order), mark one
// applied, export them, force. Before a script changes customised objects (or under --force) the
// current definitions of what it touches are saved with a script that restores them; a COPY_ONLY
// backup of the database is taken first when updater.config asks for one. Every batch's PRINT
// output, row counts and duration go to the install log. --dry-run goes through the same flow and
// changes nothing.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { makeOptionFolder, writeFileAtomic } from '../../io/files';
import { AltazionError } from '../../core/errors';
import { msg, recordText, textOf, type Message } from '../../core/messages';
import { MANIFEST_FILE, type DatabaseScriptEntry } from '../../core/package-manifest';
import type { InstallResultKind, InstallResultRecord } from '../../core/records';
import { baselineFor, definitionsFor, type DatabasePackage } from '../package';
import { findScript, versionKey, type PlannedScript } from '../plan';
import { isScriptFailure, type ScriptFailedError } from '../store';
import { markDatabaseChanges } from './service-check';
import { analyzeDatabase, replan, requirePlanned, scriptContent, type AnalysisCache, type DatabaseAnalysis, type PackageChoice } from './analysis';
import { backupDefinitions, type DefinitionBackup } from './backup';
import { databaseModuleFolder, openDatabaseStore, savedBaselinePath, savedDefinitionsPath } from './configuration';
import type { DatabaseContext } from './context';
import { MANUAL_ACTION } from './records';
import { describeImpact, exportedScriptHeader, exportReport, manualReport } from './report';
import type { DatabaseStore } from '../store';

export interface DatabaseInstallOptions {
  instance?: string;
  force?: boolean;
  /** Go through the flow, say what would happen, change nothing. */
  dryRun?: boolean;
  /** Run only this script (the admin reviewed it); earlier pending scripts must run first unless --force. */
  script?: string;
  /** --reinstall with `script`: run it again although it is recorded; the script order still holds. */
  rerun?: boolean;
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
  /** Names this run's backup folder (the install id of the history); default: from the clock. */
  runId?: string;
  /** The install log (one line each); default: nowhere. */
  log?: (line: string) => void;
  /** `<database backup="copy-only" folder="...">` of updater.config: a COPY_ONLY backup before any script runs. */
  databaseBackupFolder?: string;
  /** Where the analysis is kept for the reads that follow (the portal's). */
  cache?: AnalysisCache;
}

/** What the install layer records in the history besides the result. */
export interface DatabaseRunDetails {
  /** automatic, forced, script, mark-applied, export, refused, dry-run */
  action: string;
  /** Scripts run or recorded by this run. */
  scripts: string[];
  /** Saved definitions of customised objects, and the database backup, when taken. */
  backups: string[];
}

export interface DatabaseInstallOutcome {
  record: InstallResultRecord;
  details: DatabaseRunDetails;
}

function safeFileName(text: string): string {
  return text.replace(/[<>:"/\\|?*\x00-\x1f]+/g, '_').replace(/\s+/g, ' ').trim().slice(0, 80);
}

const BOM = '\uFEFF';

async function exportScripts(a: DatabaseAnalysis, dir: string): Promise<string[]> {
  const chosen = a.plan!.pending.length ? a.plan!.pending : a.plan!.scripts;
  await makeOptionFolder(dir, 'export-scripts');
  const written: string[] = [];
  let order = 0;
  for (const p of chosen) {
    const file = path.join(dir, `${String(++order).padStart(3, '0')} - ${safeFileName(p.entry.id)} - ${safeFileName(p.entry.name)}.sql`);
    // UTF-8 with a BOM: `sqlcmd -i` and SSMS then read N'é' as written (without it, sqlcmd uses the OEM code page).
    await fs.writeFile(file, BOM + exportedScriptHeader(p) + (await scriptContent(a, p.entry)).text, 'utf8');
    written.push(file);
  }
  await fs.writeFile(path.join(dir, 'report.txt'), BOM + exportReport(a), 'utf8');
  return written;
}

/** A refusal: the script is already recorded (applied, or applied by hand). */
function alreadyRecorded(p: PlannedScript): Message {
  return msg('db.alreadyRecorded', { id: p.entry.id, status: msg(p.status === 'AppliedManually' ? 'db.status.AppliedManually' : 'db.status.Applied') });
}

/** A dry run's answer, and the definitions it would save first (when any). */
function thenSave(plan: Message, objects: readonly string[]): Message {
  return objects.length ? msg('db.whatIf.thenSave', { plan, objects: objects.join(', ') }) : plan;
}

/** Pending scripts listed before `p` in the package (they must run first). */
function earlierPending(a: DatabaseAnalysis, p: PlannedScript): PlannedScript[] {
  const order = a.plan!.scripts.map((s) => s.entry.id);
  return a.plan!.pending.filter((q) => q.entry.id !== p.entry.id && order.indexOf(q.entry.id) < order.indexOf(p.entry.id));
}

/**
 * Installs (or works on) the database from a database package: the install command's entry point
 * for `--name database`. Bad input (unknown script, out of order, bad package) throws AltazionError;
 * everything else is in the returned record.
 */
export async function installDatabase(ctx: DatabaseContext, pkgOrLocation: PackageChoice, options: DatabaseInstallOptions = {}): Promise<DatabaseInstallOutcome> {
  const started = ctx.now();
  const log = options.log ?? (() => undefined);
  const exclusive = [options.script, options.markApplied, options.exportScripts].filter((v) => v !== undefined);
  if (exclusive.length > 1) throw new AltazionError('E_USAGE', msg('db.exclusiveOptions'));
  const store = options.store ?? (await openDatabaseStore(ctx));
  const details: DatabaseRunDetails = { action: options.dryRun ? 'dry-run' : 'automatic', scripts: [], backups: [] };
  // Marked before our first change and after the last: `get` never trusts a check of the service
  // that began before the end of a change (service-check.ts).
  let changing = false;
  const beforeChange = async () => {
    if (changing) return;
    await markDatabaseChanges(ctx.layout, true, ctx.now(), process.pid);
    changing = true;
  };
  try {
    // One analysis for the whole command (fresh: a decision to change the database is never taken on a snapshot).
    const a = await analyzeDatabase(ctx, store, { package: pkgOrLocation, packageRequired: true, force: options.force ?? false, cache: options.cache && { ...options.cache, get: async () => undefined } });
    const plan = a.plan!;
    const result = (kind: InstallResultKind, message: Message | string, pending = plan.pending): DatabaseInstallOutcome => ({
      record: {
        Name: 'database',
        Instance: options.instance ?? '',
        FromVersion: a.installedVersion ?? 'Unknown',
        ToVersion: plan.targetVersion,
        Result: kind,
        StartedAt: started.toISOString(),
        DurationSeconds: Math.round((ctx.now().getTime() - started.getTime()) / 100) / 10,
        DowntimeSeconds: 0,
        BackupPath: details.backups[0] ?? null,
        LogPath: null,
        ...recordText('Message', message),
        PendingScripts: pending.map((p) => p.entry.id),
      },
      details,
    });
    const moduleFolder = options.moduleFolder === false ? undefined : options.moduleFolder ?? (await databaseModuleFolder(ctx, options.instance ?? ''));
    const summary = `database: ${store.description}; installed ${a.installedVersion ?? '(none)'}; package ${plan.targetVersion}; ${plan.pending.length} pending script(s); decision ${plan.decision}`;
    ctx.output.verbose(summary);
    log(summary);
    for (const line of manualReport(a)) log(`  ${textOf(line)}`);

    if (options.exportScripts !== undefined) {
      details.action = 'export';
      const dir = path.resolve(options.exportScripts);
      if (options.dryRun) return result('WhatIf', msg('db.whatIf.export', { count: plan.pending.length || plan.scripts.length, folder: dir }));
      const files = await exportScripts(a, dir);
      log(`exported ${files.length} script(s) to ${dir}`);
      return result(plan.pending.length ? 'ManualActionRequired' : 'UpToDate', msg('db.exported', { count: files.length, folder: dir }));
    }

    const context = { ctx, a, pkg: () => a.package(), result, moduleFolder, log, details, options, beforeChange };

    if (options.markApplied !== undefined) {
      details.action = 'mark-applied';
      const planned = requirePlanned(a, options.markApplied);
      if (planned.status === 'Applied' || planned.status === 'AppliedManually') {
        throw new AltazionError('E_USAGE', alreadyRecorded(planned), { target: planned.entry.id });
      }
      if (options.dryRun) return result('WhatIf', msg('db.whatIf.markApplied', { id: planned.entry.id }));
      await beforeChange();
      await store.markApplied(planned.entry);
      details.scripts.push(planned.entry.id);
      const marked = msg('db.scriptMarked', { id: planned.entry.id });
      log(textOf(marked));
      ctx.output.info(msg('db.line', { message: marked }));
      return finish(context, marked);
    }

    if (options.script !== undefined) {
      details.action = 'script';
      const planned = requirePlanned(a, options.script);
      if ((planned.status === 'Applied' || planned.status === 'AppliedManually') && !options.force && !options.rerun) {
        throw new AltazionError('E_USAGE', alreadyRecorded(planned), { target: planned.entry.id, hint: msg('db.runAgainHint') });
      }
      const earlier = earlierPending(a, planned);
      const earlierIds = earlier.map((p) => p.entry.id).join(', ');
      if (earlier.length && !options.force) {
        throw new AltazionError('E_USAGE', msg('db.outOfOrder', { id: planned.entry.id, earlier: earlierIds }), {
          target: planned.entry.id, hint: msg('db.outOfOrderHint', { first: earlier[0].entry.id, id: planned.entry.id }),
        });
      }
      if (earlier.length) ctx.output.warn(msg('db.line', { message: msg('db.forcedOutOfOrder', { id: planned.entry.id, earlier: earlierIds }) }));
      if (options.dryRun) return result('WhatIf', thenSave(msg('db.whatIf.script', { id: planned.entry.id, impact: describeImpact(planned) }), planned.impact?.customized ?? []));
      const failure = await runScripts(context, [planned]);
      if (failure) return result('Failed', failure.worded);
      return finish(context, msg('db.scriptApplied', { id: planned.entry.id }));
    }

    switch (plan.decision) {
      case 'UpToDate': {
        if (options.dryRun) return result('WhatIf', msg('db.whatIf.nothing'));
        return finish(context, msg('db.allApplied'));
      }
      case 'ManualActionRequired': {
        details.action = options.dryRun ? 'dry-run' : 'refused';
        for (const line of manualReport(a)) ctx.output.warn(msg('db.line', { message: line }));
        return result('ManualActionRequired', msg('db.manual', { reasons: plan.reasonMessages, action: MANUAL_ACTION }));
      }
      case 'Automatic':
      case 'Forced': {
        if (!options.dryRun) details.action = plan.decision === 'Forced' ? 'forced' : 'automatic';
        if (plan.decision === 'Forced') for (const line of plan.reasonMessages) ctx.output.warn(msg('db.line', { message: line }));
        if (options.dryRun) {
          const saved = plan.decision === 'Forced' ? [...new Set(plan.pending.flatMap((p) => p.impact?.customized ?? []))] : [];
          const would = { count: plan.pending.length, ids: plan.pending.map((p) => p.entry.id).join(', ') };
          return result('WhatIf', thenSave(plan.decision === 'Forced' ? msg('db.whatIf.scriptsForced', would) : msg('db.whatIf.scripts', would), saved));
        }
        const failure = await runScripts(context, plan.pending);
        if (failure) return result('Failed', failure.worded);
        return finish(context, msg(plan.decision === 'Forced' ? 'db.scriptsAppliedForced' : 'db.scriptsApplied', { count: plan.pending.length }));
      }
      default:
        throw new AltazionError('E_INTERNAL', `unknown database decision ${String(plan.decision)}`);
    }
  } finally {
    if (!options.store) await store.close();
    if (changing) {
      // Left "running" when this fails: `get` then asks the database, which is always right.
      await markDatabaseChanges(ctx.layout, false, ctx.now(), process.pid).catch((error: Error) => ctx.output.verbose(`database: could not record the end of the change: ${error.message}`));
    }
  }
}

interface RunContext {
  ctx: DatabaseContext;
  a: DatabaseAnalysis;
  pkg: () => Promise<DatabasePackage>;
  result: (kind: InstallResultKind, message: Message | string, pending?: PlannedScript[]) => DatabaseInstallOutcome;
  moduleFolder: string | undefined;
  log: (line: string) => void;
  details: DatabaseRunDetails;
  options: DatabaseInstallOptions;
  /** Called before the first change to the database. */
  beforeChange: () => Promise<void>;
}

/**
 * The safety net before anything runs: the definitions of the customised objects the scripts
 * touch (all touched objects under --force), and the configured COPY_ONLY backup.
 */
async function beforeScripts(run: RunContext, scripts: readonly PlannedScript[]): Promise<void> {
  const { ctx, a, log, details, options } = run;
  const touched = new Set<string>();
  const customized = new Set(scripts.flatMap((p) => p.impact?.customized ?? []).map((o) => o.toLowerCase()));
  for (const p of scripts) {
    for (const o of p.impact?.objectNames ?? []) {
      if (customized.has(o.toLowerCase()) || options.force) touched.add(o);
    }
  }
  if (touched.size && a.catalog) {
    const id = options.runId ?? ctx.now().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
    const backup: DefinitionBackup = await backupDefinitions({
      folder: path.join(ctx.layout.updates, 'backups', `database-${safeFileName(id)}`),
      catalog: a.catalog, objects: [...touched], server: a.store.description, scripts: scripts.map((p) => p.entry.id), now: ctx.now(),
    });
    if (backup.saved.length) {
      details.backups.push(backup.folder);
      log(`saved the definitions of ${backup.saved.join(', ')} in ${backup.folder} (restore: ${path.basename(backup.restoreScript)})`);
      ctx.output.info(msg('db.line', { message: msg('db.definitionsSaved', { count: backup.saved.length, folder: backup.folder }) }));
    }
  }
  if (options.databaseBackupFolder) {
    const name = `${safeFileName(a.store.description.split(' ')[0] || 'database')}-${ctx.now().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '')}-copy-only.bak`;
    log(`COPY_ONLY backup of the database into ${options.databaseBackupFolder}`);
    const file = await a.store.backupDatabase(options.databaseBackupFolder, name);
    details.backups.push(file);
    log(`database backup written: ${file}`);
    ctx.output.info(msg('db.line', { message: msg('db.copyOnlyWritten', { file }) }));
  }
}

/** Runs scripts in order; stops at the first failure and returns it. */
async function runScripts(run: RunContext, scripts: readonly PlannedScript[]): Promise<ScriptFailedError | undefined> {
  const { ctx, a, log, details } = run;
  await beforeScripts(run, scripts);
  await run.beforeChange();
  const progress = ctx.output.startProgress(msg('progress.databaseScripts'));
  let done = 0;
  for (const p of scripts) {
    progress(msg('progress.script', { id: p.entry.id, name: p.entry.name }), (done / scripts.length) * 100);
    const loaded = await scriptContent(a, p.entry);
    const started = process.hrtime.bigint();
    log(`script ${p.entry.id} "${p.entry.name}": ${loaded.batches.length} batch(es), ${p.entry.transactional ? 'in one transaction' : 'NOT transactional'}; ${textOf(describeImpact(p))}`);
    try {
      await a.store.runScript(p.entry, loaded.batches, {
        batchDone: (o) => {
          const rows = o.rowsAffected.length ? `${o.rowsAffected.reduce((x, y) => x + y, 0)} row(s) affected (${o.rowsAffected.join(', ')})` : 'no row count';
          log(`  batch ${o.batch}${o.run > 1 ? ` run ${o.run}` : ''}: ${o.durationMs.toFixed(0)} ms, ${rows}`);
          for (const m of o.messages) log(`    ${m}`);
        },
      });
    } catch (error) {
      if (!isScriptFailure(error)) throw error;
      log(`script ${p.entry.id} FAILED: ${error.message}`);
      progress(msg('progress.scriptFailed', { id: p.entry.id }), (done / scripts.length) * 100, true);
      ctx.output.error(error);
      return error;
    }
    done++;
    details.scripts.push(p.entry.id);
    log(`script ${p.entry.id} applied in ${(Number(process.hrtime.bigint() - started) / 1e9).toFixed(1)} s`);
    ctx.output.verbose(`database: script ${p.entry.id} applied`);
  }
  progress(msg('progress.done'), 100, true);
  return undefined;
}

/** After a change: when every script is applied, record the release and keep its baseline. */
async function finish(run: RunContext, message: Message): Promise<DatabaseInstallOutcome> {
  const { ctx, a, result, moduleFolder, log } = run;
  const after = await replan(a);
  const remaining = after.plan!.pending;
  if (remaining.length === 0) {
    const target = after.plan!.targetVersion;
    const recorded = after.installedVersion !== undefined && versionKey(after.installedVersion) === versionKey(target);
    if (!recorded) {
      await run.beforeChange();
      await a.store.recordRelease(target);
    }
    const pkg = await run.pkg();
    const file = savedBaselinePath(ctx, target);
    const baseline = await baselineFor(pkg, target);
    await writeFileAtomic(file, JSON.stringify(baseline, null, 1) + '\n');
    const definitions = await definitionsFor(pkg, target);
    if (definitions) await writeFileAtomic(savedDefinitionsPath(ctx, target), JSON.stringify({ schemaVersion: 1, version: target, definitions }) + '\n');
    if (moduleFolder) await leaveManifest(pkg, moduleFolder);
    if (!recorded) log(`release ${target} recorded in E.sysparams_databaseversion`);
    return result(recorded && a.plan!.pending.length === 0 ? 'UpToDate' : 'Installed', message, []);
  }
  return result('ManualActionRequired', msg('db.stillPending', { done: message, count: remaining.length, ids: remaining.map((p) => p.entry.id).join(', ') }), remaining);
}

/** Writes the package's manifest and baselines into the module folder (each file: temp + rename). */
async function leaveManifest(pkg: DatabasePackage, folder: string): Promise<void> {
  const db = pkg.manifest.database;
  const files = [db.baseline, ...Object.values(db.baselines ?? {}), ...Object.values(db.definitions ?? {}), MANIFEST_FILE];
  for (const file of files) {
    const bytes = await pkg.read(file);
    if (!bytes) continue;
    // Our temporary naming: removed on any failure, swept by recovery and repair after a kill.
    await writeFileAtomic(path.join(folder, ...file.split('/')), bytes);
  }
}

/** Script entry lookup for callers holding a package (the portal's run-one / mark-applied buttons). */
export function scriptEntry(pkg: DatabasePackage, id: string): DatabaseScriptEntry | undefined {
  return findScript(pkg.manifest.database.scripts, id);
}


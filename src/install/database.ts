// `install --name database`: the package is fetched and verified like any other (signed sha256),
// then the database flow (src/database/flow/install.ts) does the work: automatic scripts, or
// ManualActionRequired with the drift report, --script / --mark-applied / --export-scripts, --force,
// --dry-run. Every run that is not a dry run leaves an install log (each batch's PRINT output, row
// counts, duration) and a history entry saying who asked, from where, what ran and what was saved.
import { operatorName } from '../io/operator';
import { toAltazionError, type AltazionError, type ErrorCode } from '../core/errors';
import { recordText } from '../core/messages';
import type { InstallResultRecord } from '../core/records';
import type { Context } from '../context/context';
import { installDatabase } from '../database/flow/install';
import { downloadPackage, downloadWaitMessage, findCachedPackage } from '../feed/download';
import type { FeedSource } from '../feed/types';
import { appendInstallHistory } from './history';
import { InstallLog, installLogPath } from './log';
import type { ModulePlan } from './plan';

export interface DatabaseRunOptions {
  force?: boolean;
  dryRun?: boolean;
  /** Run a script again that is already recorded as applied (with --script). */
  reinstall?: boolean;
  /** Run the scripts although the database was customised. */
  ignoreDatabaseCustomization?: boolean;
  script?: string;
  markApplied?: string;
  exportScripts?: string;
  signal?: AbortSignal;
  requestedBy?: 'cli' | 'portal' | 'cmdlet' | 'service';
  /** Who acted: the portal's signed-in administrator, or who scheduled the install; default: this process's user. */
  user?: string;
  /** The install id (names the log and the backup folder). */
  id: string;
}

/** From where: the requesting surface, and the remote session it came through when the environment says so. */
export function originOf(env: NodeJS.ProcessEnv, requestedBy: string, computerName: string): string {
  const ssh = env.SSH_CLIENT?.split(' ')[0] ?? env.SSH_CONNECTION?.split(' ')[0];
  const session = env.SESSIONNAME;
  const via = ssh ? `ssh from ${ssh}` : session && /^rdp-/i.test(session) ? `remote desktop session ${session}` : session ? `${session.toLowerCase()} session` : undefined;
  return `${requestedBy} on ${computerName}${via ? ` (${via})` : ''}`;
}

export async function installDatabaseModule(ctx: Context, plan: ModulePlan, source: FeedSource, options: DatabaseRunOptions): Promise<{ record: InstallResultRecord; code?: ErrorCode; error?: AltazionError }> {
  const started = ctx.now();
  const platform = await ctx.platform();
  const logPath = installLogPath(ctx.layout.updaterLogs, options.id);
  const log = options.dryRun ? undefined : new InstallLog(logPath, ctx.now);
  const requestedBy = options.requestedBy ?? 'cli';
  const who = { User: options.user ?? operatorName(ctx.env), ComputerName: platform.computerName, RequestedBy: requestedBy, From: originOf(ctx.env, requestedBy, platform.computerName) };
  log?.line(`database install ${options.id} requested by ${who.User} (${who.From})`);
  let record: InstallResultRecord;
  let code: ErrorCode | undefined;
  let failure: AltazionError | undefined;
  // What was asked (the flow refines it: forced, refused...), also when it fails before deciding.
  const asked = options.dryRun ? 'dry-run' : options.exportScripts !== undefined ? 'export' : options.script !== undefined ? 'script' : options.markApplied !== undefined ? 'mark-applied' : 'automatic';
  let details = { action: asked, scripts: [] as string[], backups: [] as string[] };
  try {
    const release = plan.release!;
    const file = (await findCachedPackage(ctx.layout.cache, release))
      ?? (await downloadPackage({ source, release, cacheDir: ctx.layout.cache, signal: options.signal, onWait: (holder) => ctx.output.info(downloadWaitMessage(release, holder)) })).path;
    const config = await ctx.config();
    const outcome = await installDatabase(ctx, file, {
      instance: plan.instance, dryRun: options.dryRun, runId: options.id,
      // --force lifts every refusal; --ignore-database-customization only runs over a customised
      // schema; --reinstall only runs a recorded script again (never before earlier pending ones).
      force: Boolean(options.force || (options.script === undefined && options.ignoreDatabaseCustomization)),
      rerun: Boolean(options.script !== undefined && options.reinstall),
      ...(log ? { log: (line: string) => log.line(line) } : {}),
      ...(config.database?.backupFolder ? { databaseBackupFolder: config.database.backupFolder } : {}),
      ...(options.script !== undefined ? { script: options.script } : {}),
      ...(options.markApplied !== undefined ? { markApplied: options.markApplied } : {}),
      ...(options.exportScripts !== undefined ? { exportScripts: options.exportScripts } : {}),
    });
    record = outcome.record;
    details = outcome.details;
    // An export is done when the files are written (exit 0), whatever the database still needs.
    code = details.action === 'export' ? undefined : record.Result === 'ManualActionRequired' ? 'E_DB_CUSTOMIZED'
      : record.Result === 'Failed' || record.Result === 'RolledBack' ? 'E_DATABASE' : undefined;
  } catch (error) {
    const err = toAltazionError(error);
    log?.line(`failed: ${err.message}`);
    record = {
      Name: plan.name, Instance: plan.instance, FromVersion: plan.fromVersion, ToVersion: plan.toVersion, Result: 'Failed',
      StartedAt: started.toISOString(), DurationSeconds: 0, DowntimeSeconds: 0, BackupPath: null, LogPath: null, ...recordText('Message', err.worded), PendingScripts: [],
    };
    code = err.code;
    // Its error record (the cmdlets raise it as an ErrorRecord naming the file and field).
    failure = err;
  }
  if (log) {
    record.LogPath = logPath;
    log.line(`result: ${record.Result} - ${record.Message}`);
    await appendInstallHistory(ctx.layout, { ...record, Id: options.id, ...who, Action: details.action, Scripts: details.scripts, Backups: details.backups });
  }
  return { record, code, ...(failure ? { error: failure } : {}) };
}

// `install --name database`: the package is fetched and verified like any other (signed sha256),
// then the database engineer's flow (src/database/flow.ts) does the work: automatic scripts, or
// ManualActionRequired with the drift report, --script / --mark-applied / --export-scripts, --force.
import { toAltazionError, type ErrorCode } from '../core/errors';
import type { InstallResultRecord } from '../core/records';
import type { Context } from '../cli/context';
import { installDatabase } from '../database/flow';
import { downloadPackage, findCachedPackage } from '../feed/download';
import type { FeedSource } from '../feed/types';
import type { ModulePlan } from './plan';

export interface DatabaseRunOptions {
  force?: boolean;
  /** Run a script again that is already recorded as applied (with --script). */
  reinstall?: boolean;
  /** Run the scripts although the database was customised. */
  ignoreDatabaseCustomization?: boolean;
  script?: string;
  markApplied?: string;
  exportScripts?: string;
  signal?: AbortSignal;
}

export async function installDatabaseModule(ctx: Context, plan: ModulePlan, source: FeedSource, options: DatabaseRunOptions): Promise<{ record: InstallResultRecord; code?: ErrorCode }> {
  const failed = (message: string): InstallResultRecord => ({
    Name: plan.name, Instance: plan.instance, FromVersion: plan.fromVersion, ToVersion: plan.toVersion, Result: 'Failed',
    StartedAt: ctx.now().toISOString(), DurationSeconds: 0, DowntimeSeconds: 0, BackupPath: null, LogPath: null, Message: message, PendingScripts: [],
  });
  try {
    const release = plan.release!;
    const file = (await findCachedPackage(ctx.layout.cache, release))
      ?? (await downloadPackage({ source, release, cacheDir: ctx.layout.cache, signal: options.signal })).path;
    const record = await installDatabase(ctx, file, {
      instance: plan.instance,
      // The database flow has one `force`: re-running a recorded script (--script) or running over
      // a customised schema; each is asked for by its own switch.
      force: Boolean(options.force || (options.script !== undefined ? options.reinstall : options.ignoreDatabaseCustomization)),
      ...(options.script !== undefined ? { script: options.script } : {}),
      ...(options.markApplied !== undefined ? { markApplied: options.markApplied } : {}),
      ...(options.exportScripts !== undefined ? { exportScripts: options.exportScripts } : {}),
    });
    const code: ErrorCode | undefined = record.Result === 'ManualActionRequired' ? 'E_DB_CUSTOMIZED'
      : record.Result === 'Failed' || record.Result === 'RolledBack' ? 'E_DATABASE' : undefined;
    return { record, code };
  } catch (error) {
    const err = toAltazionError(error);
    return { record: failed(err.message), code: err.code };
  }
}

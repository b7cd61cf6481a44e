// What the portal needs from the rest of the product, as one interface: the server and its tests
// do not depend on how installs, history, repair or the database are implemented. The real
// implementation is backend.ts (wired to src/install, src/repair, src/database).
import type { MessageParams } from '../../core/messages';
import type { DatabaseScriptRecord, InstallResultRecord, RepairResultRecord, UpdateRecord } from '../../core/records';
import type { Output } from '../../output/output';
import type { ScheduledInstall } from '../../schedule/plan';

/** Who holds the install lock (same shape as src/install-state/lock.ts LockOwner). */
export interface LockOwnerView {
  pid: number;
  user: string;
  host: string;
  requestedBy: string;
  startedAt: string;
  description: string;
}

export interface HistoryEntryView extends InstallResultRecord {
  /** Stable id for the log link. */
  Id: string;
}

export interface DatabaseScriptView extends DatabaseScriptRecord {
  /** The script's T-SQL, for review before running it. */
  Content?: string;
}

export interface DatabaseView {
  /** Whether the database module is declared on this server. */
  installed: boolean;
  installedVersion?: string;
  availableVersion?: string;
  customized: boolean;
  /** The database flow's verdict is ManualActionRequired (customised, or not provable standard): the admin's buttons show. */
  manual?: boolean;
  /** Why (the same words as `db status`, `get` and `install`), with its message id and parameters (worded in the page's language). */
  detail?: string;
  detailId?: string;
  detailParams?: MessageParams;
  /** What to do next. */
  action?: string;
  actionId?: string;
  actionParams?: MessageParams;
  drift: { modified: string[]; missing: string[]; extra: string[] };
  /** Unified diffs (standard -> current) of the Modified objects, by object name. */
  diffs?: Record<string, string>;
  scripts: DatabaseScriptView[];
}

export type JobKind = 'install' | 'db-script' | 'db-mark-applied';

export interface JobRequest {
  kind: JobKind;
  name: string;
  instance?: string;
  /** Script id for db-script / db-mark-applied. */
  script?: string;
  /** Several modules (a scheduled install); `name` is then the first, for display. */
  names?: string[];
  /** Who asks (default: the portal): 'service' for scheduled installs and the weekly window. */
  requestedBy?: 'portal' | 'service';
  /**
   * Who acted (recorded in the history, the lock and the logs): the signed-in administrator; for the
   * service, the one who scheduled the install.
   */
  user?: string;
  /** Install options of a scheduled install. */
  version?: string;
  force?: boolean;
}

export interface PortalBackend {
  computerName(): Promise<string>;
  modules(): Promise<UpdateRecord[]>;
  /** When status.xml was last written by a check (ISO), if ever. */
  lastCheckedAt(): Promise<string | undefined>;
  /** Install history, newest first; undefined when this build has none. */
  history(): Promise<HistoryEntryView[] | undefined>;
  /** The log text of one history entry. */
  historyLog(id: string): Promise<string | undefined>;
  /** The repair checks in dry-run; undefined when this build has none. */
  health(): Promise<RepairResultRecord[] | undefined>;
  /** The database case; undefined when this build has none. */
  database(): Promise<DatabaseView | undefined>;
  /** Who holds the install lock shared with the CLI and the cmdlets, if anyone. */
  lockOwner(): Promise<LockOwnerView | undefined>;
  /** Runs one job (install, database script, mark applied) reporting through `output`. */
  runJob(job: JobRequest, output: Output, signal: AbortSignal): Promise<InstallResultRecord[]>;
  /** A feed check now (joins a running one). */
  checkNow(): Promise<{ ok: boolean; error?: string }>;
  /** Scheduled installs (maintenance windows), soonest first. */
  scheduled(): Promise<ScheduledInstall[]>;
  /** Schedules the install of one module: at `at` (ISO or HH:MM), default tonight at 02:00; `user`: who scheduled it. */
  schedule(request: { name: string; instance: string; at?: string; user?: string }): Promise<ScheduledInstall>;
  cancelSchedule(id: string): Promise<ScheduledInstall>;
  /** The instance layout's applicationspath.config (named in the "no module" message). */
  readonly applicationsConfig: string;
}

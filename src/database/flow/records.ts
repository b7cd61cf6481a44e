// The records the database flows emit, and the one verdict every surface shows (get, the portal,
// install, db status): a database that cannot be proven standard, or that is customised, with
// scripts pending is ManualActionRequired, with the reason and what to do.
import { ExitCode } from '../../core/errors';
import { messageList, msg, recordText, type Message, type MessageParams } from '../../core/messages';
import type { InstallResultKind } from '../../core/records';
import type { DatabaseScriptRecordEx } from '../plan';
import type { DatabaseAnalysis } from './analysis';

export const DatabaseRecordType = {
  Status: 'Altazion.DatabaseStatus',
  Drift: 'Altazion.DatabaseDrift',
  Diff: 'Altazion.DatabaseDiff',
} as const;

export type DatabaseStatusKind = 'UpToDate' | 'UpdateAvailable' | 'ManualActionRequired' | 'Unknown';

export interface DatabaseVerdict {
  Status: DatabaseStatusKind;
  /** Why, in one paragraph (a message: English on the command line, French on the portal). */
  Detail: Message | string;
  /** What the admin does next (commands), empty when nothing is needed. */
  Action: Message | string;
}

/** What an admin does with a database that is not updated automatically. */
export const MANUAL_ACTION: Message = msg('db.manualAction');

/** The verdict of an analysis: the same words on every surface. */
export function verdictOf(a: DatabaseAnalysis): DatabaseVerdict {
  const plan = a.plan;
  if (plan) {
    switch (plan.decision) {
      case 'UpToDate': return { Status: 'UpToDate', Detail: msg('db.allApplied'), Action: '' };
      case 'Automatic': return { Status: 'UpdateAvailable', Detail: msg('db.automatic', { count: plan.pending.length }), Action: msg('db.action.install') };
      default: {
        const reasons = plan.reasonMessages.filter((r) => typeof r === 'string' || r.id !== 'db.forced');
        return { Status: 'ManualActionRequired', Detail: messageList(reasons), Action: MANUAL_ACTION };
      }
    }
  }
  if (a.drift) {
    return a.drift.standard
      ? { Status: 'UpToDate', Detail: msg('db.standardNoPackage'), Action: '' }
      : { Status: 'ManualActionRequired', Detail: msg('db.customisedCount', { count: a.drift.modified.length + a.drift.missing.length, baseline: a.drift.baselineVersion }), Action: msg('db.action.driftShow') };
  }
  return { Status: 'Unknown', Detail: a.driftUnknownReason ?? msg('db.cannotAnalyse'), Action: msg('db.action.check') };
}

export interface DatabaseStatusRecord {
  Server: string;
  InstalledVersion: string | null;
  PackageVersion: string | null;
  /** null when the baseline of the installed version is unknown. */
  Customized: boolean | null;
  /** false when the schema cannot be compared with a standard baseline. */
  ProvenStandard: boolean;
  Modified: string[];
  Missing: string[];
  Extra: string[];
  PendingScripts: string[];
  Status: DatabaseStatusKind;
  Detail: string;
  DetailId?: string;
  DetailParams?: MessageParams;
  Action: string;
  ActionId?: string;
  ActionParams?: MessageParams;
}

export function statusRecord(a: DatabaseAnalysis): DatabaseStatusRecord {
  const verdict = verdictOf(a);
  return {
    Server: a.server,
    InstalledVersion: a.installedVersion ?? null,
    PackageVersion: a.packageVersion ?? null,
    Customized: a.drift ? !a.drift.standard : null,
    ProvenStandard: a.drift?.standard === true,
    Modified: a.drift?.modified.map((d) => d.object) ?? [],
    Missing: a.drift?.missing.map((d) => d.object) ?? [],
    Extra: a.drift?.extra.map((d) => d.object) ?? [],
    PendingScripts: a.plan?.pending.map((p) => p.entry.id) ?? [],
    Status: verdict.Status,
    ...recordText('Detail', verdict.Detail),
    ...recordText('Action', verdict.Action),
  };
}

export interface ShownScript extends DatabaseScriptRecordEx {
  Content: string;
}

/** An object that differs from the standard schema: how it differs, worded (DetailId: the portal's French). */
export interface DriftObjectRecord {
  Object: string;
  Type: string;
  State: string;
  Detail: string;
  DetailId?: string;
  DetailParams?: MessageParams;
}

export interface DriftRecord extends DriftObjectRecord {
  /** Pending scripts that touch the object. */
  TouchedBy: string[];
}

export interface DiffRecord extends DriftObjectRecord {
  /** Unified diff from the standard definition to the database's (Extra objects: all lines added). */
  Diff: string;
}

/** Exit code of an install result (the CLI's mapping for database results). */
export function exitCodeForResult(result: InstallResultKind): ExitCode {
  switch (result) {
    case 'ManualActionRequired': return ExitCode.ManualActionRequired;
    case 'Failed': case 'RolledBack': return ExitCode.Failed;
    default: return ExitCode.Ok;
  }
}

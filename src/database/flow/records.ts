// The records the database flows emit, and the one verdict every surface shows (get, the portal,
// install, db status): a database that cannot be proven standard, or that is customised, with
// scripts pending is ManualActionRequired, with the reason and what to do.
import { ExitCode } from '../../core/errors';
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
  /** Why, in one paragraph. */
  Detail: string;
  /** What the admin does next (commands), empty when nothing is needed. */
  Action: string;
}

/** What an admin does with a database that is not updated automatically. */
export const MANUAL_ACTION = 'Review the scripts (altazion-update db scripts --show <id>, db drift --show <object>), run them one by one in order '
  + '(install --name database --script <id>), record those run by hand (--mark-applied <id>), export them (--export-scripts <dir>), '
  + 'or, once the differences are understood, force (--force: the definitions of the customised objects are saved first).';

/** The verdict of an analysis: the same words on every surface. */
export function verdictOf(a: DatabaseAnalysis): DatabaseVerdict {
  const plan = a.plan;
  if (plan) {
    switch (plan.decision) {
      case 'UpToDate': return { Status: 'UpToDate', Detail: 'every script of the package is applied', Action: '' };
      case 'Automatic': return { Status: 'UpdateAvailable', Detail: `${plan.pending.length} script(s) to apply automatically (standard schema)`, Action: 'altazion-update install --name database' };
      default: return { Status: 'ManualActionRequired', Detail: plan.reasons.filter((r) => !r.startsWith('--force')).join('; '), Action: MANUAL_ACTION };
    }
  }
  if (a.drift) {
    return a.drift.standard
      ? { Status: 'UpToDate', Detail: 'standard schema (no database package in the cache to compare scripts with)', Action: '' }
      : { Status: 'ManualActionRequired', Detail: `the database is customised (${a.drift.modified.length + a.drift.missing.length} standard object(s) differ from the ${a.drift.baselineVersion} baseline)`, Action: 'altazion-update db drift --show <object>' };
  }
  return { Status: 'Unknown', Detail: a.driftUnknownReason ?? 'the database cannot be analysed', Action: 'altazion-update check (to download the database package carrying the baselines)' };
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
  Action: string;
}

export function statusRecord(a: DatabaseAnalysis): DatabaseStatusRecord {
  const verdict = verdictOf(a);
  return {
    Server: a.store.description,
    InstalledVersion: a.installedVersion ?? null,
    PackageVersion: a.packageVersion ?? null,
    Customized: a.drift ? !a.drift.standard : null,
    ProvenStandard: a.drift?.standard === true,
    Modified: a.drift?.modified.map((d) => d.object) ?? [],
    Missing: a.drift?.missing.map((d) => d.object) ?? [],
    Extra: a.drift?.extra.map((d) => d.object) ?? [],
    PendingScripts: a.plan?.pending.map((p) => p.entry.id) ?? [],
    ...verdict,
  };
}

export interface ShownScript extends DatabaseScriptRecordEx {
  Content: string;
}

export interface DriftRecord {
  Object: string;
  Type: string;
  State: string;
  Detail: string;
  /** Pending scripts that touch the object. */
  TouchedBy: string[];
}

export interface DiffRecord {
  Object: string;
  Type: string;
  State: string;
  Detail: string;
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

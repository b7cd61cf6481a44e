// What to do with the database (pure): which package scripts the journal does not have yet, the
// installed database version, and whether they may run unattended. SPEC §7: any drift of a
// standard object (Modified or Missing) means ManualActionRequired unless --force; an installed
// version whose baseline we do not have cannot be proven standard, so it is manual too.
import { msg, textOf, type Message } from '../core/messages';
import type { DatabaseScriptEntry } from '../core/package-manifest';
import type { DatabaseScriptRecord, ScriptStatus } from '../core/records';
import { compareVersions, isVersion } from '../core/version';
import type { DriftReport } from './drift';
import type { ScriptImpact } from './impact';
import type { JournalRow } from './journal-sql';
import { compareText } from '../core/text-order';

/**
 * Comparable form of a release label: `25.10`, `25.10.0` -> `25.10`; the legacy `2019-2` -> `19.2`.
 * Labels we cannot read are kept (lower-cased) so they still match themselves.
 */
export function versionKey(label: string): string {
  const t = label.trim();
  const legacy = /^(\d{4})-(\d{1,3})$/.exec(t);
  if (legacy) return `${Number(legacy[1]) % 100}.${Number(legacy[2])}`;
  if (isVersion(t)) {
    const parts = t.split('.').map(Number);
    while (parts.length > 2 && parts[parts.length - 1] === 0) parts.pop();
    return parts.join('.');
  }
  return t.toLowerCase();
}

function compareLabels(a: string, b: string): number {
  const ka = versionKey(a), kb = versionKey(b);
  if (isVersion(ka) && isVersion(kb)) return compareVersions(ka, kb);
  return compareText(ka, kb);
}

function scriptKey(version: string, number: number): string {
  return `${versionKey(version)}#${number}`;
}

/** Status of each package script from the journal rows. */
export function scriptStatuses(scripts: readonly DatabaseScriptEntry[], journal: readonly JournalRow[]): Map<string, ScriptStatus> {
  const rows = new Map<string, JournalRow>();
  for (const r of journal) if (!r.isRoot) rows.set(scriptKey(r.version, r.scriptNumber), r);
  const roots = new Set(journal.filter((r) => r.isRoot && r.validated).map((r) => versionKey(r.version)));
  const result = new Map<string, ScriptStatus>();
  for (const s of scripts) {
    const row = rows.get(scriptKey(s.version, s.number));
    let status: ScriptStatus = 'Pending';
    if (row?.validated) status = row.executed ? 'Applied' : 'AppliedManually';
    else if (row?.prepared) status = 'Failed';
    else if (!row && roots.has(versionKey(s.version))) status = 'Applied'; // a release recorded as a whole (legacy rows)
    result.set(s.id, status);
  }
  return result;
}

/** The installed database version: the highest validated release root row, else the highest release with a validated script. */
export function installedDatabaseVersion(journal: readonly JournalRow[]): string | undefined {
  const pick = (rows: JournalRow[]) => rows.reduce<string | undefined>((best, r) => (best === undefined || compareLabels(r.version, best) > 0 ? r.version : best), undefined);
  const roots = pick(journal.filter((r) => r.isRoot && r.validated));
  const best = roots ?? pick(journal.filter((r) => !r.isRoot && r.validated));
  return best === undefined ? undefined : versionKey(best);
}

export type DatabaseDecision = 'UpToDate' | 'Automatic' | 'ManualActionRequired' | 'Forced';

export interface PlannedScript {
  entry: DatabaseScriptEntry;
  status: ScriptStatus;
  impact?: ScriptImpact;
}

export interface DatabasePlan {
  installedVersion?: string;
  targetVersion: string;
  scripts: PlannedScript[];
  pending: PlannedScript[];
  decision: DatabaseDecision;
  /** Why the decision is what it is, for the admin. */
  reasons: string[];
  /** The same reasons as messages (worded by the portal); a plain string is one without an id. */
  reasonMessages: Array<Message | string>;
}

export interface PlanInput {
  targetVersion: string;
  scripts: readonly DatabaseScriptEntry[];
  journal: readonly JournalRow[];
  /** Drift against the baseline of the installed version; undefined when that baseline is unknown. */
  drift: DriftReport | undefined;
  /** Why the drift is unknown (shown in the reasons). */
  driftUnknownReason?: Message | string;
  impacts?: ReadonlyMap<string, ScriptImpact>;
  force: boolean;
}

export function planDatabase(input: PlanInput): DatabasePlan {
  const statuses = scriptStatuses(input.scripts, input.journal);
  const scripts = input.scripts.map((entry) => ({ entry, status: statuses.get(entry.id)!, impact: input.impacts?.get(entry.id) }));
  const pending = scripts.filter((s) => s.status === 'Pending' || s.status === 'Failed');
  const installedVersion = installedDatabaseVersion(input.journal);
  const reasonMessages: Array<Message | string> = [];
  let decision: DatabaseDecision;
  if (pending.length === 0) {
    decision = 'UpToDate';
  } else {
    const blockers: Array<Message | string> = [];
    if (!input.drift) {
      blockers.push(input.driftUnknownReason ?? msg('db.noBaseline', { version: installedVersion ?? '(none)' }));
    } else if (!input.drift.standard) {
      const items = [...input.drift.modified, ...input.drift.missing];
      const shown = items.slice(0, 10).map((d) => `${d.object} (${d.state})`).join(', ');
      blockers.push(msg('db.customised', { count: items.length, baseline: input.drift.baselineVersion, objects: `${shown}${items.length > 10 ? ', ...' : ''}` }));
      const touching = pending.filter((p) => (p.impact?.customized.length ?? 0) > 0);
      for (const p of touching) blockers.push(msg('db.scriptTouches', { id: p.entry.id, objects: p.impact!.customized.join(', ') }));
    }
    if (blockers.length === 0) decision = 'Automatic';
    else if (input.force) { decision = 'Forced'; reasonMessages.push(msg('db.forced'), ...blockers); }
    else { decision = 'ManualActionRequired'; reasonMessages.push(...blockers); }
  }
  return { installedVersion, targetVersion: input.targetVersion, scripts, pending, decision, reasons: reasonMessages.map(textOf), reasonMessages };
}

export interface DatabaseScriptRecordEx extends DatabaseScriptRecord {
  /** Touched objects that are customised (subset of Objects). */
  CustomizedObjects: string[];
  /** The script runs dynamic SQL that could not be analysed. */
  DynamicSql: boolean;
  Transactional: boolean;
}

export function scriptRecord(p: PlannedScript): DatabaseScriptRecordEx {
  return {
    Id: p.entry.id,
    Version: p.entry.version,
    Number: p.entry.number,
    Name: p.entry.name,
    Status: p.status,
    TouchesCustomizedObjects: (p.impact?.customized.length ?? 0) > 0,
    Objects: p.impact?.objectNames ?? [],
    Sha256: p.entry.sha256,
    CustomizedObjects: p.impact?.customized ?? [],
    DynamicSql: p.impact?.dynamicSql ?? false,
    Transactional: p.entry.transactional,
  };
}

/** Finds a script by id (exact, else case-insensitive, else by `<version>/<number>` numerically). */
export function findScript(scripts: readonly DatabaseScriptEntry[], id: string): DatabaseScriptEntry | undefined {
  const exact = scripts.find((s) => s.id === id) ?? scripts.find((s) => s.id.toLowerCase() === id.trim().toLowerCase());
  if (exact) return exact;
  const m = /^(.+?)[/#](\d+)$/.exec(id.trim());
  if (!m) return undefined;
  return scripts.find((s) => versionKey(s.version) === versionKey(m[1]) && s.number === Number(m[2]));
}

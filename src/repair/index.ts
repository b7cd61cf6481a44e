// Repair (SPEC §8, issue 6): every check of the seed's "Que faire si ?" section, in order. Each
// check reports Altazion.RepairResult records and fixes what it safely can; with dryRun nothing
// changes and fixable problems are reported as WouldFix.
import type { Context } from '../context/context';
import { AltazionError } from '../core/errors';
import type { Message } from '../core/messages';
import { reportEvent } from '../events';
import type { RepairResultRecord } from '../core/records';
import { aclCheck } from './checks/acl';
import { appOfflineCheck } from './checks/app-offline';
import { applicationsCheck } from './checks/applications';
import { diskCheck } from './checks/disk';
import { feedCheck } from './checks/feed';
import { freshnessCheck } from './checks/freshness';
import { journalCheck } from './checks/journal';
import { locksCheck } from './checks/locks';
import { poolsCheck } from './checks/pools';
import { portalCheck } from './checks/portal';
import { rightsCheck } from './checks/rights';
import { serviceCheck } from './checks/service';
import { settingsCheck } from './checks/settings';
import { createRepairFacts } from './facts';
import { errorParam, result, type RepairCheck, type RepairContext } from './types';

export type { RepairCheck, RepairContext, RepairRunOptions } from './types';

/** The checks in the order they run: the updater itself, then what it sees, then the modules. */
const CHECKS: readonly RepairCheck[] = [
  settingsCheck,
  serviceCheck,
  portalCheck,
  feedCheck,
  freshnessCheck,
  applicationsCheck,
  rightsCheck,
  locksCheck,
  appOfflineCheck,
  poolsCheck,
  journalCheck,
  diskCheck,
  aclCheck,
];

/** Stable ids, in order: settings, service, portal, feed, freshness, applications, rights, locks, app-offline, pools, journal, disk, acl. */
export const REPAIR_CHECKS: readonly string[] = CHECKS.map((c) => c.id);

export function describeChecks(): Array<{ id: string; describe: string }> {
  return CHECKS.map((c) => ({ id: c.id, describe: c.describe }));
}

export interface RepairOptions {
  /** Check ids to run (default: all), case-insensitive. */
  checks?: string[];
  dryRun: boolean;
  /** Called with each record as soon as it is known (the CLI streams them). */
  onRecord?: (record: RepairResultRecord) => void;
  /** Called with the errors behind some Failed records (a refused journal), for their error records and exit code. */
  onError?: (error: AltazionError) => void;
  /** The port the legacy main service serves the old portal on (default 8080; tests give a free one). */
  legacyPortalPort?: number;
}

export async function runRepair(ctx: Context, options: RepairOptions): Promise<RepairResultRecord[]> {
  const wanted = (options.checks ?? []).map((c) => c.trim().toLowerCase()).filter(Boolean);
  const unknown = wanted.filter((c) => !REPAIR_CHECKS.includes(c));
  if (unknown.length > 0) {
    throw new AltazionError('E_USAGE', `--check: "${unknown.join('", "')}" is not a repair check (${REPAIR_CHECKS.join(', ')})`, { target: unknown[0] });
  }
  const selected = wanted.length > 0 ? CHECKS.filter((c) => wanted.includes(c.id)) : CHECKS;
  // Without a readable updater.config and a host, no check means anything: bad input (exit 2),
  // reported once with the file and field, before anything is looked at or changed.
  await ctx.config();
  await ctx.platform();
  const rctx: RepairContext = { ...ctx, facts: createRepairFacts(ctx, options.legacyPortalPort === undefined ? {} : { legacyPortalPort: options.legacyPortalPort }) };
  const runOptions = { dryRun: options.dryRun, fix: !options.dryRun, ...(options.onError ? { report: options.onError } : {}) };
  const records: RepairResultRecord[] = [];
  for (const check of selected) {
    let produced: RepairResultRecord[];
    try {
      produced = await check.run(rctx, runOptions);
    } catch (error) {
      // One broken check must not hide the others: it becomes a Failed record.
      const target = error instanceof AltazionError && error.target ? error.target : ctx.root;
      produced = [result(check.id, target, 'Failed', errorParam(error), error instanceof AltazionError && error.hint ? (error.hintRef ?? error.hint) : '')];
    }
    for (const record of produced) {
      records.push(record);
      options.onRecord?.(record);
    }
  }
  const fixed = records.filter((r) => r.Status === 'Fixed');
  if (fixed.length > 0) {
    await reportEvent(ctx, { kind: 'repairFixed', fixes: fixed.map((r) => ({ check: r.Check, target: r.Target, action: r.ActionId ? { id: r.ActionId, ...(r.ActionParams ? { params: r.ActionParams } : {}) } as Message : r.Action })) });
  }
  return records;
}

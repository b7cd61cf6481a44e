// `journal`: an install interrupted by a crash (power loss, kill) left its journal in
// bin\updates\journal: roll it back (before the point of no return) or forward (after it), with the
// install's own recovery (src/install/recovery.ts), under the install lock.
import type { RepairResultRecord } from '../../core/records';
import { recoverInterruptedInstalls, type RecoveryOutcome } from '../../install/recovery';
import { msg } from '../../core/messages';
import { result, type RepairCheck } from '../types';

function target(o: RecoveryOutcome): string {
  return `${o.module}${o.instance ? `[${o.instance}]` : ''} (install ${o.id})`;
}

export const journalCheck: RepairCheck = {
  id: 'journal',
  describe: 'an interrupted install is rolled back or forward from its journal',
  async run(ctx, options) {
    const found = await ctx.facts.interruptedInstalls();
    if (found.length === 0) return [result('journal', ctx.layout.journal, 'Ok', msg('repair.journal.none'))];
    const outcomes = await recoverInterruptedInstalls(ctx, { dryRun: !options.fix });
    const records: RepairResultRecord[] = [];
    for (const o of outcomes) {
      const what = msg(o.action === 'roll-back' ? 'repair.journal.rollBack' : o.action === 'roll-forward' ? 'repair.journal.rollForward' : 'repair.journal.byHand');
      // The recovery's own detail is text (data): src/install/recovery.ts words it.
      if (o.status === 'would-do') records.push(result('journal', target(o), 'WouldFix', msg('repair.journal.interruptedDetail', { step: o.step, detail: o.detail }), what));
      else if (o.status === 'done') records.push(result('journal', target(o), 'Fixed', msg('repair.journal.interrupted', { step: o.step }), o.detail));
      else if (o.status === 'skipped') records.push(result('journal', target(o), 'Skipped', msg('repair.journal.skipped', { step: o.step, detail: o.detail }), msg('repair.journal.again')));
      else records.push(result('journal', target(o), 'Failed', msg('repair.journal.interruptedDetail', { step: o.step, detail: o.detail }), msg('repair.journal.seeLog')));
    }
    return records;
  },
};

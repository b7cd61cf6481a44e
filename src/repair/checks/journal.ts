// `journal`: an install interrupted by a crash (power loss, kill) left its journal in
// bin\updates\journal: roll it back (before the point of no return) or forward (after it), with the
// install's own recovery (src/install/recovery.ts), under the install lock.
import type { RepairResultRecord } from '../../core/records';
import { recoverInterruptedInstalls, type RecoveryOutcome } from '../../install/recovery';
import { result, type RepairCheck } from '../types';

function target(o: RecoveryOutcome): string {
  return `${o.module}${o.instance ? `[${o.instance}]` : ''} (install ${o.id})`;
}

export const journalCheck: RepairCheck = {
  id: 'journal',
  describe: 'an interrupted install is rolled back or forward from its journal',
  async run(ctx, options) {
    const found = await ctx.facts.interruptedInstalls();
    if (found.length === 0) return [result('journal', ctx.layout.journal, 'Ok', 'no interrupted install')];
    const outcomes = await recoverInterruptedInstalls(ctx, { dryRun: !options.fix });
    const records: RepairResultRecord[] = [];
    for (const o of outcomes) {
      const what = o.action === 'roll-back' ? 'roll back to the previous version' : o.action === 'roll-forward' ? 'finish the install (past the point of no return)' : 'inspect by hand';
      const interrupted = `install interrupted at step ${o.step}`;
      if (o.status === 'would-do') records.push(result('journal', target(o), 'WouldFix', `${interrupted}: ${o.detail}`, what));
      else if (o.status === 'done') records.push(result('journal', target(o), 'Fixed', interrupted, o.detail));
      else if (o.status === 'skipped') records.push(result('journal', target(o), 'Skipped', `${interrupted}; ${o.detail}`, 'run repair again once the running install is over'));
      else records.push(result('journal', target(o), 'Failed', `${interrupted}: ${o.detail}`, 'see the install log named in the journal; restore the module folder from bin\\updates\\backups if needed'));
    }
    return records;
  },
};

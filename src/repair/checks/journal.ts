// `journal`: an install interrupted by a crash (power loss, kill) left its journal in
// bin\updates\journal: roll it back (before the point of no return) or forward (after it), with the
// install's own recovery (src/install/recovery.ts), under the install lock. A journal that names
// paths, pools or services not of its module is refused (E_JOURNAL_INVALID, exit 2), untouched.
// Also: temporary files of ours (`.<name>.altazion-tmp-*`) that a killed write left in a module
// folder or in the journal folder are removed (nothing else is).
import type { RepairResultRecord } from '../../core/records';
import { recoverInterruptedInstalls, sweepTempFilesOfInstalls, type RecoveryOutcome } from '../../install/recovery';
import { msg } from '../../core/messages';
import { result, type RepairCheck } from '../types';

function target(o: RecoveryOutcome): string {
  return o.module === '?' ? o.file : `${o.module}${o.instance ? `[${o.instance}]` : ''} (install ${o.id})`;
}

export const journalCheck: RepairCheck = {
  id: 'journal',
  describe: 'an interrupted install is rolled back or forward from its journal; temporary files of ours left in module folders are removed',
  async run(ctx, options) {
    const records: RepairResultRecord[] = [];
    const found = await ctx.facts.interruptedInstalls();
    const outcomes = found.length ? await recoverInterruptedInstalls(ctx, { dryRun: !options.fix }) : [];
    for (const o of outcomes) {
      const what = msg(o.action === 'roll-back' ? 'repair.journal.rollBack' : o.action === 'roll-forward' ? 'repair.journal.rollForward' : 'repair.journal.byHand');
      // The recovery's own detail is text (data): src/install/recovery.ts words it.
      if (o.status === 'would-do') records.push(result('journal', target(o), 'WouldFix', msg('repair.journal.interruptedDetail', { step: o.step, detail: o.detail }), what));
      else if (o.status === 'done') records.push(result('journal', target(o), 'Fixed', msg('repair.journal.interrupted', { step: o.step }), o.detail));
      else if (o.status === 'skipped') records.push(result('journal', target(o), 'Skipped', msg('repair.journal.skipped', { step: o.step, detail: o.detail }), msg('repair.journal.again')));
      else if (o.status === 'refused') {
        records.push(result('journal', o.file, 'Failed', o.error?.worded ?? o.detail, msg('repair.journal.refusedAction')));
        if (o.error) options.report?.(o.error);
      } else records.push(result('journal', target(o), 'Failed', msg('repair.journal.interruptedDetail', { step: o.step, detail: o.detail }), msg('repair.journal.seeLog')));
    }
    // A running install's files are its own business.
    if (!(await ctx.facts.runningInstall())) {
      for (const { folder, files } of await sweepTempFilesOfInstalls(ctx, !options.fix)) {
        records.push(result('journal', folder, options.fix ? 'Fixed' : 'WouldFix', msg('repair.journal.tempFiles', { files: files.join(', ') }), msg(options.fix ? 'repair.journal.tempRemoved' : 'repair.journal.tempRemove')));
      }
    }
    if (records.length === 0) records.push(result('journal', ctx.layout.journal, 'Ok', msg('repair.journal.none')));
    return records;
  },
};

import type { CommandModule } from 'yargs';
import { ExitCode, exitCodeFor, type AltazionError } from '../../core/errors';
import { RecordType } from '../../core/records';
import { selectionArg, withRoot, type Args } from '../options';
import { runCommand } from '../run';

interface RepairArgs { check?: string[]; dryRun?: boolean }

export const repairCommand: CommandModule<object, Args<RepairArgs>> = {
  command: 'repair',
  describe: 'Diagnose and fix the updater (the seed\'s troubleshooting checklist); exit 1 when a check failed',
  // The check list (for the help) comes with the repair code, loaded only when `repair` is chosen.
  builder: async (y) => {
    const { describeChecks, REPAIR_CHECKS } = await import('../../repair');
    return y
      .option('check', { alias: 'c', type: 'string', array: true, describe: `check id (repeatable): ${REPAIR_CHECKS.join(', ')}` })
      .option('dry-run', { type: 'boolean', default: false, describe: 'report what would be fixed (WouldFix); change nothing' })
      .example('$0 repair', 'run every check and fix what can safely be fixed')
      .example('$0 repair --dry-run --json', 'report only, as NDJSON')
      .example('$0 repair --check service --check portal', 'only the service and the portal')
      .epilogue(`Checks:\n${describeChecks().map((c) => `  ${c.id.padEnd(13)}${c.describe}`).join('\n')}`) as never;
  },
  handler: (argv) => runCommand(argv, async (ctx) => {
    if (!argv.dryRun) await (await import('../elevation')).requireElevated(ctx, 'repair');
    const { runRepair } = await import('../../repair');
    const refused: AltazionError[] = [];
    const records = await runRepair(ctx, {
      checks: selectionArg(argv.check, 'check', 'every check'),
      dryRun: Boolean(argv.dryRun),
      onRecord: (record) => ctx.output.record(RecordType.RepairResult, withRoot(ctx, record)),
      onError: (error) => refused.push(error),
    });
    for (const error of refused) ctx.output.error(error);
    // Failed checks exit 1; when the only failures are refused input (a journal not of its module), 2.
    const failed = records.filter((r) => r.Status === 'Failed').length;
    if (failed > refused.length) return ExitCode.Failed;
    return refused.length ? exitCodeFor(refused[0].code) : ExitCode.Ok;
    // Standalone: repair's own `journal` check finishes (or, with --dry-run, reports) an interrupted install.
  }, { standalone: true }),
};

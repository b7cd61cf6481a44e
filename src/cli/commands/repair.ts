import type { CommandModule } from 'yargs';
import { ExitCode } from '../../core/errors';
import { RecordType } from '../../core/records';
import { listArg, withRoot, type Args } from '../options';
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
    const records = await runRepair(ctx, {
      checks: listArg(argv.check),
      dryRun: Boolean(argv.dryRun),
      onRecord: (record) => ctx.output.record(RecordType.RepairResult, withRoot(ctx, record)),
    });
    return records.some((r) => r.Status === 'Failed') ? ExitCode.Failed : ExitCode.Ok;
    // Standalone: the recovery every other command runs first is repair's own `journal` check,
    // which must only report with --dry-run.
  }, { standalone: true }),
};

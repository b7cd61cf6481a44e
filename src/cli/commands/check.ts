import type { CommandModule } from 'yargs';
import type { Args } from '../options';
import { runCommand } from '../run';

export const checkCommand: CommandModule<object, Args<object>> = {
  command: 'check',
  describe: 'Fetch and verify the signed feed, download and verify needed packages, write status.xml',
  builder: (y) => y.example('$0 check --json', 'what the update service does periodically') as never,
  handler: (argv) => runCommand(argv, async (ctx) => {
    const { runCheck } = await import('../../check/run-check');
    await runCheck(ctx, { report: true });
  }),
};

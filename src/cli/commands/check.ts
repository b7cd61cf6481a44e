import type { CommandModule } from 'yargs';
import type { Args } from '../options';
import { runCommand } from '../run';
import { keepYoungGenerationSmall } from '../young-generation';

export const checkCommand: CommandModule<object, Args<object>> = {
  command: 'check',
  describe: 'Fetch and verify the signed feed, download and verify needed packages, write status.xml',
  builder: (y) => y.example('$0 check --json', 'what the update service does periodically') as never,
  handler: (argv) => runCommand(argv, async (ctx) => {
    const [{ runCheck }, { tidyBackups }] = await Promise.all([import('../../check/run-check'), import('../../install/backup')]);
    await runCheck(ctx, { report: true });
    // As the service does after each check: compress (or prune) the backups of finished installs.
    // Their archive walks every file of a module: the young generation stays small, as in install.
    keepYoungGenerationSmall();
    for (const work of await tidyBackups(ctx, (line) => ctx.output.verbose(line))) {
      ctx.output.info(work.archive ? `backup ${work.folder} compressed into ${work.archive}` : `old backup ${work.folder} removed`);
    }
  }),
};

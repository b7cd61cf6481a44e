import type { CommandModule } from 'yargs';
import { RecordType } from '../../core/records';
import { listArg, withSelection, type Args } from '../options';
import { runCommand } from '../run';

interface GetArgs { name?: string[]; instance?: string; refresh?: boolean }

export const getCommand: CommandModule<object, Args<GetArgs>> = {
  command: 'get',
  describe: 'List installed module instances with their installed and available versions',
  builder: (y) => withSelection(y)
    .option('refresh', { type: 'boolean', default: false, describe: 'check the feed first (as `check` does)' })
    .example('$0 get', 'every module instance on this server')
    .example('$0 get --name ecommerce --refresh --json', 'check the feed, then report ecommerce as NDJSON') as never,
  handler: (argv) => runCommand(argv, async (ctx) => {
    if (argv.refresh) {
      const { runCheck } = await import('../../check/run-check');
      await runCheck(ctx, { report: false });
    }
    const [{ collectUpdates }, { interruptedNotes }] = await Promise.all([import('../../discovery/updates'), import('../../install/recovery')]);
    // An interrupted install is reported on its module's record; `get` never finishes it.
    const records = await collectUpdates(ctx, { names: listArg(argv.name), instance: argv.instance }, await interruptedNotes(ctx));
    for (const record of records) ctx.output.record(RecordType.Update, record);
  }),
};

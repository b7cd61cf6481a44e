import type { CommandModule } from 'yargs';
import type { AltazionError } from '../../core/errors';
import { RecordType } from '../../core/records';
import { selectionArg, withRoot, withSelection, type Args } from '../options';
import { runCommand } from '../run';

interface GetArgs { name?: string[]; instance?: string; refresh?: boolean; 'skip-unknown-names'?: boolean }

export const getCommand: CommandModule<object, Args<GetArgs>> = {
  command: 'get',
  describe: 'List installed module instances with their installed and available versions',
  builder: (y) => withSelection(y)
    .option('refresh', { type: 'boolean', default: false, describe: 'check the feed first (as `check` does) and ask the database, even when the service checked it within the last minute' })
    .option('skip-unknown-names', { type: 'boolean', default: false, hidden: true, describe: 'report each unknown --name as an error and go on with the others (the cmdlets)' })
    .example('$0 get', 'every module instance on this server')
    .example('$0 get --name ecommerce --refresh --json', 'check the feed, then report ecommerce as NDJSON') as never,
  handler: (argv) => runCommand(argv, async (ctx) => {
    if (argv.refresh) {
      const { runCheck } = await import('../../check/run-check');
      await runCheck(ctx, { report: false });
    }
    // An interrupted install is reported on its module's record (collectUpdates); `get` never finishes it.
    const { collectUpdates } = await import('../../discovery/updates');
    const onUnknown = argv['skip-unknown-names'] ? (error: AltazionError) => { ctx.output.error(error); } : undefined;
    // Without --refresh, the database as the service checked it within the last minute and a half.
    const records = await collectUpdates(ctx, { names: selectionArg(argv.name, 'name', 'every module'), instance: argv.instance, trustServiceCheck: !argv.refresh, ...(onUnknown ? { onUnknown } : {}) });
    for (const record of records) ctx.output.record(RecordType.Update, withRoot(ctx, record));
  }),
};

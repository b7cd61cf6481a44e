// `schedule list` / `schedule cancel <id>`: the installs scheduled for a maintenance window (by
// `install --at`, `Install-AltazionUpdate -At` or the portal), which the update service runs.
import type { CommandModule } from 'yargs';
import { AltazionError } from '../../core/errors';
import type { Args } from '../options';
import { runCommand } from '../run';

interface ScheduleArgs { action?: string; id?: string }

export const scheduleCommand: CommandModule<object, Args<ScheduleArgs>> = {
  command: 'schedule <action> [id]',
  describe: 'Scheduled installs (maintenance windows): list them, or cancel one by its id',
  builder: (y) => y
    .positional('action', { choices: ['list', 'cancel'] as const, describe: 'list, or cancel <id>' })
    .positional('id', { type: 'string', describe: 'with cancel: the id shown by `schedule list`' })
    .example('$0 install --name ecommerce --at 02:00', 'schedule an install for tonight')
    .example('$0 schedule list', 'what is scheduled')
    .example('$0 schedule cancel 20261205T101010-abcdef', 'cancel one') as never,
  handler: (argv) => runCommand(argv, async (ctx) => {
    const { cancelScheduledInstall, listScheduledInstalls, ScheduledInstallType } = await import('../../schedule');
    if (argv.action === 'cancel') {
      if (!argv.id) throw new AltazionError('E_USAGE', 'schedule cancel needs the id of a scheduled install', { hint: 'altazion-update schedule list' });
      // bin\updates\schedule is writable by administrators only (SPEC §12): say so before trying.
      await (await import('../elevation')).requireElevated(ctx, 'schedule cancel');
      ctx.output.record(ScheduledInstallType, await cancelScheduledInstall(ctx.layout, argv.id));
      return;
    }
    for (const entry of await listScheduledInstalls(ctx.layout)) ctx.output.record(ScheduledInstallType, entry);
  }),
};

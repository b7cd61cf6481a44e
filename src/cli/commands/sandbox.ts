import type { CommandModule } from 'yargs';
import { listArg, type Args } from '../options';
import { runCommand } from '../run';

interface SandboxArgs { root?: string; feed?: string; modules?: string[]; customize?: string[] }

export const sandboxCommand: CommandModule<object, Args<SandboxArgs>> = {
  command: 'sandbox <action>',
  describe: 'Create a complete fake server and a signed local feed, to try the tool safely',
  builder: (y) => y
    .positional('action', { choices: ['create'] as const, describe: 'what to do' })
    .option('feed', { type: 'string', demandOption: true, describe: 'folder for the signed feed (created)' })
    .option('modules', { type: 'string', array: true, describe: 'modules to install (default: gestioncommerciale, ecommerce, logistique, database)' })
    .option('customize', { type: 'string', array: true, describe: 'standard database objects to alter (shows the customised-database flow)' })
    .demandOption('root', 'sandbox create needs --root <dir> (the instance root to create)')
    .example('$0 sandbox create --root /tmp/sb/root --feed /tmp/sb/feed', 'a server with four modules behind a signed feed') as never,
  handler: (argv) => runCommand(argv, async (ctx) => {
    const [{ createSandbox }, { selfCommand }] = await Promise.all([import('../../sandbox/create'), import('../self')]);
    const info = await createSandbox({ root: ctx.root, feed: argv.feed!, modules: listArg(argv.modules), customize: listArg(argv.customize), updaterCommand: selfCommand() });
    ctx.output.record('Altazion.Sandbox', info);
  }, { standalone: true }),
};

// `portal open` (SPEC §12): open the running portal in the browser, signed in as an administrator.
import type { CommandModule } from 'yargs';
import { RecordType, type PortalSignInRecord } from '../../core/records';
import type { Args } from '../options';
import { runCommand } from '../run';
import { operatorName } from '../../io/operator';

interface OpenArgs { browser?: boolean }

const openSub: CommandModule<object, Args<OpenArgs>> = {
  command: 'open',
  describe: 'Open the portal in the default browser, signed in as an administrator (reads the admin-only token of the running service)',
  builder: (y) => y
    .option('browser', { type: 'boolean', default: true, describe: 'open the browser (--no-browser: only print the one-time sign-in link)' })
    .example('$0 portal open', 'from an elevated prompt on the server')
    .example('$0 portal open --no-browser --json', 'the link as an Altazion.PortalSignIn record (valid 2 minutes, once)') as never,
  handler: (argv) => runCommand(argv, async (ctx) => {
    const { openInBrowser, requestSignInLink } = await import('../../service/portal/open');
    const link = await requestSignInLink(ctx.layout, operatorName(ctx.env));
    if (argv.browser !== false) await openInBrowser(link.Url, process.platform, ctx.env);
    const record: PortalSignInRecord = { ...link, Opened: argv.browser !== false };
    ctx.output.record(RecordType.PortalSignIn, record);
  }, { standalone: true }),
};

export const portalCommand: CommandModule<object, object> = {
  command: 'portal <action>',
  describe: 'The local portal of the update service (open)',
  builder: (y) => y.command(openSub).demandCommand(1, 'portal open') as never,
  handler: () => undefined,
};

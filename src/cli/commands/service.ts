// `service run` / `service install` / `service uninstall` (SPEC §3, §9).
import type { CommandModule } from 'yargs';
import type { Context } from '../context';
import type { Args } from '../options';
import { runCommand } from '../run';
import { selfCommand } from '../self';
import { keepYoungGenerationSmall } from '../young-generation';

interface RunArgs { port?: number; 'stop-on-stdin-close'?: boolean }

const runSub: CommandModule<object, Args<RunArgs>> = {
  command: 'run',
  describe: 'Run the update service in the foreground: periodic checks and the portal on 127.0.0.1',
  builder: (y) => y
    .option('port', { type: 'number', describe: 'portal port, used as given (default: updater.config <portal port>, 8080, or <portal fallbackPort>, 8081, when that one is in use)' })
    .option('stop-on-stdin-close', { type: 'boolean', default: false, hidden: true, describe: 'stop when stdin closes (the Windows service host)' }) as never,
  handler: (argv) => runCommand(argv, async (ctx) => {
    keepYoungGenerationSmall();
    const [{ installModules }, { startService, waitForStopRequest }] = await Promise.all([import('../../install'), import('../../service/run')]);
    // Listening for a stop before starting: a stop asked while the service starts (the portal already
    // answers, its token is being written) lets it finish starting, then stops it cleanly.
    const stopRequested = waitForStopRequest(Boolean(argv['stop-on-stdin-close']));
    const service = await startService(ctx, { port: argv.port, periodicChecks: true, install: installModules, notice: (message) => ctx.output.warn(message) });
    ctx.output.info(`Portal: ${service.portal.url} (log: ${service.log.file})`);
    ctx.output.flush();
    const why = await stopRequested;
    ctx.output.info(`stopping (${why})`);
    await service.stop();
  }),
};

/** The sandbox's simulated host, when the instance root is a sandbox (its service manager is simulated too). */
async function sandboxHost(ctx: Context) {
  if ((await ctx.config()).hostKind !== 'sandbox') return undefined;
  const { SandboxPlatform } = await import('../../platform/sandbox');
  const platform = await ctx.platform();
  return platform instanceof SandboxPlatform ? platform : undefined;
}

const installSub: CommandModule<object, Args<object>> = {
  command: 'install',
  describe: 'Register the Windows service AltazionUpdate (Automatic, Delayed Start; restart on failure); first make what it runs or trusts admin-only',
  handler: (argv) => runCommand(argv, async (ctx) => {
    const sandbox = await sandboxHost(ctx);
    if (sandbox) {
      const { installSandboxService } = await import('../../service/sandbox-install');
      ctx.output.record('Altazion.Service', await installSandboxService(ctx, sandbox, selfCommand()));
      return;
    }
    const { installWindowsService, requireWindows } = await import('../../service/windows-install');
    requireWindows('install');
    await (await import('../elevation')).requireElevated(ctx, 'service install');
    ctx.output.record('Altazion.Service', await installWindowsService(ctx));
  }),
};

const uninstallSub: CommandModule<object, Args<object>> = {
  command: 'uninstall',
  describe: 'Stop and remove the Windows service AltazionUpdate',
  handler: (argv) => runCommand(argv, async (ctx) => {
    const sandbox = await sandboxHost(ctx);
    if (sandbox) {
      const { uninstallSandboxService } = await import('../../service/sandbox-install');
      ctx.output.record('Altazion.Service', await uninstallSandboxService(sandbox));
      return;
    }
    const { requireWindows, uninstallWindowsService } = await import('../../service/windows-install');
    requireWindows('uninstall');
    await (await import('../elevation')).requireElevated(ctx, 'service uninstall');
    ctx.output.record('Altazion.Service', await uninstallWindowsService(ctx));
  }),
};

export const serviceCommand: CommandModule<object, object> = {
  command: 'service <action>',
  describe: 'The background update service and its portal (run / install / uninstall)',
  builder: (y) => y.command(runSub).command(installSub).command(uninstallSub).demandCommand(1, 'service run | install | uninstall') as never,
  handler: () => undefined,
};

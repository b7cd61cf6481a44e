import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CommandModule } from 'yargs';
import { createContext } from '../context';
import type { Args } from '../options';
import { runCommand } from '../run';

interface DemoArgs { exit?: boolean; port?: number }

export const demoCommand: CommandModule<object, Args<DemoArgs>> = {
  command: 'demo',
  describe: 'Create a sandbox in a temporary folder, serve its feed over HTTP and open the portal',
  builder: (y) => y
    .option('port', { type: 'number', default: 0, describe: 'portal port (default: a free port)' })
    .option('exit', { type: 'boolean', default: false, describe: 'print what was made and exit instead of serving' }) as never,
  handler: (argv) => runCommand(argv, async (ctx) => {
    const [{ createSandbox }, { serveFolder }, { selfCommand, selfCommandLine }, { runCheck }, { startDemoPortal }] = await Promise.all([
      import('../../sandbox/create'),
      import('../../sandbox/feed-http'),
      import('../self'),
      import('../../check/run-check'),
      import('../../sandbox/demo-portal'),
    ]);
    const base = await fs.mkdtemp(path.join(os.tmpdir(), 'altazion-demo-'));
    const root = path.join(base, 'CPoint', '[e]');
    const info = await createSandbox({ root, feed: path.join(base, 'feed'), updaterCommand: selfCommand() });
    const feedServer = await serveFolder(info.Feed);
    // The demo feed is reached over HTTP, like a publisher's server.
    const configFile = info.UpdaterConfig;
    const config = await fs.readFile(configFile, 'utf8');
    await fs.writeFile(configFile, config.replace(/location="[^"]*"/, `location="${feedServer.url}"`));
    const demoCtx = createContext({ root, json: ctx.output.json }, ctx.output, ctx.env);
    await runCheck(demoCtx, { report: false });
    const portal = await startDemoPortal(demoCtx, argv.port ?? 0);
    if (portal) {
      // The portal's real port goes into updater.config, so that repair finds it where it runs.
      const port = new URL(portal.url).port;
      await fs.writeFile(configFile, (await fs.readFile(configFile, 'utf8')).replace(/(<portal\b[^>]*\bport=")\d+"/i, `$1${port}"`));
    }
    const cli = selfCommandLine();
    const record = {
      ...info,
      FeedUrl: feedServer.url,
      PortalUrl: portal?.url ?? null,
      SignInUrl: portal?.signInUrl ?? null,
      Next: [
        `${cli} get --root "${root}"`,
        `${cli} install --root "${root}" --name ecommerce`,
        `${cli} repair --root "${root}"`,
        `${cli} db status --root "${root}"`,
      ],
    };
    ctx.output.record('Altazion.Demo', record);
    if (!ctx.output.json) {
      ctx.output.info(`Demo server ready in ${base}`);
      ctx.output.info(`Feed:   ${feedServer.url}`);
      if (portal) ctx.output.info(`Portal: ${portal.url} (signed in as an administrator: ${portal.signInUrl} , once, within the hour)`);
    }
    ctx.output.flush();
    if (argv.exit) {
      await portal?.close();
      await feedServer.close();
      return;
    }
    if (!ctx.output.json) ctx.output.info('Press Ctrl+C to stop.');
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await portal?.close();
    await feedServer.close();
  }, { standalone: true }),
};

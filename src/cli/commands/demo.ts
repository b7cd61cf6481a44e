import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CommandModule } from 'yargs';
import { createContext } from '../context';
import type { Args } from '../options';
import { runCommand } from '../run';

interface DemoArgs { exit?: boolean; port?: number }

/** Resolves on Ctrl+C (SIGINT), SIGTERM, a closed terminal (SIGHUP) or Ctrl+Break (Windows). */
function waitForStop(): { promise: Promise<string>; dispose(): void } {
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', ...(process.platform === 'win32' ? ['SIGBREAK' as NodeJS.Signals] : [])];
  let dispose = () => undefined as void;
  const promise = new Promise<string>((resolve) => {
    const handlers = signals.map((signal) => [signal, () => { dispose(); resolve(signal); }] as const);
    for (const [signal, handler] of handlers) process.on(signal, handler);
    dispose = () => { for (const [signal, handler] of handlers) process.removeListener(signal, handler); };
  });
  return { promise, dispose: () => dispose() };
}

/** The demo's temporary folder goes; retried a few times (Windows keeps a just-closed file busy for a moment). */
export async function removeDemoFolder(base: string): Promise<void> {
  await fs.rm(base, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
}

export const demoCommand: CommandModule<object, Args<DemoArgs>> = {
  command: 'demo',
  describe: 'Create a sandbox in a temporary folder, serve its feed over HTTP and open the portal',
  builder: (y) => y
    .option('port', { type: 'number', default: 0, describe: 'portal port (default: a free port)' })
    .option('exit', { type: 'boolean', default: false, describe: 'print what was made and exit instead of serving (the temporary folder is kept: its path is printed)' }) as never,
  handler: (argv) => runCommand(argv, async (ctx) => {
    const [{ createSandbox }, { serveFolder }, { selfCommand, selfCommandLine }, { runCheck }, { startDemoPortal }] = await Promise.all([
      import('../../sandbox/create'),
      import('../../sandbox/feed-http'),
      import('../self'),
      import('../../check/run-check'),
      import('../../sandbox/demo-portal'),
    ]);
    const base = await fs.mkdtemp(path.join(os.tmpdir(), 'altazion-demo-'));
    // Stop requests are listened to from the start: Ctrl+C while the sandbox is being made still
    // removes the temporary folder.
    const stopRequested = waitForStop();
    let keep = false;
    let feedServer: Awaited<ReturnType<typeof serveFolder>> | undefined;
    let portal: Awaited<ReturnType<typeof startDemoPortal>> | undefined;
    try {
      const root = path.join(base, 'CPoint', '[e]');
      const info = await createSandbox({ root, feed: path.join(base, 'feed'), updaterCommand: selfCommand() });
      feedServer = await serveFolder(info.Feed);
      // The demo feed is reached over HTTP, like a publisher's server.
      const configFile = info.UpdaterConfig;
      const config = await fs.readFile(configFile, 'utf8');
      await fs.writeFile(configFile, config.replace(/location="[^"]*"/, `location="${feedServer.url}"`));
      const demoCtx = createContext({ root }, ctx.output, ctx.env);
      await runCheck(demoCtx, { report: false });
      portal = await startDemoPortal(demoCtx, argv.port ?? 0);
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
        keep = true;
        return;
      }
      if (!ctx.output.json) ctx.output.info(`Press Ctrl+C to stop (${base} is removed then).`);
      await stopRequested.promise;
    } finally {
      stopRequested.dispose();
      await portal?.close();
      await feedServer?.close();
      if (!keep) await removeDemoFolder(base);
    }
  }, { standalone: true }),
};

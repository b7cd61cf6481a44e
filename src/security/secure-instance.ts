// What `service install` does first on every host (SPEC §12): the settings are moved out of
// bin\config if still there, then everything the SYSTEM service runs or trusts is made writable by
// Administrators and SYSTEM only, without inheritance (the portal's secret readable by them only).
import type { Context } from '../cli/context';
import { hookInterpreter } from '../install/hooks';
import { moveLegacySettingsAndReport } from './settings';
import { secureUpdaterFiles, trustedPaths } from './trusted-paths';

/** Returns the paths made admin-only. `binaryPath`: the service's command line (its files are checked by repair). */
export async function secureInstance(ctx: Context, binaryPath?: string): Promise<string[]> {
  await moveLegacySettingsAndReport(ctx);
  const platform = await ctx.platform();
  const config = await ctx.config();
  const paths = trustedPaths({ layout: ctx.layout, pathApi: ctx.pathApi, serviceBinaryPath: binaryPath, interpreter: hookInterpreter(config.install.powershell, platform.kind, ctx.env) });
  return secureUpdaterFiles(paths, platform.rights);
}

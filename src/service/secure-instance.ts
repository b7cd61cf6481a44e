// What `service install` does first on every host (SPEC §12): the settings are moved out of
// bin\config if still there, then everything the SYSTEM service runs or trusts is made writable by
// Administrators and SYSTEM only, without inheritance (the portal's secret readable by them only).
import type { Context } from '../context/context';
import { hookInterpreter } from '../install/hooks';
import { moveLegacySettingsAndReport } from '../security/settings';
import { findOthersAccess, secureUpdaterFiles, trustedPaths } from '../security/trusted-paths';

export interface SecureOutcome {
  /** The paths made admin-only (with everything below them). */
  secured: string[];
  /**
   * What someone else could change before: made admin-only now, with its content as it was. Hook
   * scripts and settings among them deserve a look (the service runs and trusts them from now on).
   */
  wasWritableByOthers: string[];
}

/** `binaryPath`: the service's command line (its files are checked by repair, not changed). */
export async function secureInstance(ctx: Context, binaryPath?: string): Promise<SecureOutcome> {
  const platform = await ctx.platform();
  const config = await ctx.config();
  const paths = trustedPaths({ layout: ctx.layout, pathApi: ctx.pathApi, serviceBinaryPath: binaryPath, interpreter: hookInterpreter(config.install.powershell, platform.kind, ctx.env) });
  // Looked at before anything changes (moving the settings already secures bin\updates).
  const before: string[] = [];
  for (const entry of paths.filter((p) => p.fix !== 'check')) {
    const found = await findOthersAccess(entry, platform.rights, ctx.pathApi.join).catch(() => []);
    for (const f of found) if (!f.reading) before.push(f.path);
  }
  await moveLegacySettingsAndReport(ctx);
  for (const p of before) ctx.output.warn(`${p} could be changed by others than Administrators and SYSTEM until now: check its content (it is trusted from now on)`);
  return { secured: await secureUpdaterFiles(paths, platform.rights), wasWritableByOthers: before };
}

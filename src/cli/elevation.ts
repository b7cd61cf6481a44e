// Commands that change the server need an administrator's rights (IIS pools, services, module
// folders, bin\updates which only Administrators and SYSTEM may write, SPEC §12). They check first,
// before anything changes, and say so plainly instead of failing half-way with "access denied".
import { AltazionError } from '../core/errors';
import type { Context } from './context';

export async function requireElevated(ctx: Context, what: string): Promise<void> {
  const host = await (await ctx.platform()).host();
  if (!host.elevated) {
    throw new AltazionError('E_REQUIREMENT', `run as administrator: ${what} changes the server and needs an administrator's rights (this process is not elevated)`, {
      hint: 'open PowerShell with "Run as administrator" and run the command again, or use --dry-run to only see what would be done',
    });
  }
}

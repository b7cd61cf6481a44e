// Commands that change the server need an administrator's rights (IIS pools, services, module
// folders, bin\updates which only Administrators and SYSTEM may write, SPEC §12). They check first,
// before anything changes, and say so plainly instead of failing half-way with "access denied".
import { AltazionError } from '../core/errors';
import { msg } from '../core/messages';
import type { Context } from './context';

export async function requireElevated(ctx: Context, what: string): Promise<void> {
  const host = await (await ctx.platform()).host();
  if (!host.elevated) {
    throw new AltazionError('E_REQUIREMENT', msg('platform.notElevated', { command: what }), { hint: msg('platform.notElevatedHint') });
  }
}

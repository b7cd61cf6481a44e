// `acl` (SPEC §8, §12): what the SYSTEM service executes or trusts can be changed by Administrators
// and SYSTEM only: bin\updates and everything in it (settings, accepted keys, hook scripts, cache,
// journal, service files), the portal's sign-in secret (not even readable by others), the hook
// interpreter, the service's executable. Ours are fixed (made admin-only again, with everything
// below); the interpreter and the service's files are not ours to change: Failed, with what to do.
import { UPDATER_SERVICE } from '../../core/product';
import { msg, type Message } from '../../core/messages';
import { hookInterpreter } from '../../install/hooks';
import { findOthersAccess, trustedPaths, type AccessFinding } from '../../security/trusted-paths';
import { errorText, fixedOr, result, type RepairCheck } from '../types';

/** What others can do, the first five in full (paths and accounts are data). */
function describe(found: readonly AccessFinding[]): Message {
  const shown = found.slice(0, 5).map((f) => msg(f.reading ? 'repair.acl.readableBy' : 'repair.acl.writableBy', { path: f.path, who: f.who.map((w) => w.name ?? w.sid).join(', ') }));
  return msg('list', { items: found.length > shown.length ? [...shown, msg('repair.acl.more', { count: found.length - shown.length })] : shown });
}

export const aclCheck: RepairCheck = {
  id: 'acl',
  describe: 'what the SYSTEM service runs or trusts (bin\\updates: settings, keys, hook scripts, cache, journal; the interpreter; the service files) is writable by Administrators and SYSTEM only (fix: make it so)',
  async run(ctx, options) {
    const platform = await ctx.facts.platform();
    const config = await ctx.config();
    const service = (await ctx.facts.services().catch(() => [])).find((s) => s.name.toLowerCase() === UPDATER_SERVICE.name.toLowerCase());
    const paths = trustedPaths({
      layout: ctx.layout, pathApi: ctx.pathApi, serviceBinaryPath: service?.binaryPath,
      interpreter: hookInterpreter(config.install.powershell, platform.kind, ctx.env),
    });
    const records = [];
    for (const entry of paths) {
      let found: AccessFinding[];
      try {
        found = await findOthersAccess(entry, platform.rights, ctx.pathApi.join);
      } catch (error) {
        records.push(result('acl', entry.path, 'Failed', msg('repair.acl.unreadable', { what: entry.what, error: errorText(error) }), msg('repair.acl.checkByHand')));
        continue;
      }
      if (found.length === 0) {
        records.push(result('acl', entry.path, 'Ok', msg(entry.fix === 'private' ? 'repair.acl.okPrivate' : 'repair.acl.ok', { what: entry.what })));
        continue;
      }
      const problem = msg('repair.acl.problem', { what: entry.what, found: describe(found) });
      if (entry.fix === 'check') {
        records.push(result('acl', entry.path, 'Failed', problem, entry.remedy ?? ''));
        continue;
      }
      const isPrivate = entry.fix === 'private';
      if (!options.fix) {
        records.push(result('acl', entry.path, fixedOr(options), problem, msg(isPrivate ? 'repair.acl.makePrivate' : 'repair.acl.make', { path: entry.path })));
        continue;
      }
      try {
        await platform.rights.restrictToAdministrators(entry.path, { othersMayRead: entry.fix === 'restrict' });
        const left = await findOthersAccess(entry, platform.rights, ctx.pathApi.join);
        if (left.length > 0) {
          records.push(result('acl', entry.path, 'Failed', msg('repair.acl.fixFailed', { problem, error: msg('repair.acl.still', { found: describe(left) }) }), msg('repair.elevated')));
          continue;
        }
        records.push(result('acl', entry.path, 'Fixed', problem, msg(isPrivate ? 'repair.acl.madePrivate' : 'repair.acl.made', { path: entry.path })));
      } catch (error) {
        records.push(result('acl', entry.path, 'Failed', msg('repair.acl.fixFailed', { problem, error: errorText(error) }), msg('repair.elevated')));
      }
    }
    return records;
  },
};

// `acl` (SPEC §8, §12): what the SYSTEM service executes or trusts can be changed by Administrators
// and SYSTEM only: bin\updates and everything in it (settings, accepted keys, hook scripts, cache,
// journal, service files), the portal's sign-in secret (not even readable by others), the hook
// interpreter, the service's executable. Ours are fixed (made admin-only again, with everything
// below); the interpreter and the service's files are not ours to change: Failed, with what to do.
import { UPDATER_SERVICE } from '../../core/product';
import { hookInterpreter } from '../../install/hooks';
import { findOthersAccess, trustedPaths, type AccessFinding } from '../../security/trusted-paths';
import { errorText, fixedOr, result, type RepairCheck } from '../types';

function describe(found: readonly AccessFinding[]): string {
  const shown = found.slice(0, 5).map((f) => `${f.path} ${f.reading ? 'readable' : 'writable'} by ${f.who.map((w) => w.name ?? w.sid).join(', ')}`);
  return shown.join('; ') + (found.length > shown.length ? `; and ${found.length - shown.length} more` : '');
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
        records.push(result('acl', entry.path, 'Failed', `who can change ${entry.what} cannot be read: ${errorText(error)}`, 'check by hand that only Administrators and SYSTEM can write it'));
        continue;
      }
      if (found.length === 0) {
        records.push(result('acl', entry.path, 'Ok', `${entry.what}: ${entry.fix === 'private' ? 'readable and writable' : 'writable'} by Administrators and SYSTEM only`));
        continue;
      }
      const problem = `${entry.what}: ${describe(found)}`;
      if (entry.fix === 'check') {
        records.push(result('acl', entry.path, 'Failed', problem, entry.remedy ?? ''));
        continue;
      }
      const action = `made ${entry.path} and everything below it writable by Administrators and SYSTEM only${entry.fix === 'private' ? ' (and readable by them only)' : ''}`;
      if (!options.fix) {
        records.push(result('acl', entry.path, fixedOr(options), problem, action.replace(/^made/, 'make')));
        continue;
      }
      try {
        await platform.rights.restrictToAdministrators(entry.path, { othersMayRead: entry.fix === 'restrict' });
        const left = await findOthersAccess(entry, platform.rights, ctx.pathApi.join);
        if (left.length > 0) throw new Error(`still: ${describe(left)}`);
        records.push(result('acl', entry.path, 'Fixed', problem, `${action}; check what changed there meanwhile (hook scripts, updater.config)`));
      } catch (error) {
        records.push(result('acl', entry.path, 'Failed', `${problem}; fixing failed: ${errorText(error)}`, 'run repair from an elevated prompt (as an administrator)'));
      }
    }
    return records;
  },
};

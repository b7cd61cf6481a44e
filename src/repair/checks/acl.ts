// `acl` (SPEC §8, §12): what the SYSTEM service executes or trusts can be changed by Administrators
// and SYSTEM only: bin\updates and everything in it (settings, accepted keys, hook scripts, cache,
// journal, service files), the portal's sign-in secret (not even readable by others), the hook
// interpreter, the service's executable. Ours are fixed (made admin-only again, with everything
// below); the interpreter and the service's files are not ours to change: Failed, with what to do.
import { promises as fs } from 'node:fs';
import { UPDATER_SERVICE } from '../../core/product';
import { hookInterpreter } from '../../install/hooks';
import type { FolderRights, Principal } from '../../platform/types';
import { trustedPaths, type TrustedPath } from '../../security/trusted-paths';
import { errorText, fixedOr, result, type RepairCheck } from '../types';

/** Enough to cover bin\updates (a few folders of a few files each) without walking a runaway tree. */
const MAX_ENTRIES = 2000;

/** The path and what lies below it (breadth first, bounded). */
async function entriesOf(entry: TrustedPath, join: (a: string, b: string) => string): Promise<string[]> {
  const out = [entry.path];
  if (!entry.tree) return out;
  for (let i = 0; i < out.length && out.length < MAX_ENTRIES; i++) {
    const children = await fs.readdir(out[i]!, { withFileTypes: true }).catch(() => []);
    for (const child of children) {
      if (out.length >= MAX_ENTRIES) break;
      out.push(join(out[i]!, child.name));
    }
  }
  return out;
}

interface Finding { path: string; who: Principal[]; reading: boolean }

async function findings(entry: TrustedPath, rights: FolderRights, join: (a: string, b: string) => string): Promise<Finding[]> {
  const found: Finding[] = [];
  for (const p of await entriesOf(entry, join)) {
    const access = await rights.othersAccess(p);
    if (access.write.length > 0) found.push({ path: p, who: access.write, reading: false });
    else if (entry.fix === 'private' && access.read.length > 0) found.push({ path: p, who: access.read, reading: true });
  }
  return found;
}

function describe(found: readonly Finding[]): string {
  const shown = found.slice(0, 5).map((f) => `${f.path} ${f.reading ? 'readable' : 'writable'} by ${f.who.map((w) => w.name).join(', ')}`);
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
      let found: Finding[];
      try {
        found = await findings(entry, platform.rights, ctx.pathApi.join);
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
        const action = entry.what === 'the hook interpreter'
          ? 'name an interpreter only administrators can change (<install powershell="..."> in updater.config), or leave it out for the system\'s Windows PowerShell; hooks do not run meanwhile'
          : 'run `altazion-update service install` again from the product\'s folder (it installs the service files admin-only), or fix the rights by hand';
        records.push(result('acl', entry.path, 'Failed', problem, action));
        continue;
      }
      const action = `made ${entry.path} and everything below it writable by Administrators and SYSTEM only${entry.fix === 'private' ? ' (and readable by them only)' : ''}`;
      if (!options.fix) {
        records.push(result('acl', entry.path, fixedOr(options), problem, action.replace(/^made/, 'make')));
        continue;
      }
      try {
        await platform.rights.restrictToAdministrators(entry.path, { othersMayRead: entry.fix === 'restrict' });
        const left = await findings(entry, platform.rights, ctx.pathApi.join);
        if (left.length > 0) throw new Error(`still: ${describe(left)}`);
        records.push(result('acl', entry.path, 'Fixed', problem, `${action}; check what changed there meanwhile (hook scripts, updater.config)`));
      } catch (error) {
        records.push(result('acl', entry.path, 'Failed', `${problem}; fixing failed: ${errorText(error)}`, 'run repair from an elevated prompt (as an administrator)'));
      }
    }
    return records;
  },
};

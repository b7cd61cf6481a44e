// `app-offline`: app_offline.htm(l) left in a module folder while no install runs keeps the site
// "in maintenance". Documented fix (SPEC §2): rename it to .bak when there is none, else delete it.
import { promises as fs } from 'node:fs';
import type { RepairResultRecord } from '../../core/records';
import { planAppOffline } from '../decisions';
import { describeLock } from '../install-lock';
import { errorText, fixedOr, result, type RepairCheck } from '../types';

export const appOfflineCheck: RepairCheck = {
  id: 'app-offline',
  describe: 'no app_offline.htm(l) left in a web module outside an install (fix: rename to .bak, else delete)',
  async run(ctx, options) {
    let folders: string[];
    try {
      const inventory = await ctx.facts.inventory();
      folders = [...new Set([...inventory.declared.map((d) => d.path), ...inventory.undeclared.filter((u) => u.kind === 'iis').map((u) => u.path)])];
    } catch (error) {
      return [result('app-offline', ctx.layout.applicationsConfig, 'Skipped', `module folders unknown: ${errorText(error)}`, 'see check applications')];
    }
    const found: Array<{ folder: string; actions: ReturnType<typeof planAppOffline> }> = [];
    for (const folder of folders) {
      const names = await fs.readdir(folder).catch(() => [] as string[]);
      const actions = planAppOffline(names);
      if (actions.length > 0) found.push({ folder, actions });
    }
    if (found.length === 0) return [result('app-offline', `${folders.length} module folder(s)`, 'Ok', 'no app_offline.htm or app_offline.html in any module folder')];
    const install = await ctx.facts.runningInstall();
    const records: RepairResultRecord[] = [];
    const platform = await ctx.facts.platform();
    for (const { folder, actions } of found) {
      const interrupted = await ctx.facts.interruptedAt(folder);
      for (const action of actions) {
        const file = ctx.pathApi.join(folder, action.file);
        if (interrupted) {
          records.push(result('app-offline', file, 'Skipped', `left by the interrupted install ${interrupted.journal!.id} of ${interrupted.journal!.module}: its recovery removes it`, 'see check journal'));
          continue;
        }
        const what = action.action === 'rename' ? `rename to ${action.to}` : `delete it (${action.file}.bak already exists)`;
        if (install) {
          records.push(result('app-offline', file, 'Skipped', `an install is running (${describeLock(install)}): the file is expected while it runs`, ''));
          continue;
        }
        const detail = `${action.file} keeps the site in maintenance and no install is running`;
        if (!options.fix) {
          records.push(result('app-offline', file, fixedOr(options), detail, what));
          continue;
        }
        try {
          if (action.action === 'rename') await platform.fs.rename(file, ctx.pathApi.join(folder, action.to));
          else await fs.rm(file);
          records.push(result('app-offline', file, 'Fixed', detail, action.action === 'rename' ? `renamed to ${action.to}` : 'deleted (a .bak already existed)'));
        } catch (error) {
          records.push(result('app-offline', file, 'Failed', `${detail}; ${what} failed: ${errorText(error)}`, 'see check locks: a process may hold the file'));
        }
      }
    }
    return records;
  },
};

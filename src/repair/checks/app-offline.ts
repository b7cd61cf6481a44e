// `app-offline`: app_offline.htm(l) left in a module folder while no install runs keeps the site
// "in maintenance". Documented fix (SPEC §2): rename it to .bak when there is none, else delete it.
import { msg, type Message } from '../../core/messages';
import { promises as fs } from 'node:fs';
import type { RepairResultRecord } from '../../core/records';
import { planAppOffline } from '../decisions';
import { describeLock } from '../install-lock';
import { errorParam, fixedOr, result, type RepairCheck } from '../types';

export const appOfflineCheck: RepairCheck = {
  id: 'app-offline',
  describe: 'no app_offline.htm(l) left in a web module outside an install (fix: rename to .bak, else delete)',
  async run(ctx, options) {
    let folders: string[];
    try {
      const inventory = await ctx.facts.inventory();
      folders = [...new Set([...inventory.declared.map((d) => d.path), ...inventory.undeclared.filter((u) => u.kind === 'iis').map((u) => u.path)])];
    } catch (error) {
      return [result('app-offline', ctx.layout.applicationsConfig, 'Skipped', msg('repair.moduleFoldersUnknown', { error: errorParam(error) }), msg('repair.seeCheck', { check: 'applications' }))];
    }
    const found: Array<{ folder: string; actions: ReturnType<typeof planAppOffline> }> = [];
    for (const folder of folders) {
      const names = await fs.readdir(folder).catch(() => [] as string[]);
      const actions = planAppOffline(names);
      if (actions.length > 0) found.push({ folder, actions });
    }
    if (found.length === 0) return [result('app-offline', `${folders.length} module folder(s)`, 'Ok', msg('repair.offline.none'))];
    const install = await ctx.facts.runningInstall();
    const records: RepairResultRecord[] = [];
    const platform = await ctx.facts.platform();
    for (const { folder, actions } of found) {
      const interrupted = await ctx.facts.interruptedAt(folder);
      for (const action of actions) {
        const file = ctx.pathApi.join(folder, action.file);
        if (interrupted) {
          records.push(result('app-offline', file, 'Skipped', msg('repair.offline.interrupted', { id: interrupted.journal!.id, module: interrupted.journal!.module }), msg('repair.seeCheck', { check: 'journal' })));
          continue;
        }
        const what = action.action === 'rename' ? msg('repair.offline.rename', { to: action.to }) : msg('repair.offline.delete', { file: action.file });
        if (install) {
          records.push(result('app-offline', file, 'Skipped', msg('repair.offline.installRunning', { who: describeLock(install) }), ''));
          continue;
        }
        const detail = msg('repair.offline.detail', { file: action.file });
        if (!options.fix) {
          records.push(result('app-offline', file, fixedOr(options), detail, what));
          continue;
        }
        try {
          if (action.action === 'rename') await platform.fs.rename(file, ctx.pathApi.join(folder, action.to));
          else await fs.rm(file);
          records.push(result('app-offline', file, 'Fixed', detail, action.action === 'rename' ? msg('repair.offline.renamed', { to: action.to }) : msg('repair.offline.deleted')));
        } catch (error) {
          records.push(result('app-offline', file, 'Failed', msg('repair.offline.failed', { detail, what, error: errorParam(error) }), msg('repair.offline.seeLocks')));
        }
      }
    }
    return records;
  },
};

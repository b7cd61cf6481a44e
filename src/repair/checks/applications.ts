// `applications`: every module running on the server (IIS applications and services that look like
// Altazion modules) is declared in applicationspath.config. Declaring is the module's own job (it
// rewrites its entry when it starts): a missing one usually means its identity cannot write to
// bin\config, which check `rights` fixes.
import { msg, type Message } from '../../core/messages';
import { errorParam, result, type RepairCheck } from '../types';

export const applicationsCheck: RepairCheck = {
  id: 'applications',
  describe: 'every module running on the server is declared in applicationspath.config',
  async run(ctx) {
    const file = ctx.layout.applicationsConfig;
    let inventory;
    try {
      inventory = await ctx.facts.inventory();
    } catch (error) {
      return [result('applications', file, 'Failed', errorParam(error), msg('repair.applications.fixFile'))];
    }
    if (inventory.undeclared.length === 0) {
      return [result('applications', file, 'Ok', inventory.declared.length === 1
        ? msg('repair.applications.okOne', { running: inventory.running.length })
        : msg('repair.applications.ok', { running: inventory.running.length, declared: inventory.declared.length }))];
    }
    return inventory.undeclared.map((m) => {
      const what = m.kind === 'iis' ? msg('repair.applications.iis', { pool: m.runner }) : msg('repair.applications.service');
      return result('applications', m.label, 'Warning',
        m.module ? msg('repair.applications.undeclaredModule', { what, module: m.module, path: m.path, file }) : msg('repair.applications.undeclared', { what, path: m.path, file }),
        msg('repair.applications.action'));
    });
  },
};

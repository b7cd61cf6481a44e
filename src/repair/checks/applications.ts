// `applications`: every module running on the server (IIS applications and services that look like
// Altazion modules) is declared in applicationspath.config. Declaring is the module's own job (it
// rewrites its entry when it starts): a missing one usually means its identity cannot write to
// bin\config, which check `rights` fixes.
import { errorText, result, type RepairCheck } from '../types';

export const applicationsCheck: RepairCheck = {
  id: 'applications',
  describe: 'every module running on the server is declared in applicationspath.config',
  async run(ctx) {
    const file = ctx.layout.applicationsConfig;
    let inventory;
    try {
      inventory = await ctx.facts.inventory();
    } catch (error) {
      return [result('applications', file, 'Failed', errorText(error), 'fix the file named above; each module rewrites its entry when it starts')];
    }
    if (inventory.undeclared.length === 0) {
      return [result('applications', file, 'Ok', `${inventory.running.length} running module(s), all declared (${inventory.declared.length} declared entr${inventory.declared.length === 1 ? 'y' : 'ies'})`)];
    }
    return inventory.undeclared.map((m) => result('applications', m.label,
      'Warning',
      `${m.kind === 'iis' ? `IIS application (pool ${m.runner})` : 'service'}${m.module ? ` of module ${m.module}` : ''} at ${m.path} runs but is not declared in ${file}`,
      'its identity probably cannot write to bin\\config (see check rights); once it can, restart it so it declares itself'));
  },
};

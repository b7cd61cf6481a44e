// `portal`: the local portal answers on its port (http://127.0.0.1:<portal port>/). The fix is the
// service's (check `service` restarts it); this check only reports.
import { msg } from '../../core/messages';
import { result, type RepairCheck } from '../types';

export const portalCheck: RepairCheck = {
  id: 'portal',
  describe: 'the local portal answers on its port',
  async run(ctx) {
    const url = await ctx.facts.portalUrl();
    const probe = await ctx.facts.probePortal();
    return probe.answers
      ? [result('portal', url, 'Ok', probe.message)]
      : [result('portal', url, 'Failed', probe.message, msg('repair.portal.action'))];
  },
};

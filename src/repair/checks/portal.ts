// `portal`: the local portal answers on its port (http://127.0.0.1:<portal port>/). The fix is the
// service's (check `service` restarts it); this check only reports.
import { result, type RepairCheck } from '../types';

export const portalCheck: RepairCheck = {
  id: 'portal',
  describe: 'the local portal answers on its port',
  async run(ctx) {
    const url = await ctx.facts.portalUrl();
    const probe = await ctx.facts.probePortal();
    return probe.answers
      ? [result('portal', url, 'Ok', probe.detail)]
      : [result('portal', url, 'Failed', probe.detail, 'check the updater service (altazion-update repair --check service), then the <portal port> in updater.config')];
  },
};

// `portal`: the local portal answers where the service says it listens (bin\updates\portal.json:
// <portal port>, or the fallback port when that one was taken), else on <portal port>. The target is
// the URL an administrator opens. When our service is the one serving the portal, what answers must
// be our portal (its header), not the legacy portal on the same port. The fix is the service's
// (check `service` restarts it); this check only reports.
import { msg, type Message } from '../../core/messages';
import { isOurUpdaterService, portalServices } from '../decisions';
import { describeProbe, portalIsUp } from '../facts';
import { result, type RepairCheck } from '../types';

export const portalCheck: RepairCheck = {
  id: 'portal',
  describe: 'the local portal answers on its port (the fallback port when the service took it)',
  async run(ctx) {
    const [url, state, probe, services] = await Promise.all([
      ctx.facts.portalUrl(), ctx.facts.portalState(), ctx.facts.probePortal(), ctx.facts.services().catch(() => []),
    ]);
    const mustBeOurs = portalServices(services).some(isOurUpdaterService);
    const probed = describeProbe(probe, mustBeOurs);
    const detail: Message = state?.fallback
      ? msg('repair.portal.fallback', { probe: probed, reason: state.reason ?? msg('repair.portal.fallbackPortWasInUse', { port: state.configuredPort }) })
      : probed;
    return portalIsUp(probe, mustBeOurs)
      ? [result('portal', url, 'Ok', detail)]
      : [result('portal', url, 'Failed', detail, msg('repair.portal.action'))];
  },
};

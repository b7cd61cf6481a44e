// `service`: the updater service exists (ours, or the legacy main service), runs, and starts
// Automatic (Delayed Start); when it runs but the portal does not answer, restart it (seed:
// "Le site http://localhost:8080 n'est pas accessible"). The legacy main service is checked as the
// seed says, but never started while our portal holds the port it serves the old portal on.
import { UPDATER_SERVICE, LEGACY_UPDATER_SERVICES } from '../../core/product';
import type { ServiceControl, ServiceInfo } from '../../platform/types';
import { msg, type Message } from '../../core/messages';
import { describeStepsMessage, isOurUpdaterService, isUpdaterService, legacyFirst, planService, portalServices, type ServicePlan } from '../decisions';
import { describeProbe, portalIsUp } from '../facts';
import { errorParam, fixedOr, result, type RepairCheck, type RepairContext } from '../types';

/** How long a started service gets to bring the portal up. */
const PORTAL_WAIT_MS = 10_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function waitForState(services: ServiceControl, name: string, wanted: ServiceInfo['state'], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if ((await services.get(name))?.state === wanted) return true;
    if (Date.now() >= deadline) return false;
    await sleep(250);
  }
}

async function waitForPortal(ctx: RepairContext, timeoutMs: number, mustBeOurs: boolean): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (portalIsUp(await ctx.facts.probePortal(1000), mustBeOurs)) return true;
    if (Date.now() >= deadline) return false;
    await sleep(300);
  }
}

async function apply(ctx: RepairContext, plan: ServicePlan): Promise<Message[]> {
  const { services } = await ctx.facts.platform();
  const name = plan.service.name;
  const done: Message[] = [];
  for (const step of plan.steps) {
    if (step === 'setStartMode') {
      await services.setStartMode(name, 'AutomaticDelayed');
      done.push(msg('repair.service.done.setStartMode'));
    } else if (step === 'start') {
      await services.start(name);
      if (!(await waitForState(services, name, 'Running', 30_000))) throw new Error(`${name} did not reach Running within 30 s after start`);
      done.push(msg('repair.service.done.start'));
    } else {
      await services.stop(name);
      if (!(await waitForState(services, name, 'Stopped', 60_000))) throw new Error(`${name} did not stop within 60 s`);
      await services.start(name);
      if (!(await waitForState(services, name, 'Running', 30_000))) throw new Error(`${name} did not reach Running within 30 s after restart`);
      done.push(msg('repair.service.done.restart'));
    }
  }
  return done;
}

export const serviceCheck: RepairCheck = {
  id: 'service',
  describe: 'the updater service exists, runs, starts Automatic (Delayed Start); restarted when the portal does not answer',
  async run(ctx, options) {
    const all = await ctx.facts.services();
    const updaters = all.filter(isUpdaterService);
    if (updaters.length === 0) {
      return [result('service', UPDATER_SERVICE.name, 'Failed',
        msg('repair.service.none', { names: [UPDATER_SERVICE.name, ...LEGACY_UPDATER_SERVICES].join(', ') }),
        msg('repair.service.register'))];
    }
    const portal = portalServices(all).map((s) => s.name.toLowerCase());
    const oursServesPortal = portalServices(all).some(isOurUpdaterService);
    // Probe only when a restart could follow from it. Our service's portal must answer as ours: the
    // legacy portal answering on the same port does not count.
    const probe = portal.length > 0 ? await ctx.facts.probePortal() : undefined;
    const portalAnswers = probe ? portalIsUp(probe, oursServesPortal) : true;
    const state = await ctx.facts.portalState();
    const config = await ctx.config();
    const portalConflict = state?.port === ctx.facts.legacyPortalPort ? { port: state.port, fallbackPort: config.portalFallbackPort } : undefined;
    const records = [];
    for (const service of legacyFirst(updaters)) {
      const target = `${service.name} (${service.displayName})`;
      const plan = planService(service, { servesPortal: portal.includes(service.name.toLowerCase()), portalAnswers, ...(portalConflict ? { portalConflict } : {}) });
      if (plan.blocked) {
        records.push(result('service', target, 'Warning', msg('list', { items: plan.problemMessages }), plan.blockedMessage!));
        continue;
      }
      if (plan.steps.length === 0) {
        records.push(result('service', target, 'Ok', msg('repair.service.ok', { state: service.state })));
        continue;
      }
      const listed = msg('list', { items: plan.problemMessages });
      const problems: Message = plan.steps.includes('restart') && probe ? msg('repair.service.probe', { problems: listed, probe: describeProbe(probe, oursServesPortal) }) : listed;
      const steps = describeStepsMessage(plan.steps);
      if (!options.fix) {
        records.push(result('service', target, fixedOr(options), problems, steps));
        continue;
      }
      try {
        const done = await apply(ctx, plan);
        let detail: Message = problems;
        let status: 'Fixed' | 'Warning' = 'Fixed';
        if ((plan.steps.includes('restart') || plan.steps.includes('start')) && portal.includes(service.name.toLowerCase())) {
          if (await waitForPortal(ctx, PORTAL_WAIT_MS, oursServesPortal)) {
            detail = msg('repair.service.portalAnswers', { problems });
          } else {
            // Done what the seed says; the portal still being down is for support (check portal fails).
            detail = msg('repair.service.portalStillDown', { problems, seconds: PORTAL_WAIT_MS / 1000, what: msg(plan.steps.includes('restart') ? 'repair.service.word.restart' : 'repair.service.word.start') });
            status = 'Warning';
          }
        }
        records.push(result('service', target, status, detail, done.reduce<Message | string>((all, d) => (all === '' ? d : msg('repair.joinComma', { first: all, next: d })), '')));
      } catch (error) {
        records.push(result('service', target, 'Failed', msg('repair.service.failed', { problems, steps, error: errorParam(error) }), msg('repair.service.failedAction')));
      }
    }
    return records;
  },
};

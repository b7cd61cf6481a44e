// The pure decisions of the repair checks (src/repair/decisions.ts).
import { expect } from 'chai';
import {
  canonicalAccount, guessModule, iisModule, isUpdaterService, judgeDisk, judgeFreshness, judgeHolders, legacyFirst, moduleNeed,
  planAppOffline, planService, poolIdentity, portalServices, serviceModule, undeclaredModules, updatesNeed,
} from '../../../src/repair/decisions';
import type { ServiceInfo } from '../../../src/platform/types';
import { renderMessage } from '../../../src/core/messages';

const svc = (over: Partial<ServiceInfo>): ServiceInfo => ({
  name: 'AltazionUpdate', displayName: 'Altazion - service de mise à jour', state: 'Running', startMode: 'AutomaticDelayed', binaryPath: '"C:\\x\\altazion-update.exe" service run', account: 'LocalSystem', ...over,
});

describe('repair decisions', () => {
  describe('service', () => {
    it('recognises our service and the legacy ones by name or display name (case-insensitive)', () => {
      expect(isUpdaterService(svc({}))).to.equal(true);
      expect(isUpdaterService(svc({ name: 'emainsrv', displayName: 'whatever' }))).to.equal(true);
      expect(isUpdaterService(svc({ name: 'Other', displayName: '[E] - SERVEUR PRINCIPAL' }))).to.equal(true);
      expect(isUpdaterService(svc({ name: 'Other', displayName: 'Altazion - service principal' }))).to.equal(true);
      expect(isUpdaterService(svc({ name: 'AltazionLogistique', displayName: 'Altazion - Logistique' }))).to.equal(false);
    });

    it('a healthy service needs nothing', () => {
      expect(planService(svc({}), { servesPortal: true, portalAnswers: true })).to.deep.include({ problems: [], steps: [] });
    });

    it('wrong start mode and stopped: set Automatic (Delayed Start), then start', () => {
      const plan = planService(svc({ startMode: 'Manual', state: 'Stopped' }), { servesPortal: true, portalAnswers: false });
      expect(plan.steps).to.deep.equal(['setStartMode', 'start']);
      expect(plan.problems[0]).to.match(/Manual, expected Automatic \(Delayed Start\)/);
    });

    it('running but the portal does not answer: restart, only for the service that serves the portal', () => {
      expect(planService(svc({}), { servesPortal: true, portalAnswers: false }).steps).to.deep.equal(['restart']);
      expect(planService(svc({ name: 'EMainServer' }), { servesPortal: false, portalAnswers: false }).steps).to.deep.equal([]);
    });

    it('Disabled is reported, never changed', () => {
      const plan = planService(svc({ startMode: 'Disabled', state: 'Stopped' }), { servesPortal: true, portalAnswers: false });
      expect(plan.steps).to.deep.equal([]);
      expect(plan.blocked).to.match(/disabled/);
    });

    it('never starts the legacy service while our portal holds the port it serves the old portal on (8080)', () => {
      const conflict = { port: 8080, fallbackPort: 8081 };
      const stopped = svc({ name: 'EMainServer', displayName: '[e] - Serveur principal', state: 'Stopped', startMode: 'Manual' });
      const blocked = planService(stopped, { servesPortal: false, portalAnswers: true, portalConflict: conflict });
      expect(blocked.blocked).to.equal('not started: the portal of AltazionUpdate listens on port 8080, where EMainServer serves the old portal, and the two would fight over it. '
        + 'To run both: stop AltazionUpdate, start EMainServer, then start AltazionUpdate again: it takes the fallback port 8081 (<portal fallbackPort> in updater.config)');
      // Worded in French on the portal's health page (a message id with its parameters).
      expect(blocked.blockedMessage?.id).to.equal('repair.service.legacyNotStarted');
      expect(renderMessage(blocked.blockedMessage!, 'fr')).to.equal('non démarré : le portail de AltazionUpdate écoute sur le port 8080, où EMainServer sert l’ancien portail, et les deux se disputeraient ce port. '
        + 'Pour faire tourner les deux : arrêter AltazionUpdate, démarrer EMainServer, puis redémarrer AltazionUpdate : il prendra le port de secours 8081 (<portal fallbackPort> de updater.config)');
      expect(blocked.problems).to.deep.equal(['start mode is Manual, expected Automatic (Delayed Start)', 'service is Stopped']);
      expect(planService(svc({ name: 'EMainServer', state: 'Paused' }), { servesPortal: false, portalAnswers: true, portalConflict: conflict }).blocked).to.match(/^not restarted: /);
      // Only the start mode to fix: no fight, done.
      const steps = (plan: ReturnType<typeof planService>) => ({ steps: plan.steps, blocked: plan.blocked });
      expect(steps(planService(svc({ name: 'EMainServer', startMode: 'Manual' }), { servesPortal: false, portalAnswers: true, portalConflict: conflict }))).to.deep.equal({ steps: ['setStartMode'], blocked: undefined });
      // Our portal on the fallback port (no conflict): the legacy service is started as the seed says.
      expect(steps(planService(stopped, { servesPortal: false, portalAnswers: true }))).to.deep.equal({ steps: ['setStartMode', 'start'], blocked: undefined });
      // Our own service is never held back by it.
      expect(steps(planService(svc({ state: 'Stopped' }), { servesPortal: true, portalAnswers: false, portalConflict: conflict }))).to.deep.equal({ steps: ['start'], blocked: undefined });
    });

    it('handles the legacy services first, ours last (a legacy one started gets its old port back; ours takes the fallback)', () => {
      const list = [svc({}), svc({ name: 'EMainServer' }), svc({ name: 'altazionkoostodes' })];
      expect(legacyFirst(list).map((s) => s.name)).to.deep.equal(['EMainServer', 'altazionkoostodes', 'AltazionUpdate']);
    });

    it('the portal is served by our service when it is there, else by the legacy one', () => {
      const legacy = svc({ name: 'EMainServer', displayName: '[e] - Serveur principal' });
      expect(portalServices([legacy, svc({})]).map((s) => s.name)).to.deep.equal(['AltazionUpdate']);
      expect(portalServices([legacy]).map((s) => s.name)).to.deep.equal(['EMainServer']);
      expect(portalServices([legacy, svc({ startMode: 'Disabled' })]).map((s) => s.name)).to.deep.equal(['EMainServer']);
    });
  });

  describe('freshness', () => {
    const now = new Date('2026-03-10T12:00:00Z');
    const published = [
      { name: 'ecommerce', version: '25.10.1.2', publishedAt: '2026-03-08T12:00:00Z' },
      { name: 'gestioncommerciale', version: '25.10.1.2', publishedAt: '2026-03-10T02:00:00Z' },
      { name: 'logistique', version: '25.9.1.1', publishedAt: '2026-01-01T00:00:00Z' },
    ];

    it('behind a release over a day old is stale; a recent one waits; equal or newer is current', () => {
      const verdicts = judgeFreshness(published, [
        { name: 'ecommerce', latestVersion: '25.9.12.3' },
        { name: 'logistique', latestVersion: '25.9.1.1' },
      ], now);
      expect(verdicts.map((v) => [v.name, v.state])).to.deep.equal([['ecommerce', 'stale'], ['gestioncommerciale', 'recent'], ['logistique', 'current']]);
      expect(verdicts[0]).to.include({ detected: '25.9.12.3', ageHours: 48 });
      expect(verdicts[1]).to.include({ ageHours: 10 });
    });

    it('no status.xml: everything old enough is stale; versions compare numerically', () => {
      expect(judgeFreshness(published, undefined, now).map((v) => v.state)).to.deep.equal(['stale', 'recent', 'stale']);
      expect(judgeFreshness([{ name: 'x', version: '25.10', publishedAt: '2020-01-01T00:00:00Z' }], [{ name: 'x', latestVersion: '25.9.99' }], now)[0].state).to.equal('stale');
      expect(judgeFreshness([{ name: 'x', version: '25.10', publishedAt: '2020-01-01T00:00:00Z' }], [{ name: 'x', latestVersion: '25.10.0.0' }], now)[0].state).to.equal('current');
    });
  });

  describe('applications', () => {
    it('recognises modules by distinctive names, generic keys only with an Altazion marker, or a manifest', () => {
      const app = (appPool: string, physicalPath: string, site = 'Default Web Site') => ({ site, virtualPath: '/', physicalPath, appPool });
      expect(iisModule(app('gestcom', 'D:\\simplement-e\\app\\gestcom\\'), false)).to.include({ module: 'gestioncommerciale', runner: 'gestcom' });
      expect(iisModule(app('Integration', 'D:\\sites\\integration'), false)).to.equal(undefined);
      expect(iisModule(app('Integration', 'D:\\CPoint\\integration'), false)).to.include({ module: 'integration' });
      expect(iisModule(app('api', 'D:\\simplement-e\\app\\api\\'), false)).to.equal(undefined);
      expect(iisModule(app('api', 'D:\\simplement-e\\app\\api\\'), true)).to.include({ path: 'D:\\simplement-e\\app\\api\\' });
      expect(iisModule(app('DefaultAppPool', 'C:\\inetpub\\wwwroot'), false)).to.equal(undefined);
    });

    it('services: Altazion-looking ones are modules, the updater services are not', () => {
      const logistique = svc({ name: 'AltazionLogistique', displayName: 'Altazion - Logistique', binaryPath: 'D:\\app\\logistique\\Altazion.Logistique.exe' });
      expect(serviceModule(logistique, 'D:\\app\\logistique\\Altazion.Logistique.exe', 'D:\\app\\logistique')).to.include({ module: 'logistique', path: 'D:\\app\\logistique' });
      expect(serviceModule(svc({}), 'C:\\x\\altazion-update.exe', 'C:\\x')).to.equal(undefined);
      expect(serviceModule(svc({ name: 'Spooler', displayName: 'Print Spooler' }), 'C:\\Windows\\System32\\spoolsv.exe', 'C:\\Windows\\System32')).to.equal(undefined);
    });

    it('a module is declared when its folder is a declared path or inside one (case and separators ignored)', () => {
      const running = [
        { kind: 'iis' as const, label: 'a', path: 'D:\\App\\GestCom\\', runner: 'gestcom' },
        { kind: 'iis' as const, label: 'b', path: 'D:\\app\\ecommerce\\admin', runner: 'ecommerce' },
        { kind: 'service' as const, label: 'c', path: 'D:\\app\\logistique', runner: 'AltazionLogistique' },
      ];
      expect(undeclaredModules(running, ['d:/app/gestcom', 'D:\\app\\ecommerce\\']).map((r) => r.label)).to.deep.equal(['c']);
    });

    it('identities: ApplicationPoolIdentity is IIS AppPool\\<pool>; service accounts by their icacls names', () => {
      expect(poolIdentity({ name: 'gestcom', state: 'Started', identity: 'ApplicationPoolIdentity' })).to.equal('IIS AppPool\\gestcom');
      expect(poolIdentity({ name: 'x', state: 'Started', identity: 'DOMAIN\\svc' })).to.equal('DOMAIN\\svc');
      expect(canonicalAccount('LocalSystem')).to.equal('NT AUTHORITY\\SYSTEM');
      expect(canonicalAccount('NT AUTHORITY\\NetworkService')).to.equal('NT AUTHORITY\\NETWORK SERVICE');
      expect(guessModule(['phygital'])).to.equal('phygitalapi');
    });
  });

  it('locks: pool workers and the module\'s own service are expected, Explorer and shells are not', () => {
    const verdicts = judgeHolders([
      { pid: 1, image: 'w3wp.exe', user: 'IIS APPPOOL\\gestcom', path: 'x' },
      { pid: 2, image: 'Altazion.Logistique.exe', user: 'NETWORK SERVICE', path: 'x' },
      { pid: 3, image: 'explorer.exe', user: 'SRV\\admin', path: 'x' },
      { pid: 4, image: 'cmd.exe', user: 'SRV\\support', path: 'x' },
      { pid: 5, image: 'notepad++.exe', user: 'SRV\\admin', path: 'x' },
    ], ['altazion.logistique.exe']);
    expect(verdicts.map((v) => v.expected)).to.deep.equal([true, true, false, false, false]);
    expect(verdicts[2].reason).to.match(/Explorer window/);
    expect(verdicts[3].reason).to.match(/command prompt/);
  });

  it('app-offline: rename to .bak when there is none, else delete; .htm and .html, any case', () => {
    expect(planAppOffline(['web.config', 'App_Offline.htm'])).to.deep.equal([{ file: 'App_Offline.htm', action: 'rename', to: 'App_Offline.htm.bak' }]);
    expect(planAppOffline(['app_offline.htm', 'APP_OFFLINE.HTM.BAK', 'app_offline.html'])).to.deep.equal([
      { file: 'app_offline.htm', action: 'delete' },
      { file: 'app_offline.html', action: 'rename', to: 'app_offline.html.bak' },
    ]);
    expect(planAppOffline(['app_offline.htm.bak'])).to.deep.equal([]);
  });

  it('disk: two copies of the folder plus the largest package, never below the floor; low under twice the need', () => {
    const MB = 1024 * 1024;
    expect(moduleNeed(300 * MB, 100 * MB, 512 * MB)).to.equal(700 * MB);
    expect(moduleNeed(10 * MB, 10 * MB, 512 * MB)).to.equal(512 * MB);
    expect(updatesNeed(400 * MB, 512 * MB)).to.equal(800 * MB);
    expect(judgeDisk(100 * MB, 512 * MB)).to.equal('insufficient');
    expect(judgeDisk(700 * MB, 512 * MB)).to.equal('low');
    expect(judgeDisk(2048 * MB, 512 * MB)).to.equal('ok');
  });
});

// `pools`: IIS pools serving module folders and module services left Stopped (seed: "redémarrez
// le(s) pool(s) que vous avez arrêté"), typically by a failed install or by the manual procedure.
// Disabled services are an administrator's decision and are left alone. Fix: start them.
import { msg, type Message } from '../../core/messages';
import { isInside, samePath } from '../../config/paths';
import type { RepairResultRecord } from '../../core/records';
import { serviceExecutable } from '../../discovery/discover';
import { listInstallHistory } from '../../install/history';
import { describeLock } from '../install-lock';
import { errorParam, fixedOr, result, type RepairCheck } from '../types';

export const poolsCheck: RepairCheck = {
  id: 'pools',
  describe: 'IIS pools and module services left stopped outside an install (fix: start them)',
  async run(ctx, options) {
    let folders: string[];
    let declaredPools: string[] = [];
    let declaredServices: string[] = [];
    try {
      const inventory = await ctx.facts.inventory();
      folders = [...inventory.declared.map((d) => d.path), ...inventory.undeclared.map((u) => u.path)];
      declaredPools = inventory.declared.flatMap((d) => (d.appPool ? [d.appPool] : []));
      declaredServices = inventory.declared.flatMap((d) => (d.serviceName ? [d.serviceName] : []));
    } catch (error) {
      return [result('pools', ctx.layout.applicationsConfig, 'Skipped', msg('repair.moduleFoldersUnknown', { error: errorParam(error) }), msg('repair.seeCheck', { check: 'applications' }))];
    }
    const apps = await ctx.facts.iisApplications();
    const poolNames = new Set([...declaredPools, ...apps.filter((a) => folders.some((f) => samePath(a.physicalPath, f) || isInside(a.physicalPath, f))).map((a) => a.appPool)].map((p) => p.toLowerCase()));
    const pools = (await ctx.facts.pools()).filter((p) => poolNames.has(p.name.toLowerCase()));
    const services = (await ctx.facts.services()).filter((s) =>
      declaredServices.some((n) => n.toLowerCase() === s.name.toLowerCase()) || folders.some((f) => isInside(serviceExecutable(s.binaryPath), f)));

    type Stopped = { kind: 'pool' | 'service'; name: string; detail: Message };
    const declared = (await ctx.facts.inventory()).declared;
    const moduleOf = (s: Stopped): string | undefined => {
      const folder = s.kind === 'pool'
        ? apps.find((a) => a.appPool.toLowerCase() === s.name.toLowerCase())?.physicalPath
        : serviceExecutable(services.find((x) => x.name === s.name)?.binaryPath ?? '');
      return folder ? declared.find((d) => samePath(d.path, folder) || isInside(folder, d.path))?.name : undefined;
    };
    const stopped: Stopped[] = [
      ...pools.filter((p) => p.state === 'Stopped').map((p) => ({ kind: 'pool' as const, name: p.name, detail: msg('repair.pools.poolStopped', { name: p.name }) })),
      ...services.filter((s) => s.state === 'Stopped' && s.startMode !== 'Disabled' && s.startMode !== 'Manual')
        .map((s) => ({ kind: 'service' as const, name: s.name, detail: msg('repair.pools.serviceStopped', { name: s.name, display: s.displayName, mode: s.startMode }) })),
    ];
    const manual = services.filter((s) => s.state === 'Stopped' && s.startMode === 'Manual');
    const records: RepairResultRecord[] = manual.map((s) => result('pools', s.name, 'Warning', msg('repair.pools.manual', { name: s.name }), msg('repair.pools.manualAction', { name: s.name })));
    if (stopped.length === 0) {
      const states = [...pools.map((p) => `${p.name} ${p.state}`), ...services.map((s) => `${s.name} ${s.state}`)].join(', ');
      if (records.length === 0) records.push(result('pools', `${pools.length} pool(s), ${services.length} service(s)`, 'Ok', states ? msg('repair.pools.okList', { states }) : msg('repair.pools.ok')));
      return records;
    }
    const install = await ctx.facts.runningInstall();
    const platform = await ctx.facts.platform();
    const interrupted = await ctx.facts.interruptedInstalls();
    const history = await listInstallHistory(ctx.layout).catch(() => []);
    for (const s of stopped) {
      const action = msg(s.kind === 'pool' ? 'repair.pools.startPool' : 'repair.pools.startService', { name: s.name });
      const journal = interrupted.find((i) => i.journal && (s.kind === 'pool'
        ? i.journal.pools.some((p) => p.name.toLowerCase() === s.name.toLowerCase())
        : i.journal.service?.name.toLowerCase() === s.name.toLowerCase()))?.journal;
      if (journal) {
        records.push(result('pools', s.name, 'Skipped', msg('repair.pools.byJournal', { detail: s.detail, id: journal.id, module: journal.module }), msg('repair.seeCheck', { check: 'journal' })));
        continue;
      }
      // Why it is stopped, when the history knows: the last install of the module it serves failed.
      const module = moduleOf(s);
      const last = module ? history.find((h) => h.Name === module) : undefined;
      if (last && (last.Result === 'Failed' || last.Result === 'RolledBack')) {
        const message = last.MessageId ? { id: last.MessageId, ...(last.MessageParams ? { params: last.MessageParams } : {}) } as Message : last.Message;
        s.detail = msg('repair.pools.lastInstall', { detail: s.detail, module: module!, at: last.StartedAt, result: { id: `result.${last.Result}` } as Message, message });
      }
      if (install) {
        records.push(result('pools', s.name, 'Skipped', msg('repair.pools.installRunning', { detail: s.detail, who: describeLock(install) })));
        continue;
      }
      if (!options.fix) {
        records.push(result('pools', s.name, fixedOr(options), msg('repair.pools.noInstall', { detail: s.detail }), action));
        continue;
      }
      try {
        if (s.kind === 'pool') await platform.iis.startPool(s.name);
        else await platform.services.start(s.name);
        records.push(result('pools', s.name, 'Fixed', msg('repair.pools.noInstallWas', { detail: s.detail }), msg(s.kind === 'pool' ? 'repair.pools.startedPool' : 'repair.pools.startedService', { name: s.name })));
      } catch (error) {
        records.push(result('pools', s.name, 'Failed', msg('repair.pools.failed', { detail: s.detail, action, error: errorParam(error) }), msg(s.kind === 'pool' ? 'repair.pools.seeWas' : 'repair.pools.seeApp')));
      }
    }
    return records;
  },
};

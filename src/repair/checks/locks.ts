// `locks`: processes holding files in module folders, named with image, pid and user (seed:
// "vérifiez qu'aucun explorateur ou ligne de commande n'est ouvert en pointant sur les dossiers
// applicatifs ... au travers des multiples utilisateurs"). Nothing is killed: we name them.
import { msg, type Message } from '../../core/messages';
import { promises as fs } from 'node:fs';
import { isInside } from '../../config/paths';
import type { RepairResultRecord } from '../../core/records';
import { serviceExecutable } from '../../discovery/discover';
import { judgeHolders } from '../decisions';
import { errorParam, result, type RepairCheck } from '../types';

export const locksCheck: RepairCheck = {
  id: 'locks',
  describe: 'processes holding files in module folders (Explorer windows, shells of any user), by image, pid and user',
  async run(ctx) {
    let folders: string[];
    try {
      const inventory = await ctx.facts.inventory();
      folders = [...new Set([...inventory.declared.map((d) => d.path), ...inventory.undeclared.map((u) => u.path)])];
    } catch (error) {
      return [result('locks', ctx.layout.applicationsConfig, 'Skipped', msg('repair.moduleFoldersUnknown', { error: errorParam(error) }), msg('repair.seeCheck', { check: 'applications' }))];
    }
    const existing: string[] = [];
    for (const f of folders) if (await fs.stat(f).then((s) => s.isDirectory(), () => false)) existing.push(f);
    if (existing.length === 0) return [result('locks', ctx.layout.applicationsConfig, 'Ok', msg('repair.locks.noFolder'))];
    const platform = await ctx.facts.platform();
    let holders;
    try {
      holders = await platform.locks.holders(existing);
    } catch (error) {
      return [result('locks', existing.join('; '), 'Failed', msg('repair.locks.cannotList', { error: errorParam(error) }))];
    }
    const serviceImages = (await ctx.facts.services())
      .map((s) => serviceExecutable(s.binaryPath))
      .filter((exe) => existing.some((f) => isInside(exe, f)))
      .map((exe) => ctx.pathApi.basename(exe));
    const verdicts = judgeHolders(holders, serviceImages);
    const records: RepairResultRecord[] = [];
    for (const v of verdicts.filter((x) => !x.expected)) {
      const h = v.holder;
      const folder = existing.find((f) => isInside(h.path, f)) ?? h.path;
      records.push(result('locks', folder, 'Warning', msg('repair.locks.holds', { image: h.image, pid: h.pid, user: h.user, path: h.path, reason: v.reasonMessage ?? v.reason }), msg('repair.locks.close', { pid: h.pid })));
    }
    if (records.length === 0) {
      const expected = verdicts.map((v) => `${v.holder.image} (pid ${v.holder.pid}, user ${v.holder.user})`);
      records.push(result('locks', existing.join('; '), 'Ok', expected.length
        ? msg('repair.locks.okExpected', { count: existing.length, expected: expected.join(', ') })
        : msg('repair.locks.ok', { count: existing.length })));
    }
    return records;
  },
};

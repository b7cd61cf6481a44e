// `disk`: free space for staging and backups on the volume of bin\updates and of each module
// folder (SPEC §6: an install checks it before anything; repair says it early, with figures).
import { msg, type Message } from '../../core/messages';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { RepairResultRecord } from '../../core/records';
import { formatBytes, judgeDisk, moduleNeed, updatesNeed } from '../decisions';
import { readStatus } from '../../discovery/updates';
import { errorText, result, type RepairCheck } from '../types';

async function folderBytes(folder: string): Promise<number> {
  let total = 0;
  const entries = await fs.readdir(folder, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) total += await folderBytes(full);
    else if (entry.isFile()) total += (await fs.stat(full).catch(() => ({ size: 0 }))).size;
  }
  return total;
}

/** The nearest existing folder at or above p (bin\updates may not exist yet). */
async function existingAncestor(p: string): Promise<string> {
  let current = p;
  for (;;) {
    if (await fs.stat(current).then(() => true, () => false)) return current;
    const parent = path.dirname(current);
    if (parent === current) return current;
    current = parent;
  }
}

async function largestPackage(cache: string, statusXml: string): Promise<number> {
  let largest = 0;
  const status = await readStatus(statusXml).catch(() => undefined);
  for (const m of status?.modules ?? []) largest = Math.max(largest, m.size);
  for (const name of await fs.readdir(cache).catch(() => [] as string[])) {
    largest = Math.max(largest, (await fs.stat(path.join(cache, name)).catch(() => ({ size: 0 }))).size);
  }
  return largest;
}

export const diskCheck: RepairCheck = {
  id: 'disk',
  describe: 'free space for staging and backups on bin\\updates and every module folder',
  async run(ctx) {
    const config = await ctx.config();
    const floor = config.install.minFreeMegabytes * 1024 * 1024;
    const largest = await largestPackage(ctx.layout.cache, ctx.layout.statusXml);
    const wanted: Array<{ path: string; need: number; why: Message }> = [
      { path: ctx.layout.updates, need: updatesNeed(largest, floor), why: msg('repair.disk.updates', { size: formatBytes(largest) }) },
    ];
    try {
      for (const entry of await ctx.facts.applications()) {
        if (!(await fs.stat(entry.path).then((s) => s.isDirectory(), () => false))) continue;
        const size = await folderBytes(entry.path);
        wanted.push({ path: entry.path, need: moduleNeed(size, largest, floor), why: msg('repair.disk.module', { module: `${entry.name}${entry.instance ? `[${entry.instance}]` : ''}`, size: formatBytes(size), package: formatBytes(largest) }) });
      }
    } catch (error) {
      ctx.output.verbose(`disk: module folders unknown (${errorText(error)}); only bin\\updates is checked`);
    }
    // One verdict per volume (device), against the largest single need on it: installs run one at a time.
    const platform = await ctx.facts.platform();
    const volumes = new Map<string, { paths: string[]; need: number; why: Message | string; free: number }>();
    for (const w of wanted) {
      const probe = await existingAncestor(w.path);
      const dev = String((await fs.stat(probe)).dev);
      const free = await platform.fs.freeBytes(probe);
      const volume = volumes.get(dev) ?? { paths: [], need: 0, why: '', free };
      volume.paths.push(w.path);
      if (w.need > volume.need) { volume.need = w.need; volume.why = w.why; }
      volumes.set(dev, volume);
    }
    const records: RepairResultRecord[] = [];
    for (const v of volumes.values()) {
      const verdict = judgeDisk(v.free, v.need);
      const figures = msg('repair.disk.figures', { free: formatBytes(v.free), need: formatBytes(v.need), why: v.why, floor: config.install.minFreeMegabytes });
      const target = v.paths.join('; ');
      if (verdict === 'ok') records.push(result('disk', target, 'Ok', figures));
      else if (verdict === 'low') records.push(result('disk', target, 'Warning', msg('repair.disk.low', { figures }), msg('repair.disk.lowAction')));
      else records.push(result('disk', target, 'Failed', msg('repair.disk.insufficient', { figures }), msg('repair.disk.freeAtLeast', { size: formatBytes(v.need - v.free) })));
    }
    return records;
  },
};

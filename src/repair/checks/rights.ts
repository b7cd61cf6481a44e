// `rights`: when a running module is missing from applicationspath.config, each module identity
// (application pool identity, service account) must be able to write what it writes itself: its
// entry in bin\config\applicationspath.config (seed: "donner des droits d'écriture sur ce dossier
// à toutes ces identités", narrowed, SPEC §8, §12). Fix: grant Modify on that file only, never on
// the folder: the updater's own settings, keys and scripts are not the modules' to change.
import { promises as fs } from 'node:fs';
import { msg } from '../../core/messages';
import type { RepairResultRecord } from '../../core/records';
import { serviceExecutable } from '../../discovery/discover';
import { canonicalAccount, isBuiltinAdmin, poolIdentity } from '../decisions';
import { errorParam, fixedOr, result, type RepairCheck, type RepairContext } from '../types';

/** identity -> the pools/services that run as it, for every running module. */
async function moduleIdentities(ctx: RepairContext): Promise<Map<string, string[]>> {
  const inventory = await ctx.facts.inventory();
  const pools = await ctx.facts.pools();
  const services = await ctx.facts.services();
  const identities = new Map<string, string[]>();
  const add = (identity: string, who: string) => {
    const key = [...identities.keys()].find((k) => k.toLowerCase() === identity.toLowerCase()) ?? identity;
    identities.set(key, [...(identities.get(key) ?? []), who]);
  };
  for (const m of inventory.running) {
    if (m.kind === 'iis') {
      const pool = pools.find((p) => p.name.toLowerCase() === m.runner.toLowerCase());
      add(pool ? poolIdentity(pool) : `IIS AppPool\\${m.runner}`, `pool ${m.runner}`);
    } else {
      const service = services.find((s) => s.name === m.runner);
      if (service) add(service.account.trim(), `service ${service.name} (${serviceExecutable(service.binaryPath)})`);
    }
  }
  return identities;
}

export const rightsCheck: RepairCheck = {
  id: 'rights',
  describe: 'when a module is undeclared: every module identity can write applicationspath.config (fix: grant Modify on that file only)',
  async run(ctx, options) {
    const file = ctx.layout.applicationsConfig;
    let inventory;
    try {
      inventory = await ctx.facts.inventory();
    } catch (error) {
      return [result('rights', file, 'Skipped', msg('repair.rights.unlisted', { error: errorParam(error) }), msg('repair.seeCheck', { check: 'applications' }))];
    }
    if (inventory.undeclared.length === 0) {
      return [result('rights', file, 'Ok', msg('repair.rights.allDeclared'))];
    }
    const { rights } = await ctx.facts.platform();
    const records: RepairResultRecord[] = [];
    for (const [identity, users] of await moduleIdentities(ctx)) {
      if (isBuiltinAdmin(canonicalAccount(identity))) continue;
      const target = `${identity} -> ${file}`;
      const who = users.join(', ');
      try {
        if (await rights.canWrite(identity, file)) {
          records.push(result('rights', target, 'Ok', msg('repair.rights.canWrite', { who })));
          continue;
        }
        if (!options.fix) {
          records.push(result('rights', target, fixedOr(options), msg('repair.rights.cannotWrite', { who }), msg('repair.rights.grant', { file, identity })));
          continue;
        }
        // The module rewrites its entry in place: the file must exist for a grant on it.
        await fs.writeFile(file, '<?xml version="1.0" encoding="utf-8"?>\n<applications />\n', { flag: 'wx' }).catch(() => undefined);
        await rights.grantModify(identity, file);
        records.push(result('rights', target, 'Fixed', msg('repair.rights.couldNot', { who }), msg('repair.rights.granted', { file, identity, who })));
      } catch (error) {
        records.push(result('rights', target, 'Failed', msg('repair.rights.failed', { who, error: errorParam(error) }), msg('repair.rights.byHand', { file, identity, command: `icacls "${file}" /grant "${identity}:M"` })));
      }
    }
    if (records.length === 0) records.push(result('rights', file, 'Ok', msg('repair.rights.builtin')));
    return records;
  },
};

// `rights`: when a running module is missing from applicationspath.config, each module identity
// (application pool identity, service account) must be able to write to bin\config; fix: grant
// Modify (seed: "donner des droits d'écriture sur ce dossier à toutes ces identités").
import { msg, type Message } from '../../core/messages';
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
  describe: 'when a module is undeclared: every module identity can write to bin\\config (fix: grant Modify)',
  async run(ctx, options) {
    const folder = ctx.layout.config;
    let inventory;
    try {
      inventory = await ctx.facts.inventory();
    } catch (error) {
      return [result('rights', folder, 'Skipped', msg('repair.rights.unlisted', { error: errorParam(error) }), msg('repair.seeCheck', { check: 'applications' }))];
    }
    if (inventory.undeclared.length === 0) {
      return [result('rights', folder, 'Ok', msg('repair.rights.allDeclared'))];
    }
    const { rights } = await ctx.facts.platform();
    const records: RepairResultRecord[] = [];
    for (const [identity, users] of await moduleIdentities(ctx)) {
      if (isBuiltinAdmin(canonicalAccount(identity))) continue;
      const target = `${identity} -> ${folder}`;
      const who = users.join(', ');
      try {
        if (await rights.canWrite(identity, folder)) {
          records.push(result('rights', target, 'Ok', msg('repair.rights.canWrite', { who })));
          continue;
        }
        if (!options.fix) {
          records.push(result('rights', target, fixedOr(options), msg('repair.rights.cannotWrite', { who }), msg('repair.rights.grant', { identity })));
          continue;
        }
        await rights.grantModify(identity, folder);
        records.push(result('rights', target, 'Fixed', msg('repair.rights.couldNot', { who }), msg('repair.rights.granted', { identity, who })));
      } catch (error) {
        records.push(result('rights', target, 'Failed', msg('repair.rights.failed', { who, error: errorParam(error) }), msg('repair.rights.byHand', { folder, identity, command: `icacls "${folder}" /grant "${identity}:(OI)(CI)M"` })));
      }
    }
    if (records.length === 0) records.push(result('rights', folder, 'Ok', msg('repair.rights.builtin')));
    return records;
  },
};

import { expect } from 'chai';
import { createContext } from '../../../src/cli/context';
import type { Context } from '../../../src/context/context';
import { collectUpdates } from '../../../src/discovery/updates';
import { silentOutput } from '../../../src/output/output';
import type { Platform } from '../../../src/platform/types';
import { makeSandbox, type TestSandbox } from '../../helpers/sandbox';

describe('get (collectUpdates) on a sandbox', () => {
  let box: TestSandbox;
  before(async function () {
    this.timeout(120000);
    box = await makeSandbox();
  });
  after(async () => { await box?.remove(); });

  /** The sandbox's context, counting what discovery asks the platform (on Windows: bridge calls). */
  function countingContext(): { ctx: Context; calls: string[] } {
    const calls: string[] = [];
    const ctx = createContext({ root: box.Root }, silentOutput(), process.env);
    let counting: Promise<Platform> | undefined;
    const platform = () => {
      counting ??= ctx.platform().then((real) => ({
        ...real,
        iis: Object.assign(Object.create(real.iis), { listApplications: () => { calls.push('iis.listApplications'); return real.iis.listApplications(); } }),
        services: Object.assign(Object.create(real.services), { list: () => { calls.push('services.list'); return real.services.list(); } }),
      }) as Platform);
      return counting;
    };
    return { ctx: { ...ctx, platform }, calls };
  }

  it('discovers once when modules are named: the selection is taken from what every module needs (requirements), not found again', async function () {
    this.timeout(60000);
    const all = countingContext();
    const everything = await collectUpdates(all.ctx, {});
    const named = countingContext();
    const records = await collectUpdates(named.ctx, { names: ['ecommerce', 'database'] });
    expect(records.map((r) => r.Name)).to.deep.equal(['ecommerce', 'database']);
    // The same records as without a selection, for the modules named.
    expect(records).to.deep.equal(everything.filter((r) => ['ecommerce', 'database'].includes(r.Name)));
    expect(all.calls).to.deep.equal(['iis.listApplications', 'services.list']);
    expect(named.calls).to.deep.equal(all.calls);
  });
});

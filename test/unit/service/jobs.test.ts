import { expect } from 'chai';
import { AltazionError } from '../../../src/core/errors';
import type { InstallResultRecord } from '../../../src/core/records';
import { silentOutput } from '../../../src/output/output';
import { JobManager } from '../../../src/service/portal/jobs';
import type { LockOwnerView, PortalBackend } from '../../../src/service/portal/types';

// A backend whose job is driven by the test (fake: lives in the test only).
function fakeBackend(options: { lockOwner?: LockOwnerView; fail?: boolean } = {}) {
  let finish!: () => void;
  const gate = new Promise<void>((resolve) => { finish = resolve; });
  let jobs = 0;
  const backend = {
    lockOwner: async () => options.lockOwner,
    runJob: async (_job, output) => {
      jobs++;
      const progress = output.startProgress('Installing ecommerce');
      progress('stage', 10);
      output.warn('waiting for explorer.exe');
      await gate;
      if (options.fail) throw new AltazionError('E_LOCKED', 'explorer.exe (pid 42) holds default.htm');
      return [{ Name: 'ecommerce', Result: 'Installed', ToVersion: '25.10.1.2' } as InstallResultRecord];
    },
  } as Partial<PortalBackend> as PortalBackend;
  return { backend, finish, jobs: () => jobs };
}

describe('portal jobs (one at a time)', () => {
  it('starts one job; a simultaneous second request is refused naming the portal and the administrator who started it', async () => {
    const fake = fakeBackend();
    const events: Array<[string, unknown]> = [];
    const manager = new JobManager(fake.backend, () => silentOutput(), (e, d) => events.push([e, d]));
    const [a, b] = await Promise.all([manager.start({ kind: 'install', name: 'ecommerce', user: 'CONTOSO\\jdupont' }), manager.start({ kind: 'install', name: 'logistique', user: 'CONTOSO\\mmartin' })]);
    expect([a.started, b.started].filter(Boolean)).to.have.length(1);
    const refused = (a.started ? b : a) as { started: false; owner: LockOwnerView };
    expect(refused.owner).to.include({ requestedBy: 'portal', pid: process.pid, user: a.started ? 'CONTOSO\\jdupont' : 'CONTOSO\\mmartin' });
    // And while it runs (before its install lock is written).
    const later = await manager.start({ kind: 'install', name: 'logistique', user: 'CONTOSO\\mmartin' }) as { started: false; owner: LockOwnerView };
    expect(later.owner).to.include({ requestedBy: 'portal', user: a.started ? 'CONTOSO\\jdupont' : 'CONTOSO\\mmartin' });
    fake.finish();
    await manager.settle();
    expect(fake.jobs()).to.equal(1);
    const current = manager.current()!;
    expect(current.snapshot).to.include({ state: 'done', name: a.started ? 'ecommerce' : 'logistique' });
    expect(current.messages.map((m) => m.type)).to.deep.equal(['progress', 'log']);
    expect(events.map(([e]) => e)).to.deep.equal(['job', 'message', 'message', 'job']);
    expect(manager.running).to.equal(false);
  });

  it('a job the service started (a scheduled install) is named as the service\'s when another is refused', async () => {
    const fake = fakeBackend();
    const manager = new JobManager(fake.backend, () => silentOutput(), () => undefined);
    const scheduled = await manager.start({ kind: 'install', name: 'ecommerce', requestedBy: 'service', user: 'CONTOSO\\jdupont' });
    expect(scheduled.started).to.equal(true);
    const refused = await manager.start({ kind: 'install', name: 'logistique', user: 'CONTOSO\\mmartin' }) as { started: false; owner: LockOwnerView };
    expect(refused.owner).to.include({ requestedBy: 'service', user: 'CONTOSO\\jdupont', description: 'install ecommerce' });
    fake.finish();
    await manager.settle();
  });

  it('does not start when another process holds the install lock', async () => {
    const owner: LockOwnerView = { pid: 4242, user: 'admin', host: 'SRV', requestedBy: 'cli', startedAt: '2026-01-01T00:00:00Z', description: 'install ecommerce' };
    const fake = fakeBackend({ lockOwner: owner });
    const manager = new JobManager(fake.backend, () => silentOutput(), () => undefined);
    const outcome = await manager.start({ kind: 'install', name: 'ecommerce' });
    expect(outcome).to.deep.equal({ started: false, owner });
    expect(fake.jobs()).to.equal(0);
    expect(manager.running).to.equal(false);
  });

  it('reports a failed job with its error code and message, and accepts the next one', async () => {
    const fake = fakeBackend({ fail: true });
    const manager = new JobManager(fake.backend, () => silentOutput(), () => undefined);
    await manager.start({ kind: 'install', name: 'ecommerce' });
    fake.finish();
    await manager.settle();
    expect(manager.current()!.snapshot).to.deep.include({ state: 'failed', error: { code: 'E_LOCKED', message: 'explorer.exe (pid 42) holds default.htm' } });
    expect(manager.current()!.messages.at(-1)).to.include({ type: 'error', code: 'E_LOCKED' });
    expect((await manager.start({ kind: 'install', name: 'ecommerce' })).started).to.equal(true);
  });
});

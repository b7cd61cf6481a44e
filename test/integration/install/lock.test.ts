// The install lock with real processes: one holder at a time, E_BUSY naming the holder, a holder
// killed (SIGKILL) taken over, a reused pid not mistaken for the holder, takeovers that never remove
// a live lock, waiting, and every reader's view. Then a stress test: hundreds of rounds of several
// processes racing for the lock just after its holder was killed.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { instanceLayout } from '../../../src/config/paths';
import { linuxStartOf } from '../../../src/io/process-identity';
import {
  acquireInstallLock, currentOwner, inspectInstallLock, readInstallLock, runningInstall, UNREADABLE_LOCK_GRACE_MS, type LockOwner,
} from '../../../src/install-state/lock';
import { startWorker, type Worker } from '../../helpers/workers';

const WORKER = 'test/helpers/lock-worker.ts';

/** A process that took the lock and was then killed (SIGKILL): its lock stays behind. */
async function staleLockAt(root: string): Promise<number> {
  const doomed = await startWorker(WORKER);
  const won = await doomed.ask<{ op: string }>({ op: 'acquire', root });
  expect(won.op).to.equal('won');
  await doomed.kill('SIGKILL');
  return doomed.pid;
}

/** A pid that runs nothing (checked), for locks written by hand. */
async function deadPid(): Promise<number> {
  const child = spawn('true', { stdio: 'ignore' });
  await new Promise((r) => child.on('exit', r));
  return child.pid!;
}

describe('install lock (real processes)', function () {
  this.timeout(120_000);
  let root: string;
  let layout: ReturnType<typeof instanceLayout>;
  const workers: Worker[] = [];
  const worker = async () => { const w = await startWorker(WORKER); workers.push(w); return w; };

  beforeEach(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'lock-test-'));
    layout = instanceLayout(root);
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.kill()));
    await fs.rm(root, { recursive: true, force: true });
  });

  it('one holder at a time: the other process gets E_BUSY (exit 4) naming pid, user, host, requester and start', async () => {
    const holder = await worker();
    expect((await holder.ask({ op: 'acquire', root, description: 'install ecommerce' })).op).to.equal('won');
    const error = await acquireInstallLock(layout, currentOwner('portal', 'install gestcom')).then(() => undefined, (e) => e);
    expect(error.code).to.equal('E_BUSY');
    expect(error.exitCode).to.equal(4);
    const owner = (await readInstallLock(layout))!;
    expect(error.message).to.include(`pid ${holder.pid}`).and.include(`user ${owner.user}`).and.include(`host ${os.hostname()}`)
      .and.include('requested by cli').and.include('install ecommerce').and.include(owner.startedAt);
    expect((await runningInstall(layout))!.pid).to.equal(holder.pid);
    await holder.ask({ op: 'release' });
    expect(await inspectInstallLock(layout)).to.deep.equal({ state: 'free' });
    const mine = await acquireInstallLock(layout, currentOwner('cli', 'mine'));
    await mine.release();
  });

  it('a holder killed with SIGKILL leaves a stale lock: readers see no running install, the next taker takes it over', async () => {
    const pid = await staleLockAt(root);
    expect((await readInstallLock(layout))!.pid).to.equal(pid);
    expect((await inspectInstallLock(layout)).state).to.equal('stale');
    expect(await runningInstall(layout)).to.equal(undefined);
    const lock = await acquireInstallLock(layout, currentOwner('cli', 'after the crash'));
    expect((await runningInstall(layout))!.description).to.equal('after the crash');
    await lock.release();
    // Nothing of the takeover is left beside the lock.
    expect((await fs.readdir(layout.updates)).filter((n) => n.includes('install.lock'))).to.deep.equal([]);
  });

  it('a reused pid is not the holder: same pid, another start time, is stale; the right start time is live', async function () {
    if (linuxStartOf(process.pid) === undefined) this.skip(); // start times come from /proc
    const sleeper = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1e9)'], { stdio: 'ignore' });
    try {
      await fs.mkdir(layout.updates, { recursive: true });
      const write = (start: string) => fs.writeFile(layout.installLock, JSON.stringify({ ...currentOwner('cli', 'x'), pid: sleeper.pid!, nonce: `n${start.length}`, process: { start } }));
      await write(linuxStartOf(sleeper.pid!)!);
      expect((await inspectInstallLock(layout)).state).to.equal('held');
      await write(`${linuxStartOf(sleeper.pid!)!}0`); // a process of that pid that started at another time
      expect((await inspectInstallLock(layout)).state).to.equal('stale');
      const lock = await acquireInstallLock(layout, currentOwner('cli', 'mine'));
      expect((await readInstallLock(layout))!.pid).to.equal(process.pid);
      await lock.release();
    } finally {
      sleeper.kill('SIGKILL');
    }
  });

  it('a lock of an earlier version (pid only) is live while its pid runs, stale once it is gone', async () => {
    await fs.mkdir(layout.updates, { recursive: true });
    const sleeper = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1e9)'], { stdio: 'ignore' });
    try {
      await fs.writeFile(layout.installLock, JSON.stringify({ ...currentOwner('cli', 'old'), pid: sleeper.pid }));
      expect((await inspectInstallLock(layout)).state).to.equal('held');
    } finally {
      sleeper.kill('SIGKILL');
    }
    await fs.writeFile(layout.installLock, JSON.stringify({ ...currentOwner('cli', 'old'), pid: await deadPid() }));
    expect((await inspectInstallLock(layout)).state).to.equal('stale');
  });

  it('release removes only its own taking, never a lock someone else holds now', async () => {
    const lock = await acquireInstallLock(layout, currentOwner('cli', 'mine'));
    const foreign: LockOwner = { ...currentOwner('cli', 'foreign'), nonce: 'someone-else' };
    await fs.writeFile(layout.installLock, JSON.stringify(foreign));
    await lock.release();
    expect((await readInstallLock(layout))!.description).to.equal('foreign');
  });

  it('simultaneous takers in one process: exactly one wins, the others are told it is this very process', async () => {
    await staleLockAt(root);
    const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => acquireInstallLock(layout, currentOwner('cli', `taker ${i}`))));
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).to.have.length(1);
    for (const r of results.filter((x) => x.status === 'rejected') as PromiseRejectedResult[]) {
      expect(r.reason.code).to.equal('E_BUSY');
      expect(r.reason.message).to.include(`pid ${process.pid}`);
    }
    await (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof acquireInstallLock>>>).value.release();
  });

  it('a takeover begun by a process that died (its guard left) does not block the next one', async () => {
    await staleLockAt(root);
    const stale = (await readInstallLock(layout))!;
    await fs.writeFile(`${layout.installLock}.takeover-${stale.nonce}-0`, JSON.stringify({ pid: await deadPid(), host: os.hostname(), process: {} }));
    const lock = await acquireInstallLock(layout, currentOwner('cli', 'next'));
    expect((await readInstallLock(layout))!.description).to.equal('next');
    await lock.release();
    expect((await fs.readdir(layout.updates)).filter((n) => n.includes('takeover'))).to.deep.equal([]);
  });

  it('a takeover in progress by a live process is waited for, not raced: the lock is removed only by it', async () => {
    await staleLockAt(root);
    const stale = (await readInstallLock(layout))!;
    // A live process holds the takeover guard of that stale lock: nobody else may remove it.
    const taker = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1e9)'], { stdio: 'ignore' });
    const guard = `${layout.installLock}.takeover-${stale.nonce}-0`;
    await fs.writeFile(guard, JSON.stringify({ pid: taker.pid, host: os.hostname(), process: linuxStartOf(taker.pid!) ? { start: linuxStartOf(taker.pid!) } : {} }));
    let settled = false;
    const attempt = acquireInstallLock(layout, currentOwner('cli', 'waiting for the takeover')).finally(() => { settled = true; });
    // While the guard's holder lives, the stale lock stays (we look a few times).
    for (let i = 0; i < 20; i++) {
      await new Promise((r) => setImmediate(r));
      expect((await readInstallLock(layout))!.nonce).to.equal(stale.nonce);
    }
    expect(settled).to.equal(false);
    taker.kill('SIGKILL'); // the taker dies half-way: the next guard decides
    const lock = await attempt;
    expect((await readInstallLock(layout))!.description).to.equal('waiting for the takeover');
    await lock.release();
  });

  it('an unreadable lock file is a writer at work for a while, then abandoned', async () => {
    await fs.mkdir(layout.updates, { recursive: true });
    await fs.writeFile(layout.installLock, '');
    const view = await inspectInstallLock(layout);
    expect(view.state).to.equal('held');
    expect(await acquireInstallLock(layout, currentOwner('cli', 'x')).then(() => 'won', (e) => e.code)).to.equal('E_BUSY');
    const old = new Date(Date.now() - UNREADABLE_LOCK_GRACE_MS - 60_000);
    await fs.utimes(layout.installLock, old, old);
    expect((await inspectInstallLock(layout)).state).to.equal('stale');
    const lock = await acquireInstallLock(layout, currentOwner('cli', 'x'));
    await lock.release();
  });

  it('waits when asked: the holder is named once, and the lock is taken when it finishes', async () => {
    const holder = await worker();
    await holder.ask({ op: 'acquire', root });
    const named: LockOwner[] = [];
    const lock = await acquireInstallLock(layout, currentOwner('cli', 'patient'), {
      waitSeconds: 120,
      onWait: (owner) => { named.push(owner); holder.send({ op: 'release' }); },
    });
    expect(named.map((o) => o.pid)).to.deep.equal([holder.pid]);
    expect((await readInstallLock(layout))!.description).to.equal('patient');
    await lock.release();
  });

  it('leftovers of killed takers are swept: their temporary files and the guards of locks gone', async () => {
    await fs.mkdir(layout.updates, { recursive: true });
    const dead = await deadPid();
    const leftovers = [`.install.lock.altazion-tmp-${dead}-0123456789ab`, `.install.lock.takeover-x-0.altazion-tmp-${dead}-0123456789ab`, 'install.lock.takeover-gone-0'];
    for (const name of leftovers) await fs.writeFile(path.join(layout.updates, name), '{}');
    const alive = `.install.lock.altazion-tmp-${process.pid}-0123456789ab`; // a live writer's: kept
    await fs.writeFile(path.join(layout.updates, alive), '{}');
    const lock = await acquireInstallLock(layout, currentOwner('cli', 'x'));
    await lock.release();
    expect((await fs.readdir(layout.updates)).sort()).to.deep.equal([alive]);
  });
});

describe('install lock stress: processes racing just after the holder was killed', function () {
  // Rounds: bounded in count (CI has 2 CPUs); each round kills a holder and races six processes.
  const ROUNDS = Number(process.env.ALTAZION_LOCK_STRESS_ROUNDS ?? 300);
  const RACERS = 6;
  this.timeout(600_000);

  it(`${ROUNDS} rounds x ${RACERS} processes: exactly one holder each round, the others E_BUSY naming it`, async () => {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'lock-stress-'));
    const layout = instanceLayout(root);
    await fs.mkdir(layout.updates, { recursive: true });
    const racers = await Promise.all(Array.from({ length: RACERS }, () => startWorker(WORKER)));
    // Every tenth holder is a worker that takes the lock itself; the others are small processes
    // whose lock the test writes as the lock module would (its pid and start time): starting a
    // node process for every round would make the rounds a benchmark of node's start-up.
    let doomed = startWorker(WORKER);
    try {
      for (let round = 0; round < ROUNDS; round++) {
        if (round % 10 === 0) {
          const victim = await doomed;
          doomed = startWorker(WORKER);
          expect((await victim.ask<{ op: string }>({ op: 'acquire', root })).op, `round ${round}: the victim takes the lock`).to.equal('won');
          await victim.kill('SIGKILL');
        } else {
          const victim = spawn('sleep', ['1000'], { stdio: 'ignore' });
          const start = linuxStartOf(victim.pid!);
          await fs.writeFile(layout.installLock, JSON.stringify({ ...currentOwner('cli', 'victim'), pid: victim.pid, nonce: `victim-${round}`, process: start ? { start } : {} }));
          expect((await inspectInstallLock(layout)).state).to.equal('held');
          victim.kill('SIGKILL');
          await new Promise((r) => victim.once('exit', r));
        }
        if (round % 3 === 1) {
          // Some rounds also find the guard of a taker that died half-way.
          const stale = (await readInstallLock(layout))!;
          await fs.writeFile(`${layout.installLock}.takeover-${stale.nonce}-0`, JSON.stringify({ pid: await deadPid(), host: os.hostname(), process: {} }));
        }
        expect((await inspectInstallLock(layout)).state, `round ${round}: stale before the race`).to.equal('stale');
        for (const r of racers) r.send({ op: 'acquire', root });
        const answers = await Promise.all(racers.map((r) => r.next<{ op: string; pid?: number; code?: string; message?: string }>()));
        const winners = answers.filter((a) => a.op === 'won');
        expect(winners, `round ${round}: ${JSON.stringify(answers)}`).to.have.length(1);
        for (const a of answers.filter((x) => x.op !== 'won')) {
          expect(a.code, `round ${round}: ${a.message}`).to.equal('E_BUSY');
          expect(a.message).to.include(`pid ${winners[0].pid}`);
        }
        const winner = racers.find((r) => r.pid === winners[0].pid)!;
        expect((await winner.ask<{ op: string }>({ op: 'release' })).op).to.equal('released');
        expect((await inspectInstallLock(layout)).state, `round ${round}: free after the release`).to.equal('free');
      }
      expect((await fs.readdir(layout.updates)).filter((n) => n.includes('install.lock'))).to.deep.equal([]);
    } finally {
      await Promise.all([...racers.map((r) => r.kill()), doomed.then((d) => d.kill())]);
      await fs.rm(root, { recursive: true, force: true });
    }
  });
});

// The download lock (<cache>/<name>.lock, src/io/lock-file.ts through acquireDownloadLock) with
// real processes: a dead holder's lock is taken over; a live holder makes the next downloader wait
// and then use the verified file it cached (one download, not two); a lock being created is not
// stolen; a cancelled wait leaves nothing behind; a leftover of this very process does not make it
// wait for itself. Then races: many rounds of processes taking a stale lock (never two holders at
// once, checked with an exclusive marker file) and downloading the same package (one request).
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { acquireDownloadLock, cachePathFor, downloadLockPathFor, downloadPackage, type DownloadOptions } from '../../../src/feed/download';
import { openFeedSource } from '../../../src/feed/source';
import { currentOwner, inspectLockFile, readLockOwner, UNREADABLE_LOCK_GRACE_MS, type LockOwner } from '../../../src/io/lock-file';
import { linuxStartOf, selfIdentity } from '../../../src/io/process-identity';
import { startFeedServer, type FeedServer } from '../../helpers/feed-server';
import { startWorker, type Worker } from '../../helpers/workers';
import { freshCache, listing, makeFeed, rejection, type Feed } from './fixtures';

const WORKER = 'test/helpers/download-worker.ts';

/** A lock as the lock module writes it, naming a process that ran and is gone (its pid and start time). */
async function writeStaleLock(lockPath: string, nonce: string): Promise<void> {
  const victim = spawn('sleep', ['1000'], { stdio: 'ignore' });
  const start = linuxStartOf(victim.pid!);
  const owner: LockOwner = { ...currentOwner('download', 'victim'), pid: victim.pid!, nonce, process: start ? { start } : {} };
  await writeFile(lockPath, JSON.stringify(owner));
  victim.kill('SIGKILL');
  await new Promise((r) => victim.once('exit', r));
}

/** Waits for an event (a state the other process reaches), looking again on each turn of the loop. */
async function until(what: string, condition: () => Promise<boolean>, worker?: Worker): Promise<void> {
  for (let i = 0; ; i++) {
    if (await condition()) return;
    if (worker && worker.child.exitCode !== null) throw new Error(`the worker exited before: ${what}`);
    if (i > 200_000) throw new Error(`never happened: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('feed/download: the download lock between processes', function () {
  this.timeout(180_000);
  let feed: Feed;
  let server: FeedServer;
  let cacheDir: string;
  let lockPath: string;
  const workers: Worker[] = [];
  const worker = async () => { const w = await startWorker(WORKER); workers.push(w); return w; };

  before(async () => {
    feed = await makeFeed([{ module: 'ecommerce', version: '25.10.1.2', kind: 'web', payloadBytes: 512 * 1024 }]);
    server = await startFeedServer(feed.feedDir);
  });
  after(async () => { await server.close(); await rm(feed.root, { recursive: true, force: true }); });
  beforeEach(async () => {
    cacheDir = await freshCache(feed, server);
    lockPath = downloadLockPathFor(cacheDir, feed.release('ecommerce'));
  });
  afterEach(async () => { await Promise.all(workers.splice(0).map((w) => w.kill())); });

  const release = () => feed.release('ecommerce');
  const options = (extra: Partial<DownloadOptions> = {}): DownloadOptions => ({
    source: openFeedSource(server.url, { env: {} }), release: release(), cacheDir, retries: 3, retryDelayMs: 5, ...extra,
  });
  const zipRequests = () => server.requests.filter((r) => r.path.endsWith('.zip'));
  const onlyThePackage = () => [`${path.basename(cachePathFor(cacheDir, release()))}:${release().size}`];
  const sha256 = async (file: string) => createHash('sha256').update(await readFile(file)).digest('hex');

  it('takes over the lock of a holder that was killed (the identity the lock module writes), and leaves no lock behind', async () => {
    const doomed = await worker();
    expect((await doomed.ask<{ op: string }>({ op: 'hold', lockPath })).op).to.equal('holding');
    const left = (await readLockOwner(lockPath))!;
    expect(left.pid).to.equal(doomed.pid);
    expect(left.nonce, 'a nonce per taking').to.be.a('string');
    if (linuxStartOf(process.pid)) expect(left.process?.start, 'the start time that survives pid reuse').to.equal(linuxStartOf(doomed.pid));
    await doomed.kill('SIGKILL');
    expect((await inspectLockFile(lockPath)).state).to.equal('stale');

    const result = await downloadPackage(options({ onWait: () => { throw new Error('must not wait for a dead holder'); } }));
    expect(result.fromCache).to.equal(false);
    expect(await sha256(result.path)).to.equal(release().sha256);
    expect(await listing(cacheDir), 'no lock, guard or temporary file left').to.deep.equal(onlyThePackage());
  });

  it('waits while a live process downloads the same package, then uses the file it verified: one download, not two', async () => {
    const other = await worker();
    server.faults = { stallAfter: 64 * 1024 }; // the other process is mid-download until the faults are cleared
    const reply = other.ask<{ op: string; fromCache?: boolean; message?: string }>({
      op: 'download', location: server.url, release: release(), cacheDir, retries: 10_000, retryDelayMs: 1, idleTimeoutMs: 200,
    });
    await until('the other process holds the lock', async () => {
      const view = await inspectLockFile(lockPath);
      return view.state === 'held' && view.owner.pid === other.pid;
    }, other);
    const waitedFor: LockOwner[] = [];
    const result = await downloadPackage(options({ onWait: (holder) => { waitedFor.push(holder); server.faults = {}; } }));
    expect(waitedFor.map((h) => h.pid), 'waited for the other process, named once').to.deep.equal([other.pid]);
    expect(waitedFor[0].description).to.include(release().package);
    expect(result.fromCache, 'the verified file the other process cached').to.equal(true);
    expect(result.requests).to.equal(0);
    const theirs = await reply;
    expect(theirs.op, theirs.message).to.equal('downloaded');
    expect(theirs.fromCache).to.equal(false);
    expect(await sha256(result.path)).to.equal(release().sha256);
    expect(await listing(cacheDir)).to.deep.equal(onlyThePackage());
  });

  for (const [kind, content] of [['empty', ''], ['partly written', '{"pid": 12']] as const) {
    it(`does not steal a lock being created (${kind} file) before the grace, takes it over after`, async () => {
      await writeFile(lockPath, content);
      const before = await stat(lockPath);
      const controller = new AbortController();
      const seen: LockOwner[] = [];
      const err = await rejection(downloadPackage(options({ signal: controller.signal, onWait: (holder) => { seen.push(holder); controller.abort(); } })));
      expect(seen, 'waited for the writer').to.have.length(1);
      expect(seen[0].description).to.include('unreadable lock file');
      expect(err.code).to.equal('E_DOWNLOAD');
      expect(err.message).to.include('cancelled while waiting').and.include(release().package);
      const after = await stat(lockPath);
      expect([after.ino, after.size], 'the lock being written is untouched').to.deep.equal([before.ino, before.size]);
      expect(zipRequests()).to.have.length(0);

      const old = new Date(Date.now() - UNREADABLE_LOCK_GRACE_MS - 60_000);
      await utimes(lockPath, old, old);
      const result = await downloadPackage(options());
      expect(result.fromCache).to.equal(false);
      expect(await listing(cacheDir)).to.deep.equal(onlyThePackage());
    });
  }

  it('a wait cancelled by the signal leaves nothing behind and names the package and the holder', async () => {
    const holder = await worker();
    expect((await holder.ask<{ op: string }>({ op: 'hold', lockPath })).op).to.equal('holding');
    const lockBefore = await readFile(lockPath, 'utf8');
    const listed = await listing(cacheDir);
    const controller = new AbortController();
    const err = await rejection(downloadPackage(options({ signal: controller.signal, onWait: () => controller.abort() })));
    expect(err.code).to.equal('E_DOWNLOAD');
    expect(err.message).to.include(release().package).and.include(`pid ${holder.pid}`).and.include('cancelled while waiting');
    expect(await listing(cacheDir), 'no partial, temporary file or guard').to.deep.equal(listed);
    expect(await readFile(lockPath, 'utf8'), "the holder's lock as it was").to.equal(lockBefore);
    expect(zipRequests()).to.have.length(0);
    await holder.kill('SIGKILL');
    expect((await downloadPackage(options())).fromCache).to.equal(false);
    expect(await listing(cacheDir)).to.deep.equal(onlyThePackage());
  });

  it('a lock this very process left (a release that could not remove it) does not make it wait for itself', async () => {
    const me = await selfIdentity(cacheDir);
    const leftover: LockOwner = { ...currentOwner('download', 'an earlier download of this process'), nonce: 'left-over', process: { ...(me.start ? { start: me.start } : {}), ...(me.token ? { token: me.token } : {}) } };
    await writeFile(lockPath, JSON.stringify(leftover));
    // A reader sees what any process would (its process runs); a taker in this process knows better.
    expect((await inspectLockFile(lockPath)).state).to.equal('held');
    const result = await downloadPackage(options({ onWait: () => { throw new Error('waited for itself'); } }));
    expect(result.fromCache).to.equal(false);
    expect(await listing(cacheDir)).to.deep.equal(onlyThePackage());
  });

  it('in one process, a second acquirer of the same lock waits for the first (the lock names a live taking of this process)', async () => {
    const first = await acquireDownloadLock(lockPath, 'first', {});
    const controller = new AbortController();
    const waited: LockOwner[] = [];
    const err = await rejection(acquireDownloadLock(lockPath, 'second', { signal: controller.signal, onWait: (h) => { waited.push(h); controller.abort(); } }));
    expect(err.code).to.equal('E_DOWNLOAD');
    expect(waited.map((h) => h.nonce)).to.deep.equal([first.owner.nonce]);
    await first.release();
    expect((await inspectLockFile(lockPath)).state).to.equal('free');
  });
});

describe('feed/download lock stress: processes racing for a stale download lock', function () {
  // Bounded in count (CI has 2 CPUs); ALTAZION_DOWNLOAD_LOCK_ROUNDS overrides.
  const ROUNDS = Number(process.env.ALTAZION_DOWNLOAD_LOCK_ROUNDS ?? 50);
  const RACERS = 4;
  this.timeout(600_000);
  let feed: Feed;
  let server: FeedServer;
  let racers: Worker[] = [];

  before(async () => {
    feed = await makeFeed([{ module: 'ecommerce', version: '25.10.1.2', kind: 'web', payloadBytes: 64 * 1024 }]);
    server = await startFeedServer(feed.feedDir);
    racers = await Promise.all(Array.from({ length: RACERS }, () => startWorker(WORKER)));
  });
  after(async () => {
    await Promise.all(racers.map((r) => r.kill()));
    await server.close();
    await rm(feed.root, { recursive: true, force: true });
  });

  it(`${ROUNDS} rounds x ${RACERS} processes: every one gets the lock, never two at once, nothing left behind`, async () => {
    const cacheDir = path.join(feed.root, 'race');
    await mkdir(cacheDir);
    const lockPath = downloadLockPathFor(cacheDir, feed.release('ecommerce'));
    const marker = path.join(cacheDir, 'inside');
    for (let round = 0; round < ROUNDS; round++) {
      await writeStaleLock(lockPath, `victim-${round}`);
      if (round % 3 === 1) {
        // Some rounds also find the guard of a taker that died half-way.
        const dead = spawn('true', { stdio: 'ignore' });
        await new Promise((r) => dead.once('exit', r));
        await writeFile(`${lockPath}.takeover-victim-${round}-0`, JSON.stringify({ pid: dead.pid, host: currentOwner('x', 'x').host, process: {} }));
      }
      expect((await inspectLockFile(lockPath)).state, `round ${round}: stale before the race`).to.equal('stale');
      for (const r of racers) r.send({ op: 'race', lockPath, marker });
      const answers = await Promise.all(racers.map((r) => r.next<{ op: string; overlap?: boolean; message?: string }>()));
      for (const a of answers) {
        expect(a.op, `round ${round}: ${a.message}`).to.equal('raced');
        expect(a.overlap, `round ${round}: two holders at once`).to.equal(false);
      }
      expect(await listing(cacheDir), `round ${round}: nothing left`).to.deep.equal([]);
    }
  });

  it(`${Math.ceil(ROUNDS / 5)} rounds x ${RACERS} processes downloading one package past a stale lock: one request, one download`, async () => {
    const release = feed.release('ecommerce');
    for (let round = 0; round < Math.ceil(ROUNDS / 5); round++) {
      const cacheDir = path.join(feed.root, `download-race-${round}`);
      await mkdir(cacheDir);
      await writeStaleLock(downloadLockPathFor(cacheDir, release), `victim-${round}`);
      server.requests.length = 0;
      const answers = await Promise.all(racers.map((r) => r.ask<{ op: string; fromCache?: boolean; sha256?: string; message?: string }>({ op: 'download', location: server.url, release, cacheDir })));
      for (const a of answers) expect(a.op, `round ${round}: ${a.message}`).to.equal('downloaded');
      expect(answers.filter((a) => !a.fromCache), `round ${round}: one download`).to.have.length(1);
      expect(server.requests.filter((r) => r.path.endsWith('.zip')), `round ${round}: one request`).to.have.length(1);
      expect(await listing(cacheDir)).to.deep.equal([`${path.basename(release.package)}:${release.size}`]);
    }
  });
});

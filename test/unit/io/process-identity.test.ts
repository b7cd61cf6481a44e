// Windows token bookkeeping of src/io/process-identity.ts, run here with platform 'win32' (the
// token files are real; only the sharing violation that proves a holder alive needs Windows:
// test/e2e/wine-lock.test.ts). One token per (process, folder): a process holding the install
// lock in bin/updates and a download lock in bin/updates/cache keeps both, never switches one
// for the other, and a lock's token goes with the process's last lock in that folder.
import { expect } from 'chai';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { heldTokenFiles, holdIdentity, selfIdentity, sweepDeadTokens } from '../../../src/io/process-identity';

describe('io/process-identity: Windows tokens, one per process and folder', () => {
  let base: string;
  let updates: string;
  let cache: string;
  beforeEach(async () => {
    base = await fs.mkdtemp(path.join(os.tmpdir(), 'identity-'));
    updates = path.join(base, 'bin', 'updates');
    cache = path.join(updates, 'cache');
  });
  afterEach(async () => { await fs.rm(base, { recursive: true, force: true }); });

  const tokensIn = async (dir: string) => (await fs.readdir(dir).catch(() => [] as string[])).filter((n) => n.startsWith('.altazion-live-')).sort();

  it('a lock in another folder gets its own token; the first folder keeps its token (no switch)', async () => {
    const install = await holdIdentity(updates, 'win32');
    const download = await holdIdentity(cache, 'win32');
    expect(install.identity.token).to.match(/^\.altazion-live-\d+-[0-9a-f]{16}$/);
    expect(download.identity.token).to.not.equal(install.identity.token);
    expect(await tokensIn(updates)).to.deep.equal([install.identity.token]);
    expect(await tokensIn(cache)).to.deep.equal([download.identity.token]);
    // The same folder again (the journal's identity, another lock there): the same token.
    const again = await holdIdentity(`${updates}${path.sep}`, 'win32');
    expect(again.identity.token).to.equal(install.identity.token);
    expect((await holdIdentity(updates.toUpperCase(), 'win32')).identity.token, 'Windows folder names ignore case').to.equal(install.identity.token);
    expect(heldTokenFiles()).to.include.members([path.join(updates, install.identity.token!), path.join(cache, download.identity.token!)]);
    download.release();
    expect(await tokensIn(cache)).to.deep.equal([]);
    expect(await tokensIn(updates), 'the install lock keeps its token').to.deep.equal([install.identity.token]);
  });

  it("a lock's token is closed and removed with the process's last lock in its folder; a pinned one (journal) stays", async () => {
    const a = await holdIdentity(cache, 'win32');
    const b = await holdIdentity(cache, 'win32');
    const token = path.join(cache, a.identity.token!);
    a.release();
    a.release(); // twice: counted once
    expect(existsSync(token), 'still held by the other lock').to.equal(true);
    b.release();
    expect(existsSync(token)).to.equal(false);
    expect(heldTokenFiles()).to.not.include(token);
    // The next lock there gets a fresh token.
    const c = await holdIdentity(cache, 'win32');
    expect(c.identity.token).to.not.equal(a.identity.token);
    c.release();

    const lock = await holdIdentity(updates, 'win32');
    const journal = await selfIdentity(updates, 'win32');
    expect(journal.token).to.equal(lock.identity.token);
    lock.release();
    expect(existsSync(path.join(updates, journal.token!)), 'the journal names it: held for the life of the process').to.equal(true);
  });

  it("concurrent holds of one folder share one token and the folder's sweep never removes a token of this process", async () => {
    const holds = await Promise.all(Array.from({ length: 8 }, () => holdIdentity(cache, 'win32')));
    expect(new Set(holds.map((h) => h.identity.token)).size).to.equal(1);
    const other = await holdIdentity(updates, 'win32');
    // A dead process's token (no one holds it) beside ours.
    await fs.writeFile(path.join(cache, '.altazion-live-999999-0123456789abcdef'), '');
    await sweepDeadTokens(cache);
    await sweepDeadTokens(updates);
    expect(await tokensIn(cache)).to.deep.equal([holds[0].identity.token]);
    expect(await tokensIn(updates)).to.deep.equal([other.identity.token]);
    for (const h of holds) h.release();
    other.release();
    expect(await tokensIn(cache)).to.deep.equal([]);
  });

  it('elsewhere than Windows there is no token: the start time (Linux) names the process', async function () {
    if (process.platform !== 'linux') this.skip();
    const held = await holdIdentity(cache, 'linux');
    expect(held.identity.token).to.equal(undefined);
    expect(held.identity.start).to.match(/\/\d+$/);
    held.release();
    expect(await tokensIn(cache)).to.deep.equal([]);
  });
});

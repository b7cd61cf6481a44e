// The service's minute check of the database and what `get` does with it (issue 21), on the sandbox
// store: the status is trusted while nothing changed, never after one of our changes, never when
// the connection or the package changed, and a check racing an install is never believed.
import { expect } from 'chai';
import { createWriteStream, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yazl from 'yazl';
import { instanceLayout } from '../../../src/config/paths';
import { memoryAnalysisCache, diskAnalysisCache } from '../../../src/database/flow/analysis';
import type { DatabaseContext } from '../../../src/database/flow/context';
import { installDatabase } from '../../../src/database/flow/install';
import { checkDatabaseForService, databaseOverview, databaseStatus, serviceCheckedStatus } from '../../../src/database/flow/queries';
import { readDatabaseChanges, readServiceCheck } from '../../../src/database/flow/service-check';
import { silentOutput } from '../../../src/output/output';
import type { Platform } from '../../../src/platform/types';
import { buildDatabasePackageFiles, createSandboxDatabase } from '../../../src/sandbox/database/fixtures';
import { SandboxStore } from '../../../src/sandbox/database/store';

const OLD = '25.9.12.3';
const NEW = '25.10.1.2';

async function writeZip(file: string, files: Record<string, Buffer | string>): Promise<void> {
  const zip = new yazl.ZipFile();
  for (const [name, content] of Object.entries(files)) zip.addBuffer(Buffer.from(content), name);
  zip.end();
  await new Promise<void>((resolve, reject) => zip.outputStream.pipe(createWriteStream(file)).on('close', resolve).on('error', reject));
}

interface World { ctx: DatabaseContext; store: SandboxStore; connection: string; clock: { ms: number } }

describe('the service check of the database (what get trusts)', function () {
  this.timeout(120_000);
  const dirs: string[] = [];
  after(async () => { for (const d of dirs) await fs.rm(d, { recursive: true, force: true }); });

  /** A root with the default connection and the new release's package in the cache; a clock that moves 1 ms per reading. */
  async function world(): Promise<World> {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'altazion-svccheck-'));
    dirs.push(dir);
    const layout = instanceLayout(path.join(dir, 'root'));
    const db = await createSandboxDatabase(path.join(dir, 'host'), { version: OLD });
    await fs.mkdir(layout.config, { recursive: true });
    await fs.writeFile(layout.connectionsConfig, `<configuration><connections><Connection name="Equihira" default="true" connectionString="${db.connectionString}" /></connections></configuration>`);
    await fs.mkdir(layout.cache, { recursive: true });
    await writeZip(path.join(layout.cache, `database-${NEW}.zip`), buildDatabasePackageFiles(NEW, { previousVersions: [OLD] }));
    const platform = { kind: 'sandbox' } as Platform;
    const clock = { ms: Date.parse('2026-12-06T10:00:00Z') };
    const ctx: DatabaseContext = { layout, output: silentOutput(), now: () => new Date(clock.ms++), platform: async () => platform, openSandboxDatabase: async (f) => new SandboxStore(f) };
    return { ctx, store: new SandboxStore(db.folder), connection: db.connectionString, clock };
  }

  it('leaves the status `db status` gives, which is trusted until an install changes the database', async () => {
    const w = await world();
    const { status, analysed } = await checkDatabaseForService(w.ctx, { checkedBy: 'service pid 7' });
    expect(analysed).to.equal(true);
    expect(status).to.deep.equal(await databaseStatus(w.ctx));
    expect(status).to.include({ Status: 'UpdateAvailable', InstalledVersion: OLD });
    const trusted = await serviceCheckedStatus(w.ctx);
    expect(trusted.status).to.deep.equal(status);
    expect(trusted).to.include({ checkedBy: 'service pid 7' });

    const { record } = await installDatabase(w.ctx, undefined, { moduleFolder: false });
    expect(record.Result).to.equal('Installed');
    expect(await readDatabaseChanges(w.ctx.layout)).to.include({ running: false, pid: process.pid });
    expect(await serviceCheckedStatus(w.ctx)).to.deep.equal({ why: 'the database was changed after the service checked it' });

    // The next check sees the new state, and the cached analysis was not used for it.
    const again = await checkDatabaseForService(w.ctx, { checkedBy: 'service pid 7' });
    expect(again.analysed).to.equal(true);
    expect((await serviceCheckedStatus(w.ctx)).status).to.include({ Status: 'UpToDate', InstalledVersion: NEW });
  });

  it('an unchanged database is not analysed again: the check is one marker query', async () => {
    const w = await world();
    const cache = memoryAnalysisCache(diskAnalysisCache(w.ctx));
    await checkDatabaseForService(w.ctx, { cache, checkedBy: 's' });
    const second = await checkDatabaseForService(w.ctx, { cache, checkedBy: 's' });
    expect(second.analysed).to.equal(false);
    expect(cache.analyses).to.equal(1);
    // A change made in SSMS changes the marker: analysed again.
    await w.store.alterCatalog((catalog) => {
      const table = catalog.objects.find((o) => o.name === 'clients')!;
      table.columns = [...table.columns!, { name: 'perso_code_client', type: 'varchar(20)', nullable: true }];
    });
    const third = await checkDatabaseForService(w.ctx, { cache, checkedBy: 's' });
    expect(third).to.deep.include({ analysed: true });
    expect(third.status.Status).to.equal('ManualActionRequired');
    expect(cache.analyses).to.equal(2);
  });

  it('the minute check and portal pages asking at the same moment analyse once; a failed analysis lets the next one try', async () => {
    const w = await world();
    const cache = memoryAnalysisCache(diskAnalysisCache(w.ctx));
    const [checked, overview, status] = await Promise.all([
      checkDatabaseForService(w.ctx, { cache, checkedBy: 's' }),
      databaseOverview(w.ctx, { cache }),
      databaseStatus(w.ctx, { cache }),
    ]);
    expect(cache.analyses).to.equal(1);
    expect(overview.status).to.deep.equal(checked.status);
    expect(status).to.deep.equal(checked.status);

    // After a change, a second request waits for the analysis running; when that one fails, it analyses itself.
    await w.store.alterCatalog((catalog) => { catalog.objects.find((o) => o.name === 'clients')!.columns!.push({ name: 'perso', type: 'int', nullable: true }); });
    const store = new SandboxStore(w.store.folder);
    const readCatalog = store.readCatalog.bind(store);
    let reads = 0;
    let fail!: () => void;
    const failing = new Promise<void>((resolve) => { fail = resolve; });
    store.readCatalog = async () => {
      if (++reads === 1) { await failing; throw new Error('the catalog cannot be read now'); }
      return readCatalog();
    };
    const first = databaseStatus(w.ctx, { cache, store });
    while (reads === 0) await new Promise((r) => setImmediate(r));
    const second = databaseStatus(w.ctx, { cache, store });
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect(reads, 'the second request waits for the running analysis').to.equal(1);
    fail();
    await first.then(() => expect.fail('the first analysis should fail'), (error: Error) => expect(error.message).to.equal('the catalog cannot be read now'));
    expect((await second).Status).to.equal('ManualActionRequired');
    expect(reads).to.equal(2);
    expect(cache.analyses).to.equal(2);
  });

  it('is not trusted once old, for another connection, or for another package', async () => {
    const w = await world();
    await checkDatabaseForService(w.ctx, { checkedBy: 's' });
    expect((await serviceCheckedStatus(w.ctx)).status).to.not.equal(undefined);
    w.clock.ms += 91_000;
    expect(await serviceCheckedStatus(w.ctx)).to.deep.include({ why: "the service's check is 91 s old" });

    await checkDatabaseForService(w.ctx, { checkedBy: 's' });
    const config = await fs.readFile(w.ctx.layout.connectionsConfig, 'utf8');
    await fs.writeFile(w.ctx.layout.connectionsConfig, config.replace('connectionString="', 'connectionString="Application Name=other;'));
    expect(await serviceCheckedStatus(w.ctx)).to.deep.equal({ why: 'the connection changed since the service checked it' });
    await fs.writeFile(w.ctx.layout.connectionsConfig, config);
    expect((await serviceCheckedStatus(w.ctx)).status).to.not.equal(undefined);

    await writeZip(path.join(w.ctx.layout.cache, 'database-25.11.0.1.zip'), buildDatabasePackageFiles('25.11.0.1', { previousVersions: [OLD, NEW] }));
    expect(await serviceCheckedStatus(w.ctx)).to.deep.equal({ why: 'the database package or a kept baseline changed since the service checked it' });
  });

  it('a failed check removes the previous one, so that get asks the database and reports what fails', async () => {
    const w = await world();
    await checkDatabaseForService(w.ctx, { checkedBy: 's' });
    await fs.rename(w.store.folder, `${w.store.folder}.off`);
    await checkDatabaseForService(w.ctx, { checkedBy: 's' }).then(() => expect.fail('the check should fail'), (error: Error) => expect(error.message).to.contain('does not exist'));
    expect(await readServiceCheck(w.ctx.layout)).to.equal(undefined);
    expect(await serviceCheckedStatus(w.ctx)).to.deep.equal({ why: 'the service has not checked it' });
  });

  it('a check made while an install is changing the database is not trusted before it ends', async () => {
    const w = await world();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    let reached!: () => void;
    const midChange = new Promise<void>((resolve) => { reached = resolve; });
    // The install's store stops after its change, before the install ends.
    const store = new SandboxStore(w.store.folder);
    const markApplied = store.markApplied.bind(store);
    store.markApplied = async (entry) => { await markApplied(entry); reached(); await gate; };
    const install = installDatabase(w.ctx, undefined, { store, markApplied: '2025-10/0001', moduleFolder: false });
    await midChange;
    const { status } = await checkDatabaseForService(w.ctx, { checkedBy: 's' });
    expect(status.PendingScripts).to.not.include('2025-10/0001');
    expect((await serviceCheckedStatus(w.ctx)).why).to.match(/^a database change started at .* \(pid \d+\) has not finished$/);
    release();
    expect((await install).record.Result).to.equal('ManualActionRequired'); // three scripts still pending
    expect((await serviceCheckedStatus(w.ctx)).why).to.equal('the database was changed after the service checked it');
  });

  it('an install killed during its change leaves the check distrusted', async () => {
    const w = await world();
    await checkDatabaseForService(w.ctx, { checkedBy: 's' });
    // What a kill between the first change and the end leaves: the start mark only.
    const { markDatabaseChanges } = await import('../../../src/database/flow/service-check');
    await markDatabaseChanges(w.ctx.layout, true, w.ctx.now(), 4242);
    await checkDatabaseForService(w.ctx, { checkedBy: 's' });
    expect((await serviceCheckedStatus(w.ctx)).why).to.match(/has not finished/);
  });

  it('a check racing installs is never trusted with a state the database no longer has (60 rounds)', async () => {
    let trustedRounds = 0;
    const scripts = ['2025-10/0001', '2025-10/0002', '2025-10/0003', '2025-10/0004'];
    for (let round = 0; round < 60; round++) {
      const w = await world();
      const yieldTimes = (n: number) => (async () => { for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r)); })();
      // The check starts a few turns before or after a mark-applied, or once it ended.
      const change = () => installDatabase(w.ctx, undefined, { markApplied: scripts[round % 4], moduleFolder: false });
      const check = () => checkDatabaseForService(w.ctx, { checkedBy: 's' });
      if (round % 4 === 3) await change().then(check);
      else await Promise.all([yieldTimes(round % 9).then(check), yieldTimes((round * 5) % 7).then(change)]);
      const seen = await serviceCheckedStatus(w.ctx);
      if (seen.status) {
        trustedRounds++;
        const truth = await databaseStatus(w.ctx, { cache: memoryAnalysisCache() });
        expect(seen.status.PendingScripts, `round ${round}`).to.deep.equal(truth.PendingScripts);
      }
    }
    // Some rounds ran the check after the change ended: those are trusted (and true).
    expect(trustedRounds).to.be.greaterThan(0).and.lessThan(60);
  });
});

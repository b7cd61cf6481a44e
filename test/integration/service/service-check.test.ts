// `get` and the running service's minute check of the database (issue 21), as processes: while the
// service's check is recent `get` shows it without asking the database (here: a database it could
// not even read), `--refresh` asks; an install's result shows at once; and a server's connection
// that the service checked is not contacted by `get` at all (no driver load, no login).
import { expect } from 'chai';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { instanceLayout } from '../../../src/config/paths';
import { snapshotKeyNow } from '../../../src/database/flow/analysis';
import { readDefaultConnection } from '../../../src/database/flow/configuration';
import { readServiceCheck, writeServiceCheck } from '../../../src/database/flow/service-check';
import { silentOutput } from '../../../src/output/output';
import { runCli } from '../../helpers/cli';
import { makeSandbox, type TestSandbox } from '../../helpers/sandbox';
import { startServiceProcess } from '../../helpers/service-process';

async function waitForFile(file: string, what: string): Promise<void> {
  const until = Date.now() + 30_000;
  while (!(await fs.stat(file).then(() => true, () => false))) {
    if (Date.now() > until) throw new Error(`${what} did not appear in 30 s: ${file}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const databaseRecord = (result: Awaited<ReturnType<typeof runCli>>) => result.objects('Altazion.Update').find((r) => r.Name === 'database')!;

describe('get and the service check of the database (processes)', function () {
  this.timeout(180_000);
  let box: TestSandbox;
  let checkFile: string;
  let databaseFolder: string;
  beforeEach(async () => {
    box = await makeSandbox();
    checkFile = path.join(box.Root, 'bin', 'updates', 'database', 'service-check.json');
    databaseFolder = path.join(path.dirname(box.HostState), 'database');
    expect((await runCli(['check', '--root', box.Root, '--json'])).code).to.equal(0);
  });
  afterEach(async () => { await box.remove(); });

  it('shows the database as the service checked it; --refresh asks the database', async () => {
    const service = await startServiceProcess(box);
    try {
      await waitForFile(checkFile, "the service's check");
      // The database can no longer be read: a `get` that asked it would say so.
      await fs.rename(databaseFolder, `${databaseFolder}.off`);
      const get = await runCli(['get', '--root', box.Root, '--json', '--verbose']);
      expect(get.code).to.equal(0);
      expect(databaseRecord(get)).to.include({ Status: 'UpdateAvailable', InstalledVersion: box.InstalledVersion });
      expect(get.messages.some((m) => m.type === 'log' && /^database: as the service checked it \d+ s ago \(service pid \d+\)/.test(m.message))).to.equal(true);
      const refreshed = await runCli(['get', '--root', box.Root, '--json', '--refresh']);
      expect(databaseRecord(refreshed)).to.include({ Status: 'Unknown', DetailId: 'update.databaseUnreadable' });
      await fs.rename(`${databaseFolder}.off`, databaseFolder);
    } finally {
      service.child.kill('SIGTERM');
      await service.exited;
    }
  });

  it('an install shows in the next get at once, not the check made before it', async () => {
    const service = await startServiceProcess(box);
    try {
      await waitForFile(checkFile, "the service's check");
      expect(databaseRecord(await runCli(['get', '--root', box.Root, '--json']))).to.include({ Status: 'UpdateAvailable' });
      const install = await runCli(['install', '--name', 'database', '--root', box.Root, '--json']);
      expect(install.code, install.stderr).to.equal(0);
      const get = await runCli(['get', '--root', box.Root, '--json', '--verbose']);
      expect(databaseRecord(get)).to.include({ Status: 'UpToDate', InstalledVersion: box.AvailableVersion });
      expect(get.messages.some((m) => m.type === 'log' && m.message === 'database: asking it now (the database was changed after the service checked it)')).to.equal(true);
    } finally {
      service.child.kill('SIGTERM');
      await service.exited;
    }
  });

  it("a SQL Server the service checked is not contacted by get (no driver, no login); --refresh contacts it", async () => {
    // A server nobody listens on: contacting it fails at once.
    const layout = instanceLayout(box.Root);
    const config = await fs.readFile(layout.connectionsConfig, 'utf8');
    await fs.writeFile(layout.connectionsConfig, config.replace(/connectionString="[^"]*"/, 'connectionString="Data Source=127.0.0.1,1;Initial Catalog=Equihira;User ID=altazion;Password=secret;Connect Timeout=3"'));
    // What the service would have left a few seconds ago after its marker query.
    const ctx = { layout, output: silentOutput() };
    const { identity } = await readDefaultConnection(ctx);
    const server = '127.0.0.1,1 / Equihira (SQL login altazion)';
    const key = await snapshotKeyNow(ctx as never, server, 'sqlserver-marker');
    const status = { Server: server, InstalledVersion: box.InstalledVersion, PackageVersion: box.AvailableVersion, Customized: false, ProvenStandard: true, Modified: [], Missing: [], Extra: [], PendingScripts: ['2025-10/0001'], Status: 'UpdateAvailable' as const, Detail: '1 script(s) to apply automatically (standard schema)', DetailId: 'db.automatic', DetailParams: { count: 1 }, Action: '' };
    await writeServiceCheck(layout, { format: 1, connection: identity, server, marker: 'sqlserver-marker', key, startedAt: new Date().toISOString(), checkedBy: 'service pid 1', status });
    expect(identity).to.not.contain('secret');
    expect(JSON.stringify(await readServiceCheck(layout))).to.not.contain('secret');

    const get = await runCli(['get', '--root', box.Root, '--json']);
    expect(get.code, get.stderr).to.equal(0);
    expect(databaseRecord(get)).to.include({ Status: 'UpdateAvailable', InstalledVersion: box.InstalledVersion });
    const refreshed = await runCli(['get', '--root', box.Root, '--json', '--refresh']);
    expect(databaseRecord(refreshed)).to.include({ Status: 'Unknown', DetailId: 'update.databaseUnreadable' });
    expect(databaseRecord(refreshed).Detail).to.match(/127\.0\.0\.1/);
  });
});

// `install --name database` goes through the database flow (src/database/flow/install.ts) with the package
// verified like any other: standard schema -> scripts applied; customised -> ManualActionRequired
// (exit 3) until the admin exports, reviews and runs the scripts, or forces.
import { expect } from 'chai';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { runInstall } from '../../../src/install';
import { makeBox, runCli, type Box } from './fixtures';

describe('install: the database module', function () {
  this.timeout(300_000);
  let box: Box;
  afterEach(() => box?.remove());

  it('a standard database is updated automatically, first, then the web module', async () => {
    box = await makeBox(['database', 'ecommerce']);
    const run = await runInstall(box.ctx(), {});
    expect(run.records.map((r) => [r.Name, r.Result])).to.deep.equal([['database', 'Installed'], ['ecommerce', 'Installed']]);
    expect(run.exitCode).to.equal(0);
  });

  it('a customised database is held (exit 3); --export-scripts writes them; --force applies', async () => {
    box = await makeBox(['database'], ['E.clients']);
    const held = await runCli(['install', '--root', box.Root, '--name', 'database', '--json']);
    expect(held.code).to.equal(3);
    expect(held.records[0].Result).to.equal('ManualActionRequired');
    const dir = path.join(box.base, 'review');
    const exported = await runCli(['install', '--root', box.Root, '--name', 'database', '--export-scripts', dir, '--json']);
    // The export is done (exit 0); the record still says the database waits for the admin.
    expect(exported.code, exported.stderr).to.equal(0);
    expect(exported.records[0].Result).to.equal('ManualActionRequired');
    expect(exported.records[0].Message).to.include(`to ${dir}`);
    expect(exported.records[0].PendingScripts).to.have.length.greaterThan(0);
    expect((await fs.readdir(dir)).filter((f) => f.endsWith('.sql')).length).to.be.greaterThan(0);
    const forced = await runInstall(box.ctx(), { names: ['database'], force: true });
    expect(forced.records[0].Result).to.equal('Installed');
  });

  it('--script without --name database is bad usage (exit 2)', async () => {
    box = await makeBox(['ecommerce']);
    const run = await runCli(['install', '--root', box.Root, '--name', 'ecommerce', '--script', '2025-10/0030', '--json']);
    expect(run.code).to.equal(2);
    expect(run.errors[0].code).to.equal('E_USAGE');
  });
});

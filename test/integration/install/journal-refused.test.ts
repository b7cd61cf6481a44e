// The journal is input, not truth: recovery acts only on a journal whose paths are the ones our
// install gives a module declared in applicationspath.config, and whose pools and service are that
// module's. A journal changed to name anything else is refused by `repair` and `install` (exit 2,
// an E_JOURNAL_INVALID error record naming the file and the field) and nothing is touched: every
// file of the sandbox and the host state hashed before and after. `get` only reports it.
import { expect } from 'chai';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { diffTrees, treeHashes } from '../../helpers/sandbox';
import { journals, makeBox, runCli, type Box } from './fixtures';

type Journal = Record<string, unknown>;

describe('a journal that names what is not its module is refused, nothing touched', function () {
  this.timeout(300_000);
  let box: Box;
  let crashed: string;
  let journalFile: string;
  let original: Journal;
  let victim: string;

  before(async () => {
    box = await makeBox(['ecommerce', 'logistique', 'gestioncommerciale']);
    await runCli(['check', '--root', box.Root, '--json']);
    // A real interrupted install: the module folder renamed aside, the pool stopped.
    const killed = await runCli(['install', '--root', box.Root, '--name', 'ecommerce', '--json'], { ALTAZION_TEST_CRASH_AT: 'hook:PREINSTALL' });
    expect(killed.signal).to.equal('SIGKILL');
    const [name] = await journals(box);
    journalFile = path.join(box.Root, 'bin', 'updates', 'journal', name);
    original = JSON.parse(await fs.readFile(journalFile, 'utf8'));
    // Something precious outside the modules, that a forged journal could aim at.
    victim = path.join(box.base, 'customer-data');
    await fs.mkdir(victim);
    await fs.writeFile(path.join(victim, 'invoices.db'), 'do not touch');
    crashed = path.join(path.dirname(box.base), 'crashed');
    await fs.cp(box.base, crashed, { recursive: true, verbatimSymlinks: true });
  });
  after(async () => {
    await fs.rm(crashed, { recursive: true, force: true });
    await box.remove();
  });

  const restore = async () => {
    await fs.rm(box.base, { recursive: true, force: true });
    await fs.cp(crashed, box.base, { recursive: true, verbatimSymlinks: true });
  };
  // Everything but the lock: the killed install's stale lock is taken over (and released) by whoever
  // looks under the lock; that is the lock doing its job, not the journal being obeyed.
  const snapshot = async () => {
    const hashes = await treeHashes(box.base);
    hashes.delete(path.join('root', 'bin', 'updates', 'install.lock'));
    return hashes;
  };
  const sibling = (suffix: string) => path.join(box.Apps, `ecommerce.altazion-${suffix}`);

  const cases: Array<[string, string, (j: Journal) => void | Promise<void>]> = [
    ['the module path is another folder', 'modulePath', (j) => { j.modulePath = victim; }],
    ['the module path is another module', 'modulePath', (j) => { j.modulePath = box.appPath('logistique'); }],
    ['the backup is another folder', 'backupPath', (j) => { j.backupPath = victim; }],
    ['the staged folder is another module', 'stagingPath', (j) => { j.stagingPath = box.appPath('gestcom'); }],
    ['the staged folder has our prefix but another id', 'stagingPath', (j) => { j.stagingPath = sibling('staging-20200101T000000-abcdef'); }],
    ['the failed folder is another folder', 'failedPath', (j) => { j.failedPath = victim; }],
    ['app_offline.htm elsewhere', 'appOfflinePath', (j) => { j.appOfflinePath = path.join(victim, 'invoices.db'); }],
    ['the log elsewhere', 'logPath', (j) => { j.logPath = path.join(victim, 'invoices.db'); }],
    ['a pool that does not serve the module', 'pools[0].name', (j) => { (j.pools as Array<{ name: string }>)[0].name = 'gestcom'; }],
    ['a service that is not the module\'s', 'service.name', (j) => { j.service = { name: 'AltazionLogistique', prior: 'Running' }; }],
    ['a module not declared', 'module', (j) => { j.module = 'integration'; }],
    ['an instance not declared', 'instance', (j) => { j.instance = 'preprod'; }],
    ['an id that is not the file\'s', 'id', (j) => { j.id = '20200101T000000-abcdef'; }],
    ['not JSON at all', '(file)', async () => { await fs.writeFile(journalFile, '{ "schemaVersion": 1, '); }],
  ];

  for (const [what, field, change] of cases) {
    it(`${what}: repair and install refuse it (exit 2, naming ${field}); get only reports`, async () => {
      await restore();
      const journal = structuredClone(original);
      await change(journal);
      if (field !== '(file)') await fs.writeFile(journalFile, JSON.stringify(journal, null, 2));
      const before = await snapshot();

      const repair = await runCli(['repair', '--check', 'journal', '--root', box.Root, '--json']);
      expect(repair.code, repair.stdout + repair.stderr).to.equal(2);
      const error = repair.errors.find((e) => e.code === 'E_JOURNAL_INVALID')!;
      expect(error, repair.stdout).to.not.equal(undefined);
      expect(String(error.message)).to.include(journalFile).and.include(`${field}:`);
      expect(error.target).to.equal(journalFile);
      expect(diffTrees(before, await snapshot()), 'repair touched something').to.deep.equal([]);

      const install = await runCli(['install', '--name', 'logistique', '--root', box.Root, '--json']);
      expect(install.code, install.stdout + install.stderr).to.equal(2);
      expect(install.errors.map((e) => e.code)).to.deep.equal(['E_JOURNAL_INVALID']);
      expect(String(install.errors[0].message)).to.include(journalFile).and.include(`${field}:`);
      expect(diffTrees(before, await snapshot()), 'install touched something').to.deep.equal([]);

      const get = await runCli(['get', '--root', box.Root, '--json']);
      expect(get.code).to.equal(0);
      expect(diffTrees(before, await snapshot()), 'get touched something').to.deep.equal([]);
      expect(await fs.readFile(path.join(victim, 'invoices.db'), 'utf8')).to.equal('do not touch');
    });
  }

  it('the journal as written is obeyed: repair rolls the install back', async () => {
    await restore();
    const repair = await runCli(['repair', '--check', 'journal', '--root', box.Root, '--json']);
    expect(repair.code, repair.stdout + repair.stderr).to.equal(0);
    expect(repair.records.find((r) => r.Check === 'journal')).to.include({ Status: 'Fixed' });
    expect(await journals(box)).to.deep.equal([]);
  });
});

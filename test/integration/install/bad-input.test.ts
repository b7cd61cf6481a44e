// Bad input to `install` (SPEC §3): exit 2, a message naming the value, file or field, an error
// record for every failed module (the cmdlets raise each as an ErrorRecord), nothing changed
// (every file of the sandbox and the host state hashed before and after).
import { expect } from 'chai';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { diffTrees, treeHashes } from '../../helpers/sandbox';
import { makeBox, runCli, type Box } from './fixtures';

describe('install: bad input is exit 2, named, and changes nothing', function () {
  this.timeout(300_000);
  let box: Box;
  before(async () => {
    box = await makeBox();
    // A preprod instance of ecommerce, declared beside the main one.
    const config = path.join(box.Root, 'bin', 'config', 'applicationspath.config');
    const text = await fs.readFile(config, 'utf8');
    await fs.writeFile(config, text.replace('</applications>', `<application name="ecommerce" instance="preprod" path="${box.appPath('ecommerce')}-preprod/" /></applications>`));
    await fs.cp(box.appPath('ecommerce'), `${box.appPath('ecommerce')}-preprod`, { recursive: true });
    await runCli(['check', '--root', box.Root, '--json']);
  });
  after(() => box.remove());

  /** Runs the CLI; every file of the sandbox must be as before (`records`: but the install's own log and history entry). */
  const unchanged = async (args: string[], options: { records?: boolean } = {}) => {
    const before = await treeHashes(path.dirname(box.Root));
    const run = await runCli([...args, '--root', box.Root, '--json']);
    const changed = diffTrees(before, await treeHashes(path.dirname(box.Root)));
    const ours = (file: string) => /root\/bin\/updates\/(logs\/([^/]+)?|history[^/]*)$/.test(file.replace(/\\/g, '/'));
    expect(options.records ? changed.filter((f) => !ours(f)) : changed, `${args.join(' ')} changed files`).to.deep.equal([]);
    return run;
  };

  it('--version that is not a version: E_USAGE naming the value', async () => {
    const run = await unchanged(['install', '--name', 'ecommerce', '--version', '25.x.1']);
    expect(run.code).to.equal(2);
    expect(run.errors).to.have.length(1);
    expect(run.errors[0]).to.include({ code: 'E_USAGE', target: '25.x.1' });
    expect(String(run.errors[0].message)).to.include('--version: "25.x.1" is not a version');
    expect(run.records).to.deep.equal([]);
  });

  it('--wait that is not a number of seconds: E_USAGE naming the value given', async () => {
    for (const value of ['soon', '-5']) {
      const run = await unchanged(['install', '--name', 'ecommerce', '--wait', value]);
      expect(run.code).to.equal(2);
      expect(run.errors.map((e) => [e.code, e.target])).to.deep.equal([['E_USAGE', value]]);
      expect(String(run.errors[0].message)).to.include(`--wait: "${value}" is not a number of seconds`);
    }
  });

  it('a --version the feed does not have: E_NOT_FOUND listing what it has', async () => {
    const run = await unchanged(['install', '--name', 'ecommerce', '--version', '24.1']);
    expect(run.code).to.equal(2);
    expect(run.errors[0].code).to.equal('E_NOT_FOUND');
    expect(String(run.errors[0].message)).to.include('version 24.1 of ecommerce is not in the feed (available: ');
  });

  it('--dry-run says what the install would: a --version the feed does not have is E_NOT_FOUND, exit 2', async () => {
    const run = await unchanged(['install', '--name', 'ecommerce', '--instance', '', '--version', '24.1', '--dry-run']);
    expect(run.code, run.stdout).to.equal(2);
    expect(run.records.map((r) => [r.Name, r.Result])).to.deep.equal([['ecommerce', 'Failed']]);
    expect(run.errors.map((e) => [e.code, e.target])).to.deep.equal([['E_NOT_FOUND', 'ecommerce']]);
    expect(String(run.errors[0].message)).to.include('version 24.1 of ecommerce is not in the feed (available: ');
  });

  it('an empty --name (a script\'s unset variable) is E_USAGE, not "every module"', async () => {
    for (const name of ['', ' , ']) {
      const run = await unchanged(['install', '--name', name]);
      expect(run.code, run.stdout).to.equal(2);
      expect(run.errors.map((e) => e.code)).to.deep.equal(['E_USAGE']);
      expect(String(run.errors[0].message)).to.include('--name: the value is empty; leave --name out for every module');
      expect(run.records).to.deep.equal([]);
    }
  });

  it('an unknown --instance: E_NOT_FOUND listing the declared instances', async () => {
    const run = await unchanged(['install', '--name', 'ecommerce', '--instance', 'prod2']);
    expect(run.code).to.equal(2);
    expect(run.errors[0]).to.include({ code: 'E_NOT_FOUND', target: 'prod2' });
    expect(String(run.errors[0].message)).to.include('--instance: "prod2" is not declared for ecommerce')
      .and.include('declared instances: "" (the main instance), "preprod"');
    const all = await unchanged(['install', '--instance', 'prod2']);
    expect(all.code).to.equal(2);
    expect(String(all.errors[0].message)).to.include('--instance: "prod2" is not declared in');
  });

  it('an unknown --name: E_NOT_FOUND listing the declared modules', async () => {
    const run = await unchanged(['install', '--name', 'compta']);
    expect(run.code).to.equal(2);
    expect(run.errors[0]).to.include({ code: 'E_NOT_FOUND', target: 'compta' });
    expect(String(run.errors[0].hint)).to.include('ecommerce [preprod]');
  });

  it('a database install on a broken cpointsoftware.config: the record and its error record, exit 2', async () => {
    const file = path.join(box.Root, 'bin', 'config', 'cpointsoftware.config');
    const good = await fs.readFile(file, 'utf8');
    await fs.writeFile(file, good.replace(/connectionString="[^"]*"/, 'connectionString="Data Source=;Initial Catalog"'));
    try {
      // A database run that is not a dry run leaves its log and history entry (who asked, what failed).
      const run = await unchanged(['install', '--name', 'database'], { records: true });
      expect(run.code, run.stdout).to.equal(2);
      expect(run.records.map((r) => [r.Name, r.Result])).to.deep.equal([['database', 'Failed']]);
      expect(run.errors).to.have.length(1);
      // The flow's own error (its target is the file, its hint says what to fix), not one rebuilt from the record.
      expect(run.errors[0]).to.include({ code: 'E_CONFIG', target: file });
      expect(String(run.errors[0].message)).to.include(file).and.include('connectionString');
      // --dry-run reads the same file: the same failed record and error record, exit 2.
      const dry = await unchanged(['install', '--name', 'database', '--dry-run']);
      expect(dry.code, dry.stdout).to.equal(2);
      expect(dry.records.map((r) => [r.Name, r.Result])).to.deep.equal([['database', 'Failed']]);
      expect(dry.errors.map((e) => [e.code, e.target])).to.deep.equal([['E_CONFIG', file]]);
    } finally {
      await fs.writeFile(file, good);
    }
  });

  it('--export-scripts naming a file, not a folder: E_USAGE naming it, exit 2', async () => {
    const file = path.join(path.dirname(box.Root), 'review.sql');
    await fs.writeFile(file, 'mine');
    try {
      const run = await unchanged(['install', '--name', 'database', '--export-scripts', file], { records: true });
      expect(run.code, run.stdout).to.equal(2);
      expect(run.errors.map((e) => [e.code, e.target])).to.deep.equal([['E_USAGE', file]]);
      expect(String(run.errors[0].message)).to.include(`--export-scripts: ${file} is not a folder`);
      expect(await fs.readFile(file, 'utf8')).to.equal('mine');
    } finally {
      await fs.rm(file);
    }
  });

  it('every failed module has its error record: two failing modules, two error records', async () => {
    const file = path.join(box.Root, 'bin', 'config', 'cpointsoftware.config');
    const good = await fs.readFile(file, 'utf8');
    await fs.writeFile(file, good.replace(/connectionString="[^"]*"/, 'connectionString="Data Source=;Initial Catalog"'));
    const pkg = path.join(box.Root, 'bin', 'updates', 'cache');
    const cached = (await fs.readdir(pkg)).find((n) => n.startsWith('gestioncommerciale-'))!;
    const bytes = await fs.readFile(path.join(pkg, cached));
    bytes[bytes.length - 30] ^= 0xff; // no longer the signed sha256: downloaded again, and refused
    await fs.writeFile(path.join(pkg, cached), bytes);
    const feedPkg = path.join(box.Feed, 'packages', cached);
    const feedBytes = await fs.readFile(feedPkg);
    await fs.writeFile(feedPkg, bytes);
    try {
      const run = await runCli(['install', '--name', 'database', '--name', 'gestioncommerciale', '--root', box.Root, '--json']);
      expect(run.code, run.stdout).to.equal(2);
      expect(run.records.map((r) => [r.Name, r.Result])).to.deep.equal([['database', 'Failed'], ['gestioncommerciale', 'Failed']]);
      expect(run.errors.map((e) => e.code)).to.deep.equal(['E_CONFIG', 'E_PACKAGE_INTEGRITY']);
    } finally {
      await fs.writeFile(file, good);
      await fs.writeFile(feedPkg, feedBytes);
    }
  });
});

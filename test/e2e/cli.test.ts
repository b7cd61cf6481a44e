// The single executable, end to end on a sandbox: what a newcomer and a sysadmin see.
import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { generateSigningKey } from '../../src/feed/keys';
import { publishFeed } from '../../src/feed/publish';
import { readFeedState } from '../../src/feed/index-loader';
import { acquireDownloadLock, cachePathFor, downloadLockPathFor } from '../../src/feed/download';
import { instanceLayout } from '../../src/config/paths';
import type { ProtocolMessage } from '../../src/output/protocol';
import { BUNDLE, cliCommand, runCli } from '../helpers/cli';
import { diffTrees, makeSandbox, publishLargeRelease, setInstallConfig, treeHashes, type TestSandbox } from '../helpers/sandbox';

describe('altazion-update executable on a sandbox', function () {
  this.timeout(120000);
  let sb: TestSandbox;
  beforeEach(async () => { sb = await makeSandbox(); });
  afterEach(async () => { await sb.remove(); });

  it('prints its version', async () => {
    const result = await runCli(['--version']);
    expect(result.code).to.equal(0);
    expect(result.stdout.trim()).to.match(/^\d+\.\d+\.\d+/);
  });

  it('every command starts with Node\'s small-buffer pool at 8 KiB (Node 26 made it 64 KiB)', async () => {
    // The bundle with a preload that prints Buffer.poolSize as the process ends (the executable takes no --require).
    const preload = path.join(sb.base, 'pool-size.cjs');
    await fs.writeFile(preload, "process.on('exit', () => require('fs').writeSync(2, `\\nPOOL_SIZE ${Buffer.poolSize}\\n`));\n");
    for (const args of [['--version'], ['get', '--root', sb.Root, '--json']]) {
      const result = spawnSync(process.execPath, ['--require', preload, BUNDLE, ...args], { encoding: 'utf8' });
      expect(result.status, result.stderr).to.equal(0);
      expect(/POOL_SIZE (\d+)/.exec(result.stderr)?.[1], args[0]).to.equal(String(8 * 1024));
    }
  });

  it('check waits for another process downloading the same package, says whom it waits for, then downloads it', async () => {
    const index = JSON.parse(await fs.readFile(path.join(sb.base, 'feed', 'release-index.json'), 'utf8'));
    const release = index.modules.ecommerce.releases[0];
    const cache = instanceLayout(sb.Root).cache;
    await fs.mkdir(cache, { recursive: true });
    // This test process is the other downloader: alive, holding the package's lock.
    const lock = await acquireDownloadLock(downloadLockPathFor(cache, release), 'ecommerce', {});
    const { file, prefix } = cliCommand();
    const child = spawn(file, [...prefix, 'check', '--root', sb.Root, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    const waitLine = new Promise<string>((resolve) => {
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        stdout += d;
        const line = stdout.split('\n').find((l) => l.includes('waiting for another process downloading'));
        if (line) resolve(line);
      });
    });
    const exit = new Promise<number | null>((resolve) => child.on('close', resolve));
    const line = JSON.parse(await waitLine);
    expect(line).to.include({ type: 'log', level: 'info' });
    expect(line.message).to.contain(path.posix.basename(release.package)).and.contain(`pid ${process.pid}`);
    expect(existsSync(cachePathFor(cache, release)), 'nothing downloaded while it waits').to.equal(false);
    await lock.release();
    expect(await exit).to.equal(0);
    expect(createHash('sha256').update(await fs.readFile(cachePathFor(cache, release))).digest('hex')).to.equal(release.sha256);
  });

  it('get reports every module instance; check verifies the feed, downloads and writes status.xml', async () => {
    const before = await runCli(['get', '--root', sb.Root, '--json']);
    expect(before.code).to.equal(0);
    expect(before.objects('Altazion.Update').map((r) => [r.Name, r.InstalledVersion, r.Status])).to.deep.equal([
      ['gestioncommerciale', '25.9.12.3', 'Unknown'],
      ['ecommerce', '25.9.12.3', 'Unknown'],
      ['logistique', '25.9.12.3', 'Unknown'],
      ['database', before.objects('Altazion.Update')[3].InstalledVersion, 'Unknown'],
    ]);

    const check = await runCli(['check', '--root', sb.Root, '--json']);
    expect(check.code, check.stdout + check.stderr).to.equal(0);
    expect(check.messages.some((m) => m.type === 'progress' && m.activity.startsWith('Downloading ecommerce'))).to.equal(true);
    const updates = check.objects('Altazion.Update');
    const web = updates.find((r) => r.Name === 'ecommerce')!;
    expect(web).to.deep.include({ Kind: 'web', InstalledVersion: '25.9.12.3', AvailableVersion: '25.10.1.2', UpdateAvailable: true, Downloaded: true, Status: 'UpdateAvailable' });
    expect(web.ComputerName).to.equal('SANDBOX-SRV01');
    const status = await fs.readFile(path.join(sb.Root, 'bin', 'updates', 'status.xml'), 'utf8');
    expect(status).to.match(/<module name="ecommerce" kind="web" latestVersion="25.10.1.2"[^>]*downloaded="true" verified="true"/);
    const cache = await fs.readdir(path.join(sb.Root, 'bin', 'updates', 'cache'));
    expect(cache.filter((f) => f.endsWith('.zip')).sort()).to.deep.equal(['database-25.10.1.2.zip', 'ecommerce-25.10.1.2.zip', 'gestioncommerciale-25.10.1.2.zip', 'logistique-25.10.1.2.zip']);

    const one = await runCli(['get', '--root', sb.Root, '--name', 'ECOMMERCE', '--json']);
    expect(one.objects().map((r) => r.Name)).to.deep.equal(['ecommerce']);
    const table = await runCli(['get', '--root', sb.Root]);
    expect(table.stdout).to.match(/^Name\s+Instance\s+Kind\s+Installed\s+Available\s+Status/m);
    expect(table.stdout).to.match(/ecommerce\s+web\s+25\.9\.12\.3\s+25\.10\.1\.2\s+UpdateAvailable/);
  });

  it('check verifies a large package (40 MiB) from the executable, and refuses it with one byte changed', async () => {
    const release = await publishLargeRelease(sb, { module: 'ecommerce', kind: 'web', version: '25.10.1.3', payloadBytes: 40 * 1024 * 1024 });
    const check = await runCli(['check', '--root', sb.Root, '--json']);
    expect(check.code, check.stdout + check.stderr).to.equal(0);
    expect(check.objects('Altazion.Update').find((r) => r.Name === 'ecommerce')).to.deep.include({ AvailableVersion: '25.10.1.3', Downloaded: true });
    const cacheDir = path.join(sb.Root, 'bin', 'updates', 'cache');
    const cached = await fs.readFile(path.join(cacheDir, 'ecommerce-25.10.1.3.zip'));
    expect(createHash('sha256').update(cached).digest('hex')).to.equal(release.sha256);

    await fs.rm(path.join(cacheDir, 'ecommerce-25.10.1.3.zip'));
    const published = path.join(sb.Feed, release.package);
    const bytes = await fs.readFile(published);
    bytes[Math.floor(bytes.length / 2)] ^= 0x01;
    await fs.writeFile(published, bytes);
    const tampered = await runCli(['check', '--root', sb.Root, '--json']);
    expect(tampered.code, tampered.stdout + tampered.stderr).to.equal(2);
    expect(tampered.errors()[0]).to.deep.include({ code: 'E_PACKAGE_INTEGRITY' });
    expect(tampered.errors()[0].message).to.contain('ecommerce-25.10.1.3.zip').and.contain('sha256');
    expect((await fs.readdir(cacheDir)).filter((f) => f.startsWith('ecommerce-25.10.1.3'))).to.deep.equal([]);
  });

  it('get warns once about a name updater.config holds that this version does not know, and answers as before', async () => {
    const warnings = (result: { messages: ProtocolMessage[] }) => result.messages.filter((m): m is Extract<ProtocolMessage, { type: 'log' }> => m.type === 'log' && m.level === 'warning');
    const valid = await runCli(['get', '--root', sb.Root, '--json']);
    expect(valid.code, valid.stderr).to.equal(0);
    expect(warnings(valid), 'a valid updater.config: no warning').to.deep.equal([]);

    const file = instanceLayout(sb.Root).updaterConfig;
    const text = await fs.readFile(file, 'utf8');
    expect(text).to.contain('keepBackups="3"');
    // The typo an admin makes: the setting falls back to its default (3), which is why it must be said.
    await fs.writeFile(file, text.replace('keepBackups="3"', 'keepBackup="5"'));
    const typo = await runCli(['get', '--root', sb.Root, '--json']);
    expect(typo.code, typo.stderr).to.equal(0);
    const [warning, ...more] = warnings(typo);
    expect(more, 'one warning per unknown name').to.deep.equal([]);
    expect(warning!.message).to.equal(`${file}: <install> @keepBackup is not a setting of this version (did you mean keepBackups?); it is ignored`);
    expect(warning).to.deep.include({ messageId: 'config.unknownSettingSuggest', params: { file, setting: '<install> @keepBackup', suggestion: 'keepBackups' } });
    expect(typo.objects('Altazion.Update'), 'the same results').to.deep.equal(valid.objects('Altazion.Update'));

    // Without --json the warning goes to stderr, stdout keeps the table alone.
    const table = await runCli(['get', '--root', sb.Root]);
    expect(table.code).to.equal(0);
    expect(table.stderr).to.contain(`WARNING: ${file}: <install> @keepBackup is not a setting of this version (did you mean keepBackups?)`);
    expect(table.stdout).not.to.contain('keepBackup');
  });

  it('get --refresh checks first; ALTAZION_ROOT replaces --root', async () => {
    const result = await runCli(['get', '--refresh', '--json'], { env: { ALTAZION_ROOT: sb.Root } });
    expect(result.code, result.stderr).to.equal(0);
    expect(result.objects('Altazion.Update').filter((r) => r.Status === 'UpdateAvailable').map((r) => r.Name)).to.deep.equal(['gestioncommerciale', 'ecommerce', 'logistique', 'database']);
  });

  describe('bad input: clear message, exit code 2, nothing changed on disk', () => {
    interface Case { name: string; setup?: (sb: TestSandbox) => Promise<void>; args: (sb: TestSandbox) => string[]; code: string; message: RegExp }
    const cases: Case[] = [
      {
        name: 'malformed applicationspath.config',
        setup: (s) => fs.writeFile(path.join(s.Root, 'bin', 'config', 'applicationspath.config'), '<applications><application name="ecommerce" path="x">'),
        args: (s) => ['get', '--root', s.Root, '--json'], code: 'E_CONFIG', message: /applicationspath\.config: line \d+: not well-formed XML/,
      },
      {
        name: 'an application without a path',
        setup: (s) => fs.writeFile(path.join(s.Root, 'bin', 'config', 'applicationspath.config'), '<applications><application name="ecommerce"/></applications>'),
        args: (s) => ['get', '--root', s.Root, '--json'], code: 'E_CONFIG', message: /applicationspath\.config: <application> #1 \(ecommerce\) @path: required attribute/,
      },
      {
        name: 'an application with a relative path (it would depend on the folder the command runs from)',
        setup: (s) => fs.writeFile(path.join(s.Root, 'bin', 'config', 'applicationspath.config'), '<applications><application name="ecommerce" path="apps\\ecommerce\\"/></applications>'),
        args: (s) => ['get', '--root', s.Root, '--json'], code: 'E_CONFIG', message: /applicationspath\.config: <application> #1 \(ecommerce\) @path: "apps\\ecommerce\\" is not an absolute path/,
      },
      {
        name: 'updater.config with a bad port',
        setup: async (s) => {
          const file = path.join(s.Root, 'bin', 'updates', 'updater.config');
          await fs.writeFile(file, (await fs.readFile(file, 'utf8')).replace('port="8080"', 'port="eighty"'));
        },
        args: (s) => ['check', '--root', s.Root, '--json'], code: 'E_CONFIG', message: /updater\.config: <portal> @port: "eighty" is not a whole number/,
      },
      {
        name: 'a tampered index (one byte)',
        setup: async (s) => {
          const file = path.join(s.Feed, 'release-index.json');
          await fs.writeFile(file, (await fs.readFile(file, 'utf8')).replace('25.10.1.2', '25.10.1.9'));
        },
        args: (s) => ['check', '--root', s.Root, '--json'], code: 'E_FEED_SIGNATURE', message: /release-index\.json|signature/i,
      },
      {
        name: 'an index signed by an unknown key',
        setup: async (s) => {
          const file = path.join(s.Root, 'bin', 'updates', 'updater.config');
          const other = generateSigningKey('someone-else');
          await fs.writeFile(file, (await fs.readFile(file, 'utf8')).replace(/<trustedKey[^>]*\/>/, `<trustedKey id="someone-else" publicKey="${other.publicKey}"/>`));
        },
        args: (s) => ['check', '--root', s.Root, '--json'], code: 'E_FEED_UNKNOWN_KEY', message: /sandbox-publisher/,
      },
      {
        name: 'an expired index',
        setup: async (s) => {
          const key = JSON.parse(await fs.readFile(s.SigningKey, 'utf8'));
          const { parseSigningKey } = await import('../../src/feed/keys');
          // Re-sign the same packages with an index that expired yesterday.
          await publishFeed({ packagesDir: path.join(s.Feed, 'packages'), key: parseSigningKey(JSON.stringify(key), s.SigningKey), outDir: s.Feed, expiresInDays: 1, now: new Date(Date.now() - 2 * 86400000) });
        },
        args: (s) => ['check', '--root', s.Root, '--json'], code: 'E_FEED_EXPIRED', message: /expired/i,
      },
      {
        name: 'a tampered package',
        setup: async (s) => {
          const file = path.join(s.Feed, 'packages', 'logistique-25.10.1.2.zip');
          const bytes = await fs.readFile(file);
          bytes[bytes.length - 30] ^= 0xff;
          await fs.writeFile(file, bytes);
        },
        args: (s) => ['check', '--root', s.Root, '--json'], code: 'E_PACKAGE_INTEGRITY', message: /logistique-25\.10\.1\.2\.zip/,
      },
      {
        name: 'an unknown module name',
        args: (s) => ['get', '--root', s.Root, '--name', 'compta', '--json'], code: 'E_NOT_FOUND', message: /module compta is not declared in .*applicationspath\.config/,
      },
      {
        name: 'status.xml with a latest version that is not a version',
        setup: (s) => fs.writeFile(path.join(s.Root, 'bin', 'updates', 'status.xml'), '<status><module name="ecommerce" kind="web" latestVersion="25.10.x" /></status>'),
        args: (s) => ['get', '--root', s.Root, '--json'], code: 'E_CONFIG', message: /status\.xml: <module> #1 \(ecommerce\) @latestVersion: "25\.10\.x" is not a version/,
      },
      {
        name: 'check on a --root that does not exist (not "no feed is configured")',
        args: (s) => ['check', '--root', path.join(s.base, 'CPoint', '[e] - typo'), '--json'], code: 'E_CONFIG', message: /the instance root .*\[e\] - typo does not exist/,
      },
      {
        name: 'get on a --root that is a file',
        setup: (s) => fs.writeFile(path.join(s.base, 'root.txt'), 'x'),
        args: (s) => ['get', '--root', path.join(s.base, 'root.txt'), '--json'], code: 'E_CONFIG', message: /the instance root .*root\.txt is not a folder/,
      },
      {
        name: 'sandbox create with a --root that is a file',
        setup: async (s) => { await fs.mkdir(path.join(s.base, 'alone')); await fs.writeFile(path.join(s.base, 'alone', 'a file'), 'x'); },
        args: (s) => ['sandbox', 'create', '--root', path.join(s.base, 'alone', 'a file'), '--feed', path.join(s.base, 'alone', 'feed'), '--json'],
        code: 'E_USAGE', message: /alone\/a file is not a folder/,
      },
      {
        name: 'an empty --root (not the current folder, not "the instance root  does not exist")',
        args: () => ['schedule', 'list', '--root', '', '--json'], code: 'E_USAGE', message: /--root: the value is empty/,
      },
      {
        name: 'an empty --name',
        args: (s) => ['get', '--root', s.Root, '--name', '', '--json'], code: 'E_USAGE', message: /--name: the value is empty/,
      },
      {
        name: 'an unknown option',
        args: (s) => ['get', '--root', s.Root, '--colour', '--json'], code: 'E_USAGE', message: /Unknown argument: colour/,
      },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        await c.setup?.(sb);
        const before = await treeHashes(sb.base);
        const result = await runCli(c.args(sb));
        expect(result.code, result.stdout + result.stderr).to.equal(2);
        const [error] = result.errors();
        expect(error, result.stdout).to.not.equal(undefined);
        expect(error.code).to.equal(c.code);
        expect(error.message).to.match(c.message);
        expect(result.messages.every((m) => m.v === 1)).to.equal(true);
        expect(diffTrees(before, await treeHashes(sb.base))).to.deep.equal([]);
      });
    }

    it('an index older than the last accepted one (rollback)', async () => {
      const oldIndex = await fs.readFile(path.join(sb.Feed, 'release-index.json'));
      const oldSig = await fs.readFile(path.join(sb.Feed, 'release-index.json.sig'));
      const { parseSigningKey } = await import('../../src/feed/keys');
      const key = parseSigningKey(await fs.readFile(sb.SigningKey, 'utf8'), sb.SigningKey);
      await publishFeed({ packagesDir: path.join(sb.Feed, 'packages'), key, outDir: sb.Feed, expiresInDays: 30, now: new Date() });
      expect((await runCli(['check', '--root', sb.Root, '--json'])).code).to.equal(0);
      expect((await readFeedState(path.join(sb.Root, 'bin', 'updates', 'feed-state.json')))?.lastAcceptedIndexVersion).to.equal(2);
      await fs.writeFile(path.join(sb.Feed, 'release-index.json'), oldIndex);
      await fs.writeFile(path.join(sb.Feed, 'release-index.json.sig'), oldSig);
      const before = await treeHashes(sb.base);
      const result = await runCli(['check', '--root', sb.Root, '--json']);
      expect(result.code).to.equal(2);
      expect(result.errors()[0].code).to.equal('E_FEED_ROLLBACK');
      expect(diffTrees(before, await treeHashes(sb.base))).to.deep.equal([]);
    });
  });

  it('install updates a module; get then shows it up to date against the verified feed', async () => {
    const install = await runCli(['install', '--root', sb.Root, '--name', 'ecommerce', '--json']);
    expect(install.code, install.stdout + install.stderr).to.equal(0);
    expect(install.objects('Altazion.InstallResult')[0]).to.deep.include({ Name: 'ecommerce', FromVersion: '25.9.12.3', ToVersion: '25.10.1.2', Result: 'Installed' });
    const get = await runCli(['get', '--root', sb.Root, '--json']);
    const byName = Object.fromEntries(get.objects('Altazion.Update').map((r) => [r.Name, r]));
    expect(byName.ecommerce).to.deep.include({ InstalledVersion: '25.10.1.2', AvailableVersion: '25.10.1.2', Status: 'UpToDate' });
    expect(byName.gestioncommerciale).to.deep.include({ Status: 'UpdateAvailable', AvailableVersion: '25.10.1.2' });
  });

  it('install prints each module\'s result as that module ends, before the next module starts', async () => {
    const install = await runCli(['install', '--root', sb.Root, '--name', 'ecommerce,logistique', '--json']);
    expect(install.code, install.stdout + install.stderr).to.equal(0);
    const results = install.objects('Altazion.InstallResult');
    expect(results.map((r) => [r.Name, r.Result])).to.have.deep.members([['ecommerce', 'Installed'], ['logistique', 'Installed']]);
    const [first, second] = results.map((r) => r.Name as string);
    const resultOfFirst = install.messages.findIndex((m) => m.type === 'object' && m.data.Name === first);
    const secondStarts = install.messages.findIndex((m) => m.type === 'progress' && m.activity.includes(second));
    expect(resultOfFirst, 'the first result line').to.be.greaterThan(-1);
    expect(secondStarts, 'the second module\'s progress').to.be.greaterThan(-1);
    expect(resultOfFirst).to.be.lessThan(secondStarts);
  });

  it('holds a release that needs a newer database (exit 3, the version named) until the database is there', async () => {
    // The publisher releases ecommerce 25.10.2.0, which needs the database at 25.10.
    const { buildPackageZip } = await import('../../src/feed/publish');
    const { parseSigningKey } = await import('../../src/feed/keys');
    const folder = path.join(sb.base, 'ecommerce-25.10.2.0');
    await fs.mkdir(folder, { recursive: true });
    await fs.writeFile(path.join(folder, 'default.htm'), '<h1>ecommerce 25.10.2.0</h1>');
    await fs.writeFile(path.join(folder, 'altazion-package.json'), JSON.stringify({ schemaVersion: 1, module: 'ecommerce', version: '25.10.2.0', kind: 'web', requires: { database: '25.10' } }));
    const incoming = path.join(sb.base, 'incoming');
    await buildPackageZip(folder, path.join(incoming, 'ecommerce-25.10.2.0.zip'));
    await publishFeed({ packagesDir: incoming, key: parseSigningKey(await fs.readFile(sb.SigningKey, 'utf8'), sb.SigningKey), outDir: sb.Feed, expiresInDays: 30, now: new Date() });

    const held = await runCli(['install', '--root', sb.Root, '--name', 'ecommerce', '--json']);
    expect(held.code, held.stdout + held.stderr).to.equal(3);
    expect(held.objects('Altazion.InstallResult')[0]).to.deep.include({ Name: 'ecommerce', FromVersion: '25.9.12.3', ToVersion: '25.10.2.0', Result: 'ManualActionRequired' });
    expect(held.objects('Altazion.InstallResult')[0].Message).to.match(/database 25\.10 or later is required \(installed: 25\.9\.12\.3\)/);
    const get = await runCli(['get', '--root', sb.Root, '--refresh', '--name', 'ecommerce', '--json']);
    expect(get.objects('Altazion.Update')[0]).to.deep.include({ Status: 'ManualActionRequired', AvailableVersion: '25.10.2.0' });

    expect((await runCli(['install', '--root', sb.Root, '--name', 'database', '--json'])).code).to.equal(0);
    const after = await runCli(['install', '--root', sb.Root, '--name', 'ecommerce', '--json']);
    expect(after.code, after.stdout).to.equal(0);
    expect(after.objects('Altazion.InstallResult')[0]).to.deep.include({ ToVersion: '25.10.2.0', Result: 'Installed' });
  });

  it('install of a version the feed does not have: a Failed result and an E_NOT_FOUND error, exit 2', async () => {
    const result = await runCli(['install', '--root', sb.Root, '--name', 'ecommerce', '--version', '9.9', '--json']);
    expect(result.code).to.equal(2);
    expect(result.objects('Altazion.InstallResult')[0]).to.deep.include({ Result: 'Failed' });
    expect(result.errors().map((e) => [e.code, e.target])).to.deep.equal([['E_NOT_FOUND', 'ecommerce']]);
    expect(result.errors()[0].message).to.match(/version 9\.9 of ecommerce is not in the feed \(available: 25\.10\.1\.2\)/);
  });

  it('loads the SQL Server driver, bundled apart, on first use (an unreachable server is named)', async () => {
    const file = path.join(sb.Root, 'bin', 'config', 'cpointsoftware.config');
    await fs.writeFile(file, `<configuration><connections><Connection name="Equihira" default="true" connectionString="Server=127.0.0.1,1;Database=Equihira;User ID=sa;Password=secret;Connect Timeout=2" /></connections></configuration>`);
    for (const kind of ['exe', 'bundle'] as const) {
      const result = await runCli(['db', 'status', '--root', sb.Root, '--json'], { kind });
      expect(result.code, kind).to.equal(1);
      const [error] = result.errors();
      expect(error.code, kind).to.equal('E_DATABASE');
      expect(error.message, kind).to.match(/cannot connect to 127\.0\.0\.1,1 \/ Equihira/);
      expect(result.stdout, 'the password never shows').to.not.contain('secret');
    }
  });

  it('finishes quietly when its reader stops early (closed stdout, EPIPE)', async () => {
    const { spawn } = await import('node:child_process');
    const { cliCommand } = await import('../helpers/cli');
    const { file, prefix } = cliCommand();
    const child = spawn(file, [...prefix, 'check', '--root', sb.Root, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(stderr).to.not.match(/EPIPE|Error/);
    expect(code).to.equal(0);
    // The check ran to its end all the same.
    expect(await fs.readFile(path.join(sb.Root, 'bin', 'updates', 'status.xml'), 'utf8')).to.contain('latestVersion="25.10.1.2"');
  });

  it('demo removes its temporary folder when stopped with Ctrl+C (SIGINT) or SIGTERM', async () => {
    const { spawn } = await import('node:child_process');
    const { file, prefix } = cliCommand();
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      const child = spawn(file, [...prefix, 'demo', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      let out = '';
      const root = await new Promise<string>((resolve, reject) => {
        child.stdout.setEncoding('utf8').on('data', (d: string) => {
          out += d;
          const match = /"typeName":"Altazion\.Demo".*?"Root":"([^"]+)"/.exec(out);
          if (match) resolve(JSON.parse(`"${match[1]}"`));
        });
        child.once('exit', (code) => reject(new Error(`demo exited (${code}) before it was ready: ${out}`)));
      });
      const base = path.dirname(path.dirname(root));
      expect(existsSync(base), base).to.equal(true);
      child.kill(signal);
      expect(await exited, signal).to.equal(0);
      expect(existsSync(base), `${base} after ${signal}`).to.equal(false);
    }
  });

  it('demo builds a sandbox, serves its feed over HTTP and says what to try', async () => {
    const result = await runCli(['demo', '--exit', '--json']);
    expect(result.code, result.stderr).to.equal(0);
    const [demo] = result.objects('Altazion.Demo');
    expect(demo.FeedUrl).to.match(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(demo.Next).to.be.an('array').that.is.not.empty;
    const status = await fs.readFile(path.join(demo.Root as string, 'bin', 'updates', 'status.xml'), 'utf8');
    expect(status).to.contain(String(demo.FeedUrl));
    await fs.rm(path.dirname(path.dirname(demo.Root as string)), { recursive: true, force: true });
  });
});

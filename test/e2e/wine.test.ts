// The Windows product (dist/windows: the launcher altazion-update.exe running node.exe and the
// bundle; see prepareWineLayout for the one file swapped under Wine 8) run for real under Wine:
// --version, `get --json` on a sandbox whose configuration holds Windows paths (drive letter,
// backslashes, other letter case than the real folders and module keys), `check` against a folder
// feed given as a Windows path, and a real install of a web module. Skipped only when Wine is not
// installed (CI installs it: test/setup/wine.sh).
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { distDir, linuxExecutable, repoRoot, runExecutableJson } from '../helpers/pwsh';
import { publishLargeRelease } from '../helpers/sandbox';
import { ensureWinePrefix, findWine, parseNdjson, prepareWineLayout, runUnderWine, toWinePath, windowsifySandbox, WINE_FALLBACK_NODE } from '../helpers/wine';
// @ts-expect-error plain ESM helper shared with build.mjs
import { nodeWindowsExe } from '../../tools/node-runtime.mjs';

describe('Windows executable under Wine', function () {
  this.timeout(300_000);
  let wine: string;
  let exe: string;
  let base: string;
  let winRoot: string;
  let signingKey: string;

  before(async function () {
    const found = findWine();
    if (!found) {
      // eslint-disable-next-line no-console
      console.log('    (wine is not installed: `apt-get install -y wine64`, or run test/setup/wine.sh)');
      this.skip();
    }
    wine = found!;
    const distWindows = path.join(distDir, 'windows');
    if (!existsSync(path.join(distWindows, 'altazion-update.exe'))) throw new Error(`${distWindows} is missing: run \`node build.mjs\` first (npm test does)`);
    ensureWinePrefix(wine);

    // A sandbox made by the Linux build, then rewritten with Windows paths.
    base = mkdtempSync(path.join(os.tmpdir(), 'altazion-wine-'));
    const created = runExecutableJson(linuxExecutable(), ['sandbox', 'create', '--root', path.join(base, 'root'), '--feed', path.join(base, 'feed')]);
    signingKey = created.map((r) => (r.data as Record<string, unknown> | undefined)?.SigningKey).find((k) => typeof k === 'string') as string;
    windowsifySandbox(base);
    winRoot = toWinePath(path.join(base, 'root'));
    exe = (await prepareWineLayout(wine, distWindows, path.join(base, 'windows'), () => nodeWindowsExe(WINE_FALLBACK_NODE, () => undefined))).launcher;
  });

  after(() => {
    if (base) rmSync(base, { recursive: true, force: true });
  });

  it('the launcher runs node.exe with the bundle, passing the arguments and the exit code through', async () => {
    const run = await runUnderWine(wine, exe, ['--version']);
    expect(run.status, run.stderr).to.equal(0);
    const version = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).version as string;
    expect(run.stdout.trim()).to.equal(version);
    const bad = await runUnderWine(wine, exe, ['get', '--root', 'C:\\no such "root"', '--json']);
    expect(bad.status, bad.stderr).to.equal(2);
    expect(parseNdjson(bad.stdout).find((m) => m.type === 'error')!.message).to.contain('C:\\no such "root"');
  });

  it('get --json reads Windows paths and matches module keys and drive letters case-insensitively', async () => {
    const config = readFileSync(path.join(base, 'root', 'bin', 'config', 'applicationspath.config'), 'utf8');
    expect(config).to.contain('name="ECommerce"').and.contain('path="z:\\');

    const run = await runUnderWine(wine, exe, ['get', '--json', '--root', winRoot]);
    expect(run.status, run.stderr + run.stdout).to.equal(0);
    const records = parseNdjson(run.stdout);
    expect(records.every((r) => r.v === 1)).to.equal(true);
    const updates = records.filter((r) => r.type === 'object' && r.typeName === 'Altazion.Update').map((r) => r.data as Record<string, unknown>);
    expect(updates.map((u) => u.Name)).to.have.members(['gestioncommerciale', 'ecommerce', 'logistique', 'database']);
    const ecommerce = updates.find((u) => u.Name === 'ecommerce')!;
    expect(ecommerce.Kind).to.equal('web');
    expect(String(ecommerce.Path).toLowerCase()).to.equal(toWinePath(path.join(base, 'apps', 'ecommerce')).toLowerCase() + '\\');
    // The version comes from the manifest in the module folder, read through the Windows path.
    expect(ecommerce.InstalledVersion).to.match(/^\d+\.\d+/);
    expect(updates.find((u) => u.Name === 'logistique')!.Kind).to.equal('service');
  });

  it('install --dry-run finds the IIS pool whose physical path matches the module path in another letter case', async () => {
    const run = await runUnderWine(wine, exe, ['install', '--dry-run', '--json', '--root', winRoot, '--name', 'ecommerce']);
    expect(run.status, run.stderr + run.stdout).to.equal(0);
    const result = parseNdjson(run.stdout).find((r) => r.typeName === 'Altazion.InstallResult')!.data as Record<string, unknown>;
    expect(result.Result).to.equal('WhatIf');
    // The simulated IIS serves "Z:\...\apps\ecommerce" while the config says "z:\...\apps\ecommerce\".
    expect(String(result.Message)).to.match(/pool\(s\) ecommerce/);
  });

  it('check verifies the folder feed given as a Windows path, downloads the packages and writes status.xml', async () => {
    const run = await runUnderWine(wine, exe, ['check', '--json', '--root', winRoot]);
    expect(run.status, run.stderr + run.stdout).to.equal(0);
    const status = path.join(base, 'root', 'bin', 'updates', 'status.xml');
    expect(existsSync(status), 'status.xml written').to.equal(true);
    expect(readFileSync(status, 'utf8')).to.match(/ecommerce/i);
    const cached = readdirSync(path.join(base, 'root', 'bin', 'updates'), { recursive: true }).map(String);
    expect(cached.some((f) => /ecommerce-[\d.]+\.zip$/.test(f)), cached.join(', ')).to.equal(true);

    const after = await runUnderWine(wine, exe, ['get', '--json', '--root', winRoot, '--name', 'ECOMMERCE']);
    expect(after.status, after.stderr).to.equal(0);
    const update = parseNdjson(after.stdout).find((r) => r.typeName === 'Altazion.Update')!.data as Record<string, unknown>;
    expect(update).to.include({ Name: 'ecommerce', UpdateAvailable: true, Downloaded: true, Status: 'UpdateAvailable' });
  });

  it('install swaps a web module through Windows paths: new version in place, e.config kept, site back online', async () => {
    const folder = path.join(base, 'apps', 'ecommerce');
    const eConfig = readFileSync(path.join(folder, 'e.config'), 'utf8');
    const run = await runUnderWine(wine, exe, ['install', '--json', '--root', winRoot, '--name', 'ecommerce']);
    expect(run.status, run.stderr + run.stdout).to.equal(0);
    const messages = parseNdjson(run.stdout);
    const result = messages.find((r) => r.typeName === 'Altazion.InstallResult')!.data as Record<string, unknown>;
    expect(result.Result, String(result.Message)).to.equal('Installed');
    expect(String(result.BackupPath)).to.match(/^Z:\\/i);
    expect(messages.some((m) => m.type === 'progress' && m.completed === true)).to.equal(true);

    expect(readFileSync(path.join(folder, 'e.config'), 'utf8')).to.equal(eConfig);
    expect(existsSync(path.join(folder, 'app_offline.htm'))).to.equal(false);
    const after = await runUnderWine(wine, exe, ['get', '--json', '--root', winRoot, '--name', 'ecommerce']);
    const update = parseNdjson(after.stdout).find((r) => r.typeName === 'Altazion.Update')!.data as Record<string, unknown>;
    expect(update).to.include({ InstalledVersion: result.ToVersion, Status: 'UpToDate' });
  });

  it('check verifies a large package (40 MiB) inside the Windows executable', async () => {
    const release = await publishLargeRelease({ Feed: path.join(base, 'feed'), SigningKey: signingKey },
      { module: 'logistique', kind: 'service', version: '25.10.1.3', payloadBytes: 40 * 1024 * 1024 });
    const run = await runUnderWine(wine, exe, ['check', '--json', '--root', winRoot]);
    expect(run.status, run.stderr + run.stdout).to.equal(0);
    const update = parseNdjson(run.stdout).find((r) => r.typeName === 'Altazion.Update' && (r.data as Record<string, unknown>).Name === 'logistique')!.data as Record<string, unknown>;
    expect(update).to.include({ AvailableVersion: '25.10.1.3', Downloaded: true });
    const cached = readFileSync(path.join(base, 'root', 'bin', 'updates', 'cache', 'logistique-25.10.1.3.zip'));
    expect(createHash('sha256').update(cached).digest('hex')).to.equal(release.sha256);
  });
});

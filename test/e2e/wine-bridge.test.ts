// Issue 18's proofs under Wine, on the files dist/windows ships (node.exe swapped for Node 20 when
// this Wine cannot start Node 24+, see prepareWineLayout):
//  - edge-js's native module (a mixed-mode C++/CLI module importing "node.exe" by name) loaded into
//    node.exe resolves that import to the running process: one node.exe in the trace; it then stops
//    at the missing CLR (Wine has no .NET), as expected;
//  - the same module in a renamed copy (altazion-update.exe, as the old single executable was) fails
//    with "node.exe not found", and maps a second Node (the node.exe file beside it) when there is one;
//  - the product itself, run through the launcher on a sandbox-like instance whose updater.config says
//    host kind windows (Windows paths), finds no .NET Framework in the registry, never loads edge-js,
//    falls back to Windows PowerShell, finds Wine's powershell.exe (a stub that answers nothing)
//    unusable: `get` reports the modules from the files with one warning naming why; install and
//    repair stop with E_PLATFORM naming both reasons, exit code 1, nothing changed.
import { expect } from 'chai';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { distDir, linuxExecutable, runExecutableJson } from '../helpers/pwsh';
import { diffTrees, treeHashes } from '../helpers/sandbox';
import { ensureWinePrefix, findWine, parseNdjson, prepareWineLayout, runUnderWine, toWinePath, windowsifySandbox, WINE_FALLBACK_NODE, type WineLayout } from '../helpers/wine';
// @ts-expect-error plain ESM helper shared with build.mjs
import { NODE_RUNTIME_VERSION, nodeWindowsExe } from '../../tools/node-runtime.mjs';

const LOADDLL = { WINEDEBUG: '+loaddll', WINEDLLOVERRIDES: 'mshtml=' }; // mscoree: Wine's own stub, which finds no CLR

/**
 * Modules the loader mapped, full paths in lower case, from a +loaddll trace. Wine prints the path
 * as an escaped C string (`L"Z:\\tmp\\x\\node.exe"`): backslashes are doubled there.
 */
function loadedPaths(trace: string): string[] {
  return [...trace.matchAll(/trace:loaddll:build_module Loaded L"([^"]+)"/g)].map((m) => m[1]!.replace(/\\\\/g, '\\').toLowerCase());
}

/** The same, by file name. */
function loaded(trace: string): string[] {
  return loadedPaths(trace).map((p) => p.split('\\').pop()!);
}

describe('edge-js and the Windows layout under Wine', function () {
  this.timeout(300_000);
  let wine: string;
  let base: string;
  let layout: WineLayout;

  before(async function () {
    const found = findWine();
    if (!found) this.skip();
    wine = found!;
    const distWindows = path.join(distDir, 'windows');
    if (!existsSync(path.join(distWindows, 'node.exe'))) throw new Error(`${distWindows} is missing: run \`node build.mjs\` first (npm test does)`);
    ensureWinePrefix(wine);
    base = mkdtempSync(path.join(os.tmpdir(), 'altazion-wine-bridge-'));
    layout = await prepareWineLayout(wine, distWindows, path.join(base, 'windows'), () => nodeWindowsExe(WINE_FALLBACK_NODE, () => undefined));
    // eslint-disable-next-line no-console
    if (layout.swapped) console.log(`    (${layout.swapped}: node.exe is Node ${WINE_FALLBACK_NODE} here)`);
  });
  after(() => { if (base) rmSync(base, { recursive: true, force: true }); });

  const dlopen = (native: string) => ['-e', `process.dlopen(module, ${JSON.stringify(toWinePath(native))})`];

  it('as node.exe, the native module loads and its node.exe import is the running process; then the missing CLR stops it', async () => {
    const run = await runUnderWine(wine, layout.node, dlopen(layout.edgeNative), { env: LOADDLL });
    const modules = loaded(run.stderr);
    expect(modules, run.stderr.slice(-2000)).to.include('edge_nativeclr.node');
    expect(modules.filter((m) => m === 'node.exe')).to.have.length(1);
    expect(run.stderr).to.not.match(/node\.exe.*not found/i);
    expect(run.stderr).to.match(/Wine Mono is not installed|mscoree/);
    expect(run.status).to.not.equal(0);
  });

  it('renamed (altazion-update.exe, as the old single executable), the same module cannot resolve node.exe; with a node.exe beside it, a second Node is mapped', async () => {
    const alone = path.join(base, 'alone');
    mkdirSync(alone);
    const renamed = path.join(alone, 'altazion-update.exe');
    copyFileSync(layout.node, renamed);
    const lonely = await runUnderWine(wine, renamed, dlopen(layout.edgeNative), { env: { ...LOADDLL, WINEDLLOVERRIDES: 'mscoree,mshtml=' }, cwd: alone });
    expect(lonely.stderr).to.match(/Library node\.exe \(which is needed by L"[^"]*edge_nativeclr\.node"\) not found/);

    // With a node.exe beside it, the import resolves to that file: a second Node mapped into the
    // process (another copy of V8 and libuv that nothing initialised), what the launcher avoids.
    copyFileSync(layout.node, path.join(alone, 'node.exe'));
    const beside = await runUnderWine(wine, renamed, dlopen(layout.edgeNative), { env: { ...LOADDLL, WINEDLLOVERRIDES: 'mscoree,mshtml=' }, cwd: alone });
    const mapped = loadedPaths(beside.stderr);
    expect(mapped, beside.stderr.slice(-3000)).to.include(toWinePath(renamed).toLowerCase()).and.include(toWinePath(path.join(alone, 'node.exe')).toLowerCase());
    expect(beside.stderr).to.not.match(/Library node\.exe .* not found/);
    // It went on to the module's next import (the CLR, absent here): node.exe was resolved.
    expect(beside.stderr).to.match(/Library mscoree\.dll \(which is needed by L"[^"]*edge_nativeclr\.node"\) not found/);
  });

  it('get on a Windows host where no bridge can run (no .NET, Wine\'s stub powershell.exe): modules and versions from the files, a warning naming why, edge-js never loaded; install and repair stop with E_PLATFORM, nothing changed', async () => {
    // A sandbox-like instance: made by the Linux build, its paths rewritten as Windows paths (drive
    // Z:, backslashes, another letter case), and updater.config saying host kind windows: the real
    // Windows platform, not the simulation.
    const made = path.join(base, 'instance');
    runExecutableJson(linuxExecutable(), ['sandbox', 'create', '--root', path.join(made, 'root'), '--feed', path.join(made, 'feed')]);
    windowsifySandbox(made);
    const config = path.join(made, 'root', 'bin', 'updates', 'updater.config');
    writeFileSync(config, readFileSync(config, 'utf8').replace(/<host [^>]*\/>/, '<host kind="windows" />'));
    expect(readFileSync(config, 'utf8')).to.contain('<host kind="windows" />').and.match(/location="Z:\\/);
    // logistique as the legacy updater left it: no manifest, a main assembly with a version resource.
    const logistique = path.join(made, 'apps', 'logistique');
    rmSync(path.join(logistique, 'altazion-package.json'));
    copyFileSync(path.join(distDir, 'windows', 'node.exe'), path.join(logistique, 'Altazion.Logistique.exe'));
    const root = toWinePath(path.join(made, 'root'));

    const run = await runUnderWine(wine, layout.launcher, ['get', '--json', '--root', root], { env: LOADDLL });
    expect(run.status, run.stderr.slice(-3000) + run.stdout).to.equal(0);
    expect(loaded(run.stderr)).to.not.include('edge_nativeclr.node');
    expect(loaded(run.stderr)).to.include('reg.exe'); // the registry was asked
    expect(run.stderr).to.not.match(/Assertion failed|Unhandled exception|Fatal/);
    const messages = parseNdjson(run.stdout);
    const warnings = messages.filter((m) => m.type === 'log' && m.level === 'warning').map((m) => String(m.message));
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.match(/^IIS pools and Windows services are unknown \(modules and versions come from applicationspath\.config and the module folders\): the Windows bridge cannot run: the \.NET Framework 4\.x is not installed; .*powershell\.exe exited with code 0 without an answer/i);
    const updates = messages.filter((m) => m.typeName === 'Altazion.Update').map((m) => m.data as Record<string, unknown>);
    const byName = Object.fromEntries(updates.map((u) => [u.Name, u]));
    expect(Object.keys(byName)).to.include.members(['gestioncommerciale', 'ecommerce', 'logistique']);
    expect(byName.ecommerce).to.include({ Kind: 'web', InstalledVersion: '25.9.12.3' }); // from its manifest
    expect(String(byName.ecommerce!.Path)).to.match(/^z:\\/); // as applicationspath.config writes it
    expect(byName.logistique).to.include({ Kind: 'service', InstalledVersion: `${NODE_RUNTIME_VERSION}.0` }); // from the PE version resource

    // Changes stop cleanly: no bridge, no install, no repair; nothing moved.
    const before = await treeHashes(path.join(made, 'apps'));
    for (const args of [['install', '--name', 'ecommerce'], ['repair']]) {
      const change = await runUnderWine(wine, layout.launcher, [...args, '--json', '--root', root]);
      expect(change.status, `${args[0]}: ${change.stderr.slice(-2000)}${change.stdout}`).to.equal(1);
      const error = parseNdjson(change.stdout).find((m) => m.type === 'error')!;
      expect(error, args[0]).to.include({ code: 'E_PLATFORM' });
      expect(String(error.message)).to.match(/^the Windows bridge cannot run: the \.NET Framework 4\.x is not installed; .*powershell\.exe exited with code 0 without an answer/i);
      expect(String(error.hint)).to.match(/Windows PowerShell 5\.1/);
    }
    expect(diffTrees(before, await treeHashes(path.join(made, 'apps')))).to.deep.equal([]);
  });
});

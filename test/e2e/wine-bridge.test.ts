// Issue 18's proofs under Wine, on the files dist/windows ships (node.exe swapped for Node 20 when
// this Wine cannot start Node 24+, see prepareWineLayout):
//  - edge-js's native module (a mixed-mode C++/CLI module importing "node.exe" by name) loaded into
//    node.exe resolves that import to the running process: one node.exe in the trace; it then stops
//    at the missing CLR (Wine has no .NET), as expected;
//  - the same module in a renamed copy (altazion-update.exe, as the old single executable was) fails
//    with "node.exe not found", or maps a second Node when a node.exe is beside it;
//  - the product itself, run through the launcher on a Windows host root, finds no .NET Framework in
//    the registry, never loads edge-js, falls back to Windows PowerShell, and reports Wine's
//    powershell.exe (a stub that answers nothing) as a clean, named error, exit code 1.
import { expect } from 'chai';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { distDir } from '../helpers/pwsh';
import { ensureWinePrefix, findWine, parseNdjson, prepareWineLayout, runUnderWine, toWinePath, WINE_FALLBACK_NODE, type WineLayout } from '../helpers/wine';
// @ts-expect-error plain ESM helper shared with build.mjs
import { nodeWindowsExe } from '../../tools/node-runtime.mjs';

const LOADDLL = { WINEDEBUG: '+loaddll', WINEDLLOVERRIDES: 'mshtml=' }; // mscoree: Wine's own stub, which finds no CLR

/** Modules the loader mapped, by file name, from a +loaddll trace. */
function loaded(trace: string): string[] {
  return [...trace.matchAll(/trace:loaddll:build_module Loaded L"([^"]+)"/g)].map((m) => m[1]!.split('\\').pop()!.toLowerCase());
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

  it('renamed (altazion-update.exe, as the old single executable), the same module cannot resolve node.exe', async () => {
    const alone = path.join(base, 'alone');
    mkdirSync(alone);
    const renamed = path.join(alone, 'altazion-update.exe');
    copyFileSync(layout.node, renamed);
    const lonely = await runUnderWine(wine, renamed, dlopen(layout.edgeNative), { env: { ...LOADDLL, WINEDLLOVERRIDES: 'mscoree,mshtml=' }, cwd: alone });
    expect(lonely.stderr).to.match(/Library node\.exe \(which is needed by L"[^"]*edge_nativeclr\.node"\) not found/);

  });

  it('the product on a Windows host sees no .NET Framework, never loads edge-js, and names PowerShell\'s failure cleanly', async () => {
    const root = path.join(base, 'root');
    mkdirSync(path.join(root, 'bin', 'config'), { recursive: true });
    writeFileSync(path.join(root, 'bin', 'config', 'applicationspath.config'), '<applications><application name="logistique" path="C:\\\\Program Files\\\\CPoint\\\\[e]\\\\logistique\\\\" /></applications>');
    writeFileSync(path.join(root, 'bin', 'config', 'updater.config'), '<updater><host kind="windows" /></updater>');
    const run = await runUnderWine(wine, layout.launcher, ['get', '--json', '--root', toWinePath(root)], { env: LOADDLL });
    expect(run.status, run.stderr.slice(-3000)).to.equal(1);
    expect(loaded(run.stderr)).to.not.include('edge_nativeclr.node');
    expect(loaded(run.stderr)).to.include('reg.exe'); // the registry was asked
    expect(run.stderr).to.not.match(/Assertion failed|Unhandled exception|Fatal/);
    const error = parseNdjson(run.stdout).find((m) => m.type === 'error')!;
    expect(error).to.include({ code: 'E_PLATFORM' });
    expect(String(error.message)).to.match(/^the Windows bridge cannot run: the \.NET Framework 4\.x is not installed; .*powershell\.exe exited with code 0 without an answer/i);
    expect(String(error.hint)).to.match(/Windows PowerShell 5\.1/);
  });
});

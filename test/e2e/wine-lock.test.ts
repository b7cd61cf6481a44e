// The install lock's Windows side, under Wine with the node.exe we ship (or Node 20's where Wine 8 cannot start it): a holder is recognised by
// the token file it keeps open with no sharing (UV_FS_O_EXLOCK), not by its pid; once the holder is
// killed, Windows (Wine) releases the token and the next taker takes the lock over.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
// @ts-expect-error plain ESM helper shared with build.mjs
import { nodeWindowsExe } from '../../tools/node-runtime.mjs';
import { bundled } from '../helpers/workers';
import { ensureWinePrefix, findWine, nodeStartsUnderWine, runUnderWine, toWinePath, wineEnv, WINE_FALLBACK_NODE } from '../helpers/wine';

describe('install lock on Windows (node.exe under Wine)', function () {
  this.timeout(300_000);
  let wine: string;
  let nodeExe: string;
  let script: string;
  let base: string;

  before(async function () {
    const found = findWine();
    if (!found) this.skip();
    wine = found!;
    ensureWinePrefix(wine);
    // The node.exe we ship, or where this Wine cannot start it, the Node the Wine tests fall back to (helpers/wine.ts).
    nodeExe = nodeWindowsExe();
    if (!(await nodeStartsUnderWine(wine, nodeExe)).starts) nodeExe = nodeWindowsExe(WINE_FALLBACK_NODE, () => undefined);
    script = toWinePath(await bundled('test/helpers/lock-cli.ts'));
    base = mkdtempSync(path.join(os.tmpdir(), 'altazion-wine-lock-'));
  });
  after(() => { if (base) rmSync(base, { recursive: true, force: true }); });

  /** A holder under Wine (`lock-cli.ts <args>`), its output in a file (Wine and pipes), and what it printed. */
  function startHolder(name: string, args: string[]) {
    const out = path.join(base, `${name}.txt`);
    const fd = openSync(out, 'w');
    const holder = spawn(wine, [nodeExe, script, ...args], { env: wineEnv(), stdio: ['ignore', fd, fd] });
    closeSync(fd);
    /** Waits until the holder prints `pattern` (or exits, or two minutes pass). */
    const printed = async (pattern: RegExp) => {
      const deadline = Date.now() + 120_000;
      let found: RegExpExecArray | null = null;
      while (!(found = pattern.exec(readFileSync(out, 'utf8'))) && Date.now() < deadline && holder.exitCode === null) await new Promise((r) => setTimeout(r, 200));
      expect(found, readFileSync(out, 'utf8')).to.not.equal(null);
      return found!;
    };
    return { holder, printed };
  }

  /** Kills the holder; the next taker of the install lock takes it over. */
  async function killedThenTakenOver(holder: ReturnType<typeof spawn>, root: string): Promise<void> {
    holder.kill('SIGKILL');
    if (holder.exitCode === null && holder.signalCode === null) await new Promise((r) => holder.once('exit', r));
    const won = await runUnderWine(wine, nodeExe, [script, 'try', root]);
    expect(won.stdout.trim(), won.stderr).to.equal('won');
  }

  const tokens = (dir: string) => readdirSync(dir).filter((n) => n.startsWith('.altazion-live-'));

  it('a live holder is named (its token is held open), a killed one is taken over', async () => {
    const root = toWinePath(path.join(base, 'root'));
    const { holder, printed } = startHolder('holder', ['hold', root]);
    try {
      const held = (await printed(/held (\d+)/))[1];
      expect(tokens(path.join(base, 'root', 'bin', 'updates')), 'the holder keeps a token file').to.have.length(1);

      const busy = await runUnderWine(wine, nodeExe, [script, 'try', root]);
      expect(busy.stdout, busy.stderr).to.match(/^busy another install is running: holder \(pid \d+/);
      expect(busy.stdout).to.include(`pid ${held}`);

      await killedThenTakenOver(holder, root);
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('a process holding the install lock and a download lock (two folders, a token in each) is named by both, and releases each', async () => {
    const rootLinux = path.join(base, 'root-both');
    const root = toWinePath(rootLinux);
    const updates = path.join(rootLinux, 'bin', 'updates');
    const cache = path.join(updates, 'cache');
    const downloadLock = path.join(cache, 'ecommerce-25.10.1.2.zip.lock');
    const marker = path.join(base, 'release-download');
    const { holder, printed } = startHolder('holder-both', ['hold-both', root, toWinePath(downloadLock), toWinePath(marker)]);
    try {
      const held = (await printed(/held (\d+)/))[1];
      expect(tokens(updates), 'a token beside the install lock').to.have.length(1);
      expect(tokens(cache), 'a token beside the download lock').to.have.length(1);
      const install = await runUnderWine(wine, nodeExe, [script, 'try', root]);
      expect(install.stdout, install.stderr).to.match(/^busy another install is running/).and.include(`pid ${held}`);
      const download = await runUnderWine(wine, nodeExe, [script, 'try-file', toWinePath(downloadLock)]);
      expect(download.stdout, download.stderr).to.match(/^busy /).and.include(`pid ${held}`);

      writeFileSync(marker, '');
      await printed(/released-download/);
      expect(existsSync(downloadLock), 'the download lock is gone').to.equal(false);
      expect(tokens(cache), "the cache folder keeps no token once the process's last lock there is released").to.deep.equal([]);
      const downloadAgain = await runUnderWine(wine, nodeExe, [script, 'try-file', toWinePath(downloadLock)]);
      expect(downloadAgain.stdout.trim(), downloadAgain.stderr).to.equal('won');
      const installStill = await runUnderWine(wine, nodeExe, [script, 'try', root]);
      expect(installStill.stdout, 'the install lock is still held: its token was not switched or closed').to.include(`pid ${held}`);

      await killedThenTakenOver(holder, root);
    } finally {
      holder.kill('SIGKILL');
    }
  });
});

// The install lock's Windows side, under Wine with the node.exe we ship (or Node 20's where Wine 8 cannot start it): a holder is recognised by
// the token file it keeps open with no sharing (UV_FS_O_EXLOCK), not by its pid; once the holder is
// killed, Windows (Wine) releases the token and the next taker takes the lock over.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
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

  it('a live holder is named (its token is held open), a killed one is taken over', async () => {
    const root = toWinePath(path.join(base, 'root'));
    const out = path.join(base, 'holder.txt');
    const fd = openSync(out, 'w');
    const holder = spawn(wine, [nodeExe, script, 'hold', root], { env: wineEnv(), stdio: ['ignore', fd, fd] });
    closeSync(fd);
    try {
      // The holder says when it holds the lock (its output goes to a file: Wine and pipes).
      const deadline = Date.now() + 120_000;
      let held = '';
      while (!(held = /held (\d+)/.exec(readFileSync(out, 'utf8'))?.[1] ?? '') && Date.now() < deadline && holder.exitCode === null) {
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(held, readFileSync(out, 'utf8')).to.match(/^\d+$/);
      const tokens = (await import('node:fs')).readdirSync(path.join(base, 'root', 'bin', 'updates')).filter((n) => n.startsWith('.altazion-live-'));
      expect(tokens, 'the holder keeps a token file').to.have.length(1);

      const busy = await runUnderWine(wine, nodeExe, [script, 'try', root]);
      expect(busy.stdout, busy.stderr).to.match(/^busy another install is running: holder \(pid \d+/);
      expect(busy.stdout).to.include(`pid ${held}`);

      holder.kill('SIGKILL');
      await new Promise((r) => holder.once('exit', r));
      const won = await runUnderWine(wine, nodeExe, [script, 'try', root]);
      expect(won.stdout.trim(), won.stderr).to.equal('won');
    } finally {
      holder.kill('SIGKILL');
    }
  });
});

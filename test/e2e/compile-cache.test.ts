// What node runs (dist/altazion-update.cjs, src/cli/start.ts) keeps V8's compiled code of the
// program in compile-cache\ beside it: the Windows layout's start-up (docs/windows.md). Each test
// works on its own copy of the built files, so that no other suite's runs write the cache it reads.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BUNDLE, SEA_EXE } from '../helpers/cli';

const DIST = path.dirname(BUNDLE);
const FILES = ['altazion-update.cjs', 'altazion-update-main.cjs', 'mssql.cjs', 'iconv-lite.cjs', 'nodemailer.cjs'];

/** The cache files Node wrote (one folder per Node version and architecture), with their contents. */
async function cacheEntries(folder: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  const cache = path.join(folder, 'compile-cache');
  if (!existsSync(cache)) return out;
  for (const version of await fs.readdir(cache)) {
    for (const entry of await fs.readdir(path.join(cache, version))) out.set(`${version}/${entry}`, await fs.readFile(path.join(cache, version, entry)));
  }
  return out;
}

describe('the compile cache of node + bundle (Windows layout start-up)', function () {
  this.timeout(60000);
  let folder: string;
  const run = (args: string[], env: NodeJS.ProcessEnv = {}) => {
    // Without the variables that would steer Node's cache from outside (even set empty, the second turns it off).
    const { NODE_COMPILE_CACHE: _set, NODE_DISABLE_COMPILE_CACHE: _off, ...inherited } = process.env;
    const result = spawnSync(process.execPath, [path.join(folder, 'altazion-update.cjs'), ...args], { encoding: 'utf8', env: { ...inherited, ...env } });
    expect(result.status, result.stderr).to.equal(0);
    return result;
  };
  beforeEach(async () => {
    folder = await fs.mkdtemp(path.join(os.tmpdir(), 'altazion-compile-cache-'));
    for (const file of FILES) await fs.copyFile(path.join(DIST, file), path.join(folder, file));
  });
  afterEach(async () => { await fs.rm(folder, { recursive: true, force: true }); });

  it('the first run writes the program\'s compiled code beside it; later runs read it and leave it as it is', async () => {
    expect(run(['--version']).stdout.trim()).to.match(/^\d+\.\d+\.\d+$/);
    const first = await cacheEntries(folder);
    expect(first.size, 'one entry for the program').to.be.greaterThan(0);
    const program = (await fs.stat(path.join(folder, 'altazion-update-main.cjs'))).size;
    expect(Math.max(...[...first.values()].map((b) => b.length)), 'an entry of the program\'s size class').to.be.greaterThan(program / 10);

    // A cache that was accepted is not written again (Node says so with NODE_DEBUG_NATIVE).
    const second = run(['--version'], { NODE_DEBUG_NATIVE: 'COMPILE_CACHE' });
    expect(second.stderr).to.match(/altazion-update-main\.cjs was accepted/);
    expect(await cacheEntries(folder)).to.deep.equal(first);
  });

  it('a changed program (an update) is compiled again, not run from the old code', async () => {
    run(['--version']);
    const before = await cacheEntries(folder);
    await fs.appendFile(path.join(folder, 'altazion-update-main.cjs'), '\n// another build\n');
    const after = run(['--version'], { NODE_DEBUG_NATIVE: 'COMPILE_CACHE' });
    expect(after.stderr).to.not.match(/altazion-update-main\.cjs was accepted/);
    expect(await cacheEntries(folder)).to.not.deep.equal(before);
  });

  it('a folder where the cache cannot be written (a user without rights) only means compiling as usual', async () => {
    await fs.writeFile(path.join(folder, 'compile-cache'), 'not a folder');
    const result = run(['--version']);
    expect(result.stdout.trim()).to.match(/^\d+\.\d+\.\d+$/);
    expect(result.stderr).to.equal('');
  });

  it('NODE_DISABLE_COMPILE_CACHE=1 turns it off', async () => {
    run(['--version'], { NODE_DISABLE_COMPILE_CACHE: '1' });
    expect(existsSync(path.join(folder, 'compile-cache'))).to.equal(false);
  });

  it('the Linux single executable keeps its own code cache and writes no compile cache', async function () {
    if (!existsSync(SEA_EXE)) this.skip();
    const copy = path.join(folder, 'altazion-update');
    await fs.copyFile(SEA_EXE, copy);
    await fs.chmod(copy, 0o755);
    const result = spawnSync(copy, ['--version'], { encoding: 'utf8' });
    expect(result.status, result.stderr).to.equal(0);
    expect(existsSync(path.join(folder, 'compile-cache'))).to.equal(false);
  });
});

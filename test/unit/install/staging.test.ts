// Package checks on real zip files (built here with yazl, or byte-patched for what yazl refuses to
// write): every unsafe archive is refused by inspectPackage before any file is written.
import { expect } from 'chai';
import { createWriteStream, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import { carryPreserved, extractPackage, inspectPackage } from '../../../src/install/staging';

const manifest = JSON.stringify({ schemaVersion: 1, module: 'ecommerce', version: '25.10.1.2', kind: 'web' });

async function zipOf(file: string, entries: Array<[string, string | Buffer, { mode?: number }?]>): Promise<string> {
  const zip = new yazl.ZipFile();
  for (const [name, content, options] of entries) zip.addBuffer(Buffer.from(content), name, { mode: options?.mode });
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(file));
  return file;
}

/** Renames an entry in place (same length), in both the local header and the central directory. */
async function renameEntry(file: string, from: string, to: string): Promise<void> {
  expect(from.length).to.equal(to.length);
  const bytes = await fs.readFile(file);
  let at = bytes.indexOf(from);
  let count = 0;
  while (at >= 0) { bytes.write(to, at, 'latin1'); count++; at = bytes.indexOf(from, at + 1); }
  expect(count).to.equal(2);
  await fs.writeFile(file, bytes);
}

describe('package staging', () => {
  let dir: string;
  beforeEach(async () => { dir = await fs.mkdtemp(path.join(os.tmpdir(), 'staging-test-')); });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  it('inspects, extracts (without app_offline.htm) and carries preserved files', async () => {
    const zip = await zipOf(path.join(dir, 'ok.zip'), [
      ['altazion-package.json', manifest], ['web.config', '<new/>'], ['bin/a.dll', 'new a'], ['e.config', 'package default'], ['app_offline.htm', 'never'],
    ]);
    const summary = await inspectPackage(zip);
    expect(summary.files).to.equal(5);
    expect(summary.diskBytes, 'each small file takes a 4 KiB cluster').to.equal(5 * 4096);
    expect(summary.manifest.version).to.equal('25.10.1.2');
    const current = path.join(dir, 'current');
    await fs.mkdir(path.join(current, 'App_Data'), { recursive: true });
    await fs.writeFile(path.join(current, 'e.config'), 'customer');
    await fs.writeFile(path.join(current, 'App_Data', 'license.key'), 'k');
    await fs.writeFile(path.join(current, 'web.config'), '<old/>');
    const staged = path.join(dir, 'staged');
    expect(await extractPackage(zip, staged)).to.equal(4);
    expect((await fs.readdir(staged)).sort()).to.deep.equal(['altazion-package.json', 'bin', 'e.config', 'web.config']);
    const carried = await carryPreserved(current, staged, ['e.config', 'App_Data/**']);
    expect(carried.sort()).to.deep.equal(['App_Data/license.key', 'e.config']);
    expect(await fs.readFile(path.join(staged, 'e.config'), 'utf8')).to.equal('customer');
    expect(await fs.readFile(path.join(staged, 'web.config'), 'utf8')).to.equal('<new/>');
  });

  const unsafe: Array<[string, string, RegExp]> = [
    ['zip-slip', '../../evil.dll', /\.\.|invalid relative path/],
    ['absolute path', '/tmp/evil.dllx', /absolute/],
    ['drive letter', 'C:/evil.dll', /absolute|drive/],
    ['reserved name', 'bin/CON', /reserved/],
  ];
  for (const [what, name, re] of unsafe) {
    it(`refuses ${what} before writing anything`, async () => {
      const placeholder = 'x'.repeat(name.length);
      const zip = await zipOf(path.join(dir, 'bad.zip'), [['altazion-package.json', manifest], [placeholder, 'evil']]);
      await renameEntry(zip, placeholder, name);
      const error = await inspectPackage(zip).then(() => undefined, (e) => e);
      expect(error?.code).to.equal('E_PACKAGE_INVALID');
      expect(error.message).to.match(re);
      const staged = path.join(dir, 'staged');
      expect(await extractPackage(zip, staged).then(() => 'extracted', (e) => e.code)).to.equal('E_PACKAGE_INVALID');
      expect(await fs.readdir(dir)).to.not.include('evil.dll');
    });
  }

  it('extracts exactly what the archive holds: stored and deflated, small and large, across read windows', async () => {
    // Sizes straddle the reader's 4 MiB windows and the 1 MiB small-entry limit; content varies per file.
    const { randomBytes } = await import('node:crypto');
    const zip = new yazl.ZipFile();
    const expected = new Map<string, Buffer>();
    const sizes = [0, 1, 4095, 4096, 70_000, 300_000, 1024 * 1024 - 1, 1024 * 1024 + 1];
    for (let i = 0; i < 400; i++) {
      // Mostly small entries (they fill several windows), a few large ones streamed in between.
      const size = i % 100 === 50 ? 5 * 1024 * 1024 + 3 : i % 10 === 7 ? sizes[i % sizes.length] : sizes[i % 5] + (i % 3);
      const half = randomBytes(Math.ceil(size / 2));
      const content = Buffer.concat([half, Buffer.alloc(size - half.length, i % 251)]).subarray(0, size);
      const name = `bin/d${i % 7}/f${i}.dll`;
      expected.set(name, content);
      zip.addBuffer(content, name, { compress: i % 2 === 0 });
    }
    zip.addBuffer(Buffer.from(manifest), 'altazion-package.json');
    zip.end();
    const file = path.join(dir, 'many.zip');
    await pipeline(zip.outputStream, createWriteStream(file));
    const staged = path.join(dir, 'staged');
    expect(await extractPackage(file, staged)).to.equal(401);
    // The archive is closed when extraction returns (looked at at once, before a GC could close it).
    const open = (await fs.readdir('/proc/self/fd').catch(() => [] as string[])).map((fd) => fs.readlink(`/proc/self/fd/${fd}`).catch(() => ''));
    expect((await Promise.all(open)).filter((target) => target === file)).to.deep.equal([]);
    for (const [name, content] of expected) expect((await fs.readFile(path.join(staged, name))).equals(content), name).to.equal(true);
  });

  it('an entry whose data lies about its size, or does not inflate, is refused', async () => {
    const good = await zipOf(path.join(dir, 'good.zip'), [['altazion-package.json', manifest], ['a.txt', 'a'.repeat(5000)]]);
    const bytes = await fs.readFile(good);
    // Corrupt the deflated data of a.txt (its local header is after the manifest's).
    const at = bytes.indexOf('a.txt') + 'a.txt'.length;
    for (let i = at; i < at + 8; i++) bytes[i] ^= 0x5a;
    await fs.writeFile(path.join(dir, 'corrupt.zip'), bytes);
    const error = await extractPackage(path.join(dir, 'corrupt.zip'), path.join(dir, 'staged')).then(() => undefined, (e) => e);
    expect(error?.code).to.equal('E_PACKAGE_INVALID');
    expect(error.message).to.match(/a\.txt/);
  });

  it('refuses a truncated zip, a symlink entry, a duplicate, a package without manifest', async () => {
    const good = await zipOf(path.join(dir, 'good.zip'), [['altazion-package.json', manifest], ['a.txt', 'a'.repeat(5000)]]);
    const bytes = await fs.readFile(good);
    await fs.writeFile(path.join(dir, 'truncated.zip'), bytes.subarray(0, bytes.length - 40));
    const link = await zipOf(path.join(dir, 'link.zip'), [['altazion-package.json', manifest], ['link', '/etc/passwd', { mode: 0o120777 }]]);
    const dup = await zipOf(path.join(dir, 'dup.zip'), [['altazion-package.json', manifest], ['Bin/A.dll', '1'], ['bin/a.dll', '2']]);
    const none = await zipOf(path.join(dir, 'none.zip'), [['a.txt', 'a']]);
    const cases: Array<[string, RegExp]> = [
      [path.join(dir, 'truncated.zip'), /not a readable zip/],
      [link, /symbolic link/],
      [dup, /appears twice/],
      [none, /no altazion-package\.json/],
    ];
    for (const [file, re] of cases) {
      const error = await inspectPackage(file).then(() => undefined, (e) => e);
      expect(error?.code, file).to.equal('E_PACKAGE_INVALID');
      expect(error.message).to.match(re);
    }
  });
});

describe('backup archive', () => {
  let dir: string;
  beforeEach(async () => { dir = await fs.mkdtemp(path.join(os.tmpdir(), 'backup-test-')); });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  it('zips the old folder (without app_offline.htm), removes it, keeps the newest N; a second pass after a crash keeps the archive', async () => {
    const { archiveBackup } = await import('../../../src/install/backup');
    const backups = path.join(dir, 'backups');
    const names: string[] = [];
    for (const id of ['a1', 'a2', 'a3']) {
      const folder = path.join(dir, `old-${id}`);
      await fs.mkdir(path.join(folder, 'bin'), { recursive: true });
      await fs.writeFile(path.join(folder, 'bin', 'x.dll'), `x ${id}`);
      await fs.writeFile(path.join(folder, 'app_offline.htm'), 'offline');
      const archive = await archiveBackup({ folder, backupsDir: backups, module: 'ecommerce', instance: '', version: '25.9', id, keep: 2 });
      names.push(path.basename(archive!));
      expect(await fs.access(folder).then(() => true, () => false)).to.equal(false);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect((await fs.readdir(backups)).sort()).to.deep.equal(names.slice(1).sort());
    // The listing of the newest archive: bin/x.dll and no app_offline.htm.
    const yauzl = (await import('yauzl')).default;
    const entries = await new Promise<string[]>((resolve, reject) => yauzl.open(path.join(backups, names[2]), { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      const out: string[] = [];
      zip.on('entry', (e: { fileName: string }) => { out.push(e.fileName); zip.readEntry(); });
      zip.on('end', () => resolve(out));
      zip.readEntry();
    }));
    expect(entries.sort()).to.deep.equal(['bin/', 'bin/x.dll']);
    // Crash while removing the folder: a partial folder must not overwrite the archive.
    const partial = path.join(dir, 'old-a3');
    await fs.mkdir(partial);
    const before = await fs.readFile(path.join(backups, names[2]));
    const again = await archiveBackup({ folder: partial, backupsDir: backups, module: 'ecommerce', instance: '', version: '25.9', id: 'a3', keep: 2 });
    expect(again).to.equal(path.join(backups, names[2]));
    expect(await fs.readFile(again!)).to.deep.equal(before);
  });
});

// The backup archive written from a folder tree as the walk goes (archiveBackup): every file and
// folder in it, a root app_offline.htm left out, and a folder it cannot read fails the archive
// with nothing left behind (no archive, no partial file, the folder kept). Beyond a number of
// entries the backup is several archives: together they restore the whole tree, each says whether
// another follows, pruning and a compression cut short treat them as one backup.
import { expect } from 'chai';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yauzl from 'yauzl';
import { archiveBackup, backupPartComment, backupPartOf, backupPartPath, pruneBackups } from '../../../src/install/backup';

async function entriesOf(zipFile: string, comment?: (text: string) => void): Promise<Map<string, string>> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) => yauzl.open(zipFile, { lazyEntries: true }, (e, z) => (e || !z ? reject(e) : resolve(z))));
  comment?.(zip.comment);
  const out = new Map<string, string>();
  await new Promise<void>((resolve, reject) => {
    zip.on('error', reject);
    zip.on('end', resolve);
    zip.on('entry', (entry: yauzl.Entry) => {
      if (entry.fileName.endsWith('/')) { out.set(entry.fileName, ''); zip.readEntry(); return; }
      zip.openReadStream(entry, (error, stream) => {
        if (error || !stream) { reject(error); return; }
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => { out.set(entry.fileName, Buffer.concat(chunks).toString('utf8')); zip.readEntry(); });
      });
    });
    zip.readEntry();
  });
  return out;
}

describe('backup archive (archiveBackup)', () => {
  let dir: string;
  beforeEach(async () => { dir = await fs.mkdtemp(path.join(os.tmpdir(), 'altazion-backup-')); });
  afterEach(async () => { await fs.rm(dir, { recursive: true, force: true }); });

  const archive = (keep = 3) => archiveBackup({ folder: path.join(dir, 'old'), backupsDir: path.join(dir, 'backups'), module: 'ecommerce', instance: '', version: '25.9.12.3', id: '20261205T010203-abcdef', keep });

  it('holds every file and folder of the tree (nested, empty, many per folder), not the root app_offline.htm, and removes the folder', async () => {
    const expected = new Map<string, string>();
    const put = async (rel: string, content: string) => {
      await fs.mkdir(path.dirname(path.join(dir, 'old', rel)), { recursive: true });
      await fs.writeFile(path.join(dir, 'old', rel), content);
      expected.set(rel, content);
    };
    await put('web.config', '<configuration/>');
    for (let i = 0; i < 250; i++) await put(`bin/d${i % 3}/f${i}.dll`, `file ${i}`);
    await put('bin/d1/deeper/still/x.txt', 'deep');
    await put('views/app_offline.htm', 'not at the root: kept');
    await fs.writeFile(path.join(dir, 'old', 'app_offline.htm'), 'offline');
    await fs.mkdir(path.join(dir, 'old', 'logs', 'empty'), { recursive: true });
    const zipFile = await archive();
    expect(zipFile).to.equal(path.join(dir, 'backups', 'ecommerce-25.9.12.3-20261205T010203-abcdef.zip'));
    const entries = await entriesOf(zipFile!);
    const files = new Map([...entries].filter(([name]) => !name.endsWith('/')));
    expect(files).to.deep.equal(expected);
    const folders = [...entries.keys()].filter((name) => name.endsWith('/')).sort();
    expect(folders).to.deep.equal(['bin/', 'bin/d0/', 'bin/d1/', 'bin/d1/deeper/', 'bin/d1/deeper/still/', 'bin/d2/', 'logs/', 'logs/empty/', 'views/'].sort());
    // A folder's entry comes before anything inside it.
    const order = [...entries.keys()];
    for (const name of order) {
      const parent = name.replace(/\/$/, '').split('/').slice(0, -1).join('/');
      if (parent) expect(order.indexOf(`${parent}/`), name).to.be.lessThan(order.indexOf(name));
    }
    expect(await fs.stat(path.join(dir, 'old')).then(() => 'exists', (e: NodeJS.ErrnoException) => e.code)).to.equal('ENOENT');
  });

  it('a folder it cannot read fails the archive: no archive, no partial file, the folder kept', async () => {
    await fs.mkdir(path.join(dir, 'old', 'bin', 'locked'), { recursive: true });
    for (let i = 0; i < 40; i++) await fs.writeFile(path.join(dir, 'old', 'bin', `f${i}.dll`), `file ${i}`);
    await fs.writeFile(path.join(dir, 'old', 'bin', 'locked', 'b.dll'), 'b');
    // The folder refuses to be listed (as a folder whose rights exclude us would; root reads anything).
    const readdir = fs.readdir;
    (fs as { readdir: unknown }).readdir = (async (folder: string, options: never) => {
      if (path.basename(folder) === 'locked') throw Object.assign(new Error(`EACCES: permission denied, scandir '${folder}'`), { code: 'EACCES', syscall: 'scandir', path: folder });
      return readdir(folder, options);
    }) as never;
    try {
      expect(await archive().then(() => 'archived', (e: NodeJS.ErrnoException) => e.code)).to.equal('EACCES');
    } finally {
      (fs as { readdir: unknown }).readdir = readdir;
    }
    expect(await fs.readdir(path.join(dir, 'backups'))).to.deep.equal([]);
    expect((await fs.stat(path.join(dir, 'old', 'bin', 'locked', 'b.dll'))).isFile()).to.equal(true);
  });

  /** A tree of 250 files in 3 folders (+ nested, empty folders): what it holds, by relative path. */
  const bigTree = async (root = path.join(dir, 'old')) => {
    const expected = new Map<string, string>();
    for (let i = 0; i < 250; i++) {
      const rel = `bin/d${i % 3}/f${i}.dll`;
      await fs.mkdir(path.dirname(path.join(root, rel)), { recursive: true });
      await fs.writeFile(path.join(root, rel), `file ${i}`);
      expected.set(rel, `file ${i}`);
    }
    await fs.mkdir(path.join(root, 'logs', 'empty'), { recursive: true });
    return expected;
  };

  /** What a restore does: every part, in the order their comments give, extracted into one tree. */
  async function restoreParts(first: string): Promise<{ files: Map<string, string>; folders: string[]; parts: string[] }> {
    const files = new Map<string, string>();
    const folders: string[] = [];
    const parts: string[] = [];
    for (let part = 1, more = true; more; part++) {
      const file = backupPartPath(first, part);
      parts.push(path.basename(file));
      let comment = '';
      const entries = await entriesOf(file, (c) => { comment = c; });
      expect(entries.size, file).to.be.at.most(40);
      expect([backupPartComment(part, true), backupPartComment(part, false)]).to.include(comment);
      more = comment === backupPartComment(part, false);
      for (const [name, content] of entries) {
        if (name.endsWith('/')) folders.push(name);
        else { expect(files.has(name), `${name} in two parts`).to.equal(false); files.set(name, content); }
      }
    }
    return { files, folders, parts };
  }

  it('beyond its entries per archive, writes parts that together restore the whole tree, each naming whether another follows', async () => {
    const expected = await bigTree();
    const first = await archiveBackup({ folder: path.join(dir, 'old'), backupsDir: path.join(dir, 'backups'), module: 'ecommerce', instance: '', version: '25.9.12.3', id: '20261205T010203-abcdef', keep: 3, entriesPerArchive: 40 });
    expect(first).to.equal(path.join(dir, 'backups', 'ecommerce-25.9.12.3-20261205T010203-abcdef.zip'));
    const restored = await restoreParts(first!);
    // 250 files + 6 folders = 256 entries: 7 parts of at most 40.
    expect(restored.parts).to.deep.equal(['ecommerce-25.9.12.3-20261205T010203-abcdef.zip', ...[2, 3, 4, 5, 6, 7].map((n) => `ecommerce-25.9.12.3-20261205T010203-abcdef.part${n}.zip`)]);
    expect(restored.files).to.deep.equal(expected);
    expect(restored.folders.sort()).to.deep.equal(['bin/', 'bin/d0/', 'bin/d1/', 'bin/d2/', 'logs/', 'logs/empty/']);
    expect((await fs.readdir(path.join(dir, 'backups'))).sort()).to.deep.equal(restored.parts.slice().sort());
  });

  it('a compression cut short before its first part is in place leaves no backup: the next one removes its parts and starts again', async () => {
    const expected = await bigTree();
    const backups = path.join(dir, 'backups');
    await fs.mkdir(backups, { recursive: true });
    // A crash between the renames of the parts (of a bigger tree then): later parts renamed, the first still partial.
    const base = 'ecommerce-25.9.12.3-20261205T010203-abcdef';
    for (const name of [`${base}.part2.zip`, `${base}.part3.zip.partial`, `${base}.part9.zip`, `${base}.zip.partial`]) await fs.writeFile(path.join(backups, name), 'stale');
    await fs.writeFile(path.join(backups, 'ecommerce-25.9.12.3-20261205T010203-abcdee.part2.zip'), 'another backup');
    const first = await archiveBackup({ folder: path.join(dir, 'old'), backupsDir: backups, module: 'ecommerce', instance: '', version: '25.9.12.3', id: '20261205T010203-abcdef', keep: 3, entriesPerArchive: 40 });
    const restored = await restoreParts(first!);
    expect(restored.files).to.deep.equal(expected);
    expect((await fs.readdir(backups)).filter((n) => n.startsWith(base)).sort()).to.deep.equal(restored.parts.slice().sort());
    expect(await fs.readFile(path.join(backups, 'ecommerce-25.9.12.3-20261205T010203-abcdee.part2.zip'), 'utf8')).to.equal('another backup');
  });

  it('a failure in a later part removes every part written (the first one too) and keeps the folder', async () => {
    await bigTree();
    // The last folder walked refuses to be listed, after several parts were written.
    const readdir = fs.readdir;
    (fs as { readdir: unknown }).readdir = (async (folder: string, options: never) => {
      if (path.basename(folder) === 'd2') throw Object.assign(new Error(`EACCES: permission denied, scandir '${folder}'`), { code: 'EACCES', syscall: 'scandir', path: folder });
      return readdir(folder, options);
    }) as never;
    let result: string;
    try {
      result = await archiveBackup({ folder: path.join(dir, 'old'), backupsDir: path.join(dir, 'backups'), module: 'ecommerce', instance: '', version: '25.9.12.3', id: '20261205T010203-abcdef', keep: 3, entriesPerArchive: 40 })
        .then(() => 'archived', (e: NodeJS.ErrnoException) => e.code ?? e.message);
    } finally {
      (fs as { readdir: unknown }).readdir = readdir;
    }
    expect(result).to.equal('EACCES');
    expect(await fs.readdir(path.join(dir, 'backups'))).to.deep.equal([]);
    expect((await fs.stat(path.join(dir, 'old', 'bin', 'd0', 'f0.dll'))).isFile()).to.equal(true);
  });

  it('pruning keeps the newest backups whole: an older backup goes with all its parts', async () => {
    const backups = path.join(dir, 'backups');
    const ids = ['20261205T010203-aaaaaa', '20261205T020203-bbbbbb'];
    for (const id of ids) {
      await bigTree();
      await archiveBackup({ folder: path.join(dir, 'old'), backupsDir: backups, module: 'ecommerce', instance: '', version: '25.9.12.3', id, keep: 1, entriesPerArchive: 40 });
    }
    const left = (await fs.readdir(backups)).sort();
    expect(left.length).to.equal(7);
    expect(left.every((n) => n.includes(ids[1]))).to.equal(true);
    expect((await restoreParts(path.join(backups, `ecommerce-25.9.12.3-${ids[1]}.zip`))).files.size).to.equal(250);
  });

  it('reads part names as it writes them: part 1 is the archive, `.partial` while written, anything else is no part', () => {
    const archive = 'ecommerce[boutique]-25.9.12.3-20261205T010203-abcdef.zip';
    const base = 'ecommerce[boutique]-25.9.12.3-20261205T010203-abcdef';
    for (const part of [1, 2, 12]) {
      expect(backupPartOf(backupPartPath(archive, part))).to.deep.equal({ base, part, partial: false });
      expect(backupPartOf(`${backupPartPath(archive, part)}.partial`)).to.deep.equal({ base, part, partial: true });
    }
    for (const other of ['ecommerce-25.9.12.3.7z', 'notes.txt', 'x.zip.partial.old', '.zip']) expect(backupPartOf(other), other).to.equal(undefined);
  });

  it('pruning counts finished archives only: a compression in progress (its partial files) is neither a backup nor removed', async () => {
    const backups = path.join(dir, 'backups');
    await fs.mkdir(backups);
    const older = 'ecommerce-25.9.12.3-20261205T010203-aaaaaa';
    const newer = 'ecommerce-25.9.12.3-20261205T020203-bbbbbb';
    const writing = 'ecommerce-25.9.12.3-20261205T030203-cccccc';
    for (const name of [`${older}.zip`, `${older}.part2.zip`]) await fs.writeFile(path.join(backups, name), 'older');
    await fs.utimes(path.join(backups, `${older}.zip`), new Date(2026, 0, 1), new Date(2026, 0, 1));
    for (const name of [`${newer}.zip`, `${newer}.part2.zip`]) await fs.writeFile(path.join(backups, name), 'newer');
    for (const name of [`${writing}.zip.partial`, `${writing}.part2.zip.partial`]) await fs.writeFile(path.join(backups, name), 'in progress');
    expect(await pruneBackups(backups, 'ecommerce', '', 1)).to.deep.equal([`${older}.zip`]);
    expect((await fs.readdir(backups)).sort()).to.deep.equal([`${newer}.part2.zip`, `${newer}.zip`, `${writing}.part2.zip.partial`, `${writing}.zip.partial`]);
  });
});

// The backup archive written from a folder tree as the walk goes (archiveBackup): every file and
// folder in it, a root app_offline.htm left out, and a folder it cannot read fails the archive
// with nothing left behind (no archive, no partial file, the folder kept).
import { expect } from 'chai';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yauzl from 'yauzl';
import { archiveBackup } from '../../../src/install/backup';

async function entriesOf(zipFile: string): Promise<Map<string, string>> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) => yauzl.open(zipFile, { lazyEntries: true }, (e, z) => (e || !z ? reject(e) : resolve(z))));
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
});

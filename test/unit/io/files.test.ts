// Atomic writes leave no temporary file behind on any failure; sweeps remove our temporary files
// (by their name only) and nothing else; a refused write names the volume.
import { expect } from 'chai';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { diskErrorOr, isDiskError, volumeOf } from '../../../src/io/disk';
import { createExclusive } from '../../../src/io/exclusive-file';
import { isOurTempFile, sweepTempFiles, tempPathFor, writeFileAtomic } from '../../../src/io/files';

describe('io: atomic writes and our temporary files', () => {
  let dir: string;
  beforeEach(async () => { dir = await fs.mkdtemp(path.join(os.tmpdir(), 'io-test-')); });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  it('writes atomically and leaves only the file', async () => {
    await writeFileAtomic(path.join(dir, 'status.xml'), '<a/>');
    await writeFileAtomic(path.join(dir, 'status.xml'), '<b/>');
    expect(await fs.readdir(dir)).to.deep.equal(['status.xml']);
    expect(await fs.readFile(path.join(dir, 'status.xml'), 'utf8')).to.equal('<b/>');
  });

  it('a rename that fails removes the temporary file before throwing', async () => {
    // The target is a folder that is not empty: the rename cannot replace it.
    await fs.mkdir(path.join(dir, 'target', 'inside'), { recursive: true });
    const error = await writeFileAtomic(path.join(dir, 'target'), 'x').then(() => undefined, (e) => e);
    expect(error).to.be.instanceOf(Error);
    expect(await fs.readdir(dir)).to.deep.equal(['target']);
  });

  it('our temporary names, and only them, are recognised and swept', async () => {
    const ours = path.basename(tempPathFor(path.join(dir, 'app_offline.htm')));
    expect(ours).to.match(/^\.app_offline\.htm\.altazion-tmp-\d+-[0-9a-f]{12}$/);
    const legacy = `.app_offline.htm.${process.pid}.1733400000000.tmp`;
    const foreign = ['web.config', '.web.config.tmp', 'x.altazion-tmp-1-abc', '.cache', 'app_offline.htm', '.app.altazion-tmp-12-zz'];
    for (const name of [ours, legacy, ...foreign]) await fs.writeFile(path.join(dir, name), 'x');
    await fs.mkdir(path.join(dir, `.folder.altazion-tmp-1-0123456789ab`)); // a folder is never ours to remove
    expect([ours, legacy].every(isOurTempFile)).to.equal(true);
    expect(foreign.some(isOurTempFile)).to.equal(false);
    expect((await sweepTempFiles(dir)).sort()).to.deep.equal([ours, legacy].sort());
    expect((await fs.readdir(dir)).sort()).to.deep.equal([...foreign, '.folder.altazion-tmp-1-0123456789ab'].sort());
  });

  it('an exclusive create is all or nothing, and the second one is refused', async () => {
    const file = path.join(dir, 'install.lock');
    expect(await createExclusive(file, '{"a":1}')).to.equal(true);
    expect(await createExclusive(file, '{"b":2}')).to.equal(false);
    expect(await fs.readFile(file, 'utf8')).to.equal('{"a":1}');
    expect(await fs.readdir(dir)).to.deep.equal(['install.lock']);
  });
});

describe('io: a write the volume refuses', () => {
  it('names the volume: the drive or share on Windows, the mount point elsewhere', () => {
    expect(volumeOf('D:\\simplement-e\\app\\gestcom')).to.equal('D:\\');
    expect(volumeOf('\\\\srv\\share\\apps\\x')).to.equal('\\\\srv\\share\\');
    expect(volumeOf('/proc/self')).to.equal('/proc');
    expect(volumeOf('/')).to.equal('/');
  });

  it('ENOSPC, EDQUOT and EROFS become E_DISK_SPACE with the bytes needed; other errors pass through', async () => {
    const errno = (code: string, p: string) => Object.assign(new Error(`${code}: x`), { code, syscall: 'write', path: p });
    for (const [code, words] of [['ENOSPC', 'is full'], ['EDQUOT', 'is over your disk quota'], ['EROFS', 'is read-only']]) {
      const wrapped = { message: 'download failed', cause: errno(code, '/proc/x') };
      expect(isDiskError(wrapped)).to.equal(true);
      const mapped = (await diskErrorOr(wrapped, 'staging ecommerce', '/tmp', { under: '/proc/y', bytes: 123456 })) as { code: string; message: string; target: string };
      expect(mapped.code).to.equal('E_DISK_SPACE');
      expect(mapped.target).to.equal('/proc');
      expect(mapped.message).to.include(`the volume /proc ${words} (${code} writing /proc/x): staging ecommerce needs 123456 bytes`);
    }
    const other = errno('EACCES', '/tmp/x');
    expect(await diskErrorOr(other, 'x', '/tmp')).to.equal(other);
  });
});

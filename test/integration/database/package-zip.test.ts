// Database packages read from their zip (as `get`, `db` and install find them in the cache):
// deflated and stored entries, and zips that lie or are cut short.
import { expect } from 'chai';
import { promises as fs, createWriteStream } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yazl from 'yazl';
import type { AltazionError } from '../../../src/core/errors';
import { MANIFEST_FILE } from '../../../src/core/package-manifest';
import { openDatabasePackage } from '../../../src/database/package';
import { buildDatabasePackageFiles } from '../../../src/sandbox/database/fixtures';

const VERSION = '25.10.1.2';

/** Zips `files`; the .sql ones stored, the rest deflated (both methods occur in real packages). */
async function zipOf(file: string, files: Record<string, Buffer>): Promise<void> {
  const zip = new yazl.ZipFile();
  for (const [name, content] of Object.entries(files)) zip.addBuffer(content, name, { compress: !name.endsWith('.sql') });
  zip.end();
  await new Promise<void>((resolve, reject) => zip.outputStream.pipe(createWriteStream(file)).on('close', resolve).on('error', reject));
}

describe('database package zips', () => {
  let dir: string;
  const files = buildDatabasePackageFiles(VERSION);
  beforeEach(async () => { dir = await fs.mkdtemp(path.join(os.tmpdir(), 'altazion-dbzip-')); });
  afterEach(async () => { await fs.rm(dir, { recursive: true, force: true }); });

  it('reads every file, deflated or stored, byte for byte', async () => {
    const zip = path.join(dir, `database-${VERSION}.zip`);
    await zipOf(zip, files);
    const pkg = await openDatabasePackage(zip);
    expect(pkg.manifest.version).to.equal(VERSION);
    for (const [name, content] of Object.entries(files)) expect((await pkg.read(name))?.equals(content), name).to.equal(true);
    expect(await pkg.read('no/such/file.sql')).to.equal(undefined);
  });

  it('refuses a zip cut short, naming the file', async () => {
    const zip = path.join(dir, 'cut.zip');
    await zipOf(zip, files);
    const bytes = await fs.readFile(zip);
    await fs.writeFile(zip, bytes.subarray(0, bytes.length - 40));
    const err = await openDatabasePackage(zip).catch((e: AltazionError) => e) as AltazionError;
    expect(err.code).to.equal('E_PACKAGE_INVALID');
    expect(err.message).to.contain(zip).and.contain('not a readable zip');
  });

  it('refuses an entry that inflates to more than the zip declares (never inflating beyond it)', async () => {
    const zip = path.join(dir, 'lying.zip');
    await zipOf(zip, files);
    const bytes = await fs.readFile(zip);
    // Central directory record of the manifest (deflated): uncompressed size at offset 24, made 10.
    const name = Buffer.from(MANIFEST_FILE);
    let at = -1;
    for (let i = bytes.indexOf(0x02014b50 & 0xff); i >= 0; i = bytes.indexOf(0x50, i + 1)) {
      if (bytes.readUInt32LE(i) === 0x02014b50 && bytes.subarray(i + 46, i + 46 + name.length).equals(name)) { at = i; break; }
    }
    expect(at, 'central directory record of the manifest').to.be.greaterThan(0);
    bytes.writeUInt32LE(10, at + 24);
    await fs.writeFile(zip, bytes);
    const err = await openDatabasePackage(zip).catch((e: AltazionError) => e) as AltazionError;
    expect(err.code).to.equal('E_PACKAGE_INVALID');
    expect(err.message).to.contain(zip).and.contain(MANIFEST_FILE);
  });
});

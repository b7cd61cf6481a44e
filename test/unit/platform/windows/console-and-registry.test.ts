// What is still read from console programs on Windows, byte-exact: output in code page 850 (French
// servers) and reg.exe's answers (only an exit code and one ASCII value are read).
import { expect } from 'chai';
import { consoleDecoder, encodingForCodePage } from '../../../../src/platform/windows/console-text';
import { parseRegValue, probeHost, regExe, regQueryArgs, REGISTRY, type RegQuery } from '../../../../src/platform/windows/host-probe';

/** Bytes as a French Windows console writes them (cp850): é = 0x82, è = 0x8A, ï = 0x8B. */
const CP850 = {
  path: Buffer.from([0x44, 0x3a, 0x5c, 0x53, 0x69, 0x74, 0x65, 0x73, 0x5c, 0x50, 0x72, 0x82, 0x73, 0x65, 0x6e, 0x74, 0x61, 0x74, 0x69, 0x6f, 0x6e, 0x5c]),
  denied: Buffer.from([0x41, 0x63, 0x63, 0x8a, 0x73, 0x20, 0x72, 0x65, 0x66, 0x75, 0x73, 0x82, 0x2e]),
  system: Buffer.from([0x41, 0x55, 0x54, 0x4f, 0x52, 0x49, 0x54, 0x45, 0x20, 0x4e, 0x54, 0x5c, 0x53, 0x79, 0x73, 0x74, 0x8a, 0x6d, 0x65]),
};

describe('console output in the OEM code page', () => {
  it('decodes code page 850 byte for byte (paths, messages and account names with accents)', async () => {
    const decode = await consoleDecoder(850);
    expect(decode(CP850.path)).to.equal('D:\\Sites\\Présentation\\');
    expect(decode(CP850.denied)).to.equal('Accès refusé.');
    expect(decode(CP850.system)).to.equal('AUTORITE NT\\Système');
    // Read as UTF-8 (the old behaviour) the same bytes do not match: what this decoder is for.
    expect(CP850.path.toString('utf8')).to.not.equal('D:\\Sites\\Présentation\\');
    expect(CP850.denied.toString('utf8')).to.contain('\uFFFD');
  });

  it('honours the code page it is given, and BOMs over it', async () => {
    expect((await consoleDecoder(437))(Buffer.from([0x82]))).to.equal('é'); // same byte in 437
    expect((await consoleDecoder(1252))(Buffer.from([0xe9]))).to.equal('é');
    expect((await consoleDecoder(65001))(Buffer.from('Accès refusé', 'utf8'))).to.equal('Accès refusé');
    expect((await consoleDecoder(850))(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Système', 'utf16le')]))).to.equal('Système');
    expect((await consoleDecoder(850))(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('Système', 'utf8')]))).to.equal('Système');
    expect(encodingForCodePage(99999, () => false)).to.equal('utf8');
  });
});

describe('registry facts through reg.exe', () => {
  // As printed by reg.exe (Windows Server 2022, and Wine 8 for the code page).
  const NETFX = '\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v4\\Full\r\n    Release    REG_DWORD    0x82348\r\n\r\n';
  const OEMCP = '\r\nHKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\Nls\\CodePage\r\n    OEMCP    REG_SZ    850\r\n\r\n';

  it('reads one value of reg.exe\'s answer (DWORDs in hex), nothing localised', () => {
    expect(parseRegValue(NETFX, 'Release')).to.equal(0x82348);
    expect(parseRegValue(OEMCP, 'OEMCP')).to.equal('850');
    expect(parseRegValue(OEMCP, 'ACP')).to.equal(undefined);
    expect(parseRegValue('', 'Release')).to.equal(undefined);
    expect(regQueryArgs(REGISTRY.netfx.key, 'Release')).to.deep.equal(['query', 'HKLM\\SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v4\\Full', '/v', 'Release']);
    expect(regExe({ SystemRoot: 'C:\\WINDOWS\\' })).to.equal('C:\\WINDOWS\\System32\\reg.exe');
  });

  it('probes the .NET Framework, IIS and the OEM code page; missing keys (exit code 1) mean absent', async () => {
    const answers = (present: Record<string, string>): RegQuery => async (key) => (key in present ? { code: 0, stdout: present[key]! } : { code: 1, stdout: '' });
    expect(await probeHost(answers({ [REGISTRY.netfx.key]: NETFX, [REGISTRY.w3svc.key]: '    Start    REG_DWORD    0x2\r\n', [REGISTRY.codePage.key]: OEMCP })))
      .to.deep.equal({ netfxRelease: 533320, iisInstalled: true, oemCodePage: 850 });
    // Wine: no .NET Framework, no IIS, code page 437.
    expect(await probeHost(answers({ [REGISTRY.codePage.key]: OEMCP.replace('850', '437') }))).to.deep.equal({ iisInstalled: false, oemCodePage: 437 });
    expect(await probeHost(answers({}))).to.deep.equal({ iisInstalled: false, oemCodePage: 850 });
  });
});

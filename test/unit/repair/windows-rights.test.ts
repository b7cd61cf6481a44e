// icacls output parsing and command lines (src/platform/windows/rights.ts), on the display format
// Microsoft documents for icacls (ACE per line, inheritance and rights in parentheses).
import { expect } from 'chai';
import { canWriteFromAces, decodeOutput, grantArgs, grantPrincipal, icaclsExe, identityNames, parseIcaclsOutput } from '../../../src/platform/windows/rights';

const FOLDER = 'C:\\ProgramData\\CPoint\\[e]\\bin\\config';
// The default ProgramData ACL, inherited, plus an explicit grant to one pool.
const SAMPLE = [
  `${FOLDER} NT AUTHORITY\\SYSTEM:(I)(OI)(CI)(F)`,
  '                                     BUILTIN\\Administrators:(I)(OI)(CI)(F)',
  '                                     CREATOR OWNER:(I)(OI)(CI)(IO)(F)',
  '                                     BUILTIN\\Users:(I)(OI)(CI)(RX)',
  '                                     BUILTIN\\Users:(I)(CI)(WD,AD,WEA,WA)',
  '                                     IIS APPPOOL\\gestcom:(OI)(CI)(M)',
  '',
  'Successfully processed 1 files; Failed processing 0 files',
  '',
].join('\r\n');

describe('icacls (Windows folder rights)', () => {
  it('parses every ACE with its inheritance, rights, inherited and deny flags', () => {
    const aces = parseIcaclsOutput(SAMPLE, FOLDER);
    expect(aces.map((a) => a.principal)).to.deep.equal(['NT AUTHORITY\\SYSTEM', 'BUILTIN\\Administrators', 'CREATOR OWNER', 'BUILTIN\\Users', 'BUILTIN\\Users', 'IIS APPPOOL\\gestcom']);
    expect(aces[2]).to.deep.equal({ principal: 'CREATOR OWNER', deny: false, inherited: true, inheritance: ['OI', 'CI', 'IO'], rights: ['F'] });
    expect(aces[4].rights).to.deep.equal(['WD', 'AD', 'WEA', 'WA']);
    expect(aces[5]).to.deep.equal({ principal: 'IIS APPPOOL\\gestcom', deny: false, inherited: false, inheritance: ['OI', 'CI'], rights: ['M'] });
  });

  it('handles folder names with spaces and a trailing separator, and ignores the localised summary', () => {
    const folder = 'D:\\CPoint\\[e] - preprod\\bin\\config\\';
    const out = `D:\\CPoint\\[e] - preprod\\bin\\config AUTORITE NT\\Système:(OI)(CI)(F)\n                    Tout le monde:(OI)(CI)(M)\n\nFichiers correctement traités : 1 ; échec du traitement de 0 fichiers\n`;
    const aces = parseIcaclsOutput(out, folder);
    expect(aces.map((a) => [a.principal, a.rights.join()])).to.deep.equal([['AUTORITE NT\\Système', 'F'], ['Tout le monde', 'M']]);
  });

  it('an identity with (OI)(CI)(M) can write; case-insensitive names', () => {
    const aces = parseIcaclsOutput(SAMPLE, FOLDER);
    expect(canWriteFromAces(aces, 'IIS AppPool\\gestcom')).to.equal(true);
    expect(canWriteFromAces(aces, 'IIS AppPool\\ecommerce')).to.equal(false);
  });

  it('does not count BUILTIN\\Users for a service account (membership not resolved: conservative)', () => {
    const aces = parseIcaclsOutput(SAMPLE, FOLDER);
    expect(canWriteFromAces(aces, 'NT AUTHORITY\\NetworkService')).to.equal(false);
    expect(canWriteFromAces(aces, 'DOMAIN\\svc-altazion')).to.equal(false);
  });

  it('needs write on the folder itself and inherited to files; inherit-only or folder-only is not enough', () => {
    const only = (flags: string) => parseIcaclsOutput(`${FOLDER} DOMAIN\\svc:${flags}\n`, FOLDER);
    expect(canWriteFromAces(only('(OI)(CI)(IO)(M)'), 'DOMAIN\\svc')).to.equal(false); // not on the folder
    expect(canWriteFromAces(only('(CI)(WD,AD)'), 'DOMAIN\\svc')).to.equal(false); // cannot modify files
    expect(canWriteFromAces(only('(OI)(CI)(W)'), 'domain\\SVC')).to.equal(true);
    expect(canWriteFromAces(only('(OI)(CI)(F)'), 'DOMAIN\\svc')).to.equal(true);
    expect(canWriteFromAces(only('(OI)(CI)(RX)'), 'DOMAIN\\svc')).to.equal(false);
  });

  it('Everyone counts for anyone, IIS_IUSRS for pool identities only; a deny on write wins', () => {
    const everyone = parseIcaclsOutput(`${FOLDER} Everyone:(OI)(CI)(M)\n`, FOLDER);
    expect(canWriteFromAces(everyone, 'DOMAIN\\svc')).to.equal(true);
    const iusrs = parseIcaclsOutput(`${FOLDER} BUILTIN\\IIS_IUSRS:(OI)(CI)(M)\n`, FOLDER);
    expect(canWriteFromAces(iusrs, 'IIS AppPool\\gestcom')).to.equal(true);
    expect(canWriteFromAces(iusrs, 'DOMAIN\\svc')).to.equal(false);
    const denied = parseIcaclsOutput(`${FOLDER} IIS APPPOOL\\gestcom:(DENY)(W)\n  Everyone:(OI)(CI)(F)\n`, FOLDER);
    expect(denied[0]).to.include({ deny: true });
    expect(canWriteFromAces(denied, 'IIS AppPool\\gestcom')).to.equal(false);
  });

  it('recognises well-known service accounts under their aliases', () => {
    expect(identityNames('LocalSystem')).to.include('nt authority\\system');
    const aces = parseIcaclsOutput(`${FOLDER} NT AUTHORITY\\NETWORK SERVICE:(OI)(CI)(M)\n`, FOLDER);
    expect(canWriteFromAces(aces, 'NT AUTHORITY\\NetworkService')).to.equal(true);
    expect(canWriteFromAces(aces, 'NetworkService')).to.equal(true);
  });

  it('reads icacls output in UTF-16LE (with or without BOM) or UTF-8', () => {
    const le = Buffer.from(SAMPLE, 'utf16le');
    expect(decodeOutput(le)).to.equal(SAMPLE);
    expect(decodeOutput(Buffer.concat([Buffer.from([0xff, 0xfe]), le]))).to.equal(SAMPLE);
    expect(decodeOutput(Buffer.from(SAMPLE, 'utf8'))).to.equal(SAMPLE);
    expect(parseIcaclsOutput(decodeOutput(le), FOLDER)).to.have.length(6);
  });

  it('builds `icacls <folder> /grant <who>:(OI)(CI)M`, with SIDs for well-known accounts (names are localised)', () => {
    expect(grantArgs(FOLDER, 'IIS AppPool\\ecommerce')).to.deep.equal([FOLDER, '/grant', 'IIS AppPool\\ecommerce:(OI)(CI)M']);
    expect(grantArgs(FOLDER, 'NT AUTHORITY\\NetworkService')).to.deep.equal([FOLDER, '/grant', '*S-1-5-20:(OI)(CI)M']);
    expect(grantPrincipal('.\\svc-local')).to.equal('svc-local');
    expect(icaclsExe({ SystemRoot: 'C:\\WINDOWS' })).to.equal('C:\\WINDOWS\\System32\\icacls.exe');
  });
});

// What the SYSTEM service runs or trusts (src/security/trusted-paths.ts), and how hooks find their
// interpreter (src/install/hooks.ts), pure.
import { expect } from 'chai';
import path from 'node:path';
import { instanceLayout } from '../../../src/config/paths';
import { parseUpdaterConfig } from '../../../src/config/updater-config';
import { hookInterpreter, SANDBOX_POWERSHELL } from '../../../src/install/hooks';
import { adminOnlyAcl } from '../../../src/platform/windows/rights';
import { serviceFiles, trustedPaths } from '../../../src/security/trusted-paths';

describe('trusted paths and the hook interpreter', () => {
  it('lists bin\\updates (with the settings), the private portal folder, the interpreter and the service files', () => {
    const layout = instanceLayout('C:\\ProgramData\\CPoint\\[e]', path.win32);
    expect(layout.updaterConfig).to.equal('C:\\ProgramData\\CPoint\\[e]\\bin\\updates\\updater.config');
    expect(layout.legacyUpdaterConfig).to.equal('C:\\ProgramData\\CPoint\\[e]\\bin\\config\\updater.config');
    const list = trustedPaths({
      layout, pathApi: path.win32, interpreter: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
      serviceBinaryPath: '"C:\\Program Files\\Altazion\\Update\\AltazionUpdate.Service.exe" --root "C:\\ProgramData\\CPoint\\[e]"',
    });
    expect(list.map((e) => [e.path, e.fix, e.tree])).to.deep.equal([
      ['C:\\ProgramData\\CPoint\\[e]\\bin\\updates', 'restrict', true],
      ['C:\\ProgramData\\CPoint\\[e]\\bin\\updates\\portal', 'private', true],
      ['C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', 'check', false],
      ['C:\\Program Files\\Altazion\\Update\\AltazionUpdate.Service.exe', 'check', false],
      ['C:\\Program Files\\Altazion\\Update', 'check', false],
    ]);
    // Our own service host (issue 18's `service install`): its whole folder is ours, kept admin-only.
    const ours = trustedPaths({
      layout, pathApi: path.win32, interpreter: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
      serviceBinaryPath: '"C:\\Program Files\\Altazion\\Update\\AltazionUpdateService.exe" "C:\\ProgramData\\CPoint\\[e]"',
    });
    expect(ours.slice(3).map((e) => [e.path, e.fix, e.tree])).to.deep.equal([['C:\\Program Files\\Altazion\\Update', 'restrict', true]]);
  });

  it('finds the files a service command line runs (node and its script too)', () => {
    expect(serviceFiles('"/usr/bin/node" "/opt/au/altazion-update.cjs" service run --root "/x y"')).to.deep.equal(['/usr/bin/node', '/opt/au/altazion-update.cjs']);
    expect(serviceFiles('C:\\au\\altazion-update.exe service run')).to.deep.equal(['C:\\au\\altazion-update.exe']);
  });

  it('runs hooks with the system\'s Windows PowerShell by absolute path unless updater.config names another, absolute', () => {
    expect(hookInterpreter(undefined, 'windows', { SystemRoot: 'D:\\WINDOWS' })).to.equal('D:\\WINDOWS\\System32\\WindowsPowerShell\\v1.0\\powershell.exe');
    expect(hookInterpreter(undefined, 'sandbox', {})).to.equal(SANDBOX_POWERSHELL);
    const parse = (value: string) => parseUpdaterConfig(`<updater><install powershell="${value}"/></updater>`, 'C:\\u\\updater.config', 'C:\\u', path.win32);
    expect(parse('powershell.exe').install.powershell, 'the old default means the system\'s').to.equal(undefined);
    expect(parse('PowerShell').install.powershell).to.equal(undefined);
    expect(parse('C:\\Program Files\\PowerShell\\7\\pwsh.exe').install.powershell).to.equal('C:\\Program Files\\PowerShell\\7\\pwsh.exe');
    expect(() => parse('pwsh.exe')).to.throw(/C:\\u\\updater\.config: <install> @powershell: "pwsh\.exe" must be an absolute path/);
  });

  it('Windows: the admin-only DACL by SID (owner Administrators; SYSTEM and Administrators full control; local users read when they may)', () => {
    expect(adminOnlyAcl('C:\\x', true)).to.deep.equal({
      op: 'acl.setProtected', path: 'C:\\x', owner: 'S-1-5-32-544',
      grants: [{ sid: 'S-1-5-18', rights: 'FullControl' }, { sid: 'S-1-5-32-544', rights: 'FullControl' }, { sid: 'S-1-5-32-545', rights: 'ReadAndExecute' }],
    });
    expect(adminOnlyAcl('C:\\x\\portal', false).grants.map((g) => g.sid)).to.deep.equal(['S-1-5-18', 'S-1-5-32-544']);
  });
});

import { expect } from 'chai';
import path from 'node:path';
import { hookArguments, withTrailingSeparator } from '../../../src/install/hooks';

describe('hook command line and environment', () => {
  it('runs scripts as -File with no profile, non-interactive, execution policy bypassed', () => {
    expect(hookArguments('D:\\p\\bin\\updates\\scripts\\PREINSTALL_gestcom.ps1')).to.deep.equal(
      ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-File', 'D:\\p\\bin\\updates\\scripts\\PREINSTALL_gestcom.ps1']);
  });
  it('E_MODULE_PATH / E_BACKUP_PATH end with exactly one separator of the path flavour', () => {
    expect(withTrailingSeparator('D:\\simplement-e\\app\\gestcom', path.win32)).to.equal('D:\\simplement-e\\app\\gestcom\\');
    expect(withTrailingSeparator('D:\\simplement-e\\app\\gestcom\\', path.win32)).to.equal('D:\\simplement-e\\app\\gestcom\\');
    expect(withTrailingSeparator('/srv/apps/gestcom//', path.posix)).to.equal('/srv/apps/gestcom/');
  });
});

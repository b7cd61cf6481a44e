// Windows paths handled anywhere (issue 18): drive letters in any case, backslashes, UNC shares
// (\\server\share\...), trailing separators. What `get` and `install` compare module folders with.
import { expect } from 'chai';
import path from 'node:path';
import { parseApplicationsConfig } from '../../../src/config/applications';
import { instanceLayout, isInside, pathApiFor, samePath } from '../../../src/config/paths';
import { serviceExecutable } from '../../../src/discovery/discover';
import { withTrailingSeparator } from '../../../src/install/hooks';

describe('Windows paths: drive letters and UNC shares', () => {
  it('recognises Windows paths by drive letter, UNC prefix or backslash; the rest is POSIX', () => {
    for (const p of ['C:\\ProgramData\\CPoint\\[e]', 'd:/simplement-e/app', '\\\\srv01\\partage\\CPoint\\[e]', 'relative\\dir']) expect(pathApiFor(p), p).to.equal(path.win32);
    for (const p of ['/var/lib/CPoint/[e]', 'relative/dir']) expect(pathApiFor(p), p).to.equal(path.posix);
  });

  it('lays out an instance root on a UNC share with backslashes, keeping the \\\\server\\share prefix', () => {
    const layout = instanceLayout('\\\\srv01\\partage\\CPoint\\[e] - preprod');
    expect(layout.applicationsConfig).to.equal('\\\\srv01\\partage\\CPoint\\[e] - preprod\\bin\\config\\applicationspath.config');
    expect(layout.portalState).to.equal('\\\\srv01\\partage\\CPoint\\[e] - preprod\\bin\\updates\\portal.json');
    // The settings live in the admin-only bin\updates (issue 20); bin\config is where earlier versions kept them.
    expect(instanceLayout('C:\\ProgramData\\CPoint\\[e]').updaterConfig).to.equal('C:\\ProgramData\\CPoint\\[e]\\bin\\updates\\updater.config');
    expect(instanceLayout('C:\\ProgramData\\CPoint\\[e]').legacyUpdaterConfig).to.equal('C:\\ProgramData\\CPoint\\[e]\\bin\\config\\updater.config');
  });

  it('compares folders case- and separator-insensitively, drive letters and UNC servers included', () => {
    expect(samePath('D:\\Sites\\Présentation\\', 'd:/sites/présentation')).to.equal(true);
    expect(samePath('\\\\SRV01\\Partage\\apps\\ecommerce\\', '\\\\srv01\\partage\\APPS\\ecommerce')).to.equal(true);
    expect(samePath('\\\\srv01\\partage\\apps', '\\\\srv02\\partage\\apps')).to.equal(false);
    expect(samePath('C:\\apps\\x', 'D:\\apps\\x')).to.equal(false);
    // Inside: the folder itself or below it, never a sibling sharing a prefix.
    expect(isInside('\\\\srv01\\partage\\apps\\gestcom\\bin\\Gestcom.exe', '\\\\SRV01\\partage\\apps\\gestcom\\')).to.equal(true);
    expect(isInside('D:\\app\\gestcom2\\x.exe', 'D:\\app\\gestcom')).to.equal(false);
    expect(isInside('D:\\x.exe', 'd:\\')).to.equal(true);
  });

  it('finds a service\'s executable in its command line, quoted or not, on a drive or a share', () => {
    expect(serviceExecutable('"\\\\srv01\\partage\\apps\\logistique\\Altazion.Logistique.exe" -service')).to.equal('\\\\srv01\\partage\\apps\\logistique\\Altazion.Logistique.exe');
    expect(serviceExecutable('C:\\Program Files\\CPoint\\[e]\\logistique\\Logistique.exe /run')).to.equal('C:\\Program Files\\CPoint\\[e]\\logistique\\Logistique.exe');
    expect(serviceExecutable('"D:\\app\\svc.exe"')).to.equal('D:\\app\\svc.exe');
  });

  it('reads module folders on a share from applicationspath.config and gives hooks E_MODULE_PATH with one trailing backslash', () => {
    const [entry] = parseApplicationsConfig('<applications><application name="ecommerce" path="\\\\srv01\\partage\\ecommerce\\" /></applications>', 'applicationspath.config');
    expect(entry!.path).to.equal('\\\\srv01\\partage\\ecommerce\\');
    expect(withTrailingSeparator(entry!.path, path.win32)).to.equal('\\\\srv01\\partage\\ecommerce\\');
    expect(withTrailingSeparator('\\\\srv01\\partage\\ecommerce', path.win32)).to.equal('\\\\srv01\\partage\\ecommerce\\');
  });
});

// Admin-only rights on Windows (src/platform/windows/rights.ts) through the bridge protocol, against
// an in-memory NTFS over a real folder tree (test/helpers/fake-ntfs-bridge.ts): who else can change
// or read a path, by SID; restrictToAdministrators' protected DACL and the reset below it (private
// subfolders kept, links never changed through, refusals named); canWrite on a file or a folder.
import { expect } from 'chai';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ADMIN_SIDS, isAdminOnly, othersAccessFrom } from '../../../../src/platform/rights';
import { isBelow, planReset, type WindowsRights } from '../../../../src/platform/windows/rights';
import { ace, FakeNtfs, PROGRAMDATA_ACL, PROGRAMFILES_ACL, RIGHTS, SID } from '../../../helpers/fake-ntfs-bridge';

describe('admin-only rights on Windows, through the bridge (fake NTFS)', () => {
  let tmp: string;
  let programData: string;
  let updates: string;
  let ntfs: FakeNtfs;
  let rights: WindowsRights;

  beforeEach(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'altazion-ntfs-'));
    programData = path.join(tmp, 'ProgramData');
    updates = path.join(programData, 'CPoint', '[e]', 'bin', 'updates');
    for (const dir of ['scripts', 'cache', 'portal', 'evil/inner']) await fs.mkdir(path.join(updates, dir), { recursive: true });
    await fs.mkdir(path.join(tmp, 'Program Files', 'PowerShell'), { recursive: true });
    for (const file of ['scripts/PREINSTALL_ecommerce.ps1', 'cache/a.zip', 'portal/token.json', 'evil/inner/x.ps1', 'status.xml']) await fs.writeFile(path.join(updates, file), '');
    await fs.writeFile(path.join(tmp, 'Program Files', 'PowerShell', 'pwsh.exe'), '');
    ntfs = new FakeNtfs({ [programData]: PROGRAMDATA_ACL, [path.join(tmp, 'Program Files')]: PROGRAMFILES_ACL });
    rights = ntfs.platform().rights as WindowsRights;
  });
  afterEach(() => fs.rm(tmp, { recursive: true, force: true }));

  it('names who else than Administrators, SYSTEM and TrustedInstaller can change or read a path, by SID', async () => {
    // ProgramData's inheritance: local users may create files in any folder, and own what they create.
    ntfs.set(path.join(updates, 'scripts', 'PREINSTALL_ecommerce.ps1'), { owner: SID.user });
    expect((await rights.othersAccess(updates)).write.map((p) => p.sid)).to.deep.equal([SID.users]);
    const script = await rights.othersAccess(path.join(updates, 'scripts', 'PREINSTALL_ecommerce.ps1'));
    expect(script.write.map((p) => p.sid), 'its owner (and CREATOR OWNER made it full control)').to.deep.equal([SID.user]);
    expect(script.read.map((p) => p.sid)).to.have.members([SID.user, SID.users]);
    // The system's interpreter: owned by TrustedInstaller, users read and execute: nobody else writes.
    const pwsh = path.join(tmp, 'Program Files', 'PowerShell', 'pwsh.exe');
    ntfs.set(pwsh, { owner: SID.trustedInstaller });
    expect(await rights.othersAccess(pwsh)).to.deep.equal({ write: [], read: [{ sid: SID.users }] });
    // A deny entry takes the right away; a path that does not exist has nobody.
    ntfs.set(path.join(updates, 'cache'), { explicit: [ace(SID.pool, RIGHTS.Modify), ace(SID.pool, RIGHTS.Modify, { allow: false })] });
    expect((await rights.othersAccess(path.join(updates, 'cache'))).write.map((p) => p.sid)).to.deep.equal([SID.users]);
    expect(await rights.othersAccess(path.join(updates, 'nothing-here'))).to.deep.equal({ write: [], read: [] });
  });

  it('restrictToAdministrators: a protected DACL, then what lies below reset to inherit it, private subfolders kept, links untouched; one bridge request per step', async () => {
    ntfs.set(path.join(updates, 'scripts', 'PREINSTALL_ecommerce.ps1'), { owner: SID.user });
    ntfs.set(path.join(updates, 'cache'), { explicit: [ace(SID.pool, RIGHTS.Modify)] });
    ntfs.set(path.join(updates, 'portal'), { protected: true, explicit: [ace(SID.system, RIGHTS.FullControl), ace(SID.administrators, RIGHTS.FullControl)] });
    ntfs.set(path.join(updates, 'portal', 'token.json'), { owner: SID.system });
    // A folder someone protected for themselves: protected is not enough to be kept.
    ntfs.set(path.join(updates, 'evil'), { owner: SID.administrators, protected: true, explicit: [ace(SID.user, RIGHTS.FullControl), ace(SID.administrators, RIGHTS.FullControl)] });
    // A junction to a folder elsewhere: changing its rights would change the target's.
    const outside = path.join(tmp, 'elsewhere');
    await fs.mkdir(outside);
    await fs.symlink(outside, path.join(updates, 'scripts', 'link'));

    ntfs.requests = 0;
    await rights.restrictToAdministrators(updates, { othersMayRead: true });
    expect(ntfs.calls[0]).to.deep.equal({
      op: 'acl.setProtected', path: updates, owner: SID.administrators,
      grants: [{ sid: SID.system, rights: 'FullControl' }, { sid: SID.administrators, rights: 'FullControl' }, { sid: SID.users, rights: 'ReadAndExecute' }],
    });
    expect(ntfs.requests, 'set, read everything below, reset').to.equal(3);
    const reset = ntfs.calls.filter((c) => c.op === 'acl.inherit');
    expect(reset.map((c) => path.relative(updates, String(c.path))).sort()).to.deep.equal(['cache', 'evil', path.join('scripts', 'PREINSTALL_ecommerce.ps1')]);
    expect(reset.every((c) => c.owner === SID.administrators)).to.equal(true);
    expect(ntfs.calls.some((c) => String(c.path).startsWith(path.join(updates, 'portal'))  && c.op !== 'acl.read'), 'the private folder is left as it is').to.equal(false);
    expect(ntfs.calls.some((c) => String(c.path).includes('link') || String(c.path).startsWith(outside)), 'the link is never read nor changed through').to.equal(false);

    for (const p of [updates, 'scripts', 'scripts/PREINSTALL_ecommerce.ps1', 'cache', 'cache/a.zip', 'evil', 'evil/inner', 'evil/inner/x.ps1', 'status.xml'].map((x) => path.resolve(updates, x))) {
      expect((await rights.othersAccess(p)).write, p).to.deep.equal([]);
    }
    expect(await rights.othersAccess(path.join(updates, 'portal', 'token.json')), 'still private').to.deep.equal({ write: [], read: [] });
    expect((await rights.othersAccess(path.join(updates, 'status.xml'))).read.map((p) => p.sid), 'local users may read the rest').to.deep.equal([SID.users]);

    // Nothing left to reset the second time.
    ntfs.calls.length = 0;
    await rights.restrictToAdministrators(updates, { othersMayRead: true });
    expect(ntfs.calls.filter((c) => c.op === 'acl.inherit')).to.deep.equal([]);
  });

  it('restrictToAdministrators names what it could not reset, after resetting the rest; a missing path is nothing to do', async () => {
    ntfs.set(path.join(updates, 'cache'), { explicit: [ace(SID.pool, RIGHTS.Modify)] });
    ntfs.set(path.join(updates, 'status.xml'), { owner: SID.user });
    ntfs.refuse.add(path.join(updates, 'cache'));
    const error = await rights.restrictToAdministrators(updates, { othersMayRead: true }).then(() => undefined, (e: Error & { code: string; hint: string }) => e);
    expect(error?.code).to.equal('E_PLATFORM');
    expect(error?.message).to.contain(`cannot make everything below ${updates} admin-only: ${path.join(updates, 'cache')}:`).and.contain('Accès refusé.');
    expect(error?.hint).to.contain('takeown');
    expect((await rights.othersAccess(path.join(updates, 'status.xml'))).write).to.deep.equal([]);
    ntfs.calls.length = 0;
    await rights.restrictToAdministrators(path.join(updates, 'not-there'), { othersMayRead: false });
    expect(ntfs.calls.map((c) => c.op)).to.deep.equal(['acl.setProtected']);
  });

  it('canWrite judges a file by its own entries, a folder by entries reaching its files too', async () => {
    const config = path.join(programData, 'CPoint', '[e]', 'bin', 'config');
    await fs.mkdir(config, { recursive: true });
    const file = path.join(config, 'applicationspath.config');
    await fs.writeFile(file, '<applications/>');
    expect(await rights.canWrite(SID.pool, file)).to.equal(false);
    await rights.grantModify(SID.pool, file);
    expect(ntfs.calls.at(-1)).to.deep.equal({ op: 'acl.grant', path: file, sid: SID.pool, rights: 'Modify' });
    expect(await rights.canWrite(SID.pool, file), 'Modify on the file itself').to.equal(true);
    expect(await rights.canWrite(SID.pool, config), 'not on the folder').to.equal(false);
  });

  it('pure decisions: admin SIDs, what is admin-only, what a reset touches', () => {
    expect(ADMIN_SIDS).to.deep.equal([SID.administrators, SID.system, SID.trustedInstaller]);
    const entry = (sid: string, rights: number, inherited = true) => ({ ...ace(sid, rights), inherited });
    const adminOnly: { owner: { sid: string }; protected: boolean; entries: Array<ReturnType<typeof entry>> } = { owner: { sid: SID.administrators }, protected: true, entries: [entry(SID.system, RIGHTS.FullControl, false), entry(SID.users, RIGHTS.ReadAndExecute, false)] };
    expect(isAdminOnly(adminOnly)).to.equal(true);
    expect(isAdminOnly({ ...adminOnly, owner: { sid: SID.user } }), 'another owner').to.equal(false);
    expect(isAdminOnly({ ...adminOnly, protected: false }), 'inherits').to.equal(false);
    expect(othersAccessFrom({ owner: { sid: SID.user, name: 'SRV01\\marie' }, entries: [entry(SID.user, RIGHTS.Modify)] })).to.deep.equal({
      write: [{ sid: SID.user, name: 'SRV01\\marie' }], read: [{ sid: SID.user, name: 'SRV01\\marie' }],
    });
    const acl = (a: Partial<typeof adminOnly>) => ({ path: '', writers: [], ...adminOnly, ...a });
    const plan = planReset([
      { path: '/u/a', link: false, acl: acl({ protected: false, entries: [entry(SID.system, RIGHTS.FullControl)] }) },
      { path: '/u/b', link: false, acl: acl({ protected: false, entries: [entry(SID.pool, RIGHTS.Modify, false)] }) },
      { path: '/u/p', link: false, acl: acl({}) },
      { path: '/u/p/x', link: false, acl: acl({ protected: false, owner: { sid: SID.user }, entries: [] }) },
      { path: '/u/pp', link: false, acl: acl({ protected: false, owner: { sid: SID.user }, entries: [] }) },
      { path: '/u/l', link: true },
      { path: '/u/gone', link: false },
    ]);
    expect(plan).to.deep.equal({ reset: ['/u/b', '/u/pp'], kept: ['/u/p'], links: ['/u/l'] });
    expect(isBelow('/u/p/x', '/u/p')).to.equal(true);
    expect(isBelow('/u/pp', '/u/p')).to.equal(false);
    expect(isBelow('C:\\u\\p\\x', 'C:\\u\\p')).to.equal(true);
  });
});

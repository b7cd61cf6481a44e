// The sandbox's folder rights (src/platform/sandbox/rights.ts): real owner and mode bits against the
// administrators its state names, simulated grants to module identities, protection.
import { expect } from 'chai';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { posixOthersAccess, restrictedMode, SandboxRights, simulatedGrants } from '../../../../src/platform/sandbox/rights';
import { emptySandboxState, writeSandboxState, type SandboxState } from '../../../../src/platform/sandbox/state';

const ADMINS = { uids: [0, 500], gids: [0] };

describe('sandbox folder rights', () => {
  it('counts another owner, another group\'s write bit and the others\' write bit as non-administrators', () => {
    const ids = (s: { uid: number; gid: number; mode: number }) => posixOthersAccess(s, ADMINS).write.map((p) => p.sid);
    expect(ids({ uid: 0, gid: 0, mode: 0o100755 })).to.deep.equal([]);
    expect(ids({ uid: 500, gid: 0, mode: 0o100775 }), 'admin group may write').to.deep.equal([]);
    expect(ids({ uid: 1000, gid: 0, mode: 0o100644 })).to.deep.equal(['uid:1000']);
    expect(ids({ uid: 0, gid: 100, mode: 0o100664 })).to.deep.equal(['gid:100']);
    expect(ids({ uid: 0, gid: 100, mode: 0o100644 }), 'group may only read').to.deep.equal([]);
    expect(ids({ uid: 0, gid: 0, mode: 0o40777 })).to.deep.equal(['other']);
    expect(posixOthersAccess({ uid: 0, gid: 100, mode: 0o100640 }, ADMINS).read.map((p) => p.sid)).to.deep.equal(['gid:100']);
    expect(posixOthersAccess({ uid: 0, gid: 0, mode: 0o100600 }, ADMINS).read).to.deep.equal([]);
  });

  it('restricts modes: nobody else writes; others keep at most what they could read', () => {
    expect(restrictedMode(0o777, true, true).toString(8)).to.equal('755');
    expect(restrictedMode(0o700, true, true).toString(8), 'a private folder stays private').to.equal('700');
    expect(restrictedMode(0o777, true, false).toString(8)).to.equal('700');
    expect(restrictedMode(0o666, false, true).toString(8)).to.equal('644');
    expect(restrictedMode(0o775, false, true).toString(8)).to.equal('755');
    expect(restrictedMode(0o600, false, true).toString(8)).to.equal('600');
    expect(restrictedMode(0o444, false, false).toString(8)).to.equal('600');
  });

  it('module identities inherit grants down the tree until a protected path', () => {
    const state: SandboxState = { ...emptySandboxState(), rights: { '/r/bin/config': ['IIS AppPool\\a'], '/r/bin': ['Everyone'] }, protectedPaths: ['/r/bin/updates'] };
    expect(simulatedGrants(state, '/r/bin/config/applicationspath.config')).to.deep.equal(['IIS AppPool\\a', 'Everyone']);
    expect(simulatedGrants(state, '/r/bin/updates/updater.config')).to.deep.equal([]);
    expect(simulatedGrants(state, '/r/bin/logs/x.log')).to.deep.equal(['Everyone']);
  });

  it('reads the simulated grants as an ACL by SID (Modify, inherited below the grant, not past a protected path)', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'altazion-rights-acl-'));
    try {
      const state: SandboxState = { ...emptySandboxState('SRV'), rights: { '/srv/bin/config': ['IIS AppPool\\gestcom'] }, protectedPaths: ['/srv/bin/config/private'] };
      const stateFile = path.join(dir, 'state.json');
      await writeSandboxState(stateFile, state);
      const rights = new SandboxRights(stateFile);
      const here = await rights.readAcl('/srv/bin/config');
      expect(here.entries).to.deep.equal([{ sid: 'IIS AppPool\\gestcom', name: 'IIS AppPool\\gestcom', allow: true, rights: 0x301bf, inherited: false, containerInherit: true, objectInherit: true, inheritOnly: false }]);
      expect(here.writers).to.deep.equal([{ sid: 'IIS AppPool\\gestcom', name: 'IIS AppPool\\gestcom' }]);
      expect((await rights.readAcl('/srv/bin/config/applicationspath.config')).entries[0]).to.include({ inherited: true });
      expect(await rights.readAcl('/srv/bin/config/private/x')).to.deep.include({ entries: [], writers: [] });
      expect((await rights.readAcl('/srv/bin/config/private')).protected).to.equal(true);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('restrictToAdministrators chowns and chmods the whole tree, drops grants below and stops inheritance', async function () {
    if (process.getuid?.() !== 0) this.skip(); // giving files to another account takes root (CI runs as root)
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'altazion-rights-'));
    try {
      const stateFile = path.join(dir, 'state.json');
      const target = path.join(dir, 'updates');
      await fs.mkdir(path.join(target, 'scripts'), { recursive: true });
      await fs.writeFile(path.join(target, 'scripts', 'x.ps1'), 'x');
      await fs.chmod(path.join(target, 'scripts', 'x.ps1'), 0o666);
      await fs.chown(path.join(target, 'scripts', 'x.ps1'), 1000, 1000);
      await fs.chmod(path.join(target, 'scripts'), 0o777);
      await writeSandboxState(stateFile, { ...emptySandboxState(), administrators: { uids: [0], gids: [0] }, rights: { [dir]: ['IIS AppPool\\a'], [path.join(target, 'scripts')]: ['DOMAIN\\svc'] } });
      const rights = new SandboxRights(stateFile);
      const before = await rights.othersAccess(path.join(target, 'scripts', 'x.ps1'));
      expect(before.write.map((w) => w.sid)).to.have.members(['uid:1000', 'gid:1000', 'other', 'IIS AppPool\\a', 'DOMAIN\\svc']);
      await rights.restrictToAdministrators(target, { othersMayRead: true });
      for (const p of [target, path.join(target, 'scripts'), path.join(target, 'scripts', 'x.ps1')]) {
        expect((await rights.othersAccess(p)).write, p).to.deep.equal([]);
        expect((await fs.stat(p)).uid).to.equal(process.getuid!());
      }
      expect(await rights.canWrite('IIS AppPool\\a', path.join(target, 'scripts')), 'no longer inherited').to.equal(false);
      expect(await rights.canWrite('IIS AppPool\\a', path.join(dir, 'other')), 'still granted elsewhere').to.equal(true);
      await rights.restrictToAdministrators(path.join(target, 'scripts'), { othersMayRead: false });
      expect((await rights.othersAccess(path.join(target, 'scripts', 'x.ps1'))).read).to.deep.equal([]);
      // A missing path is nothing to restrict; reading who may access it answers nobody.
      await rights.restrictToAdministrators(path.join(dir, 'missing'), { othersMayRead: true });
      expect(await rights.othersAccess(path.join(dir, 'missing'))).to.deep.equal({ write: [], read: [] });
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});

// Pure ACL decisions (src/platform/rights.ts) and the Windows adapters' mapping of the bridge's
// answers: decisions on SIDs only, whatever language the account names are in.
import { expect } from 'chai';
import { canWriteFolder, knownGroupSids, wellKnownSid, WELL_KNOWN_SIDS, writersOf } from '../../../src/platform/rights';
import type { AclEntry } from '../../../src/platform/types';
import { aclFrom } from '../../../src/platform/windows/rights';
import { holdersFrom } from '../../../src/platform/windows/locks';
import { serviceFrom } from '../../../src/platform/windows/services';
import { poolIdentity, poolState, urlFromBinding } from '../../../src/platform/windows/iis';

const FULL = 0x1f01ff, MODIFY = 0x301bf, READ_EXECUTE = 0x1200a9;
const entry = (sid: string, rights: number, extra: Partial<AclEntry> = {}): AclEntry =>
  ({ sid, allow: true, rights, inherited: false, containerInherit: true, objectInherit: true, inheritOnly: false, ...extra });

describe('ACL decisions by SID', () => {
  it('lists who can write the path itself: not read-only entries, not inherit-only ones, not fully denied SIDs', () => {
    const entries = [
      entry(WELL_KNOWN_SIDS.system, FULL, { name: 'AUTORITE NT\\Système' }),
      entry(WELL_KNOWN_SIDS.administrators, FULL),
      entry(WELL_KNOWN_SIDS.users, READ_EXECUTE),
      entry('S-1-3-0', 0x10000000, { inheritOnly: true }), // CREATOR OWNER: children only
      entry('S-1-5-82-1', MODIFY), // IIS AppPool\gestcom
      entry('S-1-5-21-1-2-3-1001', MODIFY),
      entry('S-1-5-21-1-2-3-1001', MODIFY, { allow: false }),
    ];
    expect(writersOf(entries)).to.deep.equal([
      { sid: 'S-1-5-18', name: 'AUTORITE NT\\Système' },
      { sid: 'S-1-5-32-544' },
      { sid: 'S-1-5-82-1' },
    ]);
  });

  it('decides whether an identity (or a group known to hold it) can create and modify files', () => {
    const pool = 'S-1-5-82-1';
    expect(canWriteFolder([entry(pool, MODIFY)], [pool])).to.equal(true);
    expect(canWriteFolder([entry(pool, MODIFY, { objectInherit: false })], [pool])).to.equal(false); // files not covered
    expect(canWriteFolder([entry(pool, MODIFY), entry(pool, 0x2, { allow: false })], [pool])).to.equal(false);
    expect(canWriteFolder([entry(WELL_KNOWN_SIDS.iisUsers, MODIFY)], [pool, ...knownGroupSids('IIS AppPool\\gestcom')])).to.equal(true);
    expect(canWriteFolder([entry(WELL_KNOWN_SIDS.users, MODIFY)], [pool, ...knownGroupSids('IIS AppPool\\gestcom')])).to.equal(false);
    expect(canWriteFolder([entry(WELL_KNOWN_SIDS.users, READ_EXECUTE)], [WELL_KNOWN_SIDS.users])).to.equal(false);
  });

  it('knows the service accounts by the names the SCM reports, and leaves the others to the bridge', () => {
    expect(wellKnownSid('LocalSystem')).to.equal('S-1-5-18');
    expect(wellKnownSid('NT AUTHORITY\\NetworkService')).to.equal('S-1-5-20');
    expect(wellKnownSid('NT AUTHORITY\\LOCAL SERVICE')).to.equal('S-1-5-19');
    expect(wellKnownSid('s-1-5-82-1')).to.equal('S-1-5-82-1');
    expect(wellKnownSid('AUTORITE NT\\Système')).to.equal(undefined); // a localised name: resolved by Windows, never guessed
    expect(knownGroupSids('DOMAIN\\svc')).to.deep.equal(['S-1-1-0']);
  });
});

describe('the Windows adapters read the bridge\'s answers', () => {
  it('ACLs, lock holders, services and pools', () => {
    const acl = aclFrom({ path: 'D:\\Sites\\Présentation\\', owner: { sid: 'S-1-5-32-544', name: 'BUILTIN\\Administrateurs' }, protected: true,
      entries: [{ ...entry('S-1-5-18', FULL), name: 'AUTORITE NT\\Système' }, { ...entry('S-1-5-21-9', READ_EXECUTE), name: null as unknown as string }] });
    expect(acl.owner).to.deep.equal({ sid: 'S-1-5-32-544', name: 'BUILTIN\\Administrateurs' });
    expect(acl.entries[1]).to.not.have.property('name');
    expect(acl.writers).to.deep.equal([{ sid: 'S-1-5-18', name: 'AUTORITE NT\\Système' }]);

    expect(holdersFrom([
      { pid: 4242, image: 'explorer.exe', user: 'SRV01\\admin', path: 'D:\\app\\gestcom' },
      { pid: 4242, image: 'explorer.exe', user: 'SRV01\\admin', path: 'D:\\APP\\gestcom' },
      { pid: 7, image: '', user: '', path: 'D:\\app\\api' },
      { pid: 0, image: 'System Idle', user: '', path: 'x' },
    ])).to.deep.equal([
      { pid: 4242, image: 'explorer.exe', user: 'SRV01\\admin', path: 'D:\\app\\gestcom' },
      { pid: 7, image: 'pid 7', user: 'unknown user', path: 'D:\\app\\api' },
    ]);

    expect(serviceFrom({ name: 'EMainServer', displayName: '[e] - Serveur principal', state: 'Running', startMode: 'AutomaticDelayed', binaryPath: 'D:\\simplement-e\\EMainServer.exe', account: 'LocalSystem' }))
      .to.deep.equal({ name: 'EMainServer', displayName: '[e] - Serveur principal', state: 'Running', startMode: 'AutomaticDelayed', binaryPath: 'D:\\simplement-e\\EMainServer.exe', account: 'LocalSystem' });
    expect(serviceFrom({ name: 'x', displayName: '', state: 'Weird', startMode: 'Unknown', binaryPath: '', account: '' })).to.include({ displayName: 'x', state: 'Unknown', startMode: 'Manual' });

    expect(poolState('Stopped')).to.equal('Stopped');
    expect(poolState('stopping')).to.equal('Stopping');
    expect(poolState(undefined)).to.equal('Unknown');
    expect(poolIdentity('gestcom', 'ApplicationPoolIdentity', '')).to.equal('IIS AppPool\\gestcom');
    expect(poolIdentity('api', 'SpecificUser', 'DOM\\svc-api')).to.equal('DOM\\svc-api');
    expect(poolIdentity('api', 'NetworkService', null)).to.equal('NT AUTHORITY\\NETWORK SERVICE');
    expect(urlFromBinding('http', '*:80:', '/gestcom')).to.equal('http://localhost/gestcom');
    expect(urlFromBinding('https', '10.0.0.5:8443:shop.example', '/')).to.equal('https://shop.example:8443/');
    expect(urlFromBinding('net.tcp', '808:*', '/')).to.equal(undefined);
  });
});

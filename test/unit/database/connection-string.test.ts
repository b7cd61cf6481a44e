import { expect } from 'chai';
import { ConnectionStringError, describeConnection, parseConnectionString, redactConnectionString } from '../../../src/database/sqlserver/connection-string';
import { toMssqlConfig } from '../../../src/database/sqlserver/mssql-config';

describe('database/connection-string', () => {
  it('reads a SQL login with instance, quoted password and synonyms', () => {
    const c = parseConnectionString(`Data Source=SQL01\\ALTAZION;Initial Catalog=Equihira;User ID=altazion;Password="p@ss;w""rd";Connect Timeout=30;Application Name=Office`);
    expect(c).to.deep.include({ host: 'SQL01', instanceName: 'ALTAZION', database: 'Equihira', user: 'altazion', password: 'p@ss;w"rd', integratedSecurity: false, connectTimeout: 30_000, applicationName: 'Office' });
    const cfg = toMssqlConfig(c);
    expect(cfg).to.deep.include({ server: 'SQL01', database: 'Equihira', user: 'altazion', password: 'p@ss;w"rd', connectionTimeout: 30_000 });
    expect(cfg.options).to.deep.include({ instanceName: 'ALTAZION', encrypt: false, trustServerCertificate: false, appName: 'Office' });
  });

  it('lets an explicit port win over the instance name, and knows tcp:, . and (local)', () => {
    const c = parseConnectionString('Server=tcp:sql.example.local\\INST,1533;Database=E;UID=u;PWD=x');
    expect(c).to.deep.include({ host: 'sql.example.local', instanceName: 'INST', port: 1533 });
    const cfg = toMssqlConfig(c);
    expect(cfg.port).to.equal(1533);
    expect(cfg.options.instanceName).to.equal(undefined);
    expect(parseConnectionString('Server=.;Database=E;Integrated Security=SSPI').host).to.equal('localhost');
    expect(parseConnectionString('Server=(local)\\SQLEXPRESS;Integrated Security=true').host).to.equal('localhost');
  });

  it('reads integrated security (SSPI, true, yes, Trusted_Connection) and drops any user/password', () => {
    for (const v of ['SSPI', 'true', 'Yes', 'TRUE']) {
      const c = parseConnectionString(`server=sql;database=E;integrated security=${v};User ID=ignored;Password=ignored`);
      expect(c.integratedSecurity, v).to.equal(true);
      expect(c.user).to.equal(undefined);
      expect(toMssqlConfig(c).options.trustedConnection).to.equal(true);
      expect(toMssqlConfig(c).password).to.equal(undefined);
    }
    expect(parseConnectionString('Server=sql;Trusted_Connection=yes').integratedSecurity).to.equal(true);
  });

  it('reads Encrypt and TrustServerCertificate, quoted values with ; inside, {braces}', () => {
    const c = parseConnectionString("Server=sql;Database='my;db';User Id=u;Password={a;b};Encrypt=True;TrustServerCertificate=yes");
    expect(c).to.deep.include({ database: 'my;db', password: 'a;b', encrypt: true, trustServerCertificate: true });
    expect(parseConnectionString('Server=sql;User ID=u;Encrypt=Strict').encrypt).to.equal('strict');
    // An unquoted ; ends the value (as in ADO.NET): what follows is a key without a value.
    expect(() => parseConnectionString('Server=sql;User ID=u;Password=a;;b;Database=E')).to.throw(ConnectionStringError, /key "b" has no value/);
    expect(parseConnectionString("Server=sql;User Id=u;Password='it''s'").password).to.equal("it's");
  });

  it('rejects bad strings naming the key, never the password', () => {
    const bad: Array<[string, RegExp]> = [
      ['Database=E;User ID=u', /no "Server"/],
      ['Server=sql;Database=E', /neither "User ID" nor "Integrated Security/],
      ['Server=sql,99999;User ID=u', /invalid port "99999"/],
      ['Server=sql;User ID=u;Encrypt=maybe', /"encrypt" has an invalid value "maybe"/],
      ['Server=sql;User ID=u;Connect Timeout=soon', /"connect timeout" must be a number/],
      ['Server=sql;User ID=u;Password="secret', /value of "Password" has no closing "/],
      ['Server=np:\\\\.\\pipe\\sql;User ID=u', /protocol other than TCP/],
      ['Server=(localdb)\\v11;Integrated Security=true', /LocalDB/],
      ['Server=sql;User ID', /key "User ID" has no value/],
    ];
    for (const [text, re] of bad) {
      expect(() => parseConnectionString(text), text).to.throw(ConnectionStringError, re);
    }
    try { parseConnectionString('Server=sql;User ID=u;Password="hunter2'); } catch (e) { expect((e as Error).message).not.to.contain('hunter2'); }
  });

  it('redacts passwords in logs, parseable or not', () => {
    expect(redactConnectionString('Server=sql;User ID=u;Password="s3cr;et";Database=E')).to.equal('server=sql;user id=u;password=***;database=E');
    expect(redactConnectionString('Server=sql;PWD=abc')).to.not.contain('abc');
    expect(redactConnectionString('Server=sql;Password="unterminated;pwd=zzz')).to.not.match(/unterminated|zzz/);
    expect(describeConnection(parseConnectionString('Server=sql\\I;Database=E;User ID=sa;Password=topsecret'))).to.equal('sql\\I / E (SQL login sa)');
  });

  it('refuses options that would make the updater do something else, naming the key', () => {
    const bad: Array<[string, RegExp]> = [
      ['Server=sql;User ID=u;ApplicationIntent=ReadOnly', /"applicationintent=ReadOnly" cannot be used to update a database/],
      ['Server=sql;Authentication=Active Directory Interactive', /"authentication=Active Directory Interactive" is not supported/],
      ['Server=sql;User ID=u;Column Encryption Setting=Enabled', /Always Encrypted\) is not supported/],
      ['Server=sql;User ID=u;Network Library=dbnmpntw', /is not TCP/],
      ['Server=sql;User ID=u;User Instance=true', /"user instance=true" is not supported/],
      ['Server=sql;User ID=u;AttachDbFilename=C:\\data\\x.mdf', /attaching a database file\) is not supported/],
      ['Server=sql;User ID=u;Packet Size=big', /"packet size" must be a number of bytes/],
    ];
    for (const [text, re] of bad) expect(() => parseConnectionString(text), text).to.throw(ConnectionStringError, re);
  });

  it('honours Current Language, Packet Size, MultiSubnetFailover and Workstation ID, and notes what it ignores', () => {
    const c = parseConnectionString('Server=sql;User ID=u;Password=p;Current Language=Français;Packet Size=8192;MultiSubnetFailover=True;WSID=srv1;Pooling=false;Max Pool Size=50;Failover Partner=sql2;Frobnicate=1');
    expect(c).to.deep.include({ language: 'Français', packetSize: 8192, multiSubnetFailover: true, workstationId: 'srv1' });
    expect(c.notHonoured).to.deep.equal([
      '"pooling" is ignored (a client-side option of ADO.NET; the updater opens its own connections)',
      '"max pool size" is ignored (a client-side option of ADO.NET; the updater opens its own connections)',
      '"frobnicate" is not a connection option the updater knows: ignored',
      '"failover partner" is not honoured: the updater connects to sql only (no mirroring failover)',
    ]);
    const cfg = toMssqlConfig(c);
    expect(cfg.options).to.deep.include({ language: 'Français', packetSize: 8192, multiSubnetFailover: true, workstationId: 'srv1' });
    expect(parseConnectionString('Server=sql;User ID=u').notHonoured).to.deep.equal([]);
  });

  it('knows the sandbox database of a sandbox server', () => {
    const c = parseConnectionString('Data Source=(sandbox);Initial Catalog=Equihira;AttachDbFilename=/tmp/x/database');
    expect(c).to.deep.include({ sandbox: true, attachDbFilename: '/tmp/x/database', database: 'Equihira' });
  });
});

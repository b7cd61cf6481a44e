import { expect } from 'chai';
import { ConnectionStringError, describeConnection, parseConnectionString, redactConnectionString, toMssqlConfig } from '../../../src/database/connection-string';

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

  it('reads Encrypt and TrustServerCertificate, single quotes and ;; escapes', () => {
    const c = parseConnectionString("Server=sql;Database='my;db';User Id=u;Password=a;;b;Encrypt=True;TrustServerCertificate=yes");
    expect(c).to.deep.include({ database: 'my;db', password: 'a;b', encrypt: true, trustServerCertificate: true });
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

  it('knows the sandbox database of a sandbox server', () => {
    const c = parseConnectionString('Data Source=(sandbox);Initial Catalog=Equihira;AttachDbFilename=/tmp/x/database');
    expect(c).to.deep.include({ sandbox: true, attachDbFilename: '/tmp/x/database', database: 'Equihira' });
  });
});

import { expect } from 'chai';
import path from 'node:path';
import { parseApplicationsConfig } from '../../../src/config/applications';
import { defaultConnection, parseConnectionsConfig } from '../../../src/config/connections';
import { parseStatusXml, renderStatusXml } from '../../../src/config/status';
import { parseUpdaterConfig, unknownSettingMessage } from '../../../src/config/updater-config';
import { textOf } from '../../../src/core/messages';
import { closestName, decodeText } from '../../../src/config/xml';

const APPS = `<?xml version="1.0"?>
<applications>
  <application name="gestioncommerciale" path="D:\\simplement-e\\app\\gestcom\\" />
  <Application NAME="Phygital" Path="D:\\app\\api\\" AppPool="api" />
  <application name="ecommerce" instance="preprod" path="D:\\preprod\\ecommerce\\" kind="web" />
  <application name="ecommerce" path="C:\\Program Files\\CPoint\\[e]\\ecommerce" />
</applications>`;

function utf16le(text: string): Buffer {
  return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
}
function utf16be(text: string): Buffer {
  const le = Buffer.from(text, 'utf16le');
  for (let i = 0; i < le.length; i += 2) [le[i], le[i + 1]] = [le[i + 1], le[i]];
  return Buffer.concat([Buffer.from([0xfe, 0xff]), le]);
}

describe('applicationspath.config', () => {
  it('reads entries with case-insensitive names, aliases and several instances', () => {
    const entries = parseApplicationsConfig(APPS, 'applicationspath.config');
    expect(entries.map((e) => [e.name, e.instance, e.path])).to.deep.equal([
      ['gestioncommerciale', '', 'D:\\simplement-e\\app\\gestcom\\'],
      ['phygitalapi', '', 'D:\\app\\api\\'],
      ['ecommerce', 'preprod', 'D:\\preprod\\ecommerce\\'],
      ['ecommerce', '', 'C:\\Program Files\\CPoint\\[e]\\ecommerce'],
    ]);
    expect(entries[1].appPool).to.equal('api');
    expect(entries[2].kind).to.equal('web');
  });
  it('reads UTF-8 with BOM, UTF-16 LE and BE with BOM', () => {
    const expected = parseApplicationsConfig(APPS, 'a');
    expect(parseApplicationsConfig(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(APPS)]), 'a')).to.deep.equal(expected);
    expect(parseApplicationsConfig(utf16le(APPS), 'a')).to.deep.equal(expected);
    expect(parseApplicationsConfig(utf16be(APPS), 'a')).to.deep.equal(expected);
    expect(decodeText(utf16le('é'))).to.equal('é');
  });
  it('reads UTF-16 without a BOM too (XML 1.0 appendix F: the first character tells), not as NUL-riddled UTF-8', () => {
    const expected = parseApplicationsConfig(APPS, 'a');
    expect(parseApplicationsConfig(utf16le(APPS).subarray(2), 'a')).to.deep.equal(expected);
    expect(parseApplicationsConfig(utf16be(APPS).subarray(2), 'a')).to.deep.equal(expected);
    expect(decodeText(Buffer.from('\n<a/>', 'utf16le'))).to.equal('\n<a/>');
    expect(decodeText(Buffer.from('<a>é</a>'))).to.equal('<a>é</a>');
  });
  it('names the file and the field when something is wrong', () => {
    expect(() => parseApplicationsConfig('<applications><application path="x"/></applications>', 'C:\\cfg\\applicationspath.config'))
      .to.throw(/C:\\cfg\\applicationspath.config: <application> #1 @name: required attribute/);
    expect(() => parseApplicationsConfig('<applications><application name="ecommerce" path="x" kind="mobile"/></applications>', 'f'))
      .to.throw(/f: <application> #1 \(ecommerce\) @kind: "mobile" is not one of web, service, database/);
    expect(() => parseApplicationsConfig('<applications><application name="a" path="x"', 'f')).to.throw(/f: line 1: not well-formed XML/);
    expect(() => parseApplicationsConfig('<apps/>', 'f')).to.throw(/f: <applications>: root element missing \(found <apps>\)/);
    expect(() => parseApplicationsConfig('', 'f')).to.throw(/f: \(document\): the file is empty/);
    expect(() => parseApplicationsConfig('<applications><application name="ecommerce" path="D:\\a\\"/><application name="Ecommerce" path="\\\\srv\\b"/></applications>', 'f'))
      .to.throw(/declared twice/);
    expect(() => parseApplicationsConfig('<applications><application name="ecommerce" path="app\\ecommerce\\"/></applications>', 'f'))
      .to.throw(/f: <application> #1 \(ecommerce\) @path: "app\\ecommerce\\" is not an absolute path/);
  });
});

describe('cpointsoftware.config', () => {
  it('finds the default connection, marked or named Equihira', () => {
    const xml = `<configuration><connections>
      <Connection name='Faneon' connectionString='Server=a;Database=f' />
      <Connection name='Equihira' default='true' connectionString='Server=a;Database=e;Integrated Security=SSPI' />
    </connections></configuration>`;
    const entries = parseConnectionsConfig(xml, 'c');
    expect(entries).to.have.length(2);
    expect(defaultConnection(entries, 'c').connectionString).to.contain('Database=e');
    const unmarked = parseConnectionsConfig(`<c><Connection name='equihira' connectionString='x'/></c>`, 'c');
    expect(defaultConnection(unmarked, 'c').name).to.equal('equihira');
    expect(() => defaultConnection([], 'c')).to.throw(/c: <Connection default="true">: no default connection/);
    expect(() => parseConnectionsConfig(`<c><Connection name='x' default='maybe' connectionString='x'/></c>`, 'c')).to.throw(/@default: "maybe" is not a boolean/);
  });
});

describe('updater.config', () => {
  const parse = (xml: string) => parseUpdaterConfig(xml, 'updater.config', '/srv/root/bin/config', path.posix);
  it('reads every setting and resolves relative paths against the config folder', () => {
    const config = parse(`<updater>
      <feed location="../../feed" /><trustedKey id="k1" publicKey="AAAA" />
      <check intervalMinutes="30" /><portal port="9090" fallbackPort="9091" /><proxy url="http://proxy:3128" />
      <host kind="sandbox" state="../../host/state.json" />
      <install keepBackups="5" lockWaitSeconds="10"><preserve pattern="custom/*.xml" /></install>
    </updater>`);
    expect(config.feedLocation).to.equal('/srv/root/feed');
    expect(config.trustedKeys).to.deep.equal([{ id: 'k1', publicKey: 'AAAA' }]);
    expect(config.checkIntervalMinutes).to.equal(30);
    expect(config.portalPort).to.equal(9090);
    expect(config.portalFallbackPort).to.equal(9091);
    expect(config.proxy).to.equal('http://proxy:3128');
    expect(config.hostKind).to.equal('sandbox');
    expect(config.hostState).to.equal('/srv/root/host/state.json');
    expect(config.install.keepBackups).to.equal(5);
    expect(config.install.preserve).to.deep.equal(['e.config', 'custom/*.xml']);
  });
  it('defaults: the portal on 8080 (the seed\'s URL), falling back to 8081 when 8080 is taken', () => {
    expect(parse('<updater />')).to.include({ portalPort: 8080, portalFallbackPort: 8081 });
    expect(parse('<updater><portal port="9000" /></updater>')).to.include({ portalPort: 9000, portalFallbackPort: 8081 });
  });
  it('keeps URLs and UNC paths as they are', () => {
    expect(parse('<updater><feed location="https://updates.example/feed/"/></updater>').feedLocation).to.equal('https://updates.example/feed/');
    const unc = parseUpdaterConfig('<updater><feed location="\\\\srv\\share\\feed"/></updater>', 'u', 'C:\\cfg', path.win32);
    expect(unc.feedLocation).to.equal('\\\\srv\\share\\feed');
  });
  it('rejects bad values naming the field', () => {
    expect(() => parse('<updater><portal port="http"/></updater>')).to.throw(/updater.config: <portal> @port: "http" is not a whole number/);
    expect(() => parse('<updater><portal port="70000"/></updater>')).to.throw(/<portal> @port: 70000 is not a TCP port/);
    expect(() => parse('<updater><portal fallbackPort="70000"/></updater>')).to.throw(/updater.config: <portal> @fallbackPort: 70000 is not a TCP port/);
    expect(() => parse('<updater><portal fallbackPort="0"/></updater>')).to.throw(/<portal> @fallbackPort: 0 is below the minimum 1/);
    expect(() => parse('<updater><portal port="8080" fallbackPort="8080"/></updater>')).to.throw(/<portal> @fallbackPort: 8080 is the same as @port/);
    expect(() => parse('<updater><feed location="ftp://x/"/></updater>')).to.throw(/<feed> @location: "ftp:\/\/x\/": only http\(s\)/);
    expect(() => parse('<updater><host kind="linux"/></updater>')).to.throw(/<host> @kind: "linux" is not windows or sandbox/);
    expect(() => parse('<updater><trustedKey id="a"/></updater>')).to.throw(/<trustedKey> #1 \(a\) @publicKey/);
    expect(() => parse('<updater><install><preserve pattern="../x"/></install></updater>')).to.throw(/must be relative/);
  });
});

describe('updater.config: names this version does not know', () => {
  const parse = (xml: string) => parseUpdaterConfig(xml, 'updater.config', '/srv/root/bin/config', path.posix);
  const FULL = `<?xml version="1.0"?>
<updater xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <feed location="https://updates.example/feed/" /><trustedKey id="k1" publicKey="AAAA" />
  <check intervalMinutes="30" /><portal port="9090" fallbackPort="9091" /><proxy url="http://proxy:3128" />
  <host kind="windows" />
  <install keepBackups="5" backups="folder" lockWaitSeconds="10" minFreeMegabytes="100" powershell="/opt/pwsh/pwsh"><preserve pattern="custom/*.xml" /></install>
  <database backup="copy-only" backupFolder="D:\\SQLBackups" />
  <maintenance><window days="saturday" start="02:00" end="05:00" /><window day="sunday" start="02:00" end="05:00" /><autoInstall module="ecommerce" /></maintenance>
  <notifications language="en" on="updatesFound">
    <email host="smtp.example" port="587" security="starttls" user="u" password="p" from="a@example" to="b@example" />
    <webhook url="https://hooks.example/x" />
  </notifications>
</updater>`;

  it('a file with every documented setting (any case) has none', () => {
    expect(parse(FULL).unknown).to.deep.equal([]);
    expect(parse(FULL.replace('keepBackups', 'KEEPBACKUPS').replace('<check ', '<Check ')).unknown).to.deep.equal([]);
    expect(parse('<updater><feed><location>D:\\feed</location></feed><proxy><url>http://p:1</url></proxy></updater>').unknown).to.deep.equal([]);
    expect(parse('<updater />').unknown).to.deep.equal([]);
  });

  it('names each unknown element and attribute once, where it sits, as written, with the closest known name', () => {
    const config = parse(`<updater>
      <chek intervalMinutes="30" />
      <install keepBackup="7" lockWaitSeconds="10"><preserve pattern="a" glob="b" /><preserve pattern="c" glob="d" /></install>
      <notification language="en" />
      <maintenance><window days="saturday" start="02:00" end="05:00" stop="06:00" /><autoinstall module="ecommerce" /></maintenance>
      <notifications><email host="h" from="a@b" to="c@d" pasword="x" /></notifications>
      <telemetry enabled="true" />
    </updater>`);
    expect(config.unknown).to.deep.equal([
      { where: '', kind: 'element', name: 'chek', suggestion: 'check' },
      { where: '<install>', kind: 'attribute', name: 'keepBackup', suggestion: 'keepBackups' },
      { where: '<install><preserve>', kind: 'attribute', name: 'glob' },
      { where: '', kind: 'element', name: 'notification', suggestion: 'notifications' },
      { where: '<maintenance><window>', kind: 'attribute', name: 'stop' },
      { where: '<notifications><email>', kind: 'attribute', name: 'pasword', suggestion: 'password' },
      { where: '', kind: 'element', name: 'telemetry' },
    ]);
    // Tolerant: everything else is read, the unknown ones fall back to the defaults.
    expect(config.install.keepBackups).to.equal(3);
    expect(config.install.lockWaitSeconds).to.equal(10);
    expect(config.checkIntervalMinutes).to.equal(240);
    expect(config.maintenance.modules).to.deep.equal(['ecommerce']);
    expect(config.notifications.email?.password).to.equal(undefined);
  });

  it('reads them from bytes too (UTF-16 with BOM), with the spelling of the file', () => {
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('<Updater><Install KeepBackup="2" /></Updater>', 'utf16le')]);
    expect(parseUpdaterConfig(bytes, 'u', '/c', path.posix).unknown).to.deep.equal([{ where: '<install>', kind: 'attribute', name: 'KeepBackup', suggestion: 'keepBackups' }]);
  });

  it('words the warning with the file, the place, the name and the suggestion', () => {
    const [rootAttribute, attribute, element, plain] = parse('<updater version="2"><install keepBackup="1" /><notification /><telemetry /></updater>').unknown;
    expect(textOf(unknownSettingMessage('D:\\u\\updater.config', attribute!))).to.equal('D:\\u\\updater.config: <install> @keepBackup is not a setting of this version (did you mean keepBackups?); it is ignored');
    expect(textOf(unknownSettingMessage('updater.config', element!))).to.equal('updater.config: <notification> is not a setting of this version (did you mean <notifications>?); it is ignored');
    expect(textOf(unknownSettingMessage('updater.config', plain!))).to.equal('updater.config: <telemetry> is not a setting of this version; it is ignored');
    expect(textOf(unknownSettingMessage('updater.config', rootAttribute!))).to.equal('updater.config: <updater> @version is not a setting of this version; it is ignored');
  });

  it('a setting written as a child element where it is an attribute: says so', () => {
    const [unknown] = parse('<updater><install><KeepBackups>5</KeepBackups></install></updater>').unknown;
    expect(unknown).to.deep.equal({ where: '<install>', kind: 'element', name: 'KeepBackups', suggestion: 'keepBackups', suggestionIsAttribute: true });
    expect(textOf(unknownSettingMessage('updater.config', unknown!))).to.equal('updater.config: <install><KeepBackups> is not a setting of this version (did you mean <install keepBackups="...">?); it is ignored');
  });

  it('suggests only a near name (a typo), never any name', () => {
    expect(closestName('keepBackup', ['keepBackups', 'backups'])).to.equal('keepBackups');
    expect(closestName('chek', ['check', 'feed'])).to.equal('check');
    expect(closestName('ehco', ['echo'])).to.equal('echo');
    expect(closestName('colour', ['port', 'kind'])).to.equal(undefined);
    expect(closestName('x', ['port'])).to.equal(undefined);
  });
});

describe('status.xml', () => {
  it('round-trips what check writes', () => {
    const doc = {
      checkedAt: '2026-11-24T05:00:00.000Z', feed: 'http://127.0.0.1/', indexVersion: 7,
      modules: [{ name: 'ecommerce', kind: 'web', latestVersion: '25.10.1.2', publishedAt: '2026-11-20T00:00:00Z', downloaded: true, verified: true, sha256: 'ab'.repeat(32), size: 42, packageFile: 'ecommerce-25.10.1.2.zip', requires: { database: '25.10' } }],
    };
    expect(parseStatusXml(renderStatusXml(doc), 'status.xml')).to.deep.equal(doc);
  });
});

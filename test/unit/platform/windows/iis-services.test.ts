// The Windows IIS and service control, checked here on Microsoft's documented output shapes: the
// command lines built, the outputs parsed, and the edge-js -> appcmd fallback. The tool runner is
// replaced by a recorder (this test is the only place such a fake exists).
import { expect } from 'chai';
import { appcmdArgs, parseApplications, parseAppPools, urlFromBindings } from '../../../../src/platform/windows/appcmd-parse';
import { parseQc, parseQuery, scArgs } from '../../../../src/platform/windows/sc-parse';
import { WindowsIis } from '../../../../src/platform/windows/iis';
import { WindowsServices } from '../../../../src/platform/windows/services';
import type { ToolResult } from '../../../../src/platform/windows/exec';

const ENV = { windir: 'C:\\Windows', SystemDrive: 'C:' };

const APPS_XML = `<?xml version="1.0" encoding="UTF-8"?>
<appcmd>
    <APP APP.NAME="Default Web Site/" path="/" APPPOOL.NAME="DefaultAppPool" SITE.NAME="Default Web Site" />
    <APP APP.NAME="Default Web Site/gestcom" path="/gestcom" APPPOOL.NAME="gestcom" SITE.NAME="Default Web Site" />
    <APP APP.NAME="Boutique/" path="/" APPPOOL.NAME="ecommerce" SITE.NAME="Boutique" />
</appcmd>`;
const VDIRS_XML = `<?xml version="1.0" encoding="UTF-8"?>
<appcmd>
    <VDIR VDIR.NAME="Default Web Site/" APP.NAME="Default Web Site/" path="/" physicalPath="%SystemDrive%\\inetpub\\wwwroot" />
    <VDIR VDIR.NAME="Default Web Site/gestcom/" APP.NAME="Default Web Site/gestcom" path="/" physicalPath="D:\\simplement-e\\app\\gestcom" />
    <VDIR VDIR.NAME="Default Web Site/gestcom/images" APP.NAME="Default Web Site/gestcom" path="/images" physicalPath="E:\\images" />
    <VDIR VDIR.NAME="Boutique/" APP.NAME="Boutique/" path="/" physicalPath="C:\\Program Files\\CPoint\\[e]\\ecommerce" />
</appcmd>`;
const SITES_XML = `<?xml version="1.0" encoding="UTF-8"?>
<appcmd>
    <SITE SITE.NAME="Default Web Site" SITE.ID="1" bindings="net.tcp/808:*,http/*:80:" state="Started" />
    <SITE SITE.NAME="Boutique" SITE.ID="2" bindings="https/*:8443:shop.example.com" state="Started" />
</appcmd>`;
const POOLS_XML = `<?xml version="1.0" encoding="UTF-8"?>
<appcmd>
    <APPPOOL APPPOOL.NAME="DefaultAppPool" PipelineMode="Integrated" RuntimeVersion="v4.0" state="Started">
        <add name="DefaultAppPool" />
    </APPPOOL>
    <APPPOOL APPPOOL.NAME="gestcom" PipelineMode="Integrated" RuntimeVersion="v4.0" state="Stopped">
        <add name="gestcom" managedRuntimeVersion="v4.0">
            <processModel identityType="ApplicationPoolIdentity" />
        </add>
    </APPPOOL>
    <APPPOOL APPPOOL.NAME="ecommerce" PipelineMode="Integrated" RuntimeVersion="v4.0" state="Started">
        <add name="ecommerce"><processModel identityType="SpecificUser" userName="CORP\\svc-eshop" /></add>
    </APPPOOL>
</appcmd>`;

const SC_QUERYEX = `
SERVICE_NAME: EMainServer
DISPLAY_NAME: [e] - Serveur principal
        TYPE               : 10  WIN32_OWN_PROCESS
        STATE              : 4  RUNNING
                                (STOPPABLE, NOT_PAUSABLE, ACCEPTS_SHUTDOWN)
        WIN32_EXIT_CODE    : 0  (0x0)
        SERVICE_EXIT_CODE  : 0  (0x0)
        CHECKPOINT         : 0x0
        WAIT_HINT          : 0x0
        PID                : 4312
        FLAGS              :

SERVICE_NAME: AltazionLogistique
DISPLAY_NAME: Altazion - Logistique
        TYPE               : 10  WIN32_OWN_PROCESS
        STATE              : 1  STOPPED
        WIN32_EXIT_CODE    : 1077  (0x435)
        SERVICE_EXIT_CODE  : 0  (0x0)
        CHECKPOINT         : 0x0
        WAIT_HINT          : 0x0
        PID                : 0
        FLAGS              :
`;
const SC_QC_DELAYED = `[SC] QueryServiceConfig SUCCESS

SERVICE_NAME: EMainServer
        TYPE               : 10  WIN32_OWN_PROCESS
        START_TYPE         : 2   AUTO_START  (DELAYED)
        ERROR_CONTROL      : 1   NORMAL
        BINARY_PATH_NAME   : "C:\\Program Files\\CPoint\\[e]\\EMainServer.exe" -service
        LOAD_ORDER_GROUP   :
        TAG                : 0
        DISPLAY_NAME       : [e] - Serveur principal
        DEPENDENCIES       :
        SERVICE_START_NAME : LocalSystem
`;
const SC_QC_MANUAL = SC_QC_DELAYED.replace('EMainServer\n', 'AltazionLogistique\n').replace('2   AUTO_START  (DELAYED)', '3   DEMAND_START').replace('SERVICE_START_NAME : LocalSystem', 'SERVICE_START_NAME : NT AUTHORITY\\NetworkService');

describe('Windows: appcmd output and command lines', () => {
  it('joins applications with their root virtual directory, expands %vars%, builds a URL from the bindings', () => {
    const apps = parseApplications(APPS_XML, VDIRS_XML, SITES_XML, ENV);
    expect(apps).to.deep.equal([
      { site: 'Default Web Site', virtualPath: '/', physicalPath: 'C:\\inetpub\\wwwroot', appPool: 'DefaultAppPool', url: 'http://localhost/' },
      { site: 'Default Web Site', virtualPath: '/gestcom', physicalPath: 'D:\\simplement-e\\app\\gestcom', appPool: 'gestcom', url: 'http://localhost/gestcom' },
      { site: 'Boutique', virtualPath: '/', physicalPath: 'C:\\Program Files\\CPoint\\[e]\\ecommerce', appPool: 'ecommerce', url: 'https://shop.example.com:8443/' },
    ]);
  });
  it('reads pool states and identities', () => {
    expect(parseAppPools(POOLS_XML)).to.deep.equal([
      { name: 'DefaultAppPool', state: 'Started', identity: 'IIS AppPool\\DefaultAppPool' },
      { name: 'gestcom', state: 'Stopped', identity: 'IIS AppPool\\gestcom' },
      { name: 'ecommerce', state: 'Started', identity: 'CORP\\svc-eshop' },
    ]);
  });
  it('bindings without http(s) give no URL', () => {
    expect(urlFromBindings('net.tcp/808:*', '/')).to.equal(undefined);
    expect(urlFromBindings('http/10.0.0.5:8080:', '/x')).to.equal('http://10.0.0.5:8080/x');
  });
  it('command lines', () => {
    expect(appcmdArgs.stopPool('gestcom')).to.deep.equal(['stop', 'apppool', '/apppool.name:gestcom']);
    expect(appcmdArgs.startPool('my pool')).to.deep.equal(['start', 'apppool', '/apppool.name:my pool']);
    expect(appcmdArgs.listPools()).to.deep.equal(['list', 'apppool', '/config', '/xml']);
  });
});

describe('Windows: sc.exe output and command lines', () => {
  it('parses queryex blocks (state, pid, display name)', () => {
    expect(parseQuery(SC_QUERYEX)).to.deep.equal([
      { name: 'EMainServer', displayName: '[e] - Serveur principal', state: 'Running', pid: 4312 },
      { name: 'AltazionLogistique', displayName: 'Altazion - Logistique', state: 'Stopped' },
    ]);
  });
  it('parses qc, including Automatic (Delayed Start)', () => {
    expect(parseQc(SC_QC_DELAYED)).to.deep.equal({ name: 'EMainServer', startMode: 'AutomaticDelayed', binaryPath: '"C:\\Program Files\\CPoint\\[e]\\EMainServer.exe" -service', displayName: '[e] - Serveur principal', account: 'LocalSystem' });
    expect(parseQc(SC_QC_MANUAL)!.startMode).to.equal('Manual');
    expect(parseQc(SC_QC_DELAYED.replace('2   AUTO_START  (DELAYED)', '2   AUTO_START'))!.startMode).to.equal('Automatic');
    expect(parseQc(SC_QC_DELAYED.replace('2   AUTO_START  (DELAYED)', '4   DISABLED'))!.startMode).to.equal('Disabled');
  });
  it('command lines (option= value as two arguments)', () => {
    expect(scArgs.setStartMode('EMainServer', 'AutomaticDelayed')).to.deep.equal(['config', 'EMainServer', 'start=', 'delayed-auto']);
    expect(scArgs.queryAll()).to.deep.equal(['queryex', 'type=', 'service', 'state=', 'all']);
  });
});

function recorder(answers: (args: readonly string[]) => ToolResult) {
  const calls: string[] = [];
  const run = async (file: string, args: readonly string[]) => { calls.push(`${file} ${args.join(' ')}`); return answers(args); };
  return { calls, run };
}

describe('Windows: WindowsServices and WindowsIis over their tools', () => {
  it('services: get joins queryex and qc; stop of a stopped service (1062) is fine; unknown service is undefined', async () => {
    const { calls, run } = recorder((args) => {
      if (args[0] === 'queryex' && args[1] === 'Nope') return { code: 1060, stdout: '[SC] EnumQueryServicesStatus:OpenService FAILED 1060:', stderr: '' };
      if (args[0] === 'queryex') return { code: 0, stdout: SC_QUERYEX.split('\n\n')[0], stderr: '' };
      if (args[0] === 'qc') return { code: 0, stdout: SC_QC_DELAYED, stderr: '' };
      if (args[0] === 'stop') return { code: 1062, stdout: '[SC] ControlService FAILED 1062:\n\nThe service has not been started.', stderr: '' };
      return { code: 5, stdout: '[SC] OpenService FAILED 5:\n\nAccess is denied.', stderr: '' };
    });
    const services = new WindowsServices(ENV, run);
    const s = await services.get('EMainServer');
    expect(s).to.deep.include({ name: 'EMainServer', state: 'Running', startMode: 'AutomaticDelayed', account: 'LocalSystem' });
    expect(await services.get('Nope')).to.equal(undefined);
    await services.stop('EMainServer');
    const error = await services.start('EMainServer').then(() => undefined, (e) => e);
    expect(error.code).to.equal('E_PLATFORM');
    expect(error.message).to.include('Access is denied');
    expect(calls[0]).to.equal('C:\\Windows\\system32\\sc.exe queryex EMainServer');
  });

  it('iis: when edge-js cannot load, appcmd does the work', async () => {
    const { calls, run } = recorder((args) => {
      const key = args.join(' ');
      if (key === 'list app /xml') return { code: 0, stdout: APPS_XML, stderr: '' };
      if (key === 'list vdir /xml') return { code: 0, stdout: VDIRS_XML, stderr: '' };
      if (key === 'list site /xml') return { code: 0, stdout: SITES_XML, stderr: '' };
      if (key === 'list apppool /config /xml') return { code: 0, stdout: POOLS_XML, stderr: '' };
      return { code: 0, stdout: '"gestcom" successfully stopped', stderr: '' };
    });
    const iis = new WindowsIis(ENV, run, 'C:\\x\\altazion-update.exe', () => { throw new Error("Cannot find module 'C:\\x\\edge-js'"); });
    expect((await iis.listApplications()).map((a) => a.appPool)).to.deep.equal(['DefaultAppPool', 'gestcom', 'ecommerce']);
    expect(iis.edgeProblem).to.include('edge-js');
    await iis.stopPool('gestcom');
    expect(calls.at(-1)).to.equal('C:\\Windows\\system32\\inetsrv\\appcmd.exe stop apppool /apppool.name:gestcom');
  });

  it('iis: edge-js (ServerManager) is used when it loads', async () => {
    const seen: unknown[] = [];
    const iis = new WindowsIis(ENV, async () => { throw new Error('appcmd must not run'); }, 'C:\\x\\altazion-update.exe', () => async (input) => {
      seen.push(input);
      if (input.op === 'pools') return [{ name: 'gestcom', state: 'Started', identityType: 'ApplicationPoolIdentity', userName: '' }];
      if (input.op === 'apps') return [{ site: 'S', virtualPath: '/', physicalPath: 'D:\\a', appPool: 'gestcom', bindings: 'http/*:8080:' }];
      return 'ok';
    });
    expect(await iis.getPool('GESTCOM')).to.deep.equal({ name: 'gestcom', state: 'Started', identity: 'IIS AppPool\\gestcom' });
    expect((await iis.listApplications())[0].url).to.equal('http://localhost:8080/');
    await iis.startPool('gestcom');
    expect(seen.at(-1)).to.deep.equal({ op: 'start', name: 'gestcom' });
  });
});

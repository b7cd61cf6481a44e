// The TypeScript side of the Windows bridge, on fake transports: the protocol, one round trip per
// turn of the event loop, the choice of host (edge-js only as node.exe with the .NET Framework 4.5+),
// the fallback to Windows PowerShell, and clean errors when neither can run.
import { expect } from 'chai';
import { BridgeClient, edgeRefusal, type BridgeTransport } from '../../../../src/platform/windows/bridge-client';
import { BridgeCallError, BridgeUnavailableError, decodeAnswer, encodeRequest } from '../../../../src/platform/windows/bridge-protocol';
import type { HostProbe } from '../../../../src/platform/windows/host-probe';
import { EVENT_IDS } from '../../../../src/core/events';
import { WindowsPlatform } from '../../../../src/platform/windows';

const NODE = 'C:\\Program Files\\Altazion\\Update\\node.exe';
const WITH_NETFX: HostProbe = { netfxRelease: 528040, iisInstalled: true, oemCodePage: 850 };
const NO_NETFX: HostProbe = { iisInstalled: false, oemCodePage: 850 };

/** A transport answering each call with `answer(call)`, recording the requests. */
function fakeTransport(answer: (call: Record<string, unknown>) => { ok: boolean; value?: unknown; error?: unknown }) {
  const requests: Array<Array<Record<string, unknown>>> = [];
  const send: BridgeTransport = async (request) => {
    const parsed = JSON.parse(request) as { v: number; calls: Array<Record<string, unknown>> };
    expect(parsed.v).to.equal(1);
    requests.push(parsed.calls);
    return JSON.stringify({ v: 1, results: parsed.calls.map(answer) });
  };
  return { send, requests };
}

describe('Windows bridge client', () => {
  it('sends the calls of one turn of the event loop in one request, answers each in order', async () => {
    const edge = fakeTransport((call) => (call.op === 'nope' ? { ok: false, error: { code: 'UNKNOWN_OPERATION', message: "unknown bridge operation 'nope'" } } : { ok: true, value: `${String(call.op)}!` }));
    const client = new BridgeClient(async () => WITH_NETFX, { edge: () => edge.send, powershell: async () => { throw new Error('not used'); } }, NODE);
    const [a, b, c] = await Promise.allSettled([client.call({ op: 'services.list' }), client.call({ op: 'iis.list' }), client.call({ op: 'nope' }, 'target')]);
    expect(edge.requests).to.have.length(1);
    expect(edge.requests[0]!.map((x) => x.op)).to.deep.equal(['services.list', 'iis.list', 'nope']);
    expect(a).to.deep.equal({ status: 'fulfilled', value: 'services.list!' });
    expect(b).to.deep.equal({ status: 'fulfilled', value: 'iis.list!' });
    const error = (c as PromiseRejectedResult).reason as BridgeCallError;
    expect(error).to.be.instanceOf(BridgeCallError);
    expect(error.code).to.equal('E_PLATFORM');
    expect(error.message).to.equal("nope target: unknown bridge operation 'nope'");
    expect(client.hostName).to.equal('edge-js');
    await client.call({ op: 'host.info' });
    expect(edge.requests).to.have.length(2);
  });

  it('maps access denied to E_REQUIREMENT with the run-as-administrator hint, and names the Windows error', async () => {
    const ps = fakeTransport(() => ({ ok: false, error: { code: 'ACCESS_DENIED', message: 'Accès refusé.', win32: 5 } }));
    const client = new BridgeClient(async () => NO_NETFX, { edge: () => { throw new Error('must not load'); }, powershell: ps.send }, NODE);
    const error = await client.call({ op: 'services.stop', name: 'W3SVC' }, 'W3SVC').then(() => undefined, (e: BridgeCallError) => e);
    expect(error!.code).to.equal('E_REQUIREMENT');
    expect(error!.message).to.equal('services.stop W3SVC: Accès refusé. (Windows error 5)');
    expect(error!.hint).to.match(/administrator/);
  });

  it('loads edge-js only in node.exe with the .NET Framework 4.5 or later', () => {
    expect(edgeRefusal(NODE, WITH_NETFX)).to.equal(undefined);
    expect(edgeRefusal('C:\\x\\NODE.EXE', WITH_NETFX)).to.equal(undefined);
    expect(edgeRefusal('C:\\x\\altazion-update.exe', WITH_NETFX)).to.match(/altazion-update\.exe, not node\.exe/);
    expect(edgeRefusal(NODE, NO_NETFX)).to.equal('the .NET Framework 4.x is not installed');
    expect(edgeRefusal(NODE, { netfxRelease: 30319 })).to.match(/older than 4\.5/);
  });

  it('never loads edge-js without the .NET Framework: PowerShell answers', async () => {
    const ps = fakeTransport((call) => ({ ok: true, value: call.op }));
    let edgeLoads = 0;
    const client = new BridgeClient(async () => NO_NETFX, { edge: () => { edgeLoads++; throw new Error('aborts the process'); }, powershell: ps.send }, NODE);
    expect(await client.call({ op: 'host.info' })).to.equal('host.info');
    expect(edgeLoads).to.equal(0);
    expect(client.hostName).to.equal('Windows PowerShell 5.1');
    expect(client.edgeNotUsedBecause).to.equal('the .NET Framework 4.x is not installed');
  });

  it('falls back to PowerShell when edge-js cannot load, or loads but fails', async () => {
    const ps = fakeTransport((call) => ({ ok: true, value: call.op }));
    const noLoad = new BridgeClient(async () => WITH_NETFX, { edge: () => { throw new Error("Cannot find module 'edge-js'"); }, powershell: ps.send }, NODE);
    expect(await noLoad.call({ op: 'host.info' })).to.equal('host.info');
    expect(noLoad.edgeNotUsedBecause).to.equal("edge-js could not load: Cannot find module 'edge-js'");

    const failing = new BridgeClient(async () => WITH_NETFX, { edge: () => async () => { throw new Error('CLR could not start'); }, powershell: ps.send }, NODE);
    expect(await failing.call({ op: 'services.list' })).to.equal('services.list');
    expect(failing.hostName).to.equal('Windows PowerShell 5.1');
    expect(failing.edgeNotUsedBecause).to.equal('edge-js failed: CLR could not start');
  });

  it('reports a clean, named error when no host can run the bridge (no .NET, PowerShell absent or answering nothing)', async () => {
    const client = new BridgeClient(async () => NO_NETFX, {
      edge: () => { throw new Error('must not load'); },
      powershell: async () => { throw new Error('C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe exited with code 0 without an answer'); },
    }, NODE);
    const results = await Promise.allSettled([client.call({ op: 'services.list' }), client.call({ op: 'host.info' })]);
    for (const r of results) {
      const error = (r as PromiseRejectedResult).reason as BridgeUnavailableError;
      expect(error).to.be.instanceOf(BridgeUnavailableError);
      expect(error.code).to.equal('E_PLATFORM');
      expect(error.message).to.equal('the Windows bridge cannot run: the .NET Framework 4.x is not installed; C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe exited with code 0 without an answer');
      expect(error.hint).to.match(/\.NET Framework 4\.5\+.*Windows PowerShell 5\.1/);
    }
  });

  it('rejects answers that do not follow the protocol, naming the host', () => {
    expect(() => decodeAnswer('', 1, 'Windows PowerShell 5.1')).to.throw(BridgeUnavailableError, 'the Windows bridge (Windows PowerShell 5.1) did not answer in JSON (no output)');
    expect(() => decodeAnswer('Accès refusé', 1, 'x')).to.throw(/did not answer in JSON: Accès refusé/);
    expect(() => decodeAnswer('{"v":1,"results":[]}', 1, 'x')).to.throw(/protocol 1 with 0 results for 1 calls/);
    expect(() => decodeAnswer('{"v":1,"error":{"code":"HOST","message":"Could not load file AltazionBridge.dll"}}', 1, 'x')).to.throw(/refused the request: Could not load file AltazionBridge\.dll/);
    expect(decodeAnswer('\uFEFF{"v":1,"results":[{"ok":true,"value":3}]}', 1, 'x')).to.deep.equal([{ ok: true, value: 3 }]);
    expect(JSON.parse(encodeRequest([{ op: 'acl.read', path: 'D:\\Sites\\Présentation\\' }]))).to.deep.equal({ v: 1, calls: [{ op: 'acl.read', path: 'D:\\Sites\\Présentation\\' }] });
  });

  it('discovery asks IIS and the service manager in one round trip; without IIS it asks the services only', async () => {
    const answers: Record<string, unknown> = {
      'iis.list': { sites: [{ name: 'Default Web Site', bindings: [{ protocol: 'http', bindingInformation: '*:8081:' }] }], applications: [{ site: 'Default Web Site', virtualPath: '/gestcom', physicalPath: 'D:\\Sites\\Présentation\\', appPool: 'gestcom' }], pools: [{ name: 'gestcom', state: 'Started', identityType: 'ApplicationPoolIdentity', userName: '' }] },
      'services.list': [{ name: 'logistique', displayName: 'Logistique', state: 'Running', startMode: 'AutomaticDelayed', binaryPath: 'D:\\app\\logistique\\Logistique.exe', account: 'LocalSystem', pid: 42 }],
    };
    for (const iisInstalled of [true, false]) {
      const edge = fakeTransport((call) => ({ ok: true, value: answers[String(call.op)] }));
      const platform = new WindowsPlatform({}, 'SRV01', { execPath: NODE, probe: async () => ({ ...WITH_NETFX, iisInstalled }), hosts: { edge: () => edge.send, powershell: async () => { throw new Error('not used'); } } });
      const [apps, services] = await Promise.all([platform.iis.listApplications(), platform.services.list()]);
      expect(edge.requests, `iisInstalled=${iisInstalled}`).to.have.length(1);
      expect(edge.requests[0]!.map((c) => c.op)).to.have.members(iisInstalled ? ['iis.list', 'services.list'] : ['services.list']);
      expect(apps).to.deep.equal(iisInstalled ? [{ site: 'Default Web Site', virtualPath: '/gestcom', physicalPath: 'D:\\Sites\\Présentation\\', appPool: 'gestcom', url: 'http://localhost:8081/gestcom' }] : []);
      expect(services).to.deep.equal([{ name: 'logistique', displayName: 'Logistique', state: 'Running', startMode: 'AutomaticDelayed', binaryPath: 'D:\\app\\logistique\\Logistique.exe', account: 'LocalSystem' }]);
      expect(await platform.iis.installed()).to.equal(iisInstalled);
      if (!iisInstalled) {
        const refused = await platform.iis.stopPool('gestcom').then(() => undefined, (e: Error & { code: string }) => e);
        expect(refused!.code).to.equal('E_REQUIREMENT');
        expect(refused!.message).to.match(/IIS is not installed on this server \(no W3SVC service\)/);
      }
    }
  });

  it('host facts: elevation from the bridge (SYSTEM counts), the OEM code page from the registry, console text decoded with it; the event log through the bridge', async () => {
    // "Accès refusé." as a console writes it in code page 850 (è = 0x8A, é = 0x82); 0x82 is "é" in 437 too, 0x8A is "è".
    const cp850 = Buffer.from([0x41, 0x63, 0x63, 0x8a, 0x73, 0x20, 0x72, 0x65, 0x66, 0x75, 0x73, 0x82, 0x2e]);
    const seen: Array<Record<string, unknown>> = [];
    const platformWith = (oemCodePage: number, info: { elevated: boolean; system: boolean }) => {
      const edge = fakeTransport((call) => { seen.push(call); return { ok: true, value: call.op === 'host.info' ? info : true }; });
      return new WindowsPlatform({}, 'SRV01', { execPath: NODE, probe: async () => ({ ...WITH_NETFX, oemCodePage }), hosts: { edge: () => edge.send, powershell: async () => { throw new Error('not used'); } } });
    };
    const french = platformWith(850, { elevated: false, system: false });
    expect(await french.host()).to.deep.equal({ elevated: false, oemCodePage: 850 });
    expect(await french.decodeConsole(cp850)).to.equal('Accès refusé.');
    expect(await platformWith(850, { elevated: false, system: true }).host()).to.deep.include({ elevated: true });
    // The same bytes on a server whose console is code page 1252 read otherwise: the registry's code page is the one used.
    expect(await platformWith(1252, { elevated: true, system: false }).decodeConsole(cp850)).to.not.equal('Accès refusé.');
    await french.events.write({ id: EVENT_IDS.portalFallback.id, level: 'Warning', message: 'port 8080 on 127.0.0.1 is in use' });
    expect(seen.at(-1)).to.deep.equal({ op: 'eventlog.write', source: 'Altazion Update', eventId: 1700, level: 'Warning', message: 'port 8080 on 127.0.0.1 is in use' });
  });
});

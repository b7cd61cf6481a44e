// Which port the portal takes (issue 18, SPEC §9): <portal port>, else <portal fallbackPort> when the
// first is in use; an explicit --port or port 0 as given. `service install` predicts it with the
// same rule; `service run` binds (test/integration/service/service-run.test.ts).
import { expect } from 'chai';
import net from 'node:net';
import { allPortsTaken, fallbackNotice, firstFreePort, isPortFree, listenOnFirstFree, portalPorts, runningLegacyService } from '../../../src/service/portal-port';
import { PortInUseError } from '../../../src/service/portal/server';
import { renderMessage } from '../../../src/core/messages';
import type { ServiceInfo } from '../../../src/platform/types';

const svc = (over: Partial<ServiceInfo>): ServiceInfo => ({ name: 'EMainServer', displayName: '[e] - Serveur principal', state: 'Running', startMode: 'AutomaticDelayed', binaryPath: 'C:\\e\\EMainServer.exe', account: 'LocalSystem', ...over });

describe('portal port', () => {
  it('tries <portal port> then <portal fallbackPort>; an explicit port or 0 (a free port) as given', () => {
    const config = { portalPort: 8080, portalFallbackPort: 8081 };
    expect(portalPorts(config)).to.deep.equal([8080, 8081]);
    expect(portalPorts(config, 9000)).to.deep.equal([9000]);
    expect(portalPorts({ ...config, portalPort: 0 })).to.deep.equal([0]);
  });

  it('names the legacy service when one runs (the old portal holds 8080), else another program; in English and French', () => {
    const legacy = fallbackNotice(8080, 8081, runningLegacyService([svc({ name: 'AltazionUpdate', displayName: 'x' }), svc({})]));
    expect(legacy.id).to.equal('portal.fallback');
    expect(renderMessage(legacy)).to.equal(
      'port 8080 on 127.0.0.1 is in use (the legacy service EMainServer ("[e] - Serveur principal") runs on this server and serves the old portal on port 8080): '
      + 'the portal listens on the fallback port 8081 instead, http://localhost:8081/ (<portal fallbackPort> in updater.config)');
    expect(renderMessage(legacy, 'fr')).to.equal(
      'le port 8080 de 127.0.0.1 est occupé (l’ancien service EMainServer (« [e] - Serveur principal ») tourne sur ce serveur et sert l’ancien portail sur le port 8080) : '
      + 'le portail écoute à la place sur le port de secours 8081, http://localhost:8081/ (<portal fallbackPort> de updater.config)');
    expect(runningLegacyService([svc({ state: 'Stopped' }), svc({ name: 'AltazionUpdate' })])).to.equal(undefined);
    expect(renderMessage(fallbackNotice(9000, 9001))).to.match(/^port 9000 on 127\.0\.0\.1 is in use \(another program listens there\): the portal listens on the fallback port 9001 instead, http:\/\/localhost:9001\//);
    expect(renderMessage(fallbackNotice(9000, 9001), 'fr')).to.match(/^le port 9000 de 127\.0\.0\.1 est occupé \(un autre programme y écoute\)/);
  });

  it('service install predicts the port: the first free one, the taken ones before it', async () => {
    const free = (set: number[]) => async (p: number) => set.includes(p);
    expect(await firstFreePort([8080, 8081], free([8080, 8081]))).to.deep.equal({ port: 8080, taken: [] });
    expect(await firstFreePort([8080, 8081], free([8081]))).to.deep.equal({ port: 8081, taken: [8080] });
    expect(await firstFreePort([8080, 8081], free([]))).to.deep.equal({ taken: [8080, 8081] });
    const error = allPortsTaken([8080, 8081], 'C:\\ProgramData\\CPoint\\[e]\\bin\\config\\updater.config');
    expect(error).to.include({ code: 'E_CONFIG', exitCode: 2, message: 'portal ports 8080 and 8081 on 127.0.0.1 are both in use: the portal cannot start' });
  });

  it('isPortFree sees a listening socket on 127.0.0.1', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const { port } = server.address() as net.AddressInfo;
    try {
      expect(await isPortFree(port)).to.equal(false);
    } finally {
      await new Promise((r) => server.close(r));
    }
    expect(await isPortFree(port)).to.equal(true);
  });

  it('listens on the first free port; other errors are not a taken port', async () => {
    const tried: number[] = [];
    const listen = async (port: number) => { tried.push(port); if (port === 8080) throw new PortInUseError(8080); return `listening on ${port}`; };
    expect(await listenOnFirstFree([8080, 8081], listen, 'updater.config')).to.deep.equal({ listening: 'listening on 8081', taken: [8080] });
    expect(tried).to.deep.equal([8080, 8081]);
    const denied = Object.assign(new Error('listen EACCES'), { code: 'EACCES' });
    const error = await listenOnFirstFree([8080, 8081], async () => { throw denied; }, 'updater.config').catch((e: unknown) => e);
    expect(error).to.equal(denied);
    const both = await listenOnFirstFree([8080, 8081], async (p) => { throw new PortInUseError(p); }, 'updater.config').catch((e: Error) => e.message);
    expect(both).to.equal('portal ports 8080 and 8081 on 127.0.0.1 are both in use: the portal cannot start');
  });
});

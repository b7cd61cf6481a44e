// Open-AltazionPortal in a real PowerShell engine. Against a scripted stand-in executable: what it
// asks the executable, what it returns, how a portal that is not running or a non-administrator is
// reported. Against the real executable and a running sandbox service: the link it returns signs a
// browser in (the portal answers with the session cookie).
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { assertNoTerminatingError, objectsOfType, psQuote, runPwsh, sourceModuleManifest } from '../helpers/pwsh';
import { cliCommand } from '../helpers/cli';
import { makeSandbox } from '../helpers/sandbox';
import { errorLine, FakeExe } from './fake-exe';

const importModule = `Import-Module ${psQuote(sourceModuleManifest)} -ErrorAction Stop\n`;
const signIn = (data: Record<string, unknown>) => ({ out: { type: 'object', typeName: 'Altazion.PortalSignIn', data } });

describe('PowerShell module: Open-AltazionPortal (real engine)', function () {
  this.timeout(180_000);

  it('asks the executable for a one-time link (no browser from it) and returns it with -NoBrowser', async () => {
    const link = { Url: 'http://localhost:8080/signin?code=abc', ExpiresAt: '2026-06-01T10:02:00.000Z', User: 'CONTOSO\\admin', Portal: 'http://localhost:8080/', Opened: false };
    const fake = new FakeExe({ portal: [signIn(link)] });
    const result = await runPwsh(`${importModule}
      $link = Open-AltazionPortal -NoBrowser -Root '/srv/CPoint/[e]'
      $link
      'opened:' + $link.Opened
      'expires:' + $link.ExpiresAt.GetType().FullName
    `, { env: fake.env });
    assertNoTerminatingError(result);
    expect(result.error).to.deep.equal([]);
    expect(fake.calls()).to.deep.equal([['portal', 'open', '--no-browser', '--json', '--root', '/srv/CPoint/[e]']]);
    const { ExpiresAt: _expires, ...rest } = link;
    expect(objectsOfType(result, 'Altazion.PortalSignIn').map((o) => { const { ExpiresAt: _e, ...p } = o.properties!; return p; })).to.deep.equal([rest]);
    expect(result.output).to.include('opened:False').and.include('expires:System.DateTime');
  });

  it('-Root is relative to the PowerShell location, not to the process directory', async () => {
    const where = mkdtempSync(path.join(os.tmpdir(), 'altazion-portal-root-'));
    const fake = new FakeExe({ portal: [signIn({ Url: 'http://localhost:8080/signin?code=abc', ExpiresAt: '2026-06-01T10:02:00.000Z', User: 'u', Portal: 'http://localhost:8080/', Opened: false })] });
    const result = await runPwsh(`${importModule}
      Set-Location ${psQuote(where)}
      Open-AltazionPortal -NoBrowser -Root ./instance | Out-Null
    `, { env: fake.env });
    assertNoTerminatingError(result);
    expect(fake.calls()).to.deep.equal([['portal', 'open', '--no-browser', '--json', '--root', path.join(where, 'instance')]]);
    rmSync(where, { recursive: true, force: true });
  });

  it('reports a portal that is not running, or a user who cannot read the secret, as errors and returns nothing', async () => {
    const fake = new FakeExe({
      portal: [errorLine('E_NOT_FOUND', 'D:\\u\\bin\\updates\\portal\\token.json does not exist: the update service (and its portal) is not running', 'D:\\u\\bin\\updates\\portal\\token.json'), { exit: 2 }],
    });
    const result = await runPwsh(`${importModule}
      try { Open-AltazionPortal -NoBrowser -ErrorAction Stop } catch { 'caught:' + $_.FullyQualifiedErrorId + ':' + $_.CategoryInfo.Category }
    `, { env: fake.env });
    expect(result.output).to.deep.equal(['caught:E_NOT_FOUND,Open-AltazionPortal:ObjectNotFound']);
    const admin = new FakeExe({ portal: [errorLine('E_REQUIREMENT', 'token.json cannot be read: only Administrators and SYSTEM may sign in', 'token.json', 'run it from an elevated prompt'), { exit: 3 }] });
    const denied = await runPwsh(`${importModule}
      $out = @(Open-AltazionPortal -ErrorVariable problems -ErrorAction SilentlyContinue)
      'count:' + $out.Count
      'error:' + $problems[0].FullyQualifiedErrorId + ':' + $problems[0].CategoryInfo.Category
    `, { env: admin.env });
    assertNoTerminatingError(denied);
    expect(denied.output).to.deep.equal(['count:0', 'error:E_REQUIREMENT,Open-AltazionPortal:ResourceUnavailable']);
  });

  it('with the real executable and a running service: the link signs a browser in', async function () {
    const { file, prefix } = cliCommand('bundle');
    const box = await makeSandbox();
    const service = spawn(file, [...prefix, 'service', 'run', '--root', box.Root, '--port', '0'], { stdio: 'ignore' });
    try {
      const token = path.join(box.Root, 'bin', 'updates', 'portal', 'token.json');
      for (let i = 0; i < 300 && !existsSync(token); i++) await new Promise((r) => setTimeout(r, 100));
      const exe = mkdtempSync(path.join(os.tmpdir(), 'altazion-open-'));
      try {
        // The module runs the bundle through a tiny wrapper (ALTAZION_UPDATE_EXE names one file).
        const wrapper = path.join(exe, 'altazion-update');
        await import('node:fs/promises').then((fs) => fs.writeFile(wrapper, `#!/bin/sh\nexec ${JSON.stringify(file)} ${prefix.map((p) => JSON.stringify(p)).join(' ')} "$@"\n`, { mode: 0o755 }));
        const result = await runPwsh(`${importModule}
          Open-AltazionPortal -NoBrowser -Root ${psQuote(box.Root)}
        `, { env: { ALTAZION_UPDATE_EXE: wrapper } });
        assertNoTerminatingError(result);
        const link = objectsOfType(result, 'Altazion.PortalSignIn')[0]!.properties!;
        const url = new URL(String(link.Url));
        expect(url.pathname).to.equal('/signin');
        const reply = await new Promise<http.IncomingMessage>((resolve, reject) => http.get({ host: '127.0.0.1', port: Number(url.port), path: url.pathname + url.search, headers: { host: url.host } }, resolve).on('error', reject));
        reply.resume();
        expect(reply.statusCode).to.equal(303);
        expect(String(reply.headers['set-cookie']?.[0])).to.match(/HttpOnly; SameSite=Strict/);
      } finally {
        rmSync(exe, { recursive: true, force: true });
      }
    } finally {
      service.kill('SIGTERM');
      await new Promise((r) => service.once('exit', r));
      await box.remove();
    }
  });
});

// `portal open` / Open-AltazionPortal: an administrator opens the portal already signed in. Reads
// the token file (only Administrators and SYSTEM can), asks the running portal for a one-time
// sign-in link (auth.ts) on behalf of the current Windows user, and opens it in the default
// browser. The token never reaches the browser, the link works once and for 2 minutes.
import { spawn } from 'node:child_process';
import { text } from 'node:stream/consumers';
import type { InstanceLayout } from '../../config/paths';
import { AltazionError } from '../../core/errors';
import { HttpClient, describeNetworkError } from '../../net/http';
import type { PortalSignInRecord } from '../../core/records';
import { readPortalToken } from './token-file';

export type SignInLink = Omit<PortalSignInRecord, 'Opened'>;

export async function requestSignInLink(layout: InstanceLayout, user: string): Promise<SignInLink> {
  const { url, token } = await readPortalToken(layout);
  // This server's own portal: no proxy, no redirect (the token goes to that address only).
  const client = new HttpClient({ timeoutMs: 15_000, maxRedirections: 0 });
  let response: Awaited<ReturnType<HttpClient['post']>>;
  let body: { url?: string; expiresAt?: string; user?: string; error?: string } = {};
  try {
    response = await client.post(new URL('api/signin', url), JSON.stringify({ user }), {
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    });
    try { body = JSON.parse(await text(response.body)) as typeof body; } catch { /* not JSON: the status says enough */ }
  } catch (error) {
    throw new AltazionError('E_FAILED', `the portal at ${url} does not answer (${describeNetworkError(error)}): is the update service running?`, { target: url, hint: 'start the service, or run `altazion-update repair --check service`' });
  } finally {
    await client.close();
  }
  if (response.status !== 200 || typeof body.url !== 'string') {
    throw new AltazionError('E_FAILED', `the portal at ${url} refused the sign-in (HTTP ${response.status}${body.error ? `: ${body.error}` : ''})`, { target: url, hint: 'the service may have restarted meanwhile: try again' });
  }
  return { Url: body.url, ExpiresAt: body.expiresAt ?? '', User: body.user ?? user, Portal: url };
}

/** The command that opens a URL in the user's default browser (no shell: the URL is one argument). */
export function browserCommand(url: string, platform: NodeJS.Platform, env: NodeJS.ProcessEnv): { file: string; args: string[] } {
  if (platform === 'win32') {
    const systemRoot = (env.SystemRoot ?? env.SYSTEMROOT ?? 'C:\\Windows').replace(/[\\/]+$/, '');
    return { file: `${systemRoot}\\System32\\rundll32.exe`, args: ['url.dll,FileProtocolHandler', url] };
  }
  if (platform === 'darwin') return { file: 'open', args: [url] };
  return { file: env.BROWSER || 'xdg-open', args: [url] };
}

export function openInBrowser(url: string, platform: NodeJS.Platform, env: NodeJS.ProcessEnv): Promise<void> {
  const { file, args } = browserCommand(url, platform, env);
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { detached: true, stdio: 'ignore', windowsHide: false });
    child.once('error', (error) => reject(new AltazionError('E_FAILED', `cannot open a browser (${file}: ${error.message})`, { target: file, hint: 'use --no-browser and open the printed link yourself within 2 minutes' })));
    child.once('spawn', () => { child.unref(); resolve(); });
  });
}

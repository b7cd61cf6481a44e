// `portal open` / Open-AltazionPortal: an administrator opens the portal already signed in. Reads
// the token file (only Administrators and SYSTEM can), asks the running portal for a one-time
// sign-in link (auth.ts) on behalf of the current Windows user, and opens it in the default
// browser. The token never reaches the browser, the link works once and for 2 minutes.
import { spawn } from 'node:child_process';
import os from 'node:os';
import type { InstanceLayout } from '../../config/paths';
import { AltazionError } from '../../core/errors';
import type { PortalSignInRecord } from '../../core/records';
import { readPortalToken } from './token-file';

export type SignInLink = Omit<PortalSignInRecord, 'Opened'>;

/** DOMAIN\user on Windows (recorded with the actions), the login name elsewhere. */
export function currentUser(env: NodeJS.ProcessEnv): string {
  let name = env.USERNAME ?? '';
  try { name = os.userInfo().username || name; } catch { /* no passwd entry */ }
  return env.USERDOMAIN && process.platform === 'win32' ? `${env.USERDOMAIN}\\${name}` : name || 'unknown';
}

export async function requestSignInLink(layout: InstanceLayout, user: string): Promise<SignInLink> {
  const { url, token } = await readPortalToken(layout);
  let response: Response;
  try {
    response = await fetch(new URL('api/signin', url), {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ user }),
      signal: AbortSignal.timeout(15_000),
      redirect: 'error',
    });
  } catch (error) {
    const cause = (error as Error & { cause?: Error }).cause?.message ?? (error as Error).message;
    throw new AltazionError('E_FAILED', `the portal at ${url} does not answer (${cause}): is the update service running?`, { target: url, hint: 'start the service, or run `altazion-update repair --check service`' });
  }
  const body = (await response.json().catch(() => ({}))) as { url?: string; expiresAt?: string; user?: string; error?: string };
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

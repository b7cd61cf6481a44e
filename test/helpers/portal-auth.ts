// Signing in to the portal as an administrator does (src/service/portal/auth.ts): read the token
// file the service wrote (only administrators can), ask for a one-time link, open it: the answer
// sets the session cookie and hands the session key in the fragment of its Location.
import http from 'node:http';
import { instanceLayout } from '../../src/config/paths';
import { readPortalToken } from '../../src/service/portal/token-file';

export interface PortalSession { cookie: string; key: string; user: string; link: string }

function call(port: number, method: string, urlPath: string, headers: Record<string, string>, body?: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: urlPath, headers: { host: `localhost:${port}`, ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => { text += d; }).on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A one-time sign-in link, as `portal open --no-browser` gets it. */
export async function signInLink(root: string, user = 'SANDBOX\\admin'): Promise<string> {
  const { url, token } = await readPortalToken(instanceLayout(root));
  const port = Number(new URL(url).port);
  const reply = await call(port, 'POST', '/api/signin', { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, JSON.stringify({ user }));
  if (reply.status !== 200) throw new Error(`POST /api/signin answered ${reply.status}: ${reply.body}`);
  return (JSON.parse(reply.body) as { url: string }).url;
}

/** Signs in over plain HTTP: the cookie and the key a browser would keep. */
export async function signIn(root: string, user = 'SANDBOX\\admin'): Promise<PortalSession> {
  const link = await signInLink(root, user);
  const target = new URL(link);
  const reply = await call(Number(target.port), 'GET', target.pathname + target.search, {});
  if (reply.status !== 303) throw new Error(`GET ${link} answered ${reply.status}: ${reply.body}`);
  const cookie = String(reply.headers['set-cookie']?.[0] ?? '').split(';')[0]!;
  const key = /#signin=(.+)$/.exec(String(reply.headers.location))![1]!;
  return { cookie, key, user, link };
}

// The updater's one HTTP client, for feeds, packages, key lists, health checks, webhooks and
// `portal open`: Node's own node:http / node:https. Its agents apply HTTP(S)_PROXY and NO_PROXY
// (`proxyEnv`, Node >= 24.5; we ship and test on 26) and its body is a plain node stream. On the
// download it needs less CPU and memory than undici, whose wasm parser copies every socket read
// into WebAssembly memory (bench/README.md).
// The proxy settings are passed in (never read from process.env here): the edge decides.
import http, { STATUS_CODES } from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';

export type Env = Readonly<Record<string, string | undefined>>;

/** Proxies to use, and the hosts that bypass them (NO_PROXY syntax: `host`, `.suffix`, `host:port`, `*`). */
export interface ProxySettings {
  http?: string;
  https?: string;
  noProxy?: string;
}

function envValue(env: Env, name: string): string | undefined {
  const value = env[name.toLowerCase()] ?? env[name.toUpperCase()];
  return value && value.trim() ? value.trim() : undefined;
}

/**
 * The proxy from updater.config for both schemes when there is one, else HTTPS_PROXY / HTTP_PROXY
 * (ALL_PROXY as a fallback) from `env`; NO_PROXY from `env` applies to either.
 */
export function proxySettings(configured: string | undefined, env: Env): ProxySettings {
  const all = envValue(env, 'all_proxy');
  return {
    http: configured ?? envValue(env, 'http_proxy') ?? all,
    https: configured ?? envValue(env, 'https_proxy') ?? all,
    noProxy: envValue(env, 'no_proxy'),
  };
}

export interface HttpClientOptions {
  /** No proxy when absent (health checks of this server's own sites). */
  proxy?: ProxySettings;
  /** Time allowed to connect, and then for the response headers to start coming (default 30 s). */
  timeoutMs?: number;
  /** Redirects of a GET followed (default 5; 0 hands 3xx answers to the caller). POSTs never follow. */
  maxRedirections?: number;
}

export interface GetOptions {
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** The body fails when nothing arrives for this long (default: the client's timeout; 0 = never). */
  bodyTimeoutMs?: number;
  /** Close the connection after this request instead of keeping it for the next one. */
  fresh?: boolean;
}

export interface HttpResponse {
  status: number;
  statusText: string;
  /** A response header (several values joined by ", "). */
  header(name: string): string | undefined;
  /** The body, to read to its end or to discard(). */
  body: Readable;
  /** Drops the body (closing the connection if it is still coming). */
  discard(): void;
}

export const DEFAULT_TIMEOUT_MS = 30_000;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** Request headers that must not follow a redirect to another origin. */
const ORIGIN_BOUND_HEADERS = ['authorization', 'cookie', 'proxy-authorization', 'host'];

/** The client's own timeout: no byte came for `ms` while connecting, waiting or reading. */
class HttpTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(url: URL, ms: number) {
    super(`${url.href}: nothing received for ${ms} ms`);
  }
}

/**
 * Whether this Node's agents take `proxyEnv` (added in 24.5; older ones ignore it silently, and a
 * proxy ignored would send requests straight to the internet).
 */
export function agentsTakeProxies(nodeVersion: string): boolean {
  const [major, minor] = nodeVersion.replace(/^v/, '').split('.').map(Number);
  return major > 24 || (major === 24 && minor >= 5);
}

/** curl's reading of a proxy without a scheme (`proxy:3128`): http. Node would ignore it. */
function withScheme(proxy: string | undefined): string | undefined {
  if (!proxy) return undefined;
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(proxy) ? proxy : `http://${proxy}`;
}

export class HttpClient {
  /** One agent per scheme, and per connection policy (kept alive, or closed after each request). */
  private readonly agents = new Map<string, http.Agent>();
  readonly timeoutMs: number;

  constructor(private readonly options: HttpClientOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  private agentFor(url: URL, fresh: boolean): http.Agent {
    const key = `${url.protocol}${fresh ? ' fresh' : ''}`;
    let agent = this.agents.get(key);
    if (!agent) {
      const proxy = this.options.proxy;
      if ((proxy?.http || proxy?.https) && !agentsTakeProxies(process.versions.node)) {
        throw new Error(`Node ${process.versions.node} cannot send requests through a proxy: run the updater on the Node it ships with`);
      }
      // Node reads these names only from the object given, never from process.env (an empty one
      // says "no proxy" even where NODE_USE_ENV_PROXY is set). A plain http request goes to the
      // proxy as `GET http://...`, which every proxy accepts; https is tunnelled with CONNECT.
      const proxyEnv = proxy ? { HTTP_PROXY: withScheme(proxy.http), HTTPS_PROXY: withScheme(proxy.https), NO_PROXY: proxy.noProxy } : {};
      const options: http.AgentOptions & { proxyEnv?: Record<string, string | undefined> } = { keepAlive: !fresh, proxyEnv };
      agent = url.protocol === 'https:' ? new https.Agent(options) : new http.Agent(options);
      this.agents.set(key, agent);
    }
    return agent;
  }

  /**
   * Words for error messages: the proxy a URL goes through, as configured. NO_PROXY is matched
   * by Node, so when it is set the message says that it may exempt the host.
   */
  describeProxy(url: URL): string {
    const proxy = this.options.proxy;
    const used = url.protocol === 'https:' ? proxy?.https : proxy?.http;
    if (!used) return '';
    const exempt = proxy?.noProxy ? ` unless NO_PROXY (${proxy.noProxy}) exempts ${url.hostname}` : '';
    return `through proxy ${redactProxy(used)}${exempt}`;
  }

  /** One GET, following redirects (credentials and Host stay with their origin). */
  async get(url: URL, options: GetOptions = {}): Promise<HttpResponse> {
    // Compression would make byte offsets (Range) and sizes meaningless.
    let headers: Record<string, string> = { 'user-agent': 'altazion-update', 'accept-encoding': 'identity', ...options.headers };
    const maxRedirections = this.options.maxRedirections ?? 5;
    for (let redirects = 0; ; redirects++) {
      const response = await this.send('GET', url, headers, options);
      const location = response.header('location');
      if (!REDIRECT_STATUSES.has(response.status) || !location || redirects >= maxRedirections) return response;
      const next = new URL(location, url);
      if (next.protocol !== 'http:' && next.protocol !== 'https:') return response;
      response.discard();
      if (next.origin !== url.origin) {
        headers = Object.fromEntries(Object.entries(headers).filter(([name]) => !ORIGIN_BOUND_HEADERS.includes(name.toLowerCase())));
      }
      url = next;
    }
  }

  /** One POST of a small body (a webhook); the answer's body is for the caller to read or discard(). */
  async post(url: URL, body: string, options: { headers?: Record<string, string>; signal?: AbortSignal } = {}): Promise<HttpResponse> {
    return this.send('POST', url, { 'user-agent': 'altazion-update', ...options.headers }, { signal: options.signal }, body);
  }

  private send(method: string, url: URL, headers: Record<string, string>, options: GetOptions, body?: string): Promise<HttpResponse> {
    return new Promise((resolve, reject) => {
      const transport = url.protocol === 'https:' ? https : http;
      let request: http.ClientRequest;
      try {
        // `timeout` is the socket's idle timeout, armed before it connects: it bounds the connection
        // and the wait for the answer.
        request = transport.request(url, { method, headers, agent: this.agentFor(url, options.fresh === true), signal: options.signal, timeout: this.timeoutMs });
      } catch (error) {
        reject(error); // an invalid proxy URL, a header with a line break
        return;
      }
      let timeoutMs = this.timeoutMs;
      // Before the answer the request fails; after it, the body (which also closes the connection).
      let failOnTimeout: { destroy(error: Error): void } = request;
      request.on('timeout', () => failOnTimeout.destroy(new HttpTimeoutError(url, timeoutMs)));
      request.once('error', reject);
      request.once('response', (response: http.IncomingMessage) => {
        request.off('error', reject);
        // Errors after this point reach the body (a cut connection, an abort, the body timeout).
        request.on('error', () => undefined);
        failOnTimeout = response;
        timeoutMs = options.bodyTimeoutMs ?? this.timeoutMs;
        request.setTimeout(timeoutMs);
        const status = response.statusCode ?? 0;
        resolve({
          status,
          statusText: STATUS_CODES[status] ?? '',
          header: (name) => {
            const value = response.headers[name.toLowerCase()];
            return Array.isArray(value) ? value.join(', ') : value;
          },
          body: response,
          discard: () => discardStream(response),
        });
      });
      request.end(body);
    });
  }

  /** Closes idle connections (they never keep the process alive anyway). */
  async close(): Promise<void> {
    for (const agent of this.agents.values()) agent.destroy();
    this.agents.clear();
  }
}

/** Destroys a stream nobody reads any more; the error this may cause has no one to tell. */
export function discardStream(stream: Readable): void {
  stream.on('error', () => undefined);
  stream.destroy();
}

/** Whether a request failed because the server (or the proxy) did not connect or answer in time. */
export function isTimeout(error: unknown): boolean {
  const e = error as { code?: string; proxyTunnelTimeout?: number };
  return e?.code === 'ETIMEDOUT' || (e?.code === 'ERR_PROXY_TUNNEL' && e.proxyTunnelTimeout !== undefined);
}

/** A network error in words, with its code (ECONNREFUSED, ERR_TLS_CERT_ALTNAME_INVALID, ...). */
export function describeNetworkError(error: unknown): string {
  const e = error as { name?: string; code?: string; message?: string; cause?: { code?: string } };
  const code = e?.code ?? e?.cause?.code;
  const message = String(e?.message ?? error);
  // Something answered, but not in HTTP (llhttp's codes: HPE_INVALID_CONSTANT, ...).
  if (code?.startsWith('HPE_')) return `not an HTTP/1.x answer (${code}: ${message})`;
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}

/** A proxy URL with its password hidden. */
export function redactProxy(proxy: string): string {
  try {
    const u = new URL(proxy);
    if (!u.password) return proxy;
    u.password = '***';
    return u.href;
  } catch {
    return proxy;
  }
}

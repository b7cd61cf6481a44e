// The updater's one HTTP client, for feeds, packages, health checks and webhooks: undici, the engine of
// Node's own fetch. Its `request` API hands the body over as a plain node stream, and its
// EnvHttpProxyAgent applies HTTP(S)_PROXY and NO_PROXY the way curl does, so none of that is ours
// to maintain. It is loaded on first use: commands that never touch the network do not pay for it.
// The proxy settings are passed in (never read from process.env here): the edge decides.
import { STATUS_CODES } from 'node:http';
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';

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
  /** Time allowed to connect, and then to receive the response headers (default 30 s). */
  timeoutMs?: number;
  /** Redirects followed (default 5; 0 hands 3xx answers to the caller). */
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

type Undici = typeof import('undici');
let undici: Promise<Undici> | undefined;
const loadUndici = () => (undici ??= import('undici'));

export class HttpClient {
  private dispatcher: Promise<Dispatcher> | undefined;
  readonly timeoutMs: number;

  constructor(private readonly options: HttpClientOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  private async dispatcherFor(): Promise<Dispatcher> {
    this.dispatcher ??= loadUndici().then(({ Agent, EnvHttpProxyAgent, interceptors }) => {
      const proxy = this.options.proxy;
      const connect = { timeout: this.timeoutMs };
      // Empty strings, not undefined: undefined would make undici read process.env itself.
      // proxyTunnel false: plain http goes to the proxy as `GET http://...`, which every proxy
      // accepts; many refuse CONNECT to port 80. https is tunnelled either way.
      const base: Dispatcher = proxy
        ? new EnvHttpProxyAgent({ httpProxy: proxy.http ?? '', httpsProxy: proxy.https ?? '', noProxy: proxy.noProxy ?? '', proxyTunnel: false, connect })
        : new Agent({ connect });
      const redirects = this.options.maxRedirections ?? 5;
      return redirects > 0 ? base.compose(interceptors.redirect({ maxRedirections: redirects })) : base;
    });
    return this.dispatcher;
  }

  /**
   * Words for error messages: the proxy a URL goes through, as configured. NO_PROXY is matched
   * by undici, so when it is set the message says that it may exempt the host.
   */
  describeProxy(url: URL): string {
    const proxy = this.options.proxy;
    const used = url.protocol === 'https:' ? proxy?.https : proxy?.http;
    if (!used) return '';
    const exempt = proxy?.noProxy ? ` unless NO_PROXY (${proxy.noProxy}) exempts ${url.hostname}` : '';
    return `through proxy ${redactProxy(used)}${exempt}`;
  }

  async get(url: URL, options: GetOptions = {}): Promise<HttpResponse> {
    const [{ request }, dispatcher] = await Promise.all([loadUndici(), this.dispatcherFor()]);
    const response = await request(url, {
      method: 'GET',
      dispatcher,
      // Compression would make byte offsets (Range) and sizes meaningless.
      headers: { 'user-agent': 'altazion-update', 'accept-encoding': 'identity', ...options.headers },
      signal: options.signal,
      headersTimeout: this.timeoutMs,
      bodyTimeout: options.bodyTimeoutMs ?? this.timeoutMs,
      reset: options.fresh,
    });
    return this.answer(response);
  }

  /** One POST of a small body (a webhook); the answer's body is for the caller to read or discard(). */
  async post(url: URL, body: string, options: { headers?: Record<string, string>; signal?: AbortSignal } = {}): Promise<HttpResponse> {
    const [{ request }, dispatcher] = await Promise.all([loadUndici(), this.dispatcherFor()]);
    const response = await request(url, {
      method: 'POST',
      dispatcher,
      headers: { 'user-agent': 'altazion-update', ...options.headers },
      body,
      signal: options.signal,
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
    });
    return this.answer(response);
  }

  private answer(response: Dispatcher.ResponseData): HttpResponse {
    const { headers } = response;
    return {
      status: response.statusCode,
      statusText: STATUS_CODES[response.statusCode] ?? '',
      header: (name) => {
        const value = headers[name.toLowerCase()];
        return Array.isArray(value) ? value.join(', ') : value;
      },
      body: response.body,
      discard: () => discardStream(response.body),
    };
  }

  /** Closes idle connections (they never keep the process alive anyway). */
  async close(): Promise<void> {
    const dispatcher = this.dispatcher;
    this.dispatcher = undefined;
    if (dispatcher) await (await dispatcher).close();
  }
}

/** Destroys a stream nobody reads any more; the error this may cause has no one to tell. */
export function discardStream(stream: Readable): void {
  stream.on('error', () => undefined);
  stream.destroy();
}

/** Whether a request failed because the server did not connect or answer in time. */
export function isTimeout(error: unknown): boolean {
  const code = (error as { code?: string })?.code;
  return code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT';
}

/** A network error in words, with its code (ECONNREFUSED, ERR_TLS_CERT_ALTNAME_INVALID, ...). */
export function describeNetworkError(error: unknown): string {
  const e = error as { name?: string; code?: string; message?: string; cause?: { code?: string } };
  const code = e?.code ?? e?.cause?.code;
  const message = String(e?.message ?? error);
  // Something answered, but not in HTTP.
  if (e?.name === 'HTTPParserError') return `not an HTTP/1.x answer (${message})`;
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

// Where feed files come from (FeedSource in ./types):
//  - http(s): node-fetch, proxy from updater.config first, else HTTPS_PROXY / HTTP_PROXY (NO_PROXY
//    honoured). The environment is passed in, never read here, so tests and the service decide.
//    Package streams without a proxy take a faster path: one GET on a plain net/tls socket (rawGet).
//  - a folder or UNC path (air-gapped sites), read with fs streams.
// Errors are AltazionError E_FEED_UNREACHABLE naming the URL / path and the HTTP status; a
// FeedRequestError also says whether retrying could help and whether the file is simply absent.
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type { Agent } from 'node:http';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import { fileURLToPath } from 'node:url';
import fetch, { type Response } from 'node-fetch';
import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { AltazionError, type ErrorCode } from '../core/errors';
import type { FeedBody, FeedSource, FeedStream } from './types';

export type Env = Readonly<Record<string, string | undefined>>;

export interface FeedSourceOptions {
  /** Proxy URL from updater.config; wins over the environment. */
  proxy?: string;
  /** Environment (HTTPS_PROXY, HTTP_PROXY, NO_PROXY, lower-case variants). Pass process.env at the edge. */
  env?: Env;
  /** Time allowed to connect and receive the response headers (default 30 s). */
  timeoutMs?: number;
  /** Read buffer of the streams (default 1 MiB: fewer, larger chunks for big packages). */
  highWaterMark?: number;
}

export class FeedRequestError extends AltazionError {
  constructor(
    code: ErrorCode,
    message: string,
    readonly details: { target: string; status?: number; retryable: boolean; notFound?: boolean; hint?: string; cause?: unknown },
  ) {
    super(code, message, { target: details.target, hint: details.hint, cause: details.cause });
  }
  get retryable(): boolean { return this.details.retryable; }
  get notFound(): boolean { return this.details.notFound === true; }
  get status(): number | undefined { return this.details.status; }
}

export function isNotFound(error: unknown): boolean {
  return error instanceof FeedRequestError && error.notFound;
}

export function isRetryable(error: unknown): boolean {
  return error instanceof FeedRequestError && error.retryable;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_HIGH_WATER_MARK = 1024 * 1024;

function tooLarge(target: string, maxBytes: number): AltazionError {
  return new AltazionError('E_FEED_INVALID', `${target}: larger than the ${maxBytes} bytes allowed for this file`, { target });
}

// ---------------------------------------------------------------------------------------------
// Proxy selection (pure)

function envValue(env: Env, name: string): string | undefined {
  const value = env[name.toLowerCase()] ?? env[name.toUpperCase()];
  return value && value.trim() ? value.trim() : undefined;
}

/** Whether NO_PROXY (comma/space separated: `*`, host, `.suffix`, `host:port`, IP) excludes the URL. */
export function bypassesProxy(url: URL, noProxy: string | undefined): boolean {
  if (!noProxy) return false;
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return noProxy.split(/[\s,]+/).filter(Boolean).some((raw) => {
    const entry = raw.toLowerCase();
    if (entry === '*') return true;
    let [name, entryPort] = [entry, undefined as string | undefined];
    const m = /^(.*?)(?::(\d+))?$/.exec(entry.replace(/^\[|\](?=:|$)/g, ''));
    if (m && !entry.includes('::')) [name, entryPort] = [m[1], m[2]];
    if (entryPort && entryPort !== port) return false;
    name = name.replace(/^\*/, '');
    if (name.startsWith('.')) return host.endsWith(name) || host === name.slice(1);
    return host === name || host.endsWith('.' + name);
  });
}

/** The proxy to use for a URL: updater.config proxy first, then the environment; none when NO_PROXY matches. */
export function proxyFor(url: URL, options: { proxy?: string; env?: Env } = {}): string | undefined {
  const env = options.env ?? {};
  if (bypassesProxy(url, envValue(env, 'no_proxy'))) return undefined;
  if (options.proxy) return options.proxy;
  return url.protocol === 'https:' ? envValue(env, 'https_proxy') ?? envValue(env, 'all_proxy') : envValue(env, 'http_proxy') ?? envValue(env, 'all_proxy');
}

// ---------------------------------------------------------------------------------------------
// HTTP(S)

/** Links an optional outer signal and a timeout into one controller. */
function linkedController(outer: AbortSignal | undefined): AbortController {
  const controller = new AbortController();
  if (outer) {
    if (outer.aborted) controller.abort(outer.reason);
    else outer.addEventListener('abort', () => controller.abort(outer.reason), { once: true });
  }
  return controller;
}

export class HttpFeedSource implements FeedSource {
  readonly location: string;
  private readonly base: URL;
  private readonly agents = new Map<string, Agent>();

  constructor(location: string, private readonly options: FeedSourceOptions = {}) {
    const base = new URL(location);
    if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new AltazionError('E_CONFIG', `feed location ${location}: only http(s) URLs are supported`, { target: location });
    // The location names the feed folder; tolerate a URL that points at the index itself.
    base.pathname = base.pathname.replace(/\/release-index\.json$/i, '/');
    if (!base.pathname.endsWith('/')) base.pathname += '/';
    base.search = '';
    base.hash = '';
    this.base = base;
    this.location = base.href;
  }

  urlFor(relativePath: string): URL {
    // Each segment is encoded, so nothing in an index path can climb out of the feed or add a query.
    const segments = relativePath.split('/');
    if (segments.some((s) => s === '..' || s === '.')) {
      throw new AltazionError('E_FEED_INVALID', `${relativePath}: path leaves the feed ${this.location}`, { target: this.location });
    }
    const encoded = segments.map((s) => encodeURIComponent(s)).join('/');
    return new URL(encoded, this.base);
  }

  private agentFor(url: URL): Agent | undefined {
    const proxy = proxyFor(url, this.options);
    if (!proxy) return undefined;
    const key = `${url.protocol}|${proxy}`;
    let agent = this.agents.get(key);
    if (!agent) {
      agent = url.protocol === 'https:' ? new HttpsProxyAgent(proxy, { keepAlive: true }) : new HttpProxyAgent(proxy, { keepAlive: true });
      this.agents.set(key, agent);
    }
    return agent;
  }

  private async request(relativePath: string, headers: Record<string, string>, signal: AbortSignal | undefined): Promise<{ response: Response; url: URL; controller: AbortController }> {
    const url = this.urlFor(relativePath);
    const controller = linkedController(signal);
    const timeoutMs = this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; controller.abort(); }, timeoutMs);
    try {
      const response = await fetch(url.href, {
        headers: { 'accept-encoding': 'identity', 'user-agent': 'altazion-update', ...headers },
        // Compression would make byte offsets (Range) and sizes meaningless.
        compress: false,
        agent: (u: URL) => this.agentFor(u),
        signal: controller.signal as never,
        highWaterMark: this.options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK,
      });
      return { response, url, controller };
    } catch (error) {
      if (signal?.aborted) throw error;
      const proxy = proxyFor(url, this.options);
      const via = proxy ? ` through proxy ${redact(proxy)}` : '';
      const reason = timedOut ? `no answer within ${Math.round(timeoutMs / 1000)} s` : describeNetworkError(error);
      throw new FeedRequestError('E_FEED_UNREACHABLE', `cannot reach ${url.href}${via}: ${reason}`, {
        target: url.href, retryable: true, cause: error, hint: 'check the feed location in updater.config, the network and the proxy settings',
      });
    } finally {
      clearTimeout(timer);
    }
  }

  private statusError(url: URL, response: Response): FeedRequestError {
    response.body?.resume?.();
    return this.statusErrorFor(url, response.status, response.statusText);
  }

  private statusErrorFor(url: URL, status: number, statusText: string): FeedRequestError {
    const notFound = status === 404 || status === 410;
    const proxy = proxyFor(url, this.options);
    const via = proxy ? ` (through proxy ${redact(proxy)})` : '';
    return new FeedRequestError('E_FEED_UNREACHABLE', `${url.href}: HTTP ${status} ${statusText}`.trim() + via, {
      target: url.href, status, notFound, retryable: status >= 500 || status === 408 || status === 429,
      hint: status === 407 ? 'the proxy wants credentials: put them in the proxy URL (http://user:password@proxy:port)'
        : notFound ? 'the file is not in the feed' : status >= 500 ? 'the feed server (or the proxy) failed; try again later' : undefined,
    });
  }

  async readFile(relativePath: string, maxBytes: number): Promise<Buffer> {
    const url = this.urlFor(relativePath);
    // Without a proxy, the fast path (rawGet): it spares `check` and `install` loading node-fetch
    // (~20 ms per run). Redirects, and proxies, go through node-fetch.
    if (!proxyFor(url, this.options)) {
      const read = await this.readFileRaw(url, maxBytes);
      if (read) return read;
    }
    return this.readFileFetch(relativePath, maxBytes);
  }

  /** readFile on the fast path; undefined for a redirect (node-fetch follows it). */
  private async readFileRaw(url: URL, maxBytes: number): Promise<Buffer | undefined> {
    const controller = new AbortController();
    const response = await this.rawRequest(url, { 'cache-control': 'no-cache' }, controller.signal, { readBuffer: 64 * 1024, readBuffers: 2 });
    if (isRedirect(response)) {
      response.body.cancel();
      return undefined;
    }
    if (response.status !== 200) {
      response.body.cancel();
      throw this.statusErrorFor(url, response.status, response.statusText);
    }
    return this.collectSmallBody(url, maxBytes, response.headers.get('content-length'), controller,
      (take) => response.body.pump((chunk) => take(Buffer.from(chunk)))); // the read buffer is reused
  }

  private async readFileFetch(relativePath: string, maxBytes: number): Promise<Buffer> {
    const { response, url, controller } = await this.request(relativePath, { 'cache-control': 'no-cache' }, undefined);
    if (response.status !== 200) throw this.statusError(url, response);
    return this.collectSmallBody(url, maxBytes, response.headers.get('content-length') ?? undefined, controller, async (take) => {
      for await (const chunk of response.body as AsyncIterable<Buffer>) take(chunk);
    });
  }

  /**
   * A small file's body (index, signature) in one Buffer, whichever client reads it: at most
   * `maxBytes` (announced or not), and a body that stalls past the timeout is a dead connection.
   * `controller` aborts the request.
   */
  private async collectSmallBody(url: URL, maxBytes: number, contentLength: string | undefined, controller: AbortController,
    read: (take: (chunk: Buffer) => void) => Promise<void>): Promise<Buffer> {
    const declared = Number(contentLength);
    if (Number.isFinite(declared) && declared > maxBytes) { controller.abort(); throw tooLarge(url.href, maxBytes); }
    const chunks: Buffer[] = [];
    let total = 0;
    let refused: AltazionError | undefined;
    const timer = setTimeout(() => controller.abort(), this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    try {
      await read((chunk) => {
        total += chunk.length;
        if (total > maxBytes) throw (refused = tooLarge(url.href, maxBytes));
        chunks.push(chunk);
      });
    } catch (error) {
      // Aborted only now: an abort first would stand in for the reason in the reader's error.
      if (refused) { controller.abort(); throw refused; }
      if (error instanceof AltazionError) throw error;
      throw new FeedRequestError('E_FEED_UNREACHABLE', `${url.href}: connection lost while reading (${describeNetworkError(error)})`, { target: url.href, retryable: true, cause: error });
    } finally {
      clearTimeout(timer);
    }
    return Buffer.concat(chunks, total);
  }

  /** One GET on the fast path (see rawGet), with the same errors as request(). */
  private async rawRequest(url: URL, headers: Record<string, string>, signal: AbortSignal | undefined, buffers = { readBuffer: RAW_READ_BUFFER, readBuffers: RAW_READ_BUFFERS }): Promise<RawResponse> {
    try {
      return await rawGet(url, headers, { timeoutMs: this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS, ...buffers }, signal);
    } catch (error) {
      if (signal?.aborted) throw error;
      const reason = error instanceof TimeoutError ? error.message : describeNetworkError(error);
      throw new FeedRequestError('E_FEED_UNREACHABLE', `cannot reach ${url.href}: ${reason}`, {
        target: url.href, retryable: true, cause: error, hint: 'check the feed location in updater.config, the network and the proxy settings',
      });
    }
  }

  async openStream(relativePath: string, start: number, signal?: AbortSignal): Promise<FeedStream> {
    const url = this.urlFor(relativePath);
    // Through a proxy (agents: CONNECT, credentials), node-fetch does the work.
    if (proxyFor(url, this.options)) return this.openStreamFetch(relativePath, start, signal);
    let response = await this.rawRequest(url, start > 0 ? { range: `bytes=${start}-` } : {}, signal);
    if (response.status === 416 && start > 0) {
      // Our partial is longer than the file the server has now: start over.
      response.body.cancel();
      response = await this.rawRequest(url, {}, signal);
      start = 0;
    }
    if (response.status === 206 && start > 0) {
      const contentRange = response.headers.get('content-range');
      const range = /^bytes\s+(\d+)-(\d+)\/(\d+|\*)$/i.exec(contentRange ?? '');
      if (!range || Number(range[1]) !== start) {
        response.body.cancel();
        throw new FeedRequestError('E_DOWNLOAD', `${url.href}: the server answered the range request for bytes ${start}- with "${contentRange}"`, { target: url.href, status: 206, retryable: false });
      }
      return { body: response.body, start, totalSize: range[3] === '*' ? undefined : Number(range[3]) };
    }
    if (response.status === 200) {
      // A server that ignores Range sends the whole file: the caller restarts from 0.
      const length = response.headers.get('content-length');
      return { body: response.body, start: 0, totalSize: length === undefined ? undefined : Number(length) };
    }
    response.body.cancel();
    // Redirects: node-fetch follows them (one more request).
    if (isRedirect(response)) return this.openStreamFetch(relativePath, start, signal);
    throw this.statusErrorFor(url, response.status, response.statusText);
  }

  private async openStreamFetch(relativePath: string, start: number, signal?: AbortSignal): Promise<FeedStream> {
    const headers: Record<string, string> = start > 0 ? { range: `bytes=${start}-` } : {};
    let { response, url } = await this.request(relativePath, headers, signal);
    if (response.status === 416 && start > 0) {
      // Our partial is longer than the file the server has now: start over.
      response.body?.resume?.();
      ({ response, url } = await this.request(relativePath, {}, signal));
      start = 0;
    }
    if (response.status === 206 && start > 0) {
      const range = /^bytes\s+(\d+)-(\d+)\/(\d+|\*)$/i.exec(response.headers.get('content-range') ?? '');
      if (!range || Number(range[1]) !== start) {
        response.body?.resume?.();
        throw new FeedRequestError('E_DOWNLOAD', `${url.href}: the server answered the range request for bytes ${start}- with "${response.headers.get('content-range')}"`, { target: url.href, status: 206, retryable: false });
      }
      return { stream: response.body as unknown as Readable, start, totalSize: range[3] === '*' ? undefined : Number(range[3]) };
    }
    if (response.status === 200) {
      // A server that ignores Range sends the whole file: the caller restarts from 0.
      const length = response.headers.get('content-length');
      return { stream: response.body as unknown as Readable, start: 0, totalSize: length === null ? undefined : Number(length) };
    }
    throw this.statusError(url, response);
  }
}

// ---------------------------------------------------------------------------------------------
// Package bodies without a proxy: one HTTP/1.1 GET on a plain socket whose reads land in a small
// pool of reused buffers (net/tls `onread`). Measured on a 1 GiB package, node's http client (which
// node-fetch uses) spends ~0.9 s CPU per GiB more than this: a fresh 64 KiB buffer per socket read
// plus a second one per parser body callback (copy), which glibc's heap keeps giving back to the
// kernel and faulting in again. Only the 200/206 answers are read here; anything else (redirects)
// goes through node-fetch.

// Reads of up to 256 KiB. Measured per GiB when they were still hashed on this thread (one buffer,
// synchronous writes): 128 KiB 1.75-1.86 s CPU, 256 KiB 1.54-1.78, 512 KiB 1.46-1.77, 1 MiB 1.87-2.36.
const RAW_READ_BUFFER = 256 * 1024;
// Buffers a consumer may hold while the thread pool writes them (FeedBody): 16 x 256 KiB = 4 MiB.
const RAW_READ_BUFFERS = 16;
const MAX_HEAD_BYTES = 64 * 1024;

interface RawResponse {
  status: number;
  statusText: string;
  headers: Map<string, string>;
  body: FeedBody;
}

/** Decodes `Transfer-Encoding: chunked` incrementally; returns true once the last chunk is seen. */
class ChunkedDecoder {
  private state: 'size' | 'data' | 'data-end' | 'trailer' | 'done' = 'size';
  private line = '';
  private left = 0;

  feed(input: Buffer, onData: (chunk: Buffer) => void): boolean {
    let at = 0;
    while (at < input.length && this.state !== 'done') {
      if (this.state === 'data') {
        const n = Math.min(this.left, input.length - at);
        onData(input.subarray(at, at + n));
        at += n;
        this.left -= n;
        if (this.left === 0) this.state = 'data-end';
        continue;
      }
      // Line-oriented states: size line, CRLF after data, trailer lines.
      const nl = input.indexOf(10, at);
      const end = nl < 0 ? input.length : nl + 1;
      this.line += input.toString('latin1', at, end);
      at = end;
      if (this.line.length > 4096) throw new Error('malformed chunked encoding (line too long)');
      if (nl < 0) continue;
      const text = this.line.trim();
      this.line = '';
      if (this.state === 'size') {
        const size = Number.parseInt(text.split(';')[0], 16);
        if (!/^[0-9a-f]+$/i.test(text.split(';')[0].trim()) || !Number.isSafeInteger(size)) throw new Error(`malformed chunked encoding (chunk size "${text}")`);
        if (size === 0) this.state = 'trailer';
        else { this.left = size; this.state = 'data'; }
      } else if (this.state === 'data-end') {
        if (text !== '') throw new Error('malformed chunked encoding (no CRLF after a chunk)');
        this.state = 'size';
      } else if (text === '') {
        this.state = 'done';
      }
    }
    return this.state === 'done';
  }
}

/** A redirect on the fast path: node-fetch follows it (one more request). */
function isRedirect(response: RawResponse): boolean {
  return response.status >= 300 && response.status < 400 && response.headers.has('location');
}

interface RawGetOptions {
  timeoutMs: number;
  /** Size of one read buffer. */
  readBuffer: number;
  /** Read buffers in the pool (at least 2: one is always lent to the socket). */
  readBuffers: number;
}

function rawGet(url: URL, headers: Record<string, string>, options: RawGetOptions, signal: AbortSignal | undefined): Promise<RawResponse> {
  const { timeoutMs } = options;
  return new Promise<RawResponse>((resolve, reject) => {
    // The pool: `free` buffers, one of them lent to the socket for its next read (onread.buffer
    // is asked for one after every read), the others held by the consumer until its promise settles.
    const free: Buffer[] = Array.from({ length: Math.max(2, options.readBuffers) }, () => Buffer.allocUnsafe(options.readBuffer));
    let held = 0; // chunks whose consumer promise has not settled yet (pool buffers or early copies)
    let waitingForBuffers = false;
    let head: Buffer[] = [];
    let headBytes = 0;
    let response: RawResponse | undefined;
    // Body bytes that came before pump() was called (with the head; TLS may deliver a few more
    // decrypted records after the socket was paused), copied and kept until then.
    let early: Buffer[] = [];
    let sink: ((chunk: Buffer) => void | Promise<void>) | undefined;
    let remaining = Infinity;
    let chunked: ChunkedDecoder | undefined;
    let finished = false;
    let settle: { resolve: () => void; reject: (error: Error) => void } | undefined;
    let failure: Error | undefined;

    /** Settles pump() once the body is over and no chunk is held any more. */
    const settleWhenReleased = () => {
      if (!finished || held > 0 || !settle) return;
      const { resolve: done, reject: failed } = settle;
      settle = undefined;
      if (failure) failed(failure);
      else done();
    };
    const fail = (error: Error) => {
      if (finished) return;
      finished = true;
      failure = error;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      if (!response) reject(error);
      else settleWhenReleased();
    };
    const complete = () => {
      if (finished) return;
      finished = true;
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      settleWhenReleased();
    };
    /** Takes back a chunk's buffer once its consumer promises settle; `pooled` buffers return to the pool. */
    const holdUntil = (kept: Promise<void>[], buffer: Buffer | undefined) => {
      held++;
      const release = () => {
        held--;
        if (buffer) free.push(buffer);
        if (waitingForBuffers && !finished) { waitingForBuffers = false; socket.resume(); }
        settleWhenReleased();
      };
      const refused = (error: Error) => {
        // Also after the last byte arrived: pump() must still reject (a write that failed late).
        if (finished) failure ??= error;
        else fail(error);
        release();
      };
      (kept.length === 1 ? kept[0] : Promise.all(kept)).then(release, refused);
    };
    /** Hands body bytes to the sink, collecting the promises it returns; false once the body is complete. */
    const deliver = (chunk: Buffer, kept: Promise<void>[]): boolean => {
      const give = (piece: Buffer) => {
        const result = sink!(piece);
        if (result !== undefined) kept.push(result);
      };
      if (chunked) return !chunked.feed(chunk, give);
      if (chunk.length > remaining) chunk = chunk.subarray(0, remaining);
      remaining -= chunk.length;
      if (chunk.length > 0) give(chunk);
      return remaining > 0;
    };
    /** `pooled`: the pool buffer the chunk lies in (undefined for an early copy). */
    const onBody = (chunk: Buffer, pooled: Buffer | undefined): boolean => {
      const kept: Promise<void>[] = [];
      let more: boolean;
      try {
        more = deliver(chunk, kept);
      } catch (error) {
        more = false;
        fail(error as Error);
      }
      if (kept.length > 0) holdUntil(kept, pooled);
      else if (pooled) free.push(pooled);
      if (!more) { complete(); return false; }
      // One free buffer must remain for the socket's next read: pause until a held one comes back
      // (only while some are held: otherwise nothing would ever resume the socket).
      if (held > 0 && free.length <= 1) { waitingForBuffers = true; return false; }
      return true;
    };
    const onHead = (chunk: Buffer): boolean => {
      head.push(Buffer.from(chunk));
      headBytes += chunk.length;
      const all = head.length === 1 ? head[0] : Buffer.concat(head);
      head = [all];
      const end = all.indexOf('\r\n\r\n');
      if (end < 0) {
        if (headBytes > MAX_HEAD_BYTES) fail(new Error(`response head larger than ${MAX_HEAD_BYTES} bytes`));
        return !finished;
      }
      const lines = all.toString('latin1', 0, end).split('\r\n');
      const status = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(lines[0]);
      if (!status) { fail(new Error(`not an HTTP/1.x answer: "${lines[0].slice(0, 80)}"`)); return false; }
      if (status[1].startsWith('1')) {
        // Interim answer (100 Continue, 103 Early Hints): the real one follows.
        const rest = all.subarray(end + 4);
        head = [];
        headBytes = 0;
        return rest.length > 0 ? onHead(rest) : true;
      }
      const fields = new Map<string, string>();
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(':');
        if (colon <= 0) continue;
        const name = line.slice(0, colon).trim().toLowerCase();
        const value = line.slice(colon + 1).trim();
        fields.set(name, fields.has(name) ? `${fields.get(name)}, ${value}` : value);
      }
      const te = fields.get('transfer-encoding');
      if (te !== undefined) {
        if (!/^chunked$/i.test(te)) { fail(new Error(`unsupported Transfer-Encoding "${te}"`)); return false; }
        chunked = new ChunkedDecoder();
      } else if (fields.has('content-length')) {
        remaining = Number(fields.get('content-length'));
        if (!Number.isSafeInteger(remaining) || remaining < 0) { fail(new Error(`invalid Content-Length "${fields.get('content-length')}"`)); return false; }
      }
      head = [];
      if (all.length > end + 4) early.push(all.subarray(end + 4));
      clearTimeout(timer);
      response = {
        status: Number(status[1]),
        statusText: status[2] ?? '',
        headers: fields,
        body: {
          pump: (onChunk) => new Promise<void>((resolveBody, rejectBody) => {
            if (sink) throw new Error('body already read');
            sink = onChunk;
            settle = { resolve: resolveBody, reject: rejectBody };
            if (failure) { settle = undefined; rejectBody(failure); return; }
            if (remaining === 0 && !chunked) { complete(); return; }
            const first = early;
            early = [];
            let more = true;
            for (const chunk of first) if (!(more = onBody(chunk, undefined))) break;
            if (more) socket.resume();
          }),
          cancel: () => { if (!finished) { finished = true; signal?.removeEventListener('abort', onAbort); socket.destroy(); } },
        },
      };
      resolve(response);
      // Nothing more is read until pump() asks for it.
      return false;
    };

    // Plain sockets read into the pool buffer onread.buffer lends them for each read. TLS sockets
    // keep reading into the first buffer they were given (node 20 ignores later ones for them),
    // so their reads go to one buffer of their own and are copied into the pool.
    const tlsReadBuffer = url.protocol === 'https:' ? Buffer.allocUnsafe(options.readBuffer) : undefined;
    const onread = {
      // Asked once before the first read and after every read. onBody pauses the socket while
      // only one buffer is left, so the spare allocation is only a safety net.
      buffer: tlsReadBuffer ?? (() => free.pop() ?? Buffer.allocUnsafe(options.readBuffer)),
      callback: (nread: number, buf: Uint8Array): boolean => {
        const lent = tlsReadBuffer ? undefined : buf as Buffer;
        const giveBack = () => { if (lent) free.push(lent); };
        const chunk = (buf as Buffer).subarray(0, nread);
        if (finished) { giveBack(); return false; }
        if (!response) { giveBack(); return onHead(chunk); }
        if (!sink) { giveBack(); early.push(Buffer.from(chunk)); return false; }
        if (lent) return onBody(chunk, lent);
        // A TLS socket may still deliver a few decrypted records after being paused: those get a
        // buffer of their own when the pool is empty.
        const pooled = free.pop();
        if (!pooled) return onBody(Buffer.from(chunk), undefined);
        chunk.copy(pooled);
        return onBody(pooled.subarray(0, nread), pooled);
      },
    };
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
    const socket: Socket = url.protocol === 'https:'
      ? tlsConnect({ host, port, servername: isIP(host) ? undefined : host, onread } as never)
      : netConnect({ host, port, onread });
    const timer = setTimeout(() => fail(new TimeoutError(`no answer within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
    const onAbort = () => fail(Object.assign(new Error('The operation was aborted'), { name: 'AbortError' }));
    if (signal?.aborted) { onAbort(); return; }
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.on('error', (error) => fail(error));
    socket.on('end', () => {
      // Without Content-Length or chunked framing, the end of the connection ends the body.
      if (response && remaining === Infinity && !chunked) complete();
      else fail(new Error(response ? 'Premature close' : 'connection closed before an answer'));
    });
    socket.on('close', () => fail(new Error(response ? 'Premature close' : 'connection closed before an answer')));
    const target = `${url.pathname}${url.search}`;
    const extra = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
    socket.write(`GET ${target} HTTP/1.1\r\nHost: ${url.host}\r\nUser-Agent: altazion-update\r\nAccept-Encoding: identity\r\nConnection: close\r\n${extra}\r\n`);
  });
}

class TimeoutError extends Error {}

function redact(proxy: string): string {
  try {
    const u = new URL(proxy);
    if (!u.password) return proxy;
    u.password = '***';
    return u.href;
  } catch {
    return proxy;
  }
}

function describeNetworkError(error: unknown): string {
  const e = error as { code?: string; message?: string; cause?: { code?: string } };
  const code = e?.code ?? e?.cause?.code;
  return code && !String(e?.message).includes(code) ? `${code}: ${e?.message}` : String(e?.message ?? error);
}

// ---------------------------------------------------------------------------------------------
// Folder / UNC path

export class FolderFeedSource implements FeedSource {
  readonly location: string;

  constructor(folder: string, private readonly options: FeedSourceOptions = {}) {
    this.location = folder;
  }

  /** Absolute path of a feed file; the relative path must stay inside the folder. */
  pathFor(relativePath: string): string {
    const full = path.resolve(this.location, ...relativePath.split('/'));
    const root = path.resolve(this.location);
    const rel = path.relative(root, full);
    if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
      throw new AltazionError('E_FEED_INVALID', `${relativePath}: path leaves the feed folder ${this.location}`, { target: this.location });
    }
    return full;
  }

  private fsError(file: string, error: unknown): FeedRequestError {
    const code = (error as NodeJS.ErrnoException).code;
    const notFound = code === 'ENOENT' || code === 'ENOTDIR';
    return new FeedRequestError('E_FEED_UNREACHABLE', `${file}: ${notFound ? 'not found' : `cannot read (${code ?? (error as Error).message})`}`, {
      target: file, notFound, retryable: code === 'EBUSY' || code === 'ETIMEDOUT' || code === 'EIO', cause: error,
      hint: notFound ? undefined : 'check the feed folder / share and the rights of the account running the updater',
    });
  }

  async readFile(relativePath: string, maxBytes: number): Promise<Buffer> {
    const file = this.pathFor(relativePath);
    let handle;
    try {
      handle = await open(file, 'r');
    } catch (error) {
      throw this.fsError(file, error);
    }
    try {
      const { size } = await handle.stat();
      if (size > maxBytes) throw tooLarge(file, maxBytes);
      const buffer = Buffer.alloc(size);
      let read = 0;
      while (read < size) {
        const { bytesRead } = await handle.read(buffer, read, size - read, read);
        if (bytesRead === 0) break;
        read += bytesRead;
      }
      return buffer.subarray(0, read);
    } catch (error) {
      if (error instanceof AltazionError) throw error;
      throw this.fsError(file, error);
    } finally {
      await handle.close();
    }
  }

  async openStream(relativePath: string, start: number, signal?: AbortSignal): Promise<FeedStream> {
    const file = this.pathFor(relativePath);
    let size: number;
    try {
      size = (await stat(file)).size;
    } catch (error) {
      throw this.fsError(file, error);
    }
    const from = start > size ? 0 : start;
    const stream = createReadStream(file, { start: from, highWaterMark: this.options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK, signal });
    return { stream, start: from, totalSize: size };
  }
}

// ---------------------------------------------------------------------------------------------

/** Opens the feed named by updater.config's location: an http(s) URL, a file: URL, or a folder / UNC path. */
export function openFeedSource(location: string, options: FeedSourceOptions = {}): FeedSource {
  const trimmed = location.trim();
  if (/^https?:\/\//i.test(trimmed)) return new HttpFeedSource(trimmed, options);
  if (/^file:\/\//i.test(trimmed)) return new FolderFeedSource(fileURLToPath(trimmed), options);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
    throw new AltazionError('E_CONFIG', `feed location "${trimmed}": only http(s) URLs and folder paths are supported`, { target: trimmed });
  }
  return new FolderFeedSource(trimmed, options);
}

// Where feed files come from (FeedSource in ./types):
//  - http(s), through the updater's one HTTP client (src/net/http.ts): the proxy from
//    updater.config first, else HTTPS_PROXY / HTTP_PROXY, NO_PROXY honoured. The environment is
//    passed in, never read here, so tests and the service decide.
//  - a folder or UNC path (air-gapped sites), read with fs streams.
// Errors are AltazionError E_FEED_UNREACHABLE naming the URL / path and the HTTP status; a
// FeedRequestError also says whether retrying could help and whether the file is simply absent.
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AltazionError, type ErrorCode } from '../core/errors';
import { describeNetworkError, HttpClient, isTimeout, proxySettings, type Env, type HttpResponse } from '../net/http';
import type { FeedSource, FeedStream } from './types';

export type { Env } from '../net/http';

export interface FeedSourceOptions {
  /** Proxy URL from updater.config; wins over the environment. */
  proxy?: string;
  /** Environment (HTTPS_PROXY, HTTP_PROXY, NO_PROXY, lower-case variants). Pass process.env at the edge. */
  env?: Env;
  /** Time allowed to connect and receive the response headers (default 30 s). */
  timeoutMs?: number;
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

function tooLarge(target: string, maxBytes: number): AltazionError {
  return new AltazionError('E_FEED_INVALID', `${target}: larger than the ${maxBytes} bytes allowed for this file`, { target });
}

// ---------------------------------------------------------------------------------------------
// HTTP(S)

export class HttpFeedSource implements FeedSource {
  readonly location: string;
  private readonly base: URL;
  private readonly client: HttpClient;

  constructor(location: string, options: FeedSourceOptions = {}) {
    const base = new URL(location);
    if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new AltazionError('E_CONFIG', `feed location ${location}: only http(s) URLs are supported`, { target: location });
    // The location names the feed folder; tolerate a URL that points at the index itself.
    base.pathname = base.pathname.replace(/\/release-index\.json$/i, '/');
    if (!base.pathname.endsWith('/')) base.pathname += '/';
    base.search = '';
    base.hash = '';
    this.base = base;
    this.location = base.href;
    this.client = new HttpClient({ proxy: proxySettings(options.proxy, options.env ?? {}), timeoutMs: options.timeoutMs });
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

  /** One GET; a failure to connect or to get an answer becomes a retryable FeedRequestError naming the URL. */
  private async get(url: URL, headers: Record<string, string>, signal: AbortSignal | undefined, bodyTimeoutMs?: number): Promise<HttpResponse> {
    try {
      return await this.client.get(url, { headers, signal, bodyTimeoutMs });
    } catch (error) {
      if (signal?.aborted) throw error;
      const via = this.client.describeProxy(url);
      const reason = isTimeout(error) ? `no answer within ${Math.round(this.client.timeoutMs / 1000)} s` : describeNetworkError(error);
      throw new FeedRequestError('E_FEED_UNREACHABLE', `cannot reach ${url.href}${via ? ` ${via}` : ''}: ${reason}`, {
        target: url.href, retryable: true, cause: error, hint: 'check the feed location in updater.config, the network and the proxy settings',
      });
    }
  }

  private statusError(url: URL, response: HttpResponse): FeedRequestError {
    response.discard();
    const { status } = response;
    const notFound = status === 404 || status === 410;
    const via = this.client.describeProxy(url);
    return new FeedRequestError('E_FEED_UNREACHABLE', `${url.href}: HTTP ${status} ${response.statusText}`.trim() + (via ? ` (${via})` : ''), {
      target: url.href, status, notFound, retryable: status >= 500 || status === 408 || status === 429,
      hint: status === 407 ? 'the proxy wants credentials: put them in the proxy URL (http://user:password@proxy:port)'
        : notFound ? 'the file is not in the feed' : status >= 500 ? 'the feed server (or the proxy) failed; try again later' : undefined,
    });
  }

  /** A small file (index, signature) whole: at most `maxBytes`, announced or not. */
  async readFile(relativePath: string, maxBytes: number): Promise<Buffer> {
    const url = this.urlFor(relativePath);
    const response = await this.get(url, { 'cache-control': 'no-cache' }, undefined);
    if (response.status !== 200) throw this.statusError(url, response);
    const declared = Number(response.header('content-length'));
    if (Number.isFinite(declared) && declared > maxBytes) {
      response.discard();
      throw tooLarge(url.href, maxBytes);
    }
    const chunks: Buffer[] = [];
    let total = 0;
    try {
      for await (const chunk of response.body as AsyncIterable<Buffer>) {
        total += chunk.length;
        if (total > maxBytes) {
          response.discard();
          throw tooLarge(url.href, maxBytes);
        }
        chunks.push(chunk);
      }
    } catch (error) {
      if (error instanceof AltazionError) throw error;
      throw new FeedRequestError('E_FEED_UNREACHABLE', `${url.href}: connection lost while reading (${describeNetworkError(error)})`, { target: url.href, retryable: true, cause: error });
    }
    return Buffer.concat(chunks, total);
  }

  async openStream(relativePath: string, start: number, signal?: AbortSignal): Promise<FeedStream> {
    const url = this.urlFor(relativePath);
    // Stalls while the body streams are the downloader's to detect (it watches folder feeds too).
    const get = (from: number) => this.get(url, from > 0 ? { range: `bytes=${from}-` } : {}, signal, 0);
    let response = await get(start);
    if (response.status === 416 && start > 0) {
      // Our partial is longer than the file the server has now: start over.
      response.discard();
      response = await get(0);
      start = 0;
    }
    if (response.status === 206 && start > 0) {
      const contentRange = response.header('content-range');
      const range = /^bytes\s+(\d+)-(\d+)\/(\d+|\*)$/i.exec(contentRange ?? '');
      if (!range || Number(range[1]) !== start) {
        response.discard();
        throw new FeedRequestError('E_DOWNLOAD', `${url.href}: the server answered the range request for bytes ${start}- with "${contentRange}"`, { target: url.href, status: 206, retryable: false });
      }
      return { stream: response.body, start, totalSize: range[3] === '*' ? undefined : Number(range[3]) };
    }
    if (response.status === 200) {
      // A server that ignores Range sends the whole file: the caller restarts from 0.
      const length = response.header('content-length');
      return { stream: response.body, start: 0, totalSize: length === undefined ? undefined : Number(length) };
    }
    throw this.statusError(url, response);
  }
}

// ---------------------------------------------------------------------------------------------
// Folder / UNC path

export class FolderFeedSource implements FeedSource {
  readonly location: string;

  constructor(folder: string) {
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
    // Node's default 64 KiB reads: larger ones keep more freed buffers waiting for V8 (bench/README.md).
    const stream = createReadStream(file, { start: from, signal });
    return { stream, start: from, totalSize: size };
  }
}

// ---------------------------------------------------------------------------------------------

/** Opens the feed named by updater.config's location: an http(s) URL, a file: URL, or a folder / UNC path. */
export function openFeedSource(location: string, options: FeedSourceOptions = {}): FeedSource {
  const trimmed = location.trim();
  if (/^https?:\/\//i.test(trimmed)) return new HttpFeedSource(trimmed, options);
  if (/^file:\/\//i.test(trimmed)) return new FolderFeedSource(fileURLToPath(trimmed));
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
    throw new AltazionError('E_CONFIG', `feed location "${trimmed}": only http(s) URLs and folder paths are supported`, { target: trimmed });
  }
  return new FolderFeedSource(trimmed);
}

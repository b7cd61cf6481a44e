// Real processes for the contention tests: TypeScript entry points bundled once per test run with
// esbuild (a worker starts in ~50 ms instead of ~400 ms under tsx), forked with an IPC channel so
// the test can start several of them on the same instant and collect what each saw.
import { fork, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const bundles = new Map<string, Promise<string>>();

/** `entry` (a path relative to the project) bundled into node_modules/.cache (so external packages resolve). */
export function bundled(entry: string): Promise<string> {
  let promise = bundles.get(entry);
  if (!promise) {
    promise = (async () => {
      const { build } = await import('esbuild');
      const outfile = path.join(PROJECT, 'node_modules', '.cache', 'altazion-workers', `${path.basename(entry, '.ts')}-${process.pid}.cjs`);
      await build({
        entryPoints: [path.join(PROJECT, entry)], outfile, bundle: true, platform: 'node', format: 'cjs', target: 'node20',
        external: ['edge-js', 'msnodesqlv8', 'mssql'], logLevel: 'error',
        define: { 'import.meta.url': '__import_meta_url' },
        banner: { js: 'const __import_meta_url = require("url").pathToFileURL(__filename).href;' },
      });
      process.once('exit', () => { try { rmSync(outfile, { force: true }); } catch { /* best effort */ } });
      return outfile;
    })();
    bundles.set(entry, promise);
  }
  return promise;
}

/** A forked worker: send a request, get its one reply. */
export interface Worker {
  readonly pid: number;
  readonly child: ChildProcess;
  ask<T = Record<string, unknown>>(message: Record<string, unknown>): Promise<T>;
  /** Sends without waiting for a reply. */
  send(message: Record<string, unknown>): void;
  /** The next message the worker sends on its own. */
  next<T = Record<string, unknown>>(): Promise<T>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export async function startWorker(entry: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<Worker> {
  const script = await bundled(entry);
  const child = fork(script, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const queue: Record<string, unknown>[] = [];
  const waiting: Array<(m: Record<string, unknown>) => void> = [];
  let exitError: Error | undefined;
  const rejecters = new Set<(e: Error) => void>();
  child.on('message', (message: Record<string, unknown>) => {
    const w = waiting.shift();
    if (w) w(message); else queue.push(message);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', (code, signal) => {
    exitError = new Error(`worker ${entry} exited (${code ?? signal})`);
    for (const reject of rejecters) reject(exitError);
    resolve();
  }));
  const next = <T>() => new Promise<T>((resolve, reject) => {
    const queued = queue.shift();
    if (queued) { resolve(queued as T); return; }
    if (exitError) { reject(exitError); return; }
    rejecters.add(reject);
    waiting.push((m) => { rejecters.delete(reject); resolve(m as T); });
  });
  // The worker says it is ready once it has loaded.
  await next();
  return {
    pid: child.pid!,
    child,
    send: (message) => { child.send(message); },
    ask: <T>(message: Record<string, unknown>) => { child.send(message); return next<T>(); },
    next,
    kill: async (signal = 'SIGKILL') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

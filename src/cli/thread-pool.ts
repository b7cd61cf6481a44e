// The size of libuv's thread pool, which does all our file I/O: one thread, unless the
// administrator set UV_THREADPOOL_SIZE. libuv reads the variable once, when the first request is
// queued, so the entry point imports this module first (nothing reaches the pool while modules
// load: the bundle is CommonJS, read synchronously); it queues one request at once, then takes
// the variable away again: hooks and other child processes get the environment we were given.
//
// Why one thread: the updater's file work is sequential by design (one download, one extraction,
// one copy at a time), and a package download writes its partial file from the pool while the main
// thread reads the next bytes (a worker hashes what landed). With node's default of four threads,
// the writes of that one file ran on several threads at once and queued on the file's lock (on
// Linux the inode lock, seen with `perf`), leaving the CPUs idle between them. Measured on the
// 1 GiB download benchmark (2 CPUs, `node bench/download.bench.mjs` and alternated A/B rounds,
// medians of 7-11 rounds in four series, then still hashing on the main thread): four threads
// 0.89-0.94 x curl, two threads the same, one thread 0.92-1.0. The install benchmark (20,000 files
// / 1 GB) is unchanged within its noise: 85-102 s and 141-146 MB peak RSS with four threads,
// 79-96 s and 146-149 MB with one; downtime 0.02-0.03 s either way.
// A pool request that hangs (a dead UNC share) already keeps the process from exiting with four
// threads; with one, the other file requests wait behind it too, and the stall timers still fire.
//
// Windows: libuv reads the variable with the C runtime's getenv, whose copy of the environment is
// taken at process start; process.env changes the Win32 environment only. Setting it here has no
// effect there (node.exe under Wine: 4 pool threads with or without it, 1 when the variable comes
// from the parent), so it is not done: on Windows the size comes from whoever starts us.
import { stat } from 'node:fs';

export const DEFAULT_THREAD_POOL_SIZE = '1';

if (process.platform !== 'win32' && process.env.UV_THREADPOOL_SIZE === undefined) {
  process.env.UV_THREADPOOL_SIZE = DEFAULT_THREAD_POOL_SIZE;
  stat('.', () => undefined); // starts the pool now, with the size above
  delete process.env.UV_THREADPOOL_SIZE;
}

// The size of libuv's thread pool, which does all our file I/O: one thread, unless the
// administrator set UV_THREADPOOL_SIZE. libuv reads the variable when the pool first starts, so
// the entry point imports this module first (nothing reaches the pool while modules load: the
// bundle is CommonJS, read synchronously).
//
// Why one thread: the updater's file work is sequential by design (one download, one extraction,
// one copy at a time), and a package download writes its partial file from the pool while the main
// thread hashes the next reads. With node's default of four threads, the writes of that one file
// run on four threads at once and queue on the file's lock (the inode lock on Linux, the file's
// resource on NTFS), leaving the CPU idle between them. Measured on the 1 GiB download benchmark
// (2 CPUs, `node bench/download.bench.mjs` and alternated A/B rounds, medians of 7-11 rounds in
// four sessions): four threads 0.89-0.93 x curl, two threads the same, one thread 0.92-0.99; the
// whole install of 20,000 files / 1 GB took 85 s with four threads, 79 s with one.
// A pool request that hangs (a dead UNC share) already keeps the process from exiting with four
// threads; with one, the other file requests wait behind it too, and the stall timers still fire.
export const DEFAULT_THREAD_POOL_SIZE = '1';

process.env.UV_THREADPOOL_SIZE ??= DEFAULT_THREAD_POOL_SIZE;

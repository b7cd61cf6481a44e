// Node's pool for small buffers back to 8 KiB (its size up to Node 20; Node 26, which we ship,
// made it 64 KiB). A buffer cut from the pool keeps the whole slab alive, and the slabs now also
// take 16 KiB chunks (zlib's output): compressing a backup, yazl keeps each entry's name (a few
// bytes from the pool) until the end, so every few entries pinned a 64 KiB slab. Measured on the
// shipped Node 26, 10,000 files of 2 KiB: 212 MB of buffers alive, peak RSS 145 MB (Node 20: 67
// MB); 100,000 files: 2.1 GB of buffers, 793 MB RSS. Buffer.poolSize is documented as settable;
// it applies to the pools made after it. Set once, at start-up, for every command (src/cli/main.ts):
// a short command makes few pools, and the long ones (install, check, service) need it from the start.
export function keepBufferPoolSmall(): void {
  Buffer.poolSize = 8 * 1024;
}

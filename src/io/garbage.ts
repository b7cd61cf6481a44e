// Freeing the buffers a long job has finished with, at a pace the job sets. A buffer's bytes live
// outside V8's heap and are freed only when a garbage collection finds the buffer unreferenced;
// Node 26's V8 collects for them only when tens of MB have piled up (bench/README.md: install,
// download). Two jobs pace it:
// - staging inflates each file into a buffer of its own, written and dropped at once: 50-90 MB of
//   dropped buffers were held between two collections. It needs full collections (the bytes of
//   young buffers are freed after a minor one, concurrently, and piled up the same way); one per
//   32 MiB of a small heap costs a few ms, ~30 of them per GiB.
// - a download reads the socket or file into fresh buffers, hashed, written and dropped: a minor
//   collection every 4 MiB keeps it under 100 MB at the same CPU.
// Node gives no API for a collection: `--expose-gc`, set at run time, gives the contexts made after
// it a gc() (the flag is read when a context is made; the executable's code cache, checked at
// start-up, is not concerned).
import v8 from 'node:v8';
import vm from 'node:vm';

let collect: ((options?: { type?: 'major' | 'minor'; execution?: 'sync' | 'async' }) => void) | undefined;

export type Collection = 'major' | 'minor';

/** A garbage collection, now: full (major) unless said otherwise. */
export function collectGarbage(type: Collection = 'major'): void {
  if (!collect) {
    v8.setFlagsFromString('--expose-gc');
    collect = vm.runInNewContext('gc') as typeof collect;
  }
  collect!({ type, execution: 'sync' });
}

/** Calls collectGarbage each time `every` more bytes were counted with `add`. */
export class GarbagePacer {
  private bytes = 0;
  constructor(private readonly every: number, private readonly type: Collection = 'major') {}

  add(bytes: number): void {
    this.bytes += bytes;
    if (this.bytes < this.every) return;
    this.bytes = 0;
    collectGarbage(this.type);
  }
}

// Freeing the buffers a long job has finished with, at a pace the job sets. A buffer's bytes live
// outside V8's heap and are freed only when a garbage collection finds the buffer unreferenced;
// V8 collects for them when they have grown by tens of MB. Staging 2,000 files of 512 KiB inflates
// each into a buffer of its own, written and dropped at once: between two collections 50-90 MB of
// dropped buffers were still held (peak RSS 155-167 MB for ~10 MB of live heap). A full
// collection of the install's small heap takes a few milliseconds; one per 32 MiB written costs
// ~30 of them per GiB. A minor collection does not do it: the bytes of young buffers are freed
// after it, concurrently, and pile up the same way (measured on Node 26).
// Node gives no API for a collection: `--expose-gc`, set at run time, gives the contexts made after
// it a gc() (the flag is read when a context is made; the executable's code cache, checked at
// start-up, is not concerned).
import v8 from 'node:v8';
import vm from 'node:vm';

let collect: ((options?: { type?: 'major' | 'minor'; execution?: 'sync' | 'async' }) => void) | undefined;

/** A full garbage collection, now. */
export function collectGarbage(): void {
  if (!collect) {
    v8.setFlagsFromString('--expose-gc');
    collect = vm.runInNewContext('gc') as typeof collect;
  }
  collect!({ type: 'major', execution: 'sync' });
}

/** Calls collectGarbage each time `every` more bytes were counted with `add`. */
export class GarbagePacer {
  private bytes = 0;
  constructor(private readonly every: number) {}

  add(bytes: number): void {
    this.bytes += bytes;
    if (this.bytes < this.every) return;
    this.bytes = 0;
    collectGarbage();
  }
}

// Writing many new files without waiting for each one: up to `maxFiles` writes (and `maxBytes` of
// their content) in flight on libuv's thread pool while the caller prepares the next. Creating a
// file is the slow part of extracting thousands of small ones (on Windows every close is also an
// antivirus scan), and overlapping them is what the thread pool is for. The first failure stops
// everything: later writes are refused and `drain` throws it.
import { promises as fs } from 'node:fs';

export class NewFileWriter {
  private readonly inFlight = new Set<Promise<void>>();
  private bytes = 0;
  private failure: unknown;

  constructor(private readonly maxFiles = 16, private readonly maxBytes = 32 * 1024 * 1024) {}

  /** Queues `file` (which must not exist: 'wx') with `data`; waits while the limits are reached. */
  async write(file: string, data: Uint8Array): Promise<void> {
    while (this.failure === undefined && this.inFlight.size > 0 && (this.inFlight.size >= this.maxFiles || this.bytes + data.length > this.maxBytes)) {
      await Promise.race(this.inFlight);
    }
    if (this.failure !== undefined) throw this.failure;
    this.bytes += data.length;
    const task: Promise<void> = fs.writeFile(file, data, { flag: 'wx' }).then(
      () => undefined,
      (error: unknown) => { this.failure ??= error; },
    ).finally(() => {
      this.bytes -= data.length;
      this.inFlight.delete(task);
    });
    this.inFlight.add(task);
  }

  /** Waits for every queued write; throws the first failure. */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.race(this.inFlight);
    if (this.failure !== undefined) throw this.failure;
  }

  /** Waits for the writes in flight, keeping a failure to itself (after another error). */
  async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.race(this.inFlight);
  }
}

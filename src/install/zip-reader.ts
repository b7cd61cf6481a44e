// The package as yauzl reads it, through a few large reads instead of thousands of small ones.
// yauzl asks its reader for each central-directory record, each local header and each entry's
// data: with its plain file reader that is several reads of tens of bytes per entry, each a round
// trip to libuv's thread pool (100,000 entries: ~400,000 reads, most of the time of a staging
// measured with strace against `unzip`). This reader serves them from a few windows of the file,
// each filled by one read; yauzl still does all the parsing and checking.
import { promises as fs } from 'node:fs';
import { Readable } from 'node:stream';
import yauzl from 'yauzl';

const WINDOW_BYTES = 4 * 1024 * 1024;
/** The central directory and the entries' data are read at once, at two places in the file. */
const WINDOWS = 3;
const STREAM_CHUNK_BYTES = 64 * 1024;

interface Window { start: number; end: number; buffer: Buffer; used: number }

export class WindowedZipReader extends yauzl.RandomAccessReader {
  // yauzl's reference count (in its RandomAccessReader, missing from @types/yauzl).
  declare ref: () => void;
  declare unref: () => void;
  private readonly windows: Window[] = [];
  private clock = 0;

  private constructor(private readonly handle: fs.FileHandle, readonly size: number) {
    super();
  }

  static async open(file: string): Promise<WindowedZipReader> {
    const handle = await fs.open(file, 'r');
    try {
      // yauzl counts references to the reader (one of its own from fromRandomAccessReader, dropped
      // by zipfile.close(), and one per read in flight) and closes it when the count falls to zero.
      return new WindowedZipReader(handle, (await handle.stat()).size);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** `length` bytes at `position`: a view into a window when they fit in one (no copy). */
  async bytes(position: number, length: number): Promise<Buffer> {
    if (length > WINDOW_BYTES) {
      const buffer = Buffer.allocUnsafe(length);
      const { bytesRead } = await this.handle.read(buffer, 0, length, position);
      return buffer.subarray(0, bytesRead);
    }
    let window = this.windows.find((w) => w.start <= position && position + length <= w.end);
    if (!window) {
      // Refill the least recently used window, starting at the position asked (reads go forward).
      window = this.windows.length < WINDOWS
        ? (this.windows[this.windows.length] = { start: 0, end: 0, buffer: Buffer.allocUnsafe(WINDOW_BYTES), used: 0 })
        : this.windows.reduce((a, b) => (a.used <= b.used ? a : b));
      const { bytesRead } = await this.handle.read(window.buffer, 0, WINDOW_BYTES, position);
      window.start = position;
      window.end = position + bytesRead;
    }
    window.used = ++this.clock;
    const from = position - window.start;
    return window.buffer.subarray(from, Math.min(from + length, window.end - window.start));
  }

  override read(buffer: Buffer, offset: number, length: number, position: number, callback: (error: Error | null) => void): void {
    this.bytes(position, length).then((bytes) => {
      bytes.copy(buffer, offset);
      callback(bytes.length < length ? new Error(`unexpected end of file at ${position + bytes.length}`) : null);
    }, callback);
  }

  override _readStreamForRange(start: number, end: number): Readable {
    // Large entries stream straight from the file, in 64 KiB reads (the windows stay for the rest).
    const handle = this.handle;
    let position = start;
    return new Readable({
      highWaterMark: STREAM_CHUNK_BYTES,
      read() {
        const length = Math.min(STREAM_CHUNK_BYTES, end - position);
        if (length <= 0) { this.push(null); return; }
        const buffer = Buffer.allocUnsafe(length);
        handle.read(buffer, 0, length, position).then(({ bytesRead }) => {
          if (bytesRead === 0) { this.destroy(new Error(`unexpected end of file at ${position}`)); return; }
          position += bytesRead;
          this.push(buffer.subarray(0, bytesRead));
        }, (error: Error) => this.destroy(error));
      },
    });
  }

  override close(callback: (error: Error | null) => void): void {
    this.handle.close().then(() => callback(null), callback);
  }
}

export function openZipWith(reader: WindowedZipReader, options: yauzl.Options): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.fromRandomAccessReader(reader, reader.size, options, (error, zip) => (error || !zip ? reject(error ?? new Error('no archive')) : resolve(zip)));
  });
}

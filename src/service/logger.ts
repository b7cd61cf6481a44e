// The service log under bin\updates\logs, rotated by size: service.log, service.1.log, ...
// service.<keep>.log (the oldest is dropped). Synchronous appends: a line is on disk before the
// next thing happens, which is what one wants when reading the log after a crash.
import { appendFileSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';

export interface RotatingLogOptions {
  file: string;
  /** Rotate when the file would grow beyond this many bytes. */
  maxBytes: number;
  /** How many rotated files to keep besides the current one. */
  keep: number;
  now?: () => Date;
}

/** Names of the rotated files, newest first: service.1.log ... service.<keep>.log (pure). */
export function rotatedNames(file: string, keep: number): string[] {
  const ext = path.extname(file);
  const stem = file.slice(0, file.length - ext.length);
  return Array.from({ length: keep }, (_, i) => `${stem}.${i + 1}${ext}`);
}

export class RotatingLog {
  private size: number;
  private readonly now: () => Date;

  constructor(private readonly options: RotatingLogOptions) {
    this.now = options.now ?? (() => new Date());
    mkdirSync(path.dirname(options.file), { recursive: true });
    try {
      this.size = statSync(options.file).size;
    } catch {
      this.size = 0;
    }
  }

  get file(): string { return this.options.file; }

  /** Appends each line of `text` with a timestamp. */
  write(text: string): void {
    const stamp = this.now().toISOString();
    const lines = text.replace(/\n+$/, '').split('\n').map((line) => `${stamp} ${line}\n`).join('');
    const bytes = Buffer.byteLength(lines);
    if (this.size > 0 && this.size + bytes > this.options.maxBytes) this.rotate();
    appendFileSync(this.options.file, lines);
    this.size += bytes;
  }

  private rotate(): void {
    const names = rotatedNames(this.options.file, this.options.keep);
    if (names.length === 0) {
      rmSync(this.options.file, { force: true });
    } else {
      rmSync(names[names.length - 1]!, { force: true });
      for (let i = names.length - 1; i > 0; i--) {
        try { renameSync(names[i - 1]!, names[i]!); } catch { /* not there yet */ }
      }
      try { renameSync(this.options.file, names[0]!); } catch { /* nothing to rotate */ }
    }
    this.size = 0;
  }

  /** A stream-like writer (for an Output's stdout/stderr). */
  stream(): { write(chunk: string): boolean } {
    return { write: (chunk: string) => { this.write(chunk); return true; } };
  }
}

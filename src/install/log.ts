// The per-install log (bin/updates/logs/install-<id>.log, reported as LogPath): every step, hook
// output and decision, appended synchronously so a crash loses nothing written before it.
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';

export class InstallLog {
  constructor(readonly file: string, private readonly now: () => Date = () => new Date()) {
    mkdirSync(path.dirname(file), { recursive: true });
  }

  line(message: string): void {
    try {
      appendFileSync(this.file, `${this.now().toISOString()} ${message}\n`);
    } catch {
      // The log must never be the reason an install fails or a rollback stops.
    }
  }
}

export function installLogPath(logsDir: string, id: string): string {
  return path.join(logsDir, `install-${id}.log`);
}

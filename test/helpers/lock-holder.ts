// Spawns test/helpers/lock-holder.mjs (a real process holding a file open) and waits until it holds it.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'lock-holder.mjs');

export interface Holder { pid: number; child: ChildProcess; stop(): Promise<void> }

export async function holdFile(file: string, image: string): Promise<Holder> {
  const child = spawn(process.execPath, [script, `--image=${image}`, file], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`lock holder exited early (${code})`)));
    child.stdout!.setEncoding('utf8').once('data', () => resolve());
  });
  const exited = new Promise<void>((resolve) => { if (child.exitCode !== null || child.signalCode !== null) resolve(); else child.once('exit', () => resolve()); });
  return {
    pid: child.pid!,
    child,
    stop: async () => { child.kill('SIGKILL'); await exited; },
  };
}

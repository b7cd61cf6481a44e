// How to run this very tool again (for the sandbox's simulated update service and the demo's hints):
// the single executable alone, or node with the bundle.
import { isSea } from 'node:sea';
import path from 'node:path';

export function selfCommand(): string[] {
  return isSea() || !process.argv[1] ? [process.execPath] : [process.execPath, process.argv[1]];
}

/** The same, as a line to paste in a shell (the bundle relative to the current folder when inside it). */
export function selfCommandLine(): string {
  const [exe, bundle] = selfCommand();
  const parts = bundle === undefined ? [exe] : ['node', path.relative(process.cwd(), bundle).startsWith('..') ? bundle : path.relative(process.cwd(), bundle)];
  return parts.map((part) => (/[\s"]/.test(part) ? `"${part}"` : part)).join(' ');
}

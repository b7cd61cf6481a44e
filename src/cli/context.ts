// The run's context as the program composes it: src/context's, plus what only the top layer may
// give it — the sandbox's simulated database, which lives in src/sandbox above the context.
import { createContext as createRunContext, type Context, type ContextOptions } from '../context/context';
import { AltazionError } from '../core/errors';
import type { Output } from '../output/output';

export type { Context } from '../context/context';

const openSandboxDatabase: NonNullable<ContextOptions['openSandboxDatabase']> = async (folder) =>
  new (await import('../sandbox/database/store')).SandboxStore(folder);

export function createContext(options: { root?: string }, output: Output, env: NodeJS.ProcessEnv, hostPlatform?: NodeJS.Platform): Context {
  // `--root ""` (or `--root` with no value) would make every path relative to the current folder.
  if (options.root !== undefined && options.root.trim() === '') {
    throw new AltazionError('E_USAGE', '--root: the value is empty; leave --root out for the default (%ProgramData%\\CPoint\\[e], or $ALTAZION_ROOT)', { target: '--root' });
  }
  return createRunContext({ root: options.root, openSandboxDatabase }, output, env, hostPlatform);
}

// Runs one command: builds the context, calls the handler, maps whatever it throws to an error
// record and an exit code (the only place that decides exit codes), flushes the output.
import { ExitCode, toAltazionError } from '../core/errors';
import { colorWanted, Output } from '../output/output';
import type { Context } from '../context/context';
import { createContext } from './context';
import type { GlobalOptions } from './options';
import { readJournals } from '../install-state/journal';

export type CommandHandler = (ctx: Context) => Promise<ExitCode | void>;

/** Work run before every command (e.g. reporting an interrupted install); registered by features. */
const beforeEveryCommand: Array<(ctx: Context) => Promise<void>> = [];
export function runBeforeEveryCommand(step: (ctx: Context) => Promise<void>): void {
  beforeEveryCommand.push(step);
}

export interface RunOptions {
  /**
   * Skip the before-every-command steps: commands that must work on a broken or absent root, and
   * those that finish interrupted installs themselves (install, repair, service run).
   */
  standalone?: boolean;
}

export async function runCommand(argv: GlobalOptions, handler: CommandHandler, options: RunOptions = {}): Promise<void> {
  const output = new Output({ json: Boolean(argv.json), verbose: Boolean(argv.verbose), stdout: process.stdout, stderr: process.stderr, color: colorWanted(process.stdout, process.env) });
  let exitCode: ExitCode = ExitCode.Ok;
  try {
    const ctx = createContext(argv, output, process.env);
    if (!options.standalone) for (const step of beforeEveryCommand) await step(ctx);
    exitCode = (await handler(ctx)) ?? ExitCode.Ok;
  } catch (error) {
    const err = output.error(toAltazionError(error));
    exitCode = err.exitCode;
  }
  output.flush();
  process.exitCode = exitCode;
}

// An interrupted install is reported by every other command, which changes nothing (SPEC §8: reads
// change nothing); install, repair and the service finish it. The recovery code is loaded only
// when a journal is there (nearly every run finds none).
runBeforeEveryCommand(async (ctx) => {
  const journals = await readJournals(ctx.layout).catch(() => []);
  if (journals.length === 0) return;
  const { reportInterruptedInstalls } = await import('../install/recovery');
  await reportInterruptedInstalls(ctx);
});

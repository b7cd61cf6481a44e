// Entry point of the single executable: yargs parses, a command module runs, the exit code comes
// from runCommand. Usage errors are reported through the same writer (NDJSON with --json), exit 2.
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { AltazionError } from '../core/errors';
import { PRODUCT_NAME, PRODUCT_VERSION } from '../core/product';
import { Output } from '../output/output';
import { keepBufferPoolSmall } from './buffer-pool';
import { commands } from './commands';

// Before any command: every pool of small buffers made from here on is 8 KiB (buffer-pool.ts).
keepBufferPoolSmall();

export async function main(argv: string[]): Promise<void> {
  const wantsJson = argv.includes('--json');
  const parser = yargs(argv)
    .scriptName(PRODUCT_NAME)
    .usage('$0 <command> [options]')
    .option('root', { type: 'string', describe: 'instance root (default: %ProgramData%\\CPoint\\[e], or $ALTAZION_ROOT)', global: true })
    .option('json', { type: 'boolean', default: false, describe: 'NDJSON on stdout (one JSON object per line)', global: true })
    .option('verbose', { alias: 'v', type: 'boolean', default: false, describe: 'more detail on stderr', global: true })
    .command(commands)
    .demandCommand(1, 'a command is required (see --help)')
    .recommendCommands()
    .strict()
    .version(PRODUCT_VERSION)
    .help()
    .wrap(process.stdout.isTTY ? Math.min(120, process.stdout.columns || 100) : null)
    .fail((message, error, y) => {
      if (error) throw error;
      if (!wantsJson) y.showHelp((text: string) => process.stderr.write(text + '\n\n'));
      // Throwing stops yargs before any handler runs.
      throw new AltazionError('E_USAGE', message ?? 'invalid arguments', { hint: `${PRODUCT_NAME} --help` });
    });
  try {
    await parser.parseAsync();
  } catch (error) {
    if (!(error instanceof AltazionError)) throw error;
    const output = new Output({ json: wantsJson, verbose: false, stdout: process.stdout, stderr: process.stderr });
    process.exitCode = output.error(error).exitCode;
  }
}

// A reader that stops early (`| Select-Object -First 1`, `| head`) closes our stdout. What we still
// have to say is dropped, but the command runs to its end: an install is never cut short by it.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
});

main(hideBin(process.argv)).catch((error) => {
  process.stderr.write(`${PRODUCT_NAME}: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exitCode = 1;
});

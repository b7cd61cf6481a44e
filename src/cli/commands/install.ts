import type { CommandModule } from 'yargs';
import { RecordType } from '../../core/records';
import type { InstallOptions } from '../../install';
import type { StepObserver } from '../../install/apply';
import { definedFields, listArg, withSelection, type Args } from '../options';
import { runCommand } from '../run';
import { keepYoungGenerationSmall } from '../young-generation';

/** The command line's view of InstallOptions: `--name` as given (repeatable, comma lists). */
type InstallArgs = Omit<InstallOptions, 'names' | 'signal' | 'onStep'> & { name?: string[] };

/**
 * Test harness hook, read only here at the edge: ALTAZION_TEST_CRASH_AT=<step> kills this process
 * (SIGKILL, like a power loss) just before that journaled step runs, to prove recovery.
 */
function crashAt(env: NodeJS.ProcessEnv): StepObserver | undefined {
  const step = env.ALTAZION_TEST_CRASH_AT;
  if (!step) return undefined;
  return (current) => {
    if (current === step) process.kill(process.pid, 'SIGKILL');
  };
}

export const installCommand: CommandModule<object, Args<InstallArgs>> = {
  command: 'install',
  describe: 'Install updates: web applications and services with a swap of folders, the database through its scripts',
  // `--version <v>` is the version to install here, not the tool's version.
  builder: (y) => withSelection(y.version(false))
    .option('version', { type: 'string', describe: 'install this version (default: the latest in the feed)' })
    .option('dry-run', { type: 'boolean', default: false, describe: 'show the plan (WhatIf results); change nothing' })
    .option('force', { type: 'boolean', default: false, describe: 'install despite unmet requirements, a customised database, or an equal/older version' })
    .option('script', { type: 'string', describe: 'database: run only this script (after review)' })
    .option('mark-applied', { type: 'string', describe: 'database: record this script as run by hand' })
    .option('export-scripts', { type: 'string', describe: 'database: write the pending scripts into this folder' })
    .option('requested-by', { type: 'string', choices: ['cli', 'cmdlet', 'portal'], default: 'cli', hidden: true })
    .example('$0 install --dry-run', 'what would be installed, and how')
    .example('$0 install --name ecommerce --json', 'install the latest ecommerce, NDJSON output')
    .example('$0 install --name database --export-scripts D:\\review', 'export the pending database scripts for review') as never,
  handler: (argv) => runCommand(argv, async (ctx) => {
    keepYoungGenerationSmall();
    const { name, ...given } = argv;
    const options: InstallOptions = {
      names: listArg(name),
      ...definedFields(given, ['instance', 'version', 'script', 'markApplied', 'exportScripts']),
      dryRun: Boolean(given.dryRun),
      force: Boolean(given.force),
      requestedBy: given.requestedBy ?? 'cli',
    };
    if (!options.dryRun && !options.exportScripts) await (await import('../elevation')).requireElevated(ctx, 'install');
    const onStep = crashAt(ctx.env);
    if (onStep) options.onStep = onStep;
    const { runInstall } = await import('../../install');
    const run = await runInstall(ctx, options);
    for (const record of run.records) ctx.output.record(RecordType.InstallResult, record);
    // Each failure also as an error record: the cmdlets turn them into ErrorRecords with their code.
    for (const error of run.errors) ctx.output.error(error);
    return run.exitCode;
  }),
};

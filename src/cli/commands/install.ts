import type { CommandModule } from 'yargs';
import { AltazionError, ExitCode } from '../../core/errors';
import { msg } from '../../core/messages';
import { RecordType } from '../../core/records';
import type { Context } from '../context';
import type { InstallOptions } from '../../install';
import type { StepObserver } from '../../install/apply';
import { definedFields, selectionArg, withRoot, withSelection, type Args } from '../options';
import { runCommand } from '../run';
import { keepYoungGenerationSmall } from '../young-generation';

/** The command line's view of InstallOptions: `--name` as given (repeatable, comma lists). */
type InstallArgs = Omit<InstallOptions, 'names' | 'signal' | 'onStep' | 'onUnknownSelection' | 'waitSeconds'>
  & { name?: string[]; wait?: string; stopOnStdinClose?: boolean; skipUnknownNames?: boolean; at?: string };

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

/**
 * A stop request aborts the install gracefully: Ctrl+C / SIGTERM (SIGBREAK on Windows) once, and
 * with `stdinClose` the end of stdin (the cmdlets close it when their pipeline stops, and it also
 * closes when the PowerShell that started us dies). A second signal ends the process as usual.
 */
function stopRequests(stdinClose: boolean, onStop: (why: string) => void): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', ...(process.platform === 'win32' ? ['SIGBREAK' as NodeJS.Signals] : [])];
  const stop = (why: string) => {
    if (controller.signal.aborted) return;
    controller.abort(new Error(why));
    onStop(why);
  };
  const handlers = signals.map((s) => [s, () => stop(s)] as const);
  for (const [s, h] of handlers) process.once(s, h);
  const onEnd = () => stop('stdin closed');
  if (stdinClose) {
    process.stdin.on('end', onEnd).on('close', onEnd).on('error', onEnd);
    process.stdin.resume();
    // When the reader is gone (the PowerShell that started us died), writes fail with EPIPE: that
    // must not end the install; its log, journal and history on disk still tell what happened.
    for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
  }
  return {
    signal: controller.signal,
    dispose: () => {
      for (const [s, h] of handlers) process.removeListener(s, h);
      if (stdinClose) { process.stdin.removeListener('end', onEnd).removeListener('close', onEnd); process.stdin.pause(); process.stdin.unref?.(); }
    },
  };
}

/** `install --at`: records the install for the service to run in its window; installs nothing now. */
async function scheduleFor(ctx: Context, options: InstallOptions, at: string, dryRun: boolean): Promise<ExitCode> {
  // An unattended run must not override what protects the server (reinstall, downgrade, unmet
  // requirements, a customised database): that is decided by someone watching, at install time.
  const conflicting = [dryRun && '--dry-run', options.script && '--script', options.markApplied && '--mark-applied', options.exportScripts && '--export-scripts',
    options.force && '--force', options.reinstall && '--reinstall', options.allowDowngrade && '--allow-downgrade', options.ignoreDatabaseCustomization && '--ignore-database-customization'].filter(Boolean);
  if (conflicting.length > 0) throw new AltazionError('E_USAGE', `--at schedules an install: it cannot go with ${conflicting.join(', ')}`, { target: '--at' });
  const [{ scheduleInstall, ScheduledInstallType }, { parseAt, localText }] = await Promise.all([import('../../schedule'), import('../../schedule/plan')]);
  const when = parseAt(at, ctx.now());
  const entry = await scheduleInstall(ctx, {
    names: options.names ?? [], ...(options.instance !== undefined ? { instance: options.instance } : {}),
    ...(options.version ? { version: options.version } : {}), force: options.force, at: when, requestedBy: options.requestedBy ?? 'cli',
  });
  ctx.output.record(ScheduledInstallType, entry);
  ctx.output.info(msg('schedule.created', { modules: entry.Names.join(', ') || '*', at: localText(new Date(entry.At)), notAfter: localText(new Date(entry.NotAfter)) }));
  return ExitCode.Ok;
}

export const installCommand: CommandModule<object, Args<InstallArgs>> = {
  command: 'install',
  describe: 'Install updates: web applications and services with a swap of folders, the database through its scripts',
  // `--version <v>` is the version to install here, not the tool's version.
  builder: (y) => withSelection(y.version(false))
    .option('version', { type: 'string', describe: 'install this version (default: the latest in the feed)' })
    .option('dry-run', { type: 'boolean', default: false, describe: 'show the plan (WhatIf results); change nothing' })
    .option('reinstall', { type: 'boolean', default: false, describe: 'install again the version already installed (database: run again a recorded --script)' })
    .option('allow-downgrade', { type: 'boolean', default: false, describe: 'install the older --version asked for' })
    .option('ignore-database-customization', { type: 'boolean', default: false, describe: 'database: run the scripts although standard objects were customised' })
    .option('force', { type: 'boolean', default: false, describe: 'all of the above, and despite unmet requirements' })
    .option('wait', { type: 'string', describe: 'when another install is running, wait up to this many seconds for it (default: exit 4 at once)' })
    .option('script', { type: 'string', describe: 'database: run only this script (after review)' })
    .option('mark-applied', { type: 'string', describe: 'database: record this script as run by hand' })
    .option('export-scripts', { type: 'string', describe: 'database: write the pending scripts into this folder' })
    .option('at', { type: 'string', describe: 'do not install now: schedule the install for this time (HH:MM = the next one, or "YYYY-MM-DD HH:MM"); the update service runs it (see `schedule list`)' })
    .option('requested-by', { type: 'string', choices: ['cli', 'cmdlet', 'portal'], default: 'cli', hidden: true })
    // The cmdlets: closing our stdin asks the install to stop (the module in progress is finished or
    // rolled back, the next ones are not started); an unknown --name is one error, the others go on.
    .option('stop-on-stdin-close', { type: 'boolean', default: false, hidden: true })
    .option('skip-unknown-names', { type: 'boolean', default: false, hidden: true })
    .example('$0 install --dry-run', 'what would be installed, and how')
    .example('$0 install --name ecommerce --json', 'install the latest ecommerce, NDJSON output')
    .example('$0 install --name ecommerce --at 02:00', 'install ecommerce tonight at 02:00 (the update service does it)')
    .example('$0 install --name database --export-scripts D:\\review', 'export the pending database scripts for review') as never,
  handler: (argv) => runCommand(argv, async (ctx) => {
    keepYoungGenerationSmall();
    const { name, ...given } = argv;
    const requested: InstallOptions = {
      names: selectionArg(name, 'name', 'every module'),
      ...definedFields(given, ['instance', 'version', 'script', 'markApplied', 'exportScripts']),
      dryRun: Boolean(given.dryRun),
      force: Boolean(given.force),
      reinstall: Boolean(given.reinstall),
      allowDowngrade: Boolean(given.allowDowngrade),
      ignoreDatabaseCustomization: Boolean(given.ignoreDatabaseCustomization),
      requestedBy: given.requestedBy ?? 'cli',
    };
    // Parsed here, not by yargs: its NaN would hide the value the admin typed.
    const wait = given.wait === undefined ? undefined : String(given.wait).trim() === '' ? NaN : Number(given.wait);
    if (wait !== undefined && (!Number.isFinite(wait) || wait < 0)) {
      throw new AltazionError('E_USAGE', `--wait: "${given.wait}" is not a number of seconds`, { target: String(given.wait) });
    }
    // Scheduling writes under bin\updates too (administrators only): checked before it as well.
    if (!requested.dryRun && !requested.exportScripts) await (await import('../elevation')).requireElevated(ctx, 'install');
    if (given.at !== undefined) return scheduleFor(ctx, requested, given.at, Boolean(given.dryRun));
    const stop = stopRequests(Boolean(given.stopOnStdinClose), (why) => ctx.output.warn(`stop requested (${why}): finishing or rolling back the module in progress; the next ones will not be started`));
    const options: InstallOptions = { ...requested, signal: stop.signal, ...(wait !== undefined ? { waitSeconds: wait } : {}) };
    if (given.skipUnknownNames) options.onUnknownSelection = (error) => { ctx.output.error(error); };
    const onStep = crashAt(ctx.env);
    if (onStep) options.onStep = onStep;
    // Each result as its module ends, each failure also as an error record (the cmdlets turn them
    // into ErrorRecords with their code): a pipeline or a remote session gets them while the next
    // module installs.
    options.onRecord = (record) => ctx.output.record(RecordType.InstallResult, withRoot(ctx, record));
    options.onError = (error) => ctx.output.error(error);
    // runInstall finishes an interrupted install under its own lock, or with --dry-run reports it.
    const { runInstall } = await import('../../install');
    const run = await runInstall(ctx, options).finally(() => stop.dispose());
    return run.exitCode;
  }, { standalone: true }),
};

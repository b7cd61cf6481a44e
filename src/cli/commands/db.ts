// `db status` / `db scripts [--show id]` / `db drift` (SPEC §3, §7): the database's state, its
// scripts with their impact, one script's content, and the customisation report.
import type { CommandModule } from 'yargs';
import { RecordType } from '../../core/records';
import { AltazionError } from '../../core/errors';
import type { Args } from '../options';
import { runCommand } from '../run';

interface DbArgs { action?: string; show?: string; package?: string; out?: string; version?: string }

export const dbCommand: CommandModule<object, Args<DbArgs>> = {
  command: 'db <action>',
  describe: 'Database details: status, scripts (with --show <id> for one script), drift (customisation report); baseline (publisher: fingerprint a reference database)',
  // `--version <v>` (with `baseline`) is a release, not the tool's version.
  builder: (y) => y.version(false)
    .positional('action', { choices: ['status', 'scripts', 'drift', 'baseline'] as const, describe: 'what to show (baseline: write the schema baseline of the database, for a package)' })
    .option('show', { type: 'string', describe: 'with `scripts`: print the content of this script (e.g. 2025-10/0001); with `drift`: the unified diff of this object against the standard (e.g. E.clients)' })
    .option('out', { type: 'string', describe: 'with `baseline`: the baseline file to write' })
    .option('version', { type: 'string', describe: 'with `baseline`: the release the database is at (e.g. 25.10.1.2)' })
    .option('package', { type: 'string', describe: 'database package (zip or folder); default: the newest one in bin\\updates\\cache' })
    .example('$0 db status', 'installed database version, customisation, pending scripts')
    .example('$0 db scripts', 'every script of the package with its status and the objects it touches')
    .example('$0 db scripts --show 2025-10/0001 > 0001.sql', 'one script, to review or run by hand')
    .example('$0 db drift --json', 'Modified, Missing and Extra objects against the standard baseline')
    .example('$0 db drift --show E.ps_commandes_client', 'what differs from the standard definition, as a unified diff')
    .example('$0 db baseline --version 25.10.1.2 --out baselines/25.10.1.2.json', 'publisher: the baseline of a reference database built by the release scripts') as never,
  handler: (argv) => runCommand(argv, async (ctx) => {
    const { databaseDrift, databaseDriftDiff, databaseStatus, listDatabaseScripts, showDatabaseScript, writeDatabaseBaseline } = await import('../../database/flow/queries');
    const { DatabaseRecordType } = await import('../../database/flow/records');
    const options = { package: argv.package };
    if (argv.show !== undefined && argv.action !== 'scripts' && argv.action !== 'drift') throw new AltazionError('E_USAGE', '--show goes with `db scripts` or `db drift`', { hint: 'altazion-update db scripts --show <id>, altazion-update db drift --show <object>' });
    switch (argv.action) {
      case 'status':
        ctx.output.record(DatabaseRecordType.Status, await databaseStatus(ctx, options));
        return;
      case 'scripts': {
        if (argv.show !== undefined) {
          const script = await showDatabaseScript(ctx, argv.show, options);
          if (ctx.output.json) {
            ctx.output.record(RecordType.DatabaseScript, script);
          } else {
            // The script itself on stdout (so it can be redirected to a file), its details on stderr.
            ctx.output.info(`${script.Id} "${script.Name}" - ${script.Status} - touches: ${script.Objects.join(', ') || '(nothing found)'}${script.CustomizedObjects.length ? ` - CUSTOMISED: ${script.CustomizedObjects.join(', ')}` : ''}`);
            process.stdout.write(script.Content.endsWith('\n') ? script.Content : script.Content + '\n');
          }
          return;
        }
        for (const record of await listDatabaseScripts(ctx, options)) ctx.output.record(RecordType.DatabaseScript, record);
        return;
      }
      case 'baseline': {
        if (!argv.out || !argv.version) throw new AltazionError('E_USAGE', 'db baseline needs --version <release> and --out <file>', { hint: 'altazion-update db baseline --version 25.10.1.2 --out baseline.json' });
        ctx.output.record('Altazion.DatabaseBaseline', await writeDatabaseBaseline(ctx, argv.version, argv.out));
        return;
      }
      case 'drift':
        if (argv.show !== undefined) {
          const diff = await databaseDriftDiff(ctx, argv.show, options);
          if (ctx.output.json) ctx.output.record(DatabaseRecordType.Diff, diff);
          else {
            // The diff itself on stdout (a patch a DBA can keep), what it is on stderr.
            ctx.output.info(`${diff.Object} (${diff.Type}) - ${diff.State} - ${diff.Detail}`);
            process.stdout.write(diff.Diff ? (diff.Diff.endsWith('\n') ? diff.Diff : diff.Diff + '\n') : '(no difference in the definition text)\n');
          }
          return;
        }
        for (const record of await databaseDrift(ctx, options)) ctx.output.record(DatabaseRecordType.Drift, record);
        return;
      default:
        throw new AltazionError('E_USAGE', `db: unknown action "${argv.action}" (status, scripts, drift, baseline)`);
    }
  }),
};

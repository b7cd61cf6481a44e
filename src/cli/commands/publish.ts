import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { CommandModule } from 'yargs';
import { AltazionError } from '../../core/errors';
import type { Args } from '../options';
import { runCommand } from '../run';

interface PublishArgs { packages?: string; key?: string; out?: string; indexVersion?: number; expiresDays?: number }

export const publishCommand: CommandModule<object, Args<PublishArgs>> = {
  command: 'publish',
  describe: 'Publisher side: add packages to a feed folder and sign its release-index.json (sizes and hashes computed here)',
  builder: (y) => y
    .option('packages', { type: 'string', demandOption: true, describe: 'folder of package zips (each with altazion-package.json at its root)' })
    .option('key', { type: 'string', demandOption: true, describe: 'private key file made by `keygen`' })
    .option('out', { type: 'string', demandOption: true, describe: 'feed folder (created; an existing index there is extended)' })
    .option('index-version', { type: 'number', describe: 'index version (default: previous + 1); must grow' })
    .option('expires-days', { type: 'number', default: 30, describe: 'days until the index expires (clients refuse an expired index)' })
    .example('$0 publish --packages ./build --key altazion-2026.key --out ./feed', 'then serve ./feed over https or copy it to a share') as never,
  handler: (argv) => runCommand(argv, async (ctx) => {
    const keyFile = path.resolve(argv.key!);
    let keyText: string;
    try {
      keyText = await fs.readFile(keyFile, 'utf8');
    } catch (error) {
      throw new AltazionError('E_USAGE', `--key: ${keyFile} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, { target: keyFile });
    }
    const [{ parseSigningKey }, { publishFeed }] = await Promise.all([import('../../feed/keys'), import('../../feed/publish')]);
    const key = parseSigningKey(keyText, keyFile);
    if (argv.indexVersion !== undefined && !Number.isSafeInteger(argv.indexVersion)) {
      throw new AltazionError('E_USAGE', `--index-version: must be a positive integer, got ${argv.indexVersion}`);
    }
    const result = await publishFeed({
      packagesDir: path.resolve(argv.packages!),
      key,
      outDir: path.resolve(argv.out!),
      ...(argv.indexVersion !== undefined ? { indexVersion: argv.indexVersion } : {}),
      expiresInDays: argv.expiresDays ?? 30,
      now: ctx.now(),
    });
    for (const r of result.releases) {
      ctx.output.record('Altazion.PublishedRelease', {
        Module: r.module, Version: r.version, Package: r.package, Size: r.size, Sha256: r.sha256, PublishedAt: r.publishedAt, Added: r.added,
      });
    }
    ctx.output.info(`${result.indexPath}: index version ${result.indexVersion}, signed by ${result.keyId}, expires ${result.expiresAt}`);
  }, { standalone: true }),
};

import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { CommandModule } from 'yargs';
import { AltazionError } from '../../core/errors';
import type { Args } from '../options';
import { runCommand } from '../run';

interface PublishArgs { packages?: string; key?: string[]; out?: string; indexVersion?: number; expiresDays?: number; introduce?: string[]; revoke?: string[] }

async function readText(option: string, file: string): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (error) {
    throw new AltazionError('E_USAGE', `${option}: ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, { target: file });
  }
}

export const publishCommand: CommandModule<object, Args<PublishArgs>> = {
  command: 'publish',
  describe: 'Publisher side: add packages to a feed folder and sign its release-index.json (sizes and hashes computed here); rotate or revoke publisher keys through the feed\'s key list',
  builder: (y) => y
    .option('packages', { type: 'string', describe: 'folder of package zips (each with altazion-package.json at its root); without it, the index is signed again' })
    .option('key', { type: 'string', array: true, demandOption: true, describe: 'private key file made by `keygen` (repeatable: during a rotation, sign with the old and the new key)' })
    .option('introduce', { type: 'string', array: true, describe: 'public key file (keygen\'s .pub) or key file of a key servers are to trust from now on (repeatable); the key list is signed by the --key keys they trust already' })
    .option('revoke', { type: 'string', array: true, describe: 'key id (or its public key file) servers must never trust again (repeatable)' })
    .option('out', { type: 'string', demandOption: true, describe: 'feed folder (created; an existing index there is extended)' })
    .option('index-version', { type: 'number', describe: 'index version (default: previous + 1); must grow' })
    .option('expires-days', { type: 'number', default: 30, describe: 'days until the index expires (clients refuse an expired index)' })
    .example('$0 publish --packages ./build --key altazion-2026.key --out ./feed', 'then serve ./feed over https or copy it to a share')
    .example('$0 publish --key altazion-2026.key --key altazion-2027.key --introduce altazion-2027.key.pub --out ./feed', 'rotation, step 1: servers learn the new key (signed by the old one)')
    .example('$0 publish --key altazion-2027.key --revoke altazion-2026 --out ./feed', 'rotation, step 2: the old key is revoked; nothing it signs is accepted any more') as never,
  handler: (argv) => runCommand(argv, async (ctx) => {
    const [{ isValidKeyId, parseKeyReference, parseSigningKey }, { publishFeed }] = await Promise.all([import('../../feed/keys'), import('../../feed/publish')]);
    const keys = [];
    for (const name of argv.key ?? []) {
      const keyFile = path.resolve(name);
      keys.push(parseSigningKey(await readText('--key', keyFile), keyFile));
    }
    const introduce = [];
    for (const name of argv.introduce ?? []) {
      const file = path.resolve(name);
      introduce.push(parseKeyReference(await readText('--introduce', file), file));
    }
    const revoke = [];
    for (const ref of argv.revoke ?? []) {
      // A key id as is; anything else is a public key file.
      if (isValidKeyId(ref) && !(await fs.stat(ref).then(() => true, () => false))) revoke.push(ref);
      else revoke.push(parseKeyReference(await readText('--revoke', path.resolve(ref)), path.resolve(ref)));
    }
    if (argv.indexVersion !== undefined && !Number.isSafeInteger(argv.indexVersion)) {
      throw new AltazionError('E_USAGE', `--index-version: must be a positive integer, got ${argv.indexVersion}`);
    }
    const result = await publishFeed({
      ...(argv.packages !== undefined ? { packagesDir: path.resolve(argv.packages) } : {}),
      key: keys[0]!,
      moreKeys: keys.slice(1),
      introduce,
      revoke,
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
    if (result.keyList) {
      const list = result.keyList;
      ctx.output.record('Altazion.KeyList', { Version: list.version, Path: list.path, Keys: list.keys, Revoked: list.revoked, Changed: list.changed });
    }
    ctx.output.info(`${result.indexPath}: index version ${result.indexVersion}, signed by ${result.keyIds.join(', ')}, expires ${result.expiresAt}`);
  }, { standalone: true }),
};

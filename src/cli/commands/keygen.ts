import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { CommandModule } from 'yargs';
import { AltazionError } from '../../core/errors';
import { makeOptionFolder } from '../../io/files';
import type { Args } from '../options';
import { runCommand } from '../run';

interface KeygenArgs { out?: string; id?: string }

export const keygenCommand: CommandModule<object, Args<KeygenArgs>> = {
  command: 'keygen',
  describe: 'Publisher side: create an Ed25519 signing key (private key file, and <file>.pub with its public half; prints the public key for updater.config)',
  builder: (y) => y
    .option('out', { type: 'string', demandOption: true, describe: 'private key file to create (JSON; keep it secret; never overwritten)' })
    .option('id', { type: 'string', describe: 'key id (default: first 16 hex digits of the sha256 of the public key)' })
    .example('$0 keygen --out altazion-2026.key --id altazion-2026', 'then put the printed <trustedKey .../> in each server\'s updater.config')
    .example('$0 keygen --out altazion-2027.key --id altazion-2027', 'a next key: publish --key altazion-2026.key --key altazion-2027.key --introduce altazion-2027.key.pub rotates to it without touching servers') as never,
  handler: (argv) => runCommand(argv, async (ctx) => {
    const file = path.resolve(argv.out!);
    const { generateSigningKey, publicKeyFileText } = await import('../../feed/keys');
    const key = generateSigningKey(argv.id);
    await makeOptionFolder(path.dirname(file), 'out', file);
    try {
      // 'wx': an existing key is never replaced (feeds signed with it would become unverifiable).
      await fs.writeFile(file, key.keyFileText, { flag: 'wx', mode: 0o600 });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new AltazionError('E_USAGE', `--out: ${file} ${code === 'EEXIST' ? 'already exists; choose another file (an existing key is never overwritten)' : `cannot be written (${code})`}`, { target: file });
    }
    // The public half, safe to hand over (publish --introduce <file>.pub), never the private key.
    const publicFile = `${file}.pub`;
    await fs.writeFile(publicFile, publicKeyFileText(key), { mode: 0o644 });
    ctx.output.record('Altazion.SigningKey', {
      KeyId: key.keyId,
      Algorithm: 'ed25519',
      PublicKey: key.publicKey,
      KeyFile: file,
      PublicKeyFile: publicFile,
      TrustedKey: `<trustedKey id="${key.keyId}" publicKey="${key.publicKey}" />`,
    });
  }, { standalone: true }),
};

// The install lock from a command line, for processes that cannot talk over IPC (node.exe under
// Wine): `hold <root>` takes the lock, prints `held <pid>` and waits to be killed; `try <root>`
// tries once and prints `won` or `busy <message>` (then releases and exits).
// `hold-both <root> <download lock> <marker>` takes the install lock, then the download lock (as a
// download does: a lock in another folder), prints `held <pid>`; once `marker` exists it releases
// the download lock, prints `released-download` and waits to be killed. `try-file <file>` is `try`
// on any lock file.
import { existsSync } from 'node:fs';
import { instanceLayout, pathApiFor } from '../../src/config/paths';
import { acquireDownloadLock } from '../../src/feed/download';
import { acquireInstallLock, currentOwner } from '../../src/install-state/lock';
import { acquireLockFile } from '../../src/io/lock-file';

const [mode, root, downloadLock, marker] = process.argv.slice(2);
const layout = instanceLayout(root, pathApiFor(root));

async function main(): Promise<void> {
  if (mode === 'hold') {
    await acquireInstallLock(layout, currentOwner('cli', 'holder'));
    process.stdout.write(`held ${process.pid}\n`);
    setInterval(() => undefined, 1 << 30);
    return;
  }
  if (mode === 'hold-both') {
    await acquireInstallLock(layout, currentOwner('cli', 'holder'));
    const download = await acquireDownloadLock(downloadLock, 'a package', {});
    process.stdout.write(`held ${process.pid}\n`);
    const poll = setInterval(() => {
      if (!existsSync(marker)) return;
      clearInterval(poll);
      void download.release().then(() => process.stdout.write('released-download\n'));
    }, 50);
    setInterval(() => undefined, 1 << 30);
    return;
  }
  try {
    const lock = mode === 'try-file' ? await acquireLockFile(root, currentOwner('cli', 'try')) : await acquireInstallLock(layout, currentOwner('cli', 'try'));
    process.stdout.write('won\n');
    await lock.release();
  } catch (error) {
    process.stdout.write(`busy ${(error as Error).message}\n`);
  }
}
main().catch((error) => { process.stderr.write(`${(error as Error).stack}\n`); process.exitCode = 1; });

// The install lock from a command line, for processes that cannot talk over IPC (node.exe under
// Wine): `hold <root>` takes the lock, prints `held <pid>` and waits to be killed; `try <root>`
// tries once and prints `won` or `busy <message>` (then releases and exits).
import { instanceLayout, pathApiFor } from '../../src/config/paths';
import { acquireInstallLock, currentOwner } from '../../src/install-state/lock';

const [mode, root] = process.argv.slice(2);
const layout = instanceLayout(root, pathApiFor(root));

async function main(): Promise<void> {
  if (mode === 'hold') {
    await acquireInstallLock(layout, currentOwner('cli', 'holder'));
    process.stdout.write(`held ${process.pid}\n`);
    setInterval(() => undefined, 1 << 30);
    return;
  }
  try {
    const lock = await acquireInstallLock(layout, currentOwner('cli', 'try'));
    process.stdout.write('won\n');
    await lock.release();
  } catch (error) {
    process.stdout.write(`busy ${(error as Error).message}\n`);
  }
}
main().catch((error) => { process.stderr.write(`${(error as Error).stack}\n`); process.exitCode = 1; });

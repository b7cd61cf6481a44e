// A real process taking the install lock on request (see workers.ts):
//   { op: 'acquire', root, waitSeconds?, hold? } -> { op: 'won', pid } or { op: 'busy', code, message }
//   { op: 'release' } -> { op: 'released' }
// After 'won' the lock is held until 'release' (or until the process is killed: a stale lock).
import { instanceLayout } from '../../src/config/paths';
import { acquireInstallLock, currentOwner, type InstallLock } from '../../src/install-state/lock';

let held: InstallLock | undefined;

process.on('message', async (message: { op: string; root?: string; waitSeconds?: number; description?: string }) => {
  try {
    if (message.op === 'acquire') {
      const layout = instanceLayout(message.root!);
      try {
        held = await acquireInstallLock(layout, currentOwner('cli', message.description ?? `worker ${process.pid}`), { waitSeconds: message.waitSeconds ?? 0 });
        process.send!({ op: 'won', pid: process.pid, nonce: held.owner.nonce });
      } catch (error) {
        const e = error as { code?: string; message: string };
        process.send!({ op: 'busy', code: e.code, message: e.message });
      }
    } else if (message.op === 'release') {
      await held?.release();
      held = undefined;
      process.send!({ op: 'released' });
    } else if (message.op === 'exit') {
      process.exit(0);
    }
  } catch (error) {
    process.send!({ op: 'error', message: (error as Error).stack });
  }
});
process.send!({ op: 'ready', pid: process.pid });

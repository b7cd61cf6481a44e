// A real process running installs on request (see workers.ts), as the CLI, a cmdlet or the
// service would:
//   { op: 'install', root, names } -> { op: 'done', pid, exitCode, records, errors } or
//                                     { op: 'done', pid, exitCode, thrown: { code, message } }
import { createContext } from '../../src/cli/context';
import { toAltazionError } from '../../src/core/errors';
import { runInstall } from '../../src/install';
import { silentOutput } from '../../src/output/output';

process.on('message', async (message: { op: string; root?: string; names?: string[] }) => {
  if (message.op === 'exit') process.exit(0);
  if (message.op !== 'install') return;
  try {
    const run = await runInstall(createContext({ root: message.root! }, silentOutput(), process.env), { names: message.names ?? [] });
    process.send!({
      op: 'done', pid: process.pid, exitCode: run.exitCode,
      records: run.records.map((r) => ({ Name: r.Name, Result: r.Result, BackupPath: r.BackupPath, Message: r.Message })),
      errors: run.errors.map((e) => ({ code: e.code, message: e.message })),
    });
  } catch (error) {
    const e = toAltazionError(error);
    process.send!({ op: 'done', pid: process.pid, exitCode: e.exitCode, thrown: { code: e.code, message: e.message } });
  }
});
process.send!({ op: 'ready', pid: process.pid });

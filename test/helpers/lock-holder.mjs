// A real process that keeps a file open, as a w3wp.exe worker or an explorer window would on
// Windows: `node lock-holder.mjs --image=<name> <file>`. The sandbox finds it through /proc (the
// image name comes from --image=) and refuses renames of folders it holds. Prints "ready" once
// the file is open; exits on SIGTERM (what the sandbox's pool stop sends to its workers).
import { openSync } from 'node:fs';

const file = process.argv.slice(2).find((a) => !a.startsWith('--'));
if (!file) { process.stderr.write('usage: lock-holder.mjs --image=<name> <file>\n'); process.exit(64); }
openSync(file, 'r');
process.stdout.write('ready\n');
setInterval(() => {}, 1 << 30);

// A real install process that dies (SIGKILL, like a power loss) just before a journaled step:
//   node --import tsx crash-install.ts <root> <module> <step>
import { createContext } from '../../../src/cli/context';
import { installModules } from '../../../src/install';
import { silentOutput } from '../../../src/output/output';

const [root, name, step] = process.argv.slice(2);
const ctx = createContext({ root }, silentOutput(), process.env);
await installModules(ctx, { names: [name], onStep: (s) => { if (s === step) process.kill(process.pid, 'SIGKILL'); } });
process.stderr.write(`install finished without reaching step ${step}\n`);
process.exitCode = 3;

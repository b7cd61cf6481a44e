// Every command of the CLI, one module per file. Register a new command by adding it here.
import type { CommandModule } from 'yargs';
import { getCommand } from './get';
import { checkCommand } from './check';
import { sandboxCommand } from './sandbox';
import { demoCommand } from './demo';
import { repairCommand } from './repair';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const commands: CommandModule<any, any>[] = [
  getCommand,
  checkCommand,
  sandboxCommand,
  demoCommand,
  repairCommand,
];

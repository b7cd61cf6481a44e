// Every command of the CLI, one module per file. Register a new command by adding it here.
import type { CommandModule } from 'yargs';
import { getCommand } from './get';
import { checkCommand } from './check';
import { installCommand } from './install';
import { sandboxCommand } from './sandbox';
import { demoCommand } from './demo';
import { repairCommand } from './repair';
import { keygenCommand } from './keygen';
import { publishCommand } from './publish';
import { serviceCommand } from './service';
import { dbCommand } from './db';
import { portalCommand } from './portal';
import { scheduleCommand } from './schedule';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const commands: CommandModule<any, any>[] = [
  getCommand,
  checkCommand,
  installCommand,
  sandboxCommand,
  demoCommand,
  repairCommand,
  keygenCommand,
  publishCommand,
  serviceCommand,
  dbCommand,
  portalCommand,
  scheduleCommand,
];

// The real Windows host (SPEC §10). Each concern lives in its own file, written against
// Microsoft's documentation; this file only composes them.
import { promises as fs } from 'node:fs';
import type { FileSystemOps, FolderRights, IisControl, LockInspector, Platform, ServiceControl } from '../types';
import { WindowsIis } from './iis';
import { WindowsServices } from './services';
import { WindowsLocks } from './locks';
import { WindowsRights } from './rights';

export class WindowsPlatform implements Platform {
  readonly kind = 'windows' as const;
  readonly iis: IisControl;
  readonly services: ServiceControl;
  readonly locks: LockInspector;
  readonly rights: FolderRights;
  readonly fs: FileSystemOps;

  constructor(env: NodeJS.ProcessEnv, readonly computerName: string) {
    this.iis = new WindowsIis(env);
    this.services = new WindowsServices(env);
    this.locks = new WindowsLocks(env);
    this.rights = new WindowsRights(env);
    this.fs = {
      // On Windows a rename fails by itself while a process holds a file inside: no simulation needed.
      rename: (from, to) => fs.rename(from, to),
      freeBytes: async (p) => {
        const stats = await fs.statfs(p);
        return Number(stats.bavail) * Number(stats.bsize);
      },
    };
  }
}

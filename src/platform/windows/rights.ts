// PLACEHOLDER until issue #6 lands the real implementation: every call fails loudly.
import { AltazionError } from '../../core/errors';
import type { FolderRights } from '../types';

export class WindowsRights implements FolderRights {
  constructor(private readonly env: NodeJS.ProcessEnv) {}
  private fail(): never {
    throw new AltazionError('E_PLATFORM', 'rights control on Windows is not available in this build');
  }
  canWrite(): never { return this.fail(); }
  grantModify(): never { return this.fail(); }
}

// PLACEHOLDER until issue #4 lands the real implementation: every call fails loudly.
import { AltazionError } from '../../core/errors';
import type { IisControl } from '../types';

export class WindowsIis implements IisControl {
  constructor(private readonly env: NodeJS.ProcessEnv) {}
  private fail(): never {
    throw new AltazionError('E_PLATFORM', 'iis control on Windows is not available in this build');
  }
  listApplications(): never { return this.fail(); }
  listPools(): never { return this.fail(); }
  getPool(): never { return this.fail(); }
  stopPool(): never { return this.fail(); }
  startPool(): never { return this.fail(); }
}

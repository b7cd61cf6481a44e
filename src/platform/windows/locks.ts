// PLACEHOLDER until issue #6 lands the real implementation: every call fails loudly.
import { AltazionError } from '../../core/errors';
import type { LockInspector } from '../types';

export class WindowsLocks implements LockInspector {
  constructor(private readonly env: NodeJS.ProcessEnv) {}
  private fail(): never {
    throw new AltazionError('E_PLATFORM', 'locks control on Windows is not available in this build');
  }
  holders(): never { return this.fail(); }
}

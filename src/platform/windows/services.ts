// PLACEHOLDER until issue #4 lands the real implementation: every call fails loudly.
import { AltazionError } from '../../core/errors';
import type { ServiceControl } from '../types';

export class WindowsServices implements ServiceControl {
  constructor(private readonly env: NodeJS.ProcessEnv) {}
  private fail(): never {
    throw new AltazionError('E_PLATFORM', 'services control on Windows is not available in this build');
  }
  list(): never { return this.fail(); }
  get(): never { return this.fail(); }
  stop(): never { return this.fail(); }
  start(): never { return this.fail(); }
  setStartMode(): never { return this.fail(); }
}

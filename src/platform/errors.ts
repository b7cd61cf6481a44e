// The platform could not answer at all (on Windows: no host can run the bridge — no .NET Framework
// for edge-js and no usable Windows PowerShell 5.1). Nothing was done. Reads that do not need IIS
// or the services (`get`, `check`) go on from the files alone and say why; changes stop.
import { AltazionError } from '../core/errors';
import type { Message } from '../core/messages';

export class PlatformUnavailableError extends AltazionError {
  constructor(message: string | Message, hint?: string | Message) {
    super('E_PLATFORM', message, hint === undefined ? {} : { hint });
  }
}

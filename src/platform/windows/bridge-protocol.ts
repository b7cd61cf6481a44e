// The bridge protocol, TypeScript side (the C# side is bridge/Bridge.cs), pure:
//   request  {"v":1,"calls":[{"op":"services.list"},{"op":"iis.list"}]}
//   answer   {"v":1,"results":[{"ok":true,"value":...},{"ok":false,"error":{"code":"NO_IIS","message":"...","win32":1060}}]}
import { AltazionError } from '../../core/errors';
import { msg } from '../../core/messages';
import { PlatformUnavailableError } from '../errors';

export const BRIDGE_PROTOCOL_VERSION = 1;

export interface BridgeCall { op: string; [arg: string]: unknown }

export interface BridgeErrorInfo { code: string; message: string; win32?: number; type?: string }

export type BridgeResult = { ok: true; value: unknown } | { ok: false; error: BridgeErrorInfo };

/** A call the bridge answered with an error (the operation ran and failed). */
export class BridgeCallError extends AltazionError {
  constructor(readonly op: string, readonly info: BridgeErrorInfo, target?: string) {
    // info.message is Windows' own text (French on a French server): data, shown as is.
    const call = `${op}${target ? ` ${target}` : ''}`;
    super(info.code === 'ACCESS_DENIED' ? 'E_REQUIREMENT' : 'E_PLATFORM',
      info.win32 ? msg('platform.bridgeCallFailedCode', { call, error: info.message, code: info.win32 }) : msg('platform.bridgeCallFailed', { call, error: info.message }),
      { target, ...(info.code === 'ACCESS_DENIED' ? { hint: msg('platform.accessDeniedHint') } : {}) });
  }
}

/** The bridge could not run at all (no host could load it): nothing was done. */
export class BridgeUnavailableError extends PlatformUnavailableError {}

export function encodeRequest(calls: readonly BridgeCall[]): string {
  return JSON.stringify({ v: BRIDGE_PROTOCOL_VERSION, calls });
}

/** Parses an answer; a malformed one (or one with a request-level error) throws BridgeUnavailableError naming `host`. */
export function decodeAnswer(text: string, expected: number, host: string): BridgeResult[] {
  let answer: { v?: unknown; results?: unknown; error?: BridgeErrorInfo };
  try {
    answer = JSON.parse(text.replace(/^\uFEFF/, '')) as typeof answer;
  } catch {
    const shown = text.trim().slice(0, 200);
    throw new BridgeUnavailableError(`the Windows bridge (${host}) did not answer in JSON${shown ? `: ${shown}` : ' (no output)'}`);
  }
  if (answer.error) throw new BridgeUnavailableError(`the Windows bridge (${host}) refused the request: ${answer.error.message}`);
  if (answer.v !== BRIDGE_PROTOCOL_VERSION || !Array.isArray(answer.results) || answer.results.length !== expected) {
    throw new BridgeUnavailableError(`the Windows bridge (${host}) answered protocol ${String(answer.v)} with ${Array.isArray(answer.results) ? answer.results.length : 'no'} results for ${expected} calls`);
  }
  return answer.results as BridgeResult[];
}

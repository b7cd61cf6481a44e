// The NDJSON protocol (SPEC §5), as pure functions: one JSON object per line, version 1.
import type { AltazionError } from '../core/errors';

export const PROTOCOL_VERSION = 1;

export type LogLevel = 'verbose' | 'info' | 'warning';

export interface ObjectMessage { v: 1; type: 'object'; typeName: string; data: Record<string, unknown> }
export interface ProgressMessage { v: 1; type: 'progress'; id: number; activity: string; status: string; percent: number; completed?: boolean }
export interface LogMessage { v: 1; type: 'log'; level: LogLevel; message: string }
export interface ErrorMessage { v: 1; type: 'error'; code: string; message: string; target?: string; hint?: string }
export type ProtocolMessage = ObjectMessage | ProgressMessage | LogMessage | ErrorMessage;

export function objectMessage(typeName: string, data: object): ObjectMessage {
  return { v: PROTOCOL_VERSION, type: 'object', typeName, data: data as Record<string, unknown> };
}

export function errorMessage(error: AltazionError): ErrorMessage {
  const message: ErrorMessage = { v: PROTOCOL_VERSION, type: 'error', code: error.code, message: error.message };
  if (error.target) message.target = error.target;
  if (error.hint) message.hint = error.hint;
  return message;
}

/** Serialises one message as a single line (JSON.stringify never emits raw newlines). */
export function encodeLine(message: ProtocolMessage): string {
  return JSON.stringify(message) + '\n';
}

/** Parses one NDJSON line; throws on anything that is not a v1 protocol message. */
export function decodeLine(line: string): ProtocolMessage {
  const parsed = JSON.parse(line) as ProtocolMessage;
  if (!parsed || typeof parsed !== 'object' || parsed.v !== PROTOCOL_VERSION || typeof parsed.type !== 'string') {
    throw new Error(`not an altazion-update protocol line: ${line.slice(0, 120)}`);
  }
  return parsed;
}

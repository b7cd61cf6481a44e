// The NDJSON protocol (SPEC §5), as pure functions: one JSON object per line, version 1.
import type { AltazionError } from '../core/errors';
import type { Message, MessageParams } from '../core/messages';

export const PROTOCOL_VERSION = 1;

export type LogLevel = 'verbose' | 'info' | 'warning';

export interface ObjectMessage { v: 1; type: 'object'; typeName: string; data: Record<string, unknown> }
// Beside each English text, when the core worded it as a Message: its id and parameters
// (`messageId`/`params`, `activityId`/`activityParams`, ...) so that a reader can word it itself.
export interface ProgressMessage {
  v: 1; type: 'progress'; id: number; activity: string; status: string; percent: number; completed?: boolean;
  activityId?: string; activityParams?: MessageParams; statusId?: string; statusParams?: MessageParams;
}
export interface LogMessage { v: 1; type: 'log'; level: LogLevel; message: string; messageId?: string; params?: MessageParams }
export interface ErrorMessage {
  v: 1; type: 'error'; code: string; message: string; target?: string; hint?: string;
  messageId?: string; params?: MessageParams; hintId?: string; hintParams?: MessageParams;
}
export type ProtocolMessage = ObjectMessage | ProgressMessage | LogMessage | ErrorMessage;

export function objectMessage(typeName: string, data: object): ObjectMessage {
  return { v: PROTOCOL_VERSION, type: 'object', typeName, data: data as Record<string, unknown> };
}

export function errorMessage(error: AltazionError): ErrorMessage {
  const message: ErrorMessage = { v: PROTOCOL_VERSION, type: 'error', code: error.code, message: error.message };
  if (error.target) message.target = error.target;
  if (error.hint) message.hint = error.hint;
  if (error.messageRef) Object.assign(message, idFields('messageId', 'params', error.messageRef));
  if (error.hintRef) Object.assign(message, idFields('hintId', 'hintParams', error.hintRef));
  return message;
}

/** `{ [idKey]: id, [paramsKey]: params }` of a Message (nothing for plain text). */
export function idFields(idKey: string, paramsKey: string, value: string | Message | undefined): Record<string, unknown> {
  if (value === undefined || typeof value === 'string') return {};
  return value.params ? { [idKey]: value.id, [paramsKey]: value.params } : { [idKey]: value.id };
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

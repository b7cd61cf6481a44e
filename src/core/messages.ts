// Messages as codes with parameters (pure). The core says *what* happened as a Message — an id from
// the catalogue and its parameters — and each reader words it: the command line and the NDJSON
// `message` fields in English (messages-en.ts), the portal, the Event Log and the notifications in
// French or English (messages-fr.ts). The English text stays in every record and protocol line, so
// scripts and the PowerShell module see what they always saw; the id and the parameters travel
// beside it (`messageId` + `params` on protocol lines, `<Field>Id` + `<Field>Params` on records).
//
// Parameters: a string or a number is data (a path, a version, a module key, an error text from the
// system) and is shown as is in every language; a Message (or a list of them) is worded too.
import { EN, type MessageId } from './messages-en';
import { FR } from './messages-fr';

export type { MessageId } from './messages-en';

export type MessageParam = string | number | Message | readonly (Message | string)[];
export type MessageParams = Readonly<Record<string, MessageParam>>;

export interface Message {
  readonly id: MessageId;
  readonly params?: MessageParams;
}

export type Language = 'en' | 'fr';
export const LANGUAGES: readonly Language[] = ['en', 'fr'];

export const CATALOGUES: Readonly<Record<Language, Readonly<Record<MessageId, string>>>> = { en: EN, fr: FR };

/** How each language joins a list of worded messages (several warnings, several reasons). */
export const LIST_SEPARATOR: Readonly<Record<Language, string>> = { en: '; ', fr: ' ; ' };

/** `{name}` placeholders of a template, as a union of names (compile-time check of the parameters). */
type Placeholders<S extends string> = S extends `${string}{${infer P}}${infer Rest}` ? P | Placeholders<Rest> : never;
type ParamsOf<I extends MessageId> = [Placeholders<(typeof EN)[I]>] extends [never] ? [] : [Record<Placeholders<(typeof EN)[I]>, MessageParam>];

/** A message: `msg('update.folderMissing', { path })`. The parameters are checked against the English template. */
export function msg<I extends MessageId>(id: I, ...params: ParamsOf<I>): Message {
  return params[0] === undefined ? { id } : { id, params: params[0] };
}

export function isMessage(value: unknown): value is Message {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as Message).id === 'string' && (value as Message).id in EN;
}

/** One piece of a worded message: text of the language, or data shown as is. */
export interface MessagePart { text: string; data: boolean }

function formatNumber(value: number, lang: Language): string {
  const text = String(value);
  return lang === 'fr' ? text.replace('.', ',') : text;
}

/** The message worded in `lang`, in parts (the portal marks the data parts; see renderMessage for text). */
export function messageParts(message: Message, lang: Language = 'en'): MessagePart[] {
  const template = CATALOGUES[lang][message.id] ?? EN[message.id] ?? message.id;
  const parts: MessagePart[] = [];
  let last = 0;
  for (const match of template.matchAll(/\{(\w+)\}/g)) {
    if (match.index! > last) parts.push({ text: template.slice(last, match.index), data: false });
    last = match.index! + match[0].length;
    const value = message.params?.[match[1]!];
    if (value === undefined) parts.push({ text: match[0], data: false });
    else parts.push(...paramParts(value, lang));
  }
  if (last < template.length) parts.push({ text: template.slice(last), data: false });
  return parts;
}

function paramParts(value: MessageParam, lang: Language): MessagePart[] {
  if (typeof value === 'string') return [{ text: value, data: true }];
  if (typeof value === 'number') return [{ text: formatNumber(value, lang), data: true }];
  if (Array.isArray(value)) {
    return (value as readonly (Message | string)[]).flatMap((m, i) => [
      ...(i > 0 ? [{ text: LIST_SEPARATOR[lang], data: false }] : []),
      ...(typeof m === 'string' ? [{ text: m, data: true }] : messageParts(m, lang)),
    ]);
  }
  return messageParts(value as Message, lang);
}

/** The message as text in `lang` (English by default: the command line, NDJSON `message` fields). */
export function renderMessage(message: Message, lang: Language = 'en'): string {
  return messageParts(message, lang).map((p) => p.text).join('');
}

/** Text of a string or a message (English). */
export function textOf(value: string | Message): string {
  return typeof value === 'string' ? value : renderMessage(value);
}

/** Several messages as one (warnings after a result, reasons of a decision), joined per language. */
export function messageList(items: readonly (Message | string)[]): Message | string {
  return items.length === 1 ? items[0]! : msg('list', { items });
}

/**
 * The fields a record carries for a worded field: `{ Detail: 'English text', DetailId, DetailParams }`
 * (ids and parameters only when there is a message).
 */
export function recordText<F extends string>(field: F, value: string | Message): Record<F, string> & Partial<Record<`${F}Id`, string> & Record<`${F}Params`, MessageParams>> {
  const out: Record<string, unknown> = { [field]: textOf(value) };
  if (typeof value !== 'string') {
    out[`${field}Id`] = value.id;
    if (value.params) out[`${field}Params`] = value.params;
  }
  return out as never;
}

/** The inverse of recordText: a record's worded field as a message again (its id and parameters), else its text. */
export function recordMessage(text: string, id?: string, params?: MessageParams): Message | string {
  return id && id in EN ? { id: id as MessageId, ...(params ? { params } : {}) } : text;
}

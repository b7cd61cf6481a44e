// Server-sent events encoding (pure): https://html.spec.whatwg.org/multipage/server-sent-events.html
// A field value cannot hold a newline, so multi-line data is split into several `data:` lines
// (the browser joins them back with "\n"). JSON.stringify never emits raw newlines anyway.

export interface SseEvent {
  event?: string;
  id?: string | number;
  data: unknown;
  retryMs?: number;
}

function clean(value: string): string {
  // `event` and `id` must be single-line; an id must not contain NUL either.
  return value.replace(/[\r\n\0]/g, ' ');
}

export function encodeSse(message: SseEvent): string {
  let out = '';
  if (message.event) out += `event: ${clean(message.event)}\n`;
  if (message.id !== undefined) out += `id: ${clean(String(message.id))}\n`;
  if (message.retryMs !== undefined) out += `retry: ${Math.max(0, Math.floor(message.retryMs))}\n`;
  const data = typeof message.data === 'string' ? message.data : JSON.stringify(message.data);
  for (const line of data.split(/\r\n|\r|\n/)) out += `data: ${line}\n`;
  return out + '\n';
}

/** A comment line: keeps idle connections (and proxies) from timing out; ignored by EventSource. */
export function encodeSseComment(text: string): string {
  return `: ${text.replace(/[\r\n]/g, ' ')}\n\n`;
}

import { expect } from 'chai';
import { encodeSse, encodeSseComment } from '../../../src/service/portal/sse';

/** A minimal parser following the HTML spec's event-stream interpretation, to round-trip. */
function parse(stream: string): Array<{ event: string; data: string; id?: string }> {
  const events: Array<{ event: string; data: string; id?: string }> = [];
  let data: string[] = [];
  let event = 'message';
  let id: string | undefined;
  for (const line of stream.split('\n')) {
    if (line === '') {
      if (data.length) events.push({ event, data: data.join('\n'), ...(id !== undefined ? { id } : {}) });
      data = []; event = 'message';
      continue;
    }
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const name = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (name === 'data') data.push(value);
    if (name === 'event') event = value;
    if (name === 'id') id = value;
  }
  return events;
}

describe('server-sent events encoding (pure)', () => {
  it('encodes an event with a JSON payload, ended by a blank line', () => {
    const text = encodeSse({ event: 'job', id: 3, data: { state: 'running', name: 'ecommerce' } });
    expect(text).to.equal('event: job\nid: 3\ndata: {"state":"running","name":"ecommerce"}\n\n');
    expect(JSON.parse(parse(text)[0]!.data)).to.deep.equal({ state: 'running', name: 'ecommerce' });
  });

  it('splits multi-line text into several data lines that join back exactly', () => {
    const text = encodeSse({ data: 'line 1\nline 2\r\nline 3' });
    expect(text.split('\n').filter((l) => l.startsWith('data: '))).to.have.length(3);
    expect(parse(text)[0]!.data).to.equal('line 1\nline 2\nline 3');
  });

  it('cannot be broken by newlines in the event name or id (no injected events)', () => {
    const text = encodeSse({ event: 'job\ndata: evil\n\nevent: x', id: 'a\nb', data: 'ok' });
    const events = parse(text);
    expect(events).to.have.length(1);
    expect(events[0]!.data).to.equal('ok');
  });

  it('JSON with newlines inside strings stays one data line', () => {
    const text = encodeSse({ data: { message: 'a\nb' } });
    expect(text.split('\n').filter((l) => l.startsWith('data: '))).to.have.length(1);
    expect(JSON.parse(parse(text)[0]!.data).message).to.equal('a\nb');
  });

  it('sets the reconnection delay and keeps comments single-line', () => {
    expect(encodeSse({ retryMs: 3000, data: 'x' })).to.contain('retry: 3000\n');
    expect(encodeSseComment('keep\nalive')).to.equal(': keep alive\n\n');
    expect(parse(encodeSseComment('x'))).to.deep.equal([]);
  });
});

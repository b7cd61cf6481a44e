import { expect } from 'chai';
import { AltazionError } from '../../../src/core/errors';
import { Output } from '../../../src/output/output';
import { decodeLine } from '../../../src/output/protocol';
import { formatTable } from '../../../src/output/table';

function capture(json: boolean, tty = false) {
  const out: string[] = [];
  const err: string[] = [];
  const output = new Output({ json, verbose: false, stdout: { write: (c: string) => out.push(c) }, stderr: { write: (c: string) => err.push(c), isTTY: tty } });
  return { output, out, err };
}

describe('NDJSON protocol writer', () => {
  it('writes only protocol lines on stdout with --json, one per message', () => {
    const { output, out, err } = capture(true);
    output.record('Altazion.Update', { Name: 'ecommerce', Detail: 'line1\nline2' });
    const progress = output.startProgress('Downloading');
    progress('1 MB', 42.4);
    output.verbose('details');
    output.warn('careful');
    output.error(new AltazionError('E_FEED_EXPIRED', 'expired', { target: 'release-index.json', hint: 'ask the publisher' }));
    output.flush();
    const lines = out.join('').split('\n').filter(Boolean);
    expect(lines).to.have.length(5);
    const messages = lines.map(decodeLine);
    expect(messages[0]).to.deep.equal({ v: 1, type: 'object', typeName: 'Altazion.Update', data: { Name: 'ecommerce', Detail: 'line1\nline2' } });
    expect(messages[1]).to.deep.equal({ v: 1, type: 'progress', id: 1, activity: 'Downloading', status: '1 MB', percent: 42 });
    expect(messages[2]).to.deep.equal({ v: 1, type: 'log', level: 'verbose', message: 'details' });
    expect(messages[3]).to.deep.include({ type: 'log', level: 'warning' });
    expect(messages[4]).to.deep.equal({ v: 1, type: 'error', code: 'E_FEED_EXPIRED', message: 'expired', target: 'release-index.json', hint: 'ask the publisher' });
    expect(err.join('')).to.equal('');
  });
  it('prints tables on stdout and diagnostics on stderr on a terminal', () => {
    const { output, out, err } = capture(false);
    output.record('Altazion.Update', { Name: 'ecommerce', Instance: '', Kind: 'web', InstalledVersion: '25.9', AvailableVersion: '25.10', Status: 'UpdateAvailable', Path: '/x' });
    output.verbose('hidden without --verbose');
    output.warn('careful');
    output.error(new AltazionError('E_CONFIG', 'bad'));
    output.flush();
    expect(out.join('')).to.match(/^Name\s+Instance\s+Kind\s+Installed\s+Available\s+Status\s+Path\s+Detail\n/);
    expect(out.join('')).to.contain('UpdateAvailable');
    expect(err.join('')).to.equal('WARNING: careful\nERROR E_CONFIG: bad\n');
  });
  it('lets listeners see every message (the portal streams them)', () => {
    const { output } = capture(false);
    const seen: string[] = [];
    output.subscribe((m) => seen.push(m.type));
    output.record('X', {});
    output.startProgress('a')('b', 1);
    output.verbose('v');
    expect(seen).to.deep.equal(['object', 'progress', 'log']);
  });
  it('rejects lines that are not protocol v1', () => {
    expect(() => decodeLine('{"type":"object"}')).to.throw(/not an altazion-update protocol line/);
  });
  it('aligns table columns', () => {
    expect(formatTable([{ a: 'x', b: 'long value' }, { a: 'yyy', b: null }])).to.equal('a    b\n---  ----------\nx    long value\nyyy\n');
  });
});

import { expect } from 'chai';
import { colorWanted, Output } from '../../../src/output/output';
import { fitWidths, formatTable, TABLE_COLUMNS, wrapText } from '../../../src/output/table';

const ESC = '\x1b';

function terminal(columns: number | undefined, isTTY: boolean, color: boolean) {
  const out: string[] = [];
  const output = new Output({ json: false, verbose: false, color, stdout: { write: (c: string) => out.push(c), isTTY, columns }, stderr: { write: () => true } });
  return { output, text: () => out.join('') };
}

const LONG_DETAIL = 'the folder /srv/altazion/apps/ecommerce-preprod-instance/wwwroot does not exist; ' + 'an install of 25.10.1.2 was interrupted at step swap-out: run altazion-update repair to finish it. '.repeat(2);

describe('terminal tables', () => {
  it('wraps at spaces and cuts words longer than the column', () => {
    expect(wrapText('aaa bbb ccc', 7)).to.deep.equal(['aaa bbb', 'ccc']);
    expect(wrapText('/a/very/long/path', 6)).to.deep.equal(['/a/ver', 'y/long', '/path']);
    expect(wrapText('', 5)).to.deep.equal(['']);
  });

  it('narrows the widest columns first, never below their floor', () => {
    expect(fitWidths([10, 50, 30], [4, 10, 10], 60)).to.deep.equal([10, 23, 23]);
    expect(fitWidths([10, 50], [10, 40], 20)).to.deep.equal([10, 40]);
  });

  it('a repair table with a ~250-character detail fits an 80-column terminal, every word kept', () => {
    const rows = [{ Check: 'journal', Target: '/srv/altazion/CPoint/[e]/bin/updates/journal/20261205T101010-abcdef.json', Status: 'WouldFix', Detail: LONG_DETAIL, Action: 'roll back the interrupted install of ecommerce (restore 25.9.12.3)' }];
    const text = formatTable(rows, TABLE_COLUMNS['Altazion.RepairResult'], { maxWidth: 80 });
    const lines = text.trimEnd().split('\n');
    for (const line of lines) expect(line.length, line).to.be.at.most(80);
    expect(lines.length).to.be.greaterThan(5);
    // Nothing is lost: the words of the detail are all there, in order.
    const detailColumn = lines[0]!.indexOf('Detail');
    const detailWidth = lines[1]!.slice(detailColumn).split('  ')[0]!.length;
    const detail = lines.slice(2).map((l) => l.slice(detailColumn, detailColumn + detailWidth).trim()).filter(Boolean).join(' ');
    expect(detail.replace(/\s+/g, '')).to.equal(LONG_DETAIL.replace(/\s+/g, ''));
  });

  it('without a width (a file, a pipe) lines are whole', () => {
    const text = formatTable([{ Check: 'x', Target: 't', Status: 'Ok', Detail: LONG_DETAIL, Action: '' }], TABLE_COLUMNS['Altazion.RepairResult']);
    expect(text.split('\n')[2]).to.contain(LONG_DETAIL.trim());
  });

  it('get shows why a version is Unknown (the Detail column) and the table fits the terminal', () => {
    const { output, text } = terminal(100, true, false);
    output.record('Altazion.Update', { Name: 'ecommerce', Instance: '', Kind: 'web', InstalledVersion: '25.9.12.3', AvailableVersion: null, Status: 'Unknown', Path: '/srv/apps/ecommerce', Detail: 'the feed has not been checked yet: run `altazion-update check` or get --refresh' });
    output.flush();
    expect(text().split('\n')[0]).to.match(/Status\s+Path\s+Detail$/);
    expect(text().replace(/\s+/g, ' ')).to.contain('the feed has not been checked yet: run `altazion-update check` or get --refresh');
    for (const line of text().split('\n')) expect(line.length).to.be.at.most(100);
  });

  it('colours status words only when asked (terminal without NO_COLOR)', () => {
    const record = { Name: 'ecommerce', Instance: '', Kind: 'web', InstalledVersion: '1', AvailableVersion: '2', Status: 'UpdateAvailable', Path: '/x', Detail: '' };
    const coloured = terminal(120, true, true);
    coloured.output.record('Altazion.Update', record);
    coloured.output.flush();
    expect(coloured.text()).to.contain(`${ESC}[33mUpdateAvailable`);
    const plain = terminal(120, true, false);
    plain.output.record('Altazion.Update', record);
    plain.output.flush();
    expect(plain.text()).not.to.contain(ESC);
  });

  it('colours are wanted on a terminal only, never with NO_COLOR or TERM=dumb', () => {
    expect(colorWanted({ write: () => true, isTTY: true }, {})).to.equal(true);
    expect(colorWanted({ write: () => true, isTTY: false }, {})).to.equal(false);
    expect(colorWanted({ write: () => true }, {})).to.equal(false);
    expect(colorWanted({ write: () => true, isTTY: true }, { NO_COLOR: '1' })).to.equal(false);
    expect(colorWanted({ write: () => true, isTTY: true }, { TERM: 'dumb' })).to.equal(false);
  });
});

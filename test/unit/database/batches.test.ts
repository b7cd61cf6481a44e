import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { splitBatches, splitScript } from '../../../src/database/batches';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/sql');
const fixture = (name: string) => readFileSync(path.join(fixtures, name), 'utf8');

describe('database/batches', () => {
  it('splits the tricky fixture only on real GO lines', () => {
    const { batches, problems } = splitScript(fixture('tricky.sql'));
    expect(problems).to.deep.equal([]);
    expect(batches.map((b) => [b.index, b.startLine, b.repeat])).to.deep.equal([
      [1, 1, 1],
      [2, 21, 1],
      [3, 26, 3],
      [4, 29, 1],
    ]);
    // GO inside comments, strings and identifiers stayed in the first batch.
    expect(batches[0].text).to.contain("on its own line and an '' escaped quote';");
    expect(batches[0].text).to.contain('"quoted\nGO\nident"');
    expect(batches[0].text).to.contain("N'unicode\ngo\nstring'");
    expect(batches[0].text.endsWith("string' AS n\n")).to.equal(true);
    expect(batches[0].text.split('\n')).to.have.length(20); // 19 lines, each with its newline
    expect(batches[1].text.trimEnd()).to.match(/^CREATE OR ALTER PROCEDURE \[E\]\.\[ps_ping\] AS[\s\S]*END$/);
    expect(batches[3].text).to.equal("SELECT 'last batch, no GO at the end'\n");
  });

  it('handles CRLF line endings, GO with a count and GO at the end of the text', () => {
    const batches = splitBatches(fixture('crlf.sql'));
    expect(batches.map((b) => ({ text: b.text, line: b.startLine, repeat: b.repeat }))).to.deep.equal([
      { text: 'SELECT 1\r\n', line: 1, repeat: 1 },
      { text: 'SELECT 2\r\n/* GO\r\nGO */\r\n', line: 3, repeat: 2 },
      { text: 'SELECT 3\r\n', line: 7, repeat: 1 },
    ]);
  });

  it('does not take GO followed by other text, or GO5, for a separator', () => {
    for (const line of ['GO5', 'GOTO label', 'GO x', 'SELECT 1 GO', "GO 'x'", 'GO_TABLE', 'GO /* comment\n*/']) {
      const batches = splitBatches(`SELECT 1\n${line}\nSELECT 2`);
      expect(batches, line).to.have.length(1);
    }
  });

  it('accepts blanks around GO and trailing comments on its line', () => {
    const batches = splitBatches('SELECT 1\n\t  gO\t -- done\nSELECT 2\n GO 10 -- ten times\nSELECT 3\nGO /* a /* nested */ one */ -- and more\nSELECT 4\nGO--x\n');
    expect(batches.map((b) => [b.text, b.startLine, b.repeat])).to.deep.equal([
      ['SELECT 1\n', 1, 1],
      ['SELECT 2\n', 3, 10],
      ['SELECT 3\n', 5, 1],
      ['SELECT 4\n', 7, 1],
    ]);
  });

  it('counts lines inside skipped comments and strings for the next batch', () => {
    const sql = "SELECT '\n\n'\n/*\n/*\n*/\n*/\nGO\n-- x\nSELECT 2";
    const batches = splitBatches(sql);
    expect(batches[1].startLine).to.equal(9);
    expect(sql.split('\n')[batches[1].startLine - 1]).to.equal('-- x');
  });

  it('keeps a brace of brackets with ]] escapes and GO inside as one identifier', () => {
    const batches = splitBatches('SELECT 1 AS [a]]\nGO\n]\nGO\nSELECT 2');
    expect(batches).to.have.length(2);
    expect(batches[0].text).to.equal('SELECT 1 AS [a]]\nGO\n]\n');
  });

  it('skips empty and blank-only batches but keeps their lines counted', () => {
    const batches = splitBatches('GO\n\nGO\n   \nGO\nSELECT 1\nGO\nGO');
    expect(batches).to.have.length(1);
    expect(batches[0].startLine).to.equal(6);
  });

  it('reports unterminated comments and strings and GO 0', () => {
    expect(splitScript("SELECT 'abc\nGO\nSELECT 1").problems[0]).to.deep.include({ line: 1 });
    expect(splitScript("SELECT 'abc\nGO\nSELECT 1").batches).to.have.length(1);
    expect(splitScript('SELECT 1\n/* /* */\nGO\n').problems[0].message).to.match(/unterminated \/\* comment starting on line 2/);
    expect(splitScript('SELECT 1\nGO 0\n').problems[0].message).to.equal('GO with a count of 0 (line 2)');
    // sqlcmd refuses `GO;`: so does the package check.
    expect(splitScript('SELECT 1\nGO;\nSELECT 2').problems).to.deep.equal([{ line: 2, message: 'a semicolon is not allowed after GO (line 2)' }]);
  });

  it('treats -- as a comment anywhere on a line, including one that looks like GO', () => {
    const batches = splitBatches("SELECT 1 -- '\nGO\nSELECT 2 /* ' */\nGO\nSELECT 3");
    expect(batches).to.have.length(3);
  });
});

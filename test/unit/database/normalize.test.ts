import { expect } from 'chai';
import { fingerprintObject, normalizeColumnType, normalizeDefinition } from '../../../src/database/normalize';
import type { CatalogObject } from '../../../src/database/catalog';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { splitBatches } from '../../../src/database/batches';
import { tokenize, type Token } from '../../../src/database/lexer';
import { buildDatabasePackageFiles } from '../../../src/sandbox/database/fixtures';

/** The rules spelled out on the lexer's tokens (slow, obvious): the fast normaliser must agree. */
function referenceBody(text: string): string {
  const piece = (t: Token) => t.kind === 'word' || t.kind === 'number' ? t.text.toLowerCase()
    : t.kind === 'ident' ? (/^[A-Za-z_][A-Za-z0-9_@#$]*$/.test(t.text) ? t.text.toLowerCase() : `[${t.text.toLowerCase().replace(/]/g, ']]')}]`)
      : t.kind === 'string' ? (t.text[0] === "'" ? t.text : 'N' + t.text.slice(1)) : t.text;
  const tokens = tokenize(text).map(piece);
  while (tokens.length && tokens[tokens.length - 1] === ';') tokens.pop();
  return tokens.join(' ');
}

const proc = (definition: string): CatalogObject => ({ schema: 'E', name: 'ps_clients', type: 'procedure', definition });

describe('database/normalize', () => {
  const original = `CREATE PROCEDURE [E].[ps_clients] @id int AS
BEGIN
  SELECT cli_nom, cli_prenom FROM E.clients WHERE cli_id = @id AND cli_type = N'Pro'
END`;

  it('ignores whitespace, comments, keyword/identifier case, brackets and the CREATE OR ALTER / ALTER header', () => {
    const variants = [
      `/* reformatted by the DBA */ create   proc E.ps_clients
         @id INT
       as begin -- comment
          select CLI_NOM,cli_prenom from [e].[CLIENTS] where cli_id=@id and cli_type=N'Pro' /* nested /* comment */ */
       end;`,
      `CREATE OR ALTER PROCEDURE E.ps_clients @id int AS BEGIN SELECT cli_nom, cli_prenom FROM E.clients WHERE cli_id = @id AND cli_type = N'Pro' END`,
      `ALTER PROCEDURE "E"."ps_clients" @id int AS BEGIN SELECT cli_nom, cli_prenom FROM "E"."clients" WHERE cli_id = @id AND cli_type = n'Pro' END`,
      // renamed by sp_rename: sys.sql_modules keeps the old name in the header
      `CREATE PROCEDURE E.ps_clients_old @id int AS BEGIN SELECT cli_nom, cli_prenom FROM E.clients WHERE cli_id = @id AND cli_type = N'Pro' END`,
    ];
    const reference = fingerprintObject(proc(original));
    for (const v of variants) expect(fingerprintObject(proc(v)), v).to.equal(reference);
  });

  it('counts real changes: another column, another literal (case included), another operator', () => {
    const reference = fingerprintObject(proc(original));
    const changes = [
      original.replace('cli_prenom', 'cli_prenom, cli_email'),
      original.replace("N'Pro'", "N'pro'"),
      original.replace('cli_id = @id', 'cli_id <> @id'),
      original.replace('SELECT', 'SELECT TOP 10'),
    ];
    for (const c of changes) expect(fingerprintObject(proc(c)), c).not.to.equal(reference);
  });

  it('keeps text in strings exactly, comments markers included', () => {
    expect(normalizeDefinition("SELECT '-- not a comment /* nor this */'")).to.equal("select '-- not a comment /* nor this */'");
    expect(normalizeDefinition('SELECT [my col], [x]]y] FROM t')).to.equal('select [my col] , [x]]y] from t');
  });

  it('drops trailing semicolons and normalises the PROC synonym', () => {
    expect(normalizeDefinition('CREATE PROC p AS SELECT 1;;')).to.equal('create procedure as select 1');
    expect(normalizeDefinition('CREATE TRIGGER E.tr ON E.t AFTER INSERT AS SELECT 1')).to.equal('create trigger on e . t after insert as select 1');
  });

  it('fingerprints tables by their columns, not their order, with SQL Server default sizes', () => {
    const table = (columns: CatalogObject['columns']): CatalogObject => ({ schema: 'E', name: 't', type: 'table', columns });
    const a = table([{ name: 'id', type: 'int', nullable: false, identity: true }, { name: 'Nom', type: 'nvarchar(50)', nullable: true }]);
    const b = table([{ name: 'nom', type: 'NVARCHAR (50)', nullable: true }, { name: 'ID', type: '[int]', nullable: false, identity: true }]);
    expect(fingerprintObject(b)).to.equal(fingerprintObject(a));
    expect(fingerprintObject(table([{ name: 'id', type: 'int', nullable: false, identity: true }, { name: 'Nom', type: 'nvarchar(60)', nullable: true }]))).not.to.equal(fingerprintObject(a));
    expect(fingerprintObject(table([{ name: 'id', type: 'int', nullable: false, identity: true }, { name: 'Nom', type: 'nvarchar(50)', nullable: false }]))).not.to.equal(fingerprintObject(a));
    expect(fingerprintObject(table([{ name: 'id', type: 'int', nullable: false }, { name: 'Nom', type: 'nvarchar(50)', nullable: true }]))).not.to.equal(fingerprintObject(a));
    expect(normalizeColumnType('decimal')).to.equal('decimal(18,0)');
    expect(normalizeColumnType('Decimal(10)')).to.equal('decimal(10,0)');
    expect(normalizeColumnType('varchar')).to.equal('varchar(1)');
    expect(normalizeColumnType('datetime2')).to.equal('datetime2(7)');
    expect(normalizeColumnType('sysname')).to.equal('nvarchar(128)');
  });

  it('distinguishes a view from a procedure with the same text and marks encrypted modules', () => {
    const v: CatalogObject = { schema: 'E', name: 'x', type: 'view', definition: 'SELECT 1' };
    const f: CatalogObject = { schema: 'E', name: 'x', type: 'function', definition: 'SELECT 1' };
    expect(fingerprintObject(v)).not.to.equal(fingerprintObject(f));
    expect(fingerprintObject({ ...v, definition: null })).to.not.equal(fingerprintObject(v));
  });

  it('agrees with the token-by-token rules on tricky texts (the fast path is only faster)', () => {
    const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/sql');
    const files = buildDatabasePackageFiles('25.10.1.2');
    const texts = [
      ...splitBatches(readFileSync(path.join(fixtures, 'tricky.sql'), 'utf8')).map((b) => b.text),
      ...splitBatches(readFileSync(path.join(fixtures, 'crlf.sql'), 'utf8')).map((b) => b.text),
      ...Object.entries(files).filter(([n]) => n.endsWith('.sql')).flatMap(([, c]) => splitBatches(c.toString()).map((b) => b.text)),
      "SELECT N'x', n'y', [İstanbul Çay], \"Quoted \"\"id\"\"\", [a]]b], 1.5E3, @Var, #Tmp, x<>y, 'unterminated",
      'SELECT [unterminated', 'SELECT 1 /* unterminated', '', ';;', 'ÉTÉ été -- fin',
    ];
    for (const text of texts) {
      // Texts without a module header are normalised as a whole: compare them with the reference directly.
      const normalized = normalizeDefinition(text);
      if (/^\s*(create|alter)\b/i.test(text.replace(/\/\*[\s\S]*?\*\/|--[^\n]*/g, '')) && /\b(view|proc|procedure|function|trigger)\b/i.test(text)) continue;
      expect(normalized, text).to.equal(referenceBody(text));
    }
    // Module texts: the body after the header agrees too.
    const module = "CREATE OR ALTER PROCEDURE [E].[ps_x] @a int = N'GO' AS /* c */ SELECT [İ], 'x''y' ; ;";
    expect(normalizeDefinition(module)).to.equal('create procedure ' + referenceBody("@a int = N'GO' AS /* c */ SELECT [İ], 'x''y' ; ;"));
  });
});

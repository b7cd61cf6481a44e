import { expect } from 'chai';
import { fingerprintObject, normalizeColumnType, normalizeDefinition } from '../../../src/database/normalize';
import type { CatalogObject } from '../../../src/database/catalog';

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
});

import { expect } from 'chai';
import { splitBatches } from '../../../src/database/batches';
import { nonTransactionalStatements, sqlcmdSyntax } from '../../../src/database/script-rules';

describe('database/script-rules (what publish refuses)', () => {
  it('finds sqlcmd commands at the start of a line and $(variables) anywhere, with their lines', () => {
    const text = [
      ':setvar Schema E',
      'SELECT * FROM [$(Schema)].clients',
      "PRINT 'a :r in a string is text'",
      '/*',
      ':r not a command inside a comment',
      '*/',
      '  :r .\\autre.sql',
      "SELECT N'$(Jour)' AS substituted_even_in_strings",
      ':on error exit',
      '!!dir',
      'SELECT a:b FROM x -- not at the start of a line',
    ].join('\n');
    expect(sqlcmdSyntax(text)).to.deep.equal([
      { line: 1, what: ':setvar' },
      { line: 2, what: '$(Schema)' },
      { line: 7, what: ':r' },
      { line: 8, what: '$(Jour)' },
      { line: 9, what: ':on' },
      { line: 10, what: '!!' },
    ]);
    expect(sqlcmdSyntax("SELECT '$ (not a variable)', CHAR(36) + '(x)' AS dollar\nGO\n")).to.deep.equal([]);
  });

  it('finds statements refused in a transaction, not in module bodies, not look-alikes', () => {
    const sql = [
      'EXEC sp_configure \'show advanced options\', 1;',
      'RECONFIGURE WITH OVERRIDE;',
      'GO',
      'ALTER DATABASE CURRENT SET RECOVERY SIMPLE;',
      'ALTER DATABASE SCOPED CONFIGURATION SET MAXDOP = 1;',
      'GO',
      'CREATE PROCEDURE E.p AS BACKUP DATABASE x TO DISK = N\'x\';',
      'GO',
      'SELECT backup_date FROM E.backup WHERE kill = 1;',
      'DROP FULLTEXT INDEX ON E.articles;',
      'RESTORE HEADERONLY FROM DISK = N\'x.bak\';',
      'KILL 53;',
      'GO',
    ].join('\n');
    expect(nonTransactionalStatements(splitBatches(sql))).to.deep.equal([
      { line: 2, what: 'reconfigure' },
      { line: 4, what: 'alter database' },
      { line: 10, what: 'fulltext index' },
      { line: 11, what: 'restore' },
      { line: 12, what: 'kill' },
    ]);
  });
});

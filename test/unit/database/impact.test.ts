import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzeBatches, resolverFrom, scriptImpact } from '../../../src/database/impact';
import { splitBatches } from '../../../src/database/batches';
import { computeDrift } from '../../../src/database/drift';
import { buildBaseline } from '../../../src/database/normalize';
import type { Catalog } from '../../../src/database/catalog';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/sql');

const touched = (sql: string, resolve = resolverFrom([], 'dbo')) =>
  analyzeBatches(splitBatches(sql), resolve).objects.map((o) => `${o.action} ${o.object}`);

describe('database/impact', () => {
  it('finds creates, alters, drops and writes, qualified or not', () => {
    const sql = `
CREATE TABLE [E].[nouvelle_table] (id int NOT NULL)
ALTER TABLE E.clients ADD cli_email nvarchar(200) NULL
DROP TABLE IF EXISTS E.vieille_table, E.autre
DROP VIEW E.vw_old
INSERT INTO E.parametres (p_nom) VALUES ('x')
INSERT E.parametres_bis SELECT * FROM E.src
UPDATE E.clients SET cli_nom = UPPER(cli_nom)
DELETE FROM E.logs WHERE log_date < '20200101'
DELETE E.logs2 WHERE 1 = 0
MERGE INTO E.tarifs AS t USING E.tarifs_import AS s ON t.id = s.id WHEN MATCHED THEN UPDATE SET t.prix = s.prix;
TRUNCATE TABLE E.cache
CREATE NONCLUSTERED INDEX ix_clients_nom ON E.clients (cli_nom)
SELECT * INTO E.clients_copie FROM E.clients
EXEC sp_rename 'E.commandes.cmd_ref', 'cmd_reference', 'COLUMN'
EXEC sp_rename N'E.vieux_nom', N'nouveau_nom'
GO`;
    expect(touched(sql)).to.deep.equal([
      'create E.nouvelle_table',
      'alter E.clients',
      'drop E.vieille_table',
      'drop E.autre',
      'drop E.vw_old',
      'write E.parametres',
      'write E.parametres_bis',
      'write E.clients',
      'write E.logs',
      'write E.logs2',
      'write E.tarifs',
      'write E.cache',
      'alter E.clients',
      'create E.clients_copie',
      'rename E.commandes',
      'rename E.vieux_nom',
    ]);
  });

  it('does not scan module bodies, but sees the table a trigger is on', () => {
    const sql = `CREATE OR ALTER PROCEDURE E.ps_purge AS
BEGIN
  DELETE FROM E.logs; -- executed later, not by the script
  DROP TABLE E.x
END
GO
CREATE TRIGGER E.tr_clients ON E.clients AFTER UPDATE AS
BEGIN
  IF UPDATE(cli_nom) INSERT INTO E.audit (x) VALUES (1)
END
GO
ALTER VIEW [E].[vw clients] AS SELECT 1 AS x`;
    expect(touched(sql)).to.deep.equal(['alter E.ps_purge', 'create E.tr_clients', 'alter E.clients', 'alter E.vw clients']);
  });

  it('ignores keywords inside strings, comments and identifiers, temp tables and variables', () => {
    const sql = `PRINT 'DROP TABLE E.clients'
/* UPDATE E.clients SET x = 1 */
-- DELETE FROM E.clients
SELECT [delete] FROM E.t
INSERT INTO #tmp VALUES (1)
DELETE FROM @t
UPDATE STATISTICS E.clients`;
    expect(touched(sql)).to.deep.equal([]);
  });

  it('resolves UPDATE/DELETE aliases and unqualified names through the known objects', () => {
    const resolve = resolverFrom([{ schema: 'E', name: 'clients' }, { schema: 'E', name: 'commandes' }], 'dbo');
    const sql = `UPDATE c SET c.cli_nom = o.x FROM clients c JOIN E.commandes AS o ON o.id = c.id
DELETE o FROM E.commandes AS o WHERE o.id = 0
INSERT INTO inconnue VALUES (1)`;
    expect(touched(sql, resolve)).to.deep.equal(['write E.clients', 'write E.commandes', 'write dbo.inconnue']);
  });

  it('flags dynamic SQL', () => {
    expect(analyzeBatches(splitBatches("EXEC('DROP TABLE E.clients')")).dynamicSql).to.equal(true);
    expect(analyzeBatches(splitBatches("EXEC sp_executesql N'DELETE FROM E.clients'")).dynamicSql).to.equal(true);
    expect(analyzeBatches(splitBatches('EXEC @sql')).dynamicSql).to.equal(true);
    expect(analyzeBatches(splitBatches('EXEC E.ps_recalcul')).dynamicSql).to.equal(false);
  });

  it('lists the database procedures a script executes (their bodies may be customised), not system ones', () => {
    expect(touched("EXEC E.ps_recalcul @annee = 2025\nEXECUTE @rc = [E].[ps_purge]\nEXEC sp_updatestats\nEXEC sys.sp_refreshview N'E.v'\nEXEC xp_cmdshell 'dir'")).to.deep.equal(['execute E.ps_recalcul', 'execute E.ps_purge']);
  });

  it('reports the customised objects a script touches from the drift', () => {
    const standard: Catalog = { objects: [
      { schema: 'E', name: 'clients', type: 'table', columns: [{ name: 'id', type: 'int', nullable: false }] },
      { schema: 'E', name: 'ps_ping', type: 'procedure', definition: 'CREATE PROCEDURE E.ps_ping AS SELECT 1' },
      { schema: 'E', name: 'commandes', type: 'table', columns: [{ name: 'id', type: 'int', nullable: false }] },
    ] };
    const live: Catalog = structuredClone(standard);
    live.objects[0].columns!.push({ name: 'perso', type: 'int', nullable: true });
    live.objects.push({ schema: 'E', name: 'stats_perso', type: 'table', columns: [] });
    const drift = computeDrift(live, buildBaseline('25.5', standard));
    const sql = readFileSync(path.join(fixtures, 'impact.sql'), 'utf8');
    const impact = scriptImpact(sql, drift, resolverFrom(live.objects));
    expect(impact.objectNames).to.deep.equal(['E.commandes', 'E.clients', 'E.ps_ping', 'E.stats_perso']);
    // clients is Modified; stats_perso is a customer object the script would create over.
    expect(impact.customized).to.deep.equal(['E.clients', 'E.stats_perso']);
    expect(scriptImpact(sql, undefined).customized).to.deep.equal([]);
  });
});

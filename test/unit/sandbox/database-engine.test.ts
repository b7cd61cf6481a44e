import { expect } from 'chai';
import { executeBatch, SimulatedSqlError } from '../../../src/sandbox/database/engine';
import type { Catalog } from '../../../src/database/catalog';
import { splitBatches } from '../../../src/database/batches';
import { validateManifest, MANIFEST_FILE } from '../../../src/core/package-manifest';
import { computeDrift } from '../../../src/database/drift';
import { parseBaseline } from '../../../src/database/catalog';
import { buildDatabasePackageFiles, standardCatalog } from '../../../src/sandbox/database/fixtures';
import { splitScript } from '../../../src/database/batches';

const run = (catalog: Catalog, sql: string) => { for (const b of splitBatches(sql)) for (let r = 0; r < b.repeat; r++) executeBatch(catalog, b.text, 'dbo'); return catalog; };
const sqlError = (f: () => unknown) => { try { f(); } catch (e) { return e as SimulatedSqlError; } throw new Error('no error'); };

describe('sandbox/database engine', () => {
  it('creates, alters and drops tables with their columns', () => {
    const c = run({ objects: [] }, `CREATE TABLE [E].[t] (id int IDENTITY(1,1) NOT NULL PRIMARY KEY, nom nvarchar(50) NULL, CONSTRAINT ck CHECK (id > 0), prix decimal(18, 2) NOT NULL DEFAULT (0))
GO
ALTER TABLE E.t ADD email nvarchar(200) NULL, code varchar(10) NOT NULL
GO
ALTER TABLE E.t DROP COLUMN code
ALTER TABLE E.t ALTER COLUMN nom nvarchar(100) NOT NULL
GO
CREATE TABLE E.tmp (x int)
DROP TABLE IF EXISTS E.tmp, E.absent
`);
    expect(c.objects.map((o) => o.name)).to.deep.equal(['t']);
    expect(c.objects[0].columns).to.deep.equal([
      { name: 'id', type: 'int', nullable: false, identity: true },
      { name: 'nom', type: 'nvarchar(100)', nullable: false },
      { name: 'prix', type: 'decimal(18,2)', nullable: false, default: { definition: '(0)' } },
      { name: 'email', type: 'nvarchar(200)', nullable: true },
    ]);
    expect(c.objects[0].constraints).to.deep.equal([
      { kind: 'primary key', columns: ['id'], clustered: true },
      { kind: 'check', name: 'ck', definition: '(id > 0)' },
    ]);
  });

  it('keeps keys, constraints, defaults, collations and indexes; synonyms, sequences, user types, schemas', () => {
    const c = run({ objects: [] }, `EXEC(N'CREATE SCHEMA [E]')
GO
CREATE SCHEMA archive
GO
CREATE TYPE E.code FROM varchar(20) NOT NULL
GO
CREATE TABLE E.a (id int NOT NULL CONSTRAINT pk_a PRIMARY KEY NONCLUSTERED, nom nvarchar(50) COLLATE French_CI_AS NULL CONSTRAINT df_nom DEFAULT (N'x'), code E.code)
CREATE TABLE E.b (id int NOT NULL, a_id int NOT NULL, CONSTRAINT fk_b_a FOREIGN KEY (a_id) REFERENCES E.a (id) ON DELETE CASCADE, UNIQUE (a_id))
GO
CREATE UNIQUE CLUSTERED INDEX ix_b ON E.b (id DESC) INCLUDE (a_id) WHERE id > 0
CREATE INDEX ix_b2 ON E.b (a_id)
DROP INDEX ix_b2 ON E.b
ALTER TABLE E.b ADD CONSTRAINT ck_b CHECK (id <> 0)
ALTER TABLE E.a DROP CONSTRAINT df_nom
GO
CREATE SEQUENCE E.seq AS int START WITH 10 INCREMENT BY 5 NO CACHE
CREATE SYNONYM E.syn FOR E.a
GO
ALTER SCHEMA archive TRANSFER E.syn
`);
    const byName = (n: string) => c.objects.find((o) => o.name === n)!;
    expect(c.objects.filter((o) => o.type === 'schema').map((o) => o.name)).to.deep.equal(['E', 'archive']);
    expect(byName('code')).to.deep.include({ type: 'type', baseType: 'varchar(20)', nullable: false });
    expect(byName('a').columns).to.deep.equal([
      { name: 'id', type: 'int', nullable: false },
      { name: 'nom', type: 'nvarchar(50)', nullable: true, collation: 'French_CI_AS', default: null },
      { name: 'code', type: 'E.code', nullable: true },
    ]);
    expect(byName('a').constraints).to.deep.equal([{ kind: 'primary key', name: 'pk_a', columns: ['id'], clustered: false }]);
    expect(byName('b').constraints).to.deep.equal([
      { kind: 'foreign key', name: 'fk_b_a', columns: ['a_id'], references: { table: 'E.a', columns: ['id'], onDelete: 'CASCADE' } },
      { kind: 'unique', columns: ['a_id'], clustered: false },
      { kind: 'check', name: 'ck_b', definition: '(id <> 0)' },
    ]);
    expect(byName('b').indexes).to.deep.equal([{ name: 'ix_b', unique: true, clustered: true, columns: [{ name: 'id', desc: true }], included: ['a_id'], filter: 'id > 0' }]);
    expect(byName('seq')).to.deep.include({ type: 'sequence', sequence: { type: 'int', start: '10', increment: '5', cycle: false, cache: null, min: '-2147483648', max: '2147483647' } });
    expect(byName('syn')).to.deep.include({ schema: 'archive', type: 'synonym', target: '[E].[a]' });
    expect(sqlError(() => run(c, 'CREATE SCHEMA archive')).number).to.equal(2714);
  });

  it('stores module definitions and honours CREATE, ALTER and CREATE OR ALTER semantics', () => {
    const c = run({ objects: [] }, 'CREATE PROCEDURE E.p AS SELECT 1\nGO\nCREATE OR ALTER PROCEDURE E.p AS SELECT 2\nGO\nCREATE OR ALTER VIEW E.v AS SELECT 1\nGO\nALTER VIEW E.v AS SELECT 3');
    expect(c.objects.map((o) => [o.type, o.name, o.definition])).to.deep.equal([
      ['procedure', 'p', 'CREATE OR ALTER PROCEDURE E.p AS SELECT 2'],
      ['view', 'v', 'ALTER VIEW E.v AS SELECT 3'],
    ]);
  });

  it('fails like SQL Server: existing object, missing object, RAISERROR/THROW (not below severity 11)', () => {
    const base = () => run({ objects: [] }, 'CREATE TABLE E.t (id int)\nGO\nCREATE PROCEDURE E.p AS SELECT 1');
    expect(sqlError(() => run(base(), 'CREATE TABLE E.t (x int)'))).to.deep.include({ number: 2714, message: "There is already an object named 't' in the database." });
    expect(sqlError(() => run(base(), 'ALTER PROCEDURE E.nope AS SELECT 1')).number).to.equal(208);
    expect(sqlError(() => run(base(), 'DROP TABLE E.nope')).number).to.equal(3701);
    expect(sqlError(() => run(base(), 'ALTER TABLE E.t ADD id int')).number).to.equal(2705);
    expect(sqlError(() => run(base(), 'INSERT INTO E.nope (x) VALUES (1)')).number).to.equal(208);
    const raised = sqlError(() => run(base(), "PRINT 'x'\n\nRAISERROR (N'Arrêt : ''GO'' refusé', 16, 1);"));
    expect(raised).to.deep.include({ message: "Arrêt : 'GO' refusé", lineInBatch: 3 });
    expect(sqlError(() => run(base(), "THROW 51000, 'boom', 1;"))).to.deep.include({ message: 'boom', number: 51000 });
    expect(() => run(base(), "RAISERROR('info only', 10, 1) WITH NOWAIT")).not.to.throw();
    // A THROW inside a procedure body is not executed by the script.
    expect(() => run(base(), "CREATE PROCEDURE E.q AS THROW 50001, 'later', 1")).not.to.throw();
  });

  it('renames objects and columns with sp_rename', () => {
    const c = run({ objects: [] }, "CREATE TABLE E.t (a int)\nGO\nEXEC sp_rename 'E.t.a', 'b', 'COLUMN'\nEXEC sp_rename N'E.t', N't2'");
    expect(c.objects.map((o) => [o.name, o.columns!.map((x) => x.name)])).to.deep.equal([['t2', ['b']]]);
  });
});

describe('sandbox/database fixtures', () => {
  it('builds valid packages whose scripts split cleanly and whose baselines match their schema', () => {
    const files = buildDatabasePackageFiles('25.10.1.2', { previousVersions: ['25.9.12.3'] });
    const manifest = validateManifest(JSON.parse(files[MANIFEST_FILE].toString()), 'fixture');
    expect(manifest.database!.scripts.map((s) => s.id)).to.deep.equal(['2025-09/0001', '2025-09/0002', '2025-10/0001', '2025-10/0002', '2025-10/0003', '2025-10/0004']);
    expect(manifest.database!.scripts.map((s) => s.transactional)).to.deep.equal([true, true, true, true, true, false]);
    for (const s of manifest.database!.scripts) expect(splitScript(files[s.file].toString()).problems, s.id).to.deep.equal([]);
    const oldBaseline = parseBaseline(JSON.parse(files['baselines/25.9.12.3.json'].toString()), 'old');
    const newBaseline = parseBaseline(JSON.parse(files['baselines/25.10.1.2.json'].toString()), 'new');
    expect(computeDrift(standardCatalog('25.9.12.3'), oldBaseline).standard).to.equal(true);
    expect(computeDrift(standardCatalog('25.9.12.3'), newBaseline).standard).to.equal(false); // the release changes the schema
    expect(oldBaseline.objects).to.have.length(9); // schema E, 4 tables, a view, a procedure, a function, a trigger
    expect(newBaseline.objects).to.have.length(12); // + E.fidelite, E.seq_fidelite, E.clients_fidelite
  });

  it('creates customised sandbox databases: altered objects are Modified, dropped ones Missing, unknown names refused', async () => {
    const { createSandboxDatabase } = await import('../../../src/sandbox/database/fixtures');
    const { SandboxStore } = await import('../../../src/sandbox/database/store');
    const { promises: fs } = await import('node:fs');
    const os = await import('node:os');
    const pathMod = await import('node:path');
    const dir = await fs.mkdtemp(pathMod.join(os.tmpdir(), 'altazion-sbdb-'));
    try {
      const info = await createSandboxDatabase(dir, { version: '25.9.12.3', customize: ['E.clients', 'ps_commandes_client', 'E.tr_commandes_total', 'E.fn_total_client:drop'] });
      expect(info.customized).to.deep.equal(['E.clients', 'E.ps_commandes_client', 'E.tr_commandes_total', 'E.fn_total_client']);
      const catalog = await new SandboxStore(info.folder).readCatalog();
      const baseline = parseBaseline(JSON.parse(buildDatabasePackageFiles('25.9.12.3')['baselines/25.9.12.3.json'].toString()), 'b');
      const drift = computeDrift(catalog, baseline);
      expect(drift.modified.map((d) => d.object)).to.deep.equal(['E.clients', 'E.ps_commandes_client', 'E.tr_commandes_total']);
      expect(drift.missing.map((d) => d.object)).to.deep.equal(['E.fn_total_client']);
      // The customised definitions are still valid for the sandbox engine (and T-SQL).
      const trigger = catalog.objects.find((o) => o.name === 'tr_commandes_total')!;
      expect(trigger.definition).to.match(/ON E\.commandes WITH EXECUTE AS CALLER\nAFTER INSERT, UPDATE/);
      const err = await createSandboxDatabase(pathMod.join(dir, 'x'), { version: '25.9.12.3', customize: ['E.nope'] }).catch((e: Error & { code?: string }) => e);
      expect((err as { code?: string }).code).to.equal('E_USAGE');
      expect((err as Error).message).to.contain('"E.nope" is not a standard object of the 25.9.12.3 schema');
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});

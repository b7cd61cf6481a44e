import { expect } from 'chai';
import {
  catalogFromRows, journalFromRows, recordCommand, SQL_CATALOG_CHECKS, SQL_CATALOG_COLUMNS, SQL_CATALOG_FOREIGN_KEYS, SQL_CATALOG_INDEXES, SQL_CATALOG_KEYS,
  SQL_CATALOG_OBJECTS, SQL_CATALOG_SCHEMAS, SQL_CATALOG_TYPES, SQL_READ_JOURNAL, SQL_RECORD,
} from '../../../src/database/journal-sql';
import { splitBatches } from '../../../src/database/batches';

describe('database/journal-sql', () => {
  it('reads and records every journal column, with parameters only (no values in the text)', () => {
    for (const col of ['dbv_guid', 'dbv_version', 'dbv_est_racine', 'dbv_script_number', 'dbv_est_prepare', 'dbv_est_execute', 'dbv_est_valide']) {
      expect(SQL_READ_JOURNAL).to.contain(col);
      expect(SQL_RECORD).to.contain(col);
    }
    const cmd = recordCommand({ guid: '6f1c1e3a-1111-4222-8333-444455556666', version: "25.10'; DROP TABLE x --", number: 30, isRoot: false, prepared: true, executed: true, validated: true });
    expect(cmd.text).to.equal(SQL_RECORD);
    expect(cmd.text).not.to.contain('25.10');
    const placeholders = new Set([...cmd.text.matchAll(/@(\w+)/g)].map((m) => m[1]).filter((n) => n !== 'ROWCOUNT'));
    expect([...placeholders].sort()).to.deep.equal(cmd.params.map((p) => p.name).sort());
    expect(cmd.params.find((p) => p.name === 'version')).to.deep.equal({ name: 'version', type: 'nvarchar', value: "25.10'; DROP TABLE x --" });
    // Each text is a single batch (no GO) so it can share the script's transaction.
    for (const text of [SQL_RECORD, SQL_READ_JOURNAL, SQL_CATALOG_OBJECTS, SQL_CATALOG_COLUMNS]) expect(splitBatches(text)).to.have.length(1);
  });

  it('maps catalog rows to the catalog shape (types with sizes, modules with definitions)', () => {
    const catalog = catalogFromRows({
      objects: [
        { schema_name: 'E', object_name: 'clients', object_type: 'U ', definition: null },
        { schema_name: 'E', object_name: 'ps_x', object_type: 'P ', definition: 'CREATE PROCEDURE E.ps_x AS SELECT 1' },
        { schema_name: 'E', object_name: 'fn_t', object_type: 'IF', definition: 'CREATE FUNCTION ...' },
        { schema_name: 'E', object_name: 'pk_clients', object_type: 'PK', definition: null },
      ],
      columns: [
        { schema_name: 'E', object_name: 'clients', column_name: 'id', column_id: 1, type_name: 'int', max_length: 4, precision: 10, scale: 0, is_nullable: 0, is_identity: 1, computed_definition: null },
        { schema_name: 'E', object_name: 'clients', column_name: 'nom', column_id: 2, type_name: 'nvarchar', max_length: 100, precision: 0, scale: 0, is_nullable: true, is_identity: false, computed_definition: null },
        { schema_name: 'E', object_name: 'clients', column_name: 'notes', column_id: 3, type_name: 'varchar', max_length: -1, precision: 0, scale: 0, is_nullable: true, is_identity: false, computed_definition: null },
        { schema_name: 'E', object_name: 'clients', column_name: 'total', column_id: 4, type_name: 'decimal', max_length: 9, precision: 18, scale: 2, is_nullable: true, is_identity: false, computed_definition: '([a]+[b])' },
      ],
    });
    expect(catalog.objects.map((o) => `${o.type} ${o.name}`)).to.deep.equal(['table clients', 'procedure ps_x', 'function fn_t']);
    expect(catalog.objects[0].columns!.map((c) => `${c.name} ${c.type} ${c.nullable} ${c.identity}`)).to.deep.equal([
      'id int false true', 'nom nvarchar(50) true undefined', 'notes varchar(max) true undefined', 'total decimal(18,2) true undefined',
    ]);
    expect(catalog.objects[0].columns![3].computed).to.equal('([a]+[b])');
  });

  it('maps keys, foreign keys, checks, defaults, collations, indexes, synonyms, sequences, types and schemas; generated names are not kept', () => {
    const catalog = catalogFromRows({
      objects: [
        { schema_name: 'E', object_name: 'a', object_type: 'U', definition: null },
        { schema_name: 'E', object_name: 'b', object_type: 'U', definition: null },
        { schema_name: 'E', object_name: 'syn', object_type: 'SN', definition: null, synonym_target: '[E].[a]' },
        { schema_name: 'E', object_name: 'seq', object_type: 'SO', definition: null, sequence_type: 'int', sequence_start: '1', sequence_increment: '1', sequence_min: '-2147483648', sequence_max: '2147483647', sequence_cycle: 0, sequence_cached: 0, sequence_cache: null },
      ],
      columns: [
        { schema_name: 'E', object_name: 'a', column_name: 'id', column_id: 1, type_name: 'int', max_length: 4, precision: 10, scale: 0, is_nullable: 0, is_identity: 1, computed_definition: null, default_definition: null },
        { schema_name: 'E', object_name: 'a', column_name: 'nom', column_id: 2, type_name: 'nvarchar', max_length: 100, precision: 0, scale: 0, is_nullable: 1, is_identity: 0, computed_definition: null, collation_name: 'Latin1_General_BIN2', default_name: 'DF__a__nom__1234', default_definition: "(N'x')", default_system_named: 1 },
        { schema_name: 'E', object_name: 'a', column_name: 'code', column_id: 3, type_name: 'E.code', max_length: 20, precision: 0, scale: 0, is_nullable: 1, is_identity: 0, computed_definition: null, default_name: 'df_code', default_definition: "('?')", default_system_named: 0 },
        { schema_name: 'E', object_name: 't_lignes', is_table_type: 1, column_name: 'id', column_id: 1, type_name: 'int', max_length: 4, precision: 10, scale: 0, is_nullable: 0, is_identity: 0, computed_definition: null },
        { schema_name: 'E', object_name: 'b', column_name: 'a_id', column_id: 1, type_name: 'int', max_length: 4, precision: 10, scale: 0, is_nullable: 0, is_identity: 0, computed_definition: null },
      ],
      keys: [
        { schema_name: 'E', table_name: 'a', constraint_name: 'PK__a__3213E83F', constraint_type: 'PK', is_system_named: 1, is_clustered: 1, column_name: 'id', key_ordinal: 1 },
        { schema_name: 'E', table_name: 'a', constraint_name: 'uq_a', constraint_type: 'UQ', is_system_named: 0, is_clustered: 0, column_name: 'nom', key_ordinal: 1 },
        { schema_name: 'E', table_name: 'a', constraint_name: 'uq_a', constraint_type: 'UQ', is_system_named: 0, is_clustered: 0, column_name: 'code', key_ordinal: 2 },
      ],
      foreignKeys: [{ schema_name: 'E', table_name: 'b', constraint_name: 'fk_b_a', is_system_named: 0, is_disabled: 1, ref_schema: 'E', ref_table: 'a', column_name: 'a_id', ref_column: 'id', on_delete: 'CASCADE', on_update: 'NO_ACTION', constraint_column_id: 1 }],
      checks: [{ schema_name: 'E', table_name: 'b', constraint_name: 'CK__b__a_id__0AD2A005', is_system_named: 1, is_disabled: 0, definition: '([a_id]>(0))' }],
      indexes: [
        { schema_name: 'E', table_name: 'b', index_name: 'ix_b', is_unique: 0, is_clustered: 0, filter_definition: '([a_id]>(0))', column_name: 'a_id', key_ordinal: 1, is_descending: 1, is_included: 0, index_column_id: 1 },
      ],
      schemas: [{ schema_name: 'E' }],
      types: [
        { schema_name: 'E', type_name: 'code', is_table_type: 0, base_type: 'varchar', max_length: 20, precision: 0, scale: 0, is_nullable: 0 },
        { schema_name: 'E', type_name: 't_lignes', is_table_type: 1, base_type: null, max_length: -1, precision: 0, scale: 0, is_nullable: 0 },
      ],
      collation: 'French_CI_AS',
    });
    const by = (name: string) => catalog.objects.find((o) => o.name === name)!;
    expect(catalog.collation).to.equal('French_CI_AS');
    expect(by('a').columns).to.deep.equal([
      { name: 'id', type: 'int', nullable: false, identity: true },
      { name: 'nom', type: 'nvarchar(50)', nullable: true, collation: 'Latin1_General_BIN2', default: { definition: "(N'x')" } },
      { name: 'code', type: 'E.code', nullable: true, default: { name: 'df_code', definition: "('?')" } },
    ]);
    expect(by('a').constraints).to.deep.equal([
      { kind: 'primary key', columns: ['id'], clustered: true },
      { kind: 'unique', name: 'uq_a', columns: ['nom', 'code'], clustered: false },
    ]);
    expect(by('b').constraints).to.deep.equal([
      { kind: 'foreign key', name: 'fk_b_a', columns: ['a_id'], references: { table: 'E.a', columns: ['id'], onDelete: 'CASCADE' }, disabled: true },
      { kind: 'check', definition: '([a_id]>(0))' },
    ]);
    expect(by('b').indexes).to.deep.equal([{ name: 'ix_b', unique: false, clustered: false, columns: [{ name: 'a_id', desc: true }], filter: '([a_id]>(0))' }]);
    expect(by('syn')).to.deep.include({ type: 'synonym', target: '[E].[a]' });
    expect(by('seq').sequence).to.deep.equal({ type: 'int', start: '1', increment: '1', min: '-2147483648', max: '2147483647', cycle: false, cache: null });
    expect(by('code')).to.deep.include({ type: 'type', baseType: 'varchar(20)', nullable: false });
    expect(by('t_lignes')).to.deep.include({ type: 'type', columns: [{ name: 'id', type: 'int', nullable: false }] });
    expect(catalog.objects.find((o) => o.type === 'schema')).to.deep.equal({ schema: '', name: 'E', type: 'schema' });
    for (const text of [SQL_CATALOG_KEYS, SQL_CATALOG_FOREIGN_KEYS, SQL_CATALOG_CHECKS, SQL_CATALOG_INDEXES, SQL_CATALOG_SCHEMAS, SQL_CATALOG_TYPES]) expect(splitBatches(text)).to.have.length(1);
  });

  it('maps journal rows (bits as numbers or booleans)', () => {
    expect(journalFromRows([{ dbv_guid: 'g', dbv_version: '25.10 ', dbv_est_racine: 0, dbv_script_number: 30, dbv_est_prepare: 1, dbv_est_execute: false, dbv_est_valide: true }]))
      .to.deep.equal([{ guid: 'g', version: '25.10', isRoot: false, scriptNumber: 30, prepared: true, executed: false, validated: true }]);
  });
});

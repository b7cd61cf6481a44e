import { expect } from 'chai';
import { catalogFromRows, journalFromRows, recordCommand, SQL_CATALOG_COLUMNS, SQL_CATALOG_OBJECTS, SQL_READ_JOURNAL, SQL_RECORD } from '../../../src/database/journal-sql';
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
    const catalog = catalogFromRows(
      [
        { schema_name: 'E', object_name: 'clients', object_type: 'U ', definition: null },
        { schema_name: 'E', object_name: 'ps_x', object_type: 'P ', definition: 'CREATE PROCEDURE E.ps_x AS SELECT 1' },
        { schema_name: 'E', object_name: 'fn_t', object_type: 'IF', definition: 'CREATE FUNCTION ...' },
        { schema_name: 'E', object_name: 'pk_clients', object_type: 'PK', definition: null },
      ],
      [
        { schema_name: 'E', object_name: 'clients', column_name: 'id', column_id: 1, type_name: 'int', max_length: 4, precision: 10, scale: 0, is_nullable: 0, is_identity: 1, computed_definition: null },
        { schema_name: 'E', object_name: 'clients', column_name: 'nom', column_id: 2, type_name: 'nvarchar', max_length: 100, precision: 0, scale: 0, is_nullable: true, is_identity: false, computed_definition: null },
        { schema_name: 'E', object_name: 'clients', column_name: 'notes', column_id: 3, type_name: 'varchar', max_length: -1, precision: 0, scale: 0, is_nullable: true, is_identity: false, computed_definition: null },
        { schema_name: 'E', object_name: 'clients', column_name: 'total', column_id: 4, type_name: 'decimal', max_length: 9, precision: 18, scale: 2, is_nullable: true, is_identity: false, computed_definition: '([a]+[b])' },
      ],
    );
    expect(catalog.objects.map((o) => `${o.type} ${o.name}`)).to.deep.equal(['table clients', 'procedure ps_x', 'function fn_t']);
    expect(catalog.objects[0].columns!.map((c) => `${c.name} ${c.type} ${c.nullable} ${c.identity}`)).to.deep.equal([
      'id int false true', 'nom nvarchar(50) true false', 'notes varchar(max) true false', 'total decimal(18,2) true false',
    ]);
    expect(catalog.objects[0].columns![3].computed).to.equal('([a]+[b])');
  });

  it('maps journal rows (bits as numbers or booleans)', () => {
    expect(journalFromRows([{ dbv_guid: 'g', dbv_version: '25.10 ', dbv_est_racine: 0, dbv_script_number: 30, dbv_est_prepare: 1, dbv_est_execute: false, dbv_est_valide: true }]))
      .to.deep.equal([{ guid: 'g', version: '25.10', isRoot: false, scriptNumber: 30, prepared: true, executed: false, validated: true }]);
  });
});

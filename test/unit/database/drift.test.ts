import { expect } from 'chai';
import { textOf } from '../../../src/core/messages';
import { computeDrift } from '../../../src/database/drift';
import { buildBaseline } from '../../../src/database/normalize';
import type { Catalog } from '../../../src/database/catalog';

const standard: Catalog = {
  objects: [
    { schema: 'E', name: 'clients', type: 'table', columns: [{ name: 'cli_id', type: 'int', nullable: false, identity: true }, { name: 'cli_nom', type: 'nvarchar(100)', nullable: false }] },
    { schema: 'E', name: 'vw_clients', type: 'view', definition: 'CREATE VIEW E.vw_clients AS SELECT cli_id, cli_nom FROM E.clients' },
    { schema: 'E', name: 'ps_clients', type: 'procedure', definition: 'CREATE PROCEDURE E.ps_clients AS SELECT * FROM E.vw_clients' },
    { schema: 'E', name: 'fn_nom', type: 'function', definition: 'CREATE FUNCTION E.fn_nom(@id int) RETURNS nvarchar(100) AS BEGIN RETURN (SELECT cli_nom FROM E.clients WHERE cli_id = @id) END' },
  ],
};

describe('database/drift', () => {
  const baseline = buildBaseline('25.5', standard);

  it('finds nothing when only formatting, comments and case differ', () => {
    const live: Catalog = structuredClone(standard);
    live.objects[1].definition = '-- reformatted\ncreate view [e].[VW_CLIENTS]\nas\n  select cli_id,\n         cli_nom\n  from e.clients';
    live.objects[0].columns!.reverse();
    const drift = computeDrift(live, baseline);
    expect(drift.standard).to.equal(true);
    expect([...drift.modified, ...drift.missing, ...drift.extra]).to.deep.equal([]);
  });

  it('reports Modified, Missing and Extra; Extra alone keeps the database standard', () => {
    const live: Catalog = structuredClone(standard);
    live.objects[0].columns!.push({ name: 'cli_code_client_perso', type: 'varchar(20)', nullable: true });
    live.objects[2].definition = 'CREATE PROCEDURE E.ps_clients AS SELECT * FROM E.vw_clients WHERE 1 = 1';
    live.objects.splice(3, 1);
    live.objects.push({ schema: 'dbo', name: 'ps_export_compta', type: 'procedure', definition: 'CREATE PROCEDURE ps_export_compta AS SELECT 1' });
    const drift = computeDrift(live, baseline);
    expect(drift.modified.map((d) => [d.object, d.state])).to.deep.equal([['E.clients', 'Modified'], ['E.ps_clients', 'Modified']]);
    expect(textOf(drift.modified[0].detail)).to.equal('columns added: cli_code_client_perso');
    live.objects[0].columns![1].type = 'nvarchar(200)';
    live.objects[0].columns!.shift();
    expect(textOf(computeDrift(live, baseline).modified[0].detail)).to.equal('columns added: cli_code_client_perso; removed: cli_id; changed: cli_nom (nvarchar(100) not null -> nvarchar(200) not null)');
    expect(drift.missing.map((d) => d.object)).to.deep.equal(['E.fn_nom']);
    expect(drift.extra.map((d) => d.object)).to.deep.equal(['dbo.ps_export_compta']);
    expect(drift.standard).to.equal(false);
    expect([...drift.customizedKeys].sort()).to.deep.equal(['e.clients', 'e.fn_nom', 'e.ps_clients']);

    const onlyExtra: Catalog = structuredClone(standard);
    onlyExtra.objects.push({ schema: 'dbo', name: 'my_table', type: 'table', columns: [] });
    expect(computeDrift(onlyExtra, baseline).standard).to.equal(true);
  });

  it('matches names case-insensitively, reports a type change, and honours the ignore list', () => {
    const live: Catalog = structuredClone(standard);
    live.objects[0].schema = 'e';
    live.objects[0].name = 'CLIENTS';
    live.objects[1] = { schema: 'E', name: 'vw_clients', type: 'table', columns: [] };
    const drift = computeDrift(live, baseline, { ignore: ['E.ps_clients'] });
    expect(drift.modified.map((d) => textOf(d.detail))).to.deep.equal(['standard view is now a table']);
    expect(drift.extra).to.deep.equal([]);
  });

  it('accepts objects already in the state of the target release (scripts run one by one)', () => {
    const target: Catalog = structuredClone(standard);
    target.objects[2].definition = 'CREATE PROCEDURE E.ps_clients @actifs bit AS SELECT * FROM E.vw_clients';
    target.objects.splice(3, 1); // the release drops fn_nom
    target.objects.push({ schema: 'E', name: 'fidelite', type: 'table', columns: [{ name: 'points', type: 'int', nullable: false }] });
    const targetBaseline = buildBaseline('25.10', target);
    // The live database ran the procedure script and the table script, and fn_nom is gone.
    const live: Catalog = structuredClone(target);
    live.objects.push({ schema: 'E', name: 'perso', type: 'view', definition: 'CREATE VIEW E.perso AS SELECT 1 AS x' });
    const withoutTarget = computeDrift(live, baseline);
    expect(withoutTarget.modified.map((d) => d.object)).to.deep.equal(['E.ps_clients']);
    expect(withoutTarget.missing.map((d) => d.object)).to.deep.equal(['E.fn_nom']);
    const drift = computeDrift(live, baseline, { alsoStandard: targetBaseline });
    expect(drift.standard).to.equal(true);
    expect(drift.extra.map((d) => d.object)).to.deep.equal(['E.perso']);
    // A customer change is still a change, whichever standard state it started from.
    live.objects[2].definition += ' WHERE 1 = 1';
    expect(computeDrift(live, baseline, { alsoStandard: targetBaseline }).modified.map((d) => d.object)).to.deep.equal(['E.ps_clients']);
  });

  it('takes byte-identical definitions as standard without normalising, and falls back to fingerprints otherwise', () => {
    expect(baseline.objects.find((o) => o.name === 'vw_clients')!.rawSha256).to.match(/^[0-9a-f]{64}$/);
    // Tables too: the hash of their model exactly as the catalog gives it.
    expect(baseline.objects.find((o) => o.name === 'clients')!.rawSha256).to.match(/^[0-9a-f]{64}$/);
    // A wrong raw hash (another formatting of the same module) only costs the normalisation.
    const other = structuredClone(baseline);
    for (const o of other.objects) if (o.rawSha256) o.rawSha256 = '0'.repeat(64);
    expect(computeDrift(structuredClone(standard), other).standard).to.equal(true);
    const changed: Catalog = structuredClone(standard);
    changed.objects[1].definition += ' WHERE 1 = 0';
    expect(computeDrift(changed, other).modified.map((d) => d.object)).to.deep.equal(['E.vw_clients']);
    // A table whose model differs only in column order is still standard (by fingerprint).
    const reordered: Catalog = structuredClone(standard);
    const table = reordered.objects.find((o) => o.name === 'clients')!;
    table.columns!.reverse();
    expect(computeDrift(reordered, baseline).standard).to.equal(true);
  });

  it('compares keys, constraints, defaults, indexes, collations, synonyms, sequences, types and schemas', () => {
    const base: Catalog = { collation: 'French_CI_AS', objects: [
      { schema: '', name: 'E', type: 'schema' },
      { schema: 'E', name: 't', type: 'table', columns: [{ name: 'id', type: 'int', nullable: false }, { name: 'nom', type: 'nvarchar(50)', nullable: true, default: { name: 'DF_t_nom', definition: "(N'x')" } }],
        constraints: [{ kind: 'primary key', name: 'PK_t', columns: ['id'], clustered: true }, { kind: 'check', definition: '(id > 0)' }],
        indexes: [{ name: 'IX_t_nom', unique: false, clustered: false, columns: [{ name: 'nom' }] }] },
      { schema: 'E', name: 'syn', type: 'synonym', target: '[E].[t]' },
      { schema: 'E', name: 'seq', type: 'sequence', sequence: { type: 'int', start: '1', increment: '1', min: '-2147483648', max: '2147483647', cycle: false } },
      { schema: 'E', name: 'code', type: 'type', baseType: 'varchar(20)', nullable: false },
    ] };
    const std = buildBaseline('1.0', base);
    const mutate = (change: (c: Catalog) => void) => { const c = structuredClone(base); change(c); return computeDrift(c, std); };
    // SQL Server's own spelling of the same definitions is not a change.
    const asStored = mutate((c) => {
      const t = c.objects[1];
      t.columns![1].default!.definition = "(N'x')";
      t.constraints![1].definition = '([id]>(0))';
    });
    expect(asStored.standard).to.equal(true);
    const cases: Array<[string, (c: Catalog) => void, string, string]> = [
      ['index dropped', (c) => { c.objects[1].indexes = []; }, 'E.t', 'constraints/indexes removed: index ix_t_nom nonclustered (nom)'],
      ['key made nonclustered', (c) => { c.objects[1].constraints![0].clustered = false; }, 'E.t', 'constraints/indexes added: primary key pk_t nonclustered (id)'],
      ['check changed', (c) => { c.objects[1].constraints![1].definition = '(id >= 0)'; }, 'E.t', 'constraints/indexes added: check id >'],
      ['default changed', (c) => { c.objects[1].columns![1].default = { name: 'DF_t_nom', definition: "(N'y')" }; }, 'E.t', "changed: nom"],
      ['column collation', (c) => { c.objects[1].columns![1].collation = 'Latin1_General_BIN2'; }, 'E.t', 'collate latin1_general_bin2'],
      ['synonym retargeted', (c) => { c.objects[2].target = '[E].[autre]'; }, 'E.syn', 'definition differs'],
      ['sequence restarted', (c) => { c.objects[3].sequence!.start = '1000'; }, 'E.seq', 'definition differs'],
      ['type widened', (c) => { c.objects[4].baseType = 'varchar(40)'; }, 'E.code', 'definition differs'],
      ['database collation', (c) => { c.collation = 'Latin1_General_CI_AS'; }, '(database)', 'collation Latin1_General_CI_AS where the standard database uses French_CI_AS'],
    ];
    for (const [label, change, object, detail] of cases) {
      const drift = mutate(change);
      expect(drift.standard, label).to.equal(false);
      expect(drift.modified.map((d) => d.object), label).to.deep.equal([object]);
      expect(textOf(drift.modified[0].detail), label).to.contain(detail);
    }
    const dropped = mutate((c) => { c.objects = c.objects.filter((o) => o.type !== 'schema'); });
    expect(dropped.missing.map((d) => d.object)).to.deep.equal(['schema E']);
  });
});

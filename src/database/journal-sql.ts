// The SQL the SQL Server store sends (pure texts, parameterised) and the pure mapping of the rows it
// reads back: the product's journal E.sysparams_databaseversion (SPEC §2) and the catalog queries
// that feed drift. Rows of the journal, one per script, plus one "root" row per release:
//   dbv_guid            uniqueidentifier   row id
//   dbv_version         release label      `25.10` (legacy rows: `2019-2`)
//   dbv_est_racine      bit                1 = the release itself (all its scripts applied)
//   dbv_script_number   int                script number in its release (0 for the root row)
//   dbv_est_prepare     bit                the run of the script started
//   dbv_est_execute     bit                the script was executed by the tool (0: run by hand and marked)
//   dbv_est_valide      bit                the script completed (applied)
import { columnTypeName, objectTypeFromSys, type Catalog, type CatalogColumn, type CatalogConstraint, type CatalogIndex, type CatalogObject } from './catalog';

export const JOURNAL_TABLE = 'E.sysparams_databaseversion';
/** Drift ignores the journal table: it is ours, its rows change, its shape is not the customer's. */
export const JOURNAL_KEY = 'e.sysparams_databaseversion';

export interface JournalRow {
  guid: string;
  version: string;
  isRoot: boolean;
  scriptNumber: number;
  prepared: boolean;
  executed: boolean;
  validated: boolean;
}

export type SqlParamType = 'uniqueidentifier' | 'nvarchar' | 'bit' | 'int';
export interface SqlParam { name: string; type: SqlParamType; value: string | number | boolean }
export interface SqlCommand { text: string; params: SqlParam[] }

export const SQL_JOURNAL_EXISTS = `SELECT CASE WHEN OBJECT_ID(N'E.sysparams_databaseversion', N'U') IS NULL THEN 0 ELSE 1 END AS present;`;

export const SQL_READ_JOURNAL = `SELECT CONVERT(nvarchar(36), dbv_guid) AS dbv_guid, CONVERT(nvarchar(50), dbv_version) AS dbv_version,
  CONVERT(int, dbv_est_racine) AS dbv_est_racine, dbv_script_number,
  CONVERT(int, dbv_est_prepare) AS dbv_est_prepare, CONVERT(int, dbv_est_execute) AS dbv_est_execute,
  CONVERT(int, dbv_est_valide) AS dbv_est_valide
FROM E.sysparams_databaseversion;`;

/** Only for a database that never had the table (a fresh database): the product normally creates it. */
export const SQL_CREATE_JOURNAL = `IF SCHEMA_ID(N'E') IS NULL EXEC(N'CREATE SCHEMA [E]');
IF OBJECT_ID(N'E.sysparams_databaseversion', N'U') IS NULL
CREATE TABLE E.sysparams_databaseversion (
  dbv_guid uniqueidentifier NOT NULL CONSTRAINT PK_sysparams_databaseversion PRIMARY KEY DEFAULT NEWID(),
  dbv_version nvarchar(50) NOT NULL,
  dbv_est_racine bit NOT NULL DEFAULT 0,
  dbv_script_number int NOT NULL DEFAULT 0,
  dbv_est_prepare bit NOT NULL DEFAULT 0,
  dbv_est_execute bit NOT NULL DEFAULT 0,
  dbv_est_valide bit NOT NULL DEFAULT 0
);`;

/**
 * Records a script (or a release root row): updates the existing row of that (version, number,
 * root) or inserts one. Sent on the script's own transaction, so the row commits with the script.
 */
export const SQL_RECORD = `UPDATE E.sysparams_databaseversion
  SET dbv_est_prepare = @prepare, dbv_est_execute = @execute, dbv_est_valide = @valide
  WHERE dbv_version = @version AND dbv_script_number = @number AND dbv_est_racine = @racine;
IF @@ROWCOUNT = 0
  INSERT INTO E.sysparams_databaseversion (dbv_guid, dbv_version, dbv_est_racine, dbv_script_number, dbv_est_prepare, dbv_est_execute, dbv_est_valide)
  VALUES (@guid, @version, @racine, @number, @prepare, @execute, @valide);`;

export interface RecordArgs {
  guid: string;
  version: string;
  number: number;
  isRoot: boolean;
  prepared: boolean;
  executed: boolean;
  validated: boolean;
}

export function recordCommand(r: RecordArgs): SqlCommand {
  return {
    text: SQL_RECORD,
    params: [
      { name: 'guid', type: 'uniqueidentifier', value: r.guid },
      { name: 'version', type: 'nvarchar', value: r.version },
      { name: 'racine', type: 'bit', value: r.isRoot },
      { name: 'number', type: 'int', value: r.number },
      { name: 'prepare', type: 'bit', value: r.prepared },
      { name: 'execute', type: 'bit', value: r.executed },
      { name: 'valide', type: 'bit', value: r.validated },
    ],
  };
}

export const SQL_CATALOG_OBJECTS = `SELECT s.name AS schema_name, o.name AS object_name, o.type AS object_type, m.definition AS definition,
  sn.base_object_name AS synonym_target,
  TYPE_NAME(sq.user_type_id) AS sequence_type, CONVERT(nvarchar(40), sq.start_value) AS sequence_start, CONVERT(nvarchar(40), sq.increment) AS sequence_increment,
  CONVERT(nvarchar(40), sq.minimum_value) AS sequence_min, CONVERT(nvarchar(40), sq.maximum_value) AS sequence_max,
  CONVERT(int, sq.is_cycling) AS sequence_cycle, CONVERT(int, sq.is_cached) AS sequence_cached, sq.cache_size AS sequence_cache
FROM sys.objects AS o
JOIN sys.schemas AS s ON s.schema_id = o.schema_id
LEFT JOIN sys.sql_modules AS m ON m.object_id = o.object_id
LEFT JOIN sys.synonyms AS sn ON sn.object_id = o.object_id
LEFT JOIN sys.sequences AS sq ON sq.object_id = o.object_id
WHERE o.is_ms_shipped = 0 AND o.type IN ('U', 'V', 'P', 'PC', 'FN', 'IF', 'TF', 'FS', 'FT', 'TR', 'TA', 'SN', 'SO');`;

/** Columns of tables and of table types; user types as `schema.name`; collation only where it is not the database's; defaults. */
export const SQL_CATALOG_COLUMNS = `SELECT s.name AS schema_name, COALESCE(tt.name, o.name) AS object_name, CASE WHEN tt.user_type_id IS NULL THEN 0 ELSE 1 END AS is_table_type,
  c.name AS column_name, c.column_id,
  CASE WHEN t.is_user_defined = 1 THEN CONCAT(SCHEMA_NAME(t.schema_id), N'.', t.name) ELSE t.name END AS type_name,
  c.max_length, c.precision, c.scale, c.is_nullable, c.is_identity, cc.definition AS computed_definition,
  CASE WHEN c.collation_name <> CONVERT(sysname, DATABASEPROPERTYEX(DB_NAME(), 'Collation')) THEN c.collation_name END AS collation_name,
  dc.name AS default_name, dc.definition AS default_definition, CONVERT(int, dc.is_system_named) AS default_system_named
FROM sys.columns AS c
JOIN sys.objects AS o ON o.object_id = c.object_id AND o.is_ms_shipped = 0 AND o.type IN ('U', 'TT')
LEFT JOIN sys.table_types AS tt ON tt.type_table_object_id = o.object_id
JOIN sys.schemas AS s ON s.schema_id = COALESCE(tt.schema_id, o.schema_id)
JOIN sys.types AS t ON t.user_type_id = c.user_type_id
LEFT JOIN sys.computed_columns AS cc ON cc.object_id = c.object_id AND cc.column_id = c.column_id
LEFT JOIN sys.default_constraints AS dc ON dc.parent_object_id = c.object_id AND dc.parent_column_id = c.column_id
ORDER BY s.name, object_name, c.column_id;`;

/** Primary keys and unique constraints with their key columns, in key order. */
export const SQL_CATALOG_KEYS = `SELECT s.name AS schema_name, t.name AS table_name, kc.name AS constraint_name, kc.type AS constraint_type,
  CONVERT(int, kc.is_system_named) AS is_system_named, CASE WHEN i.type = 1 THEN 1 ELSE 0 END AS is_clustered, c.name AS column_name, ic.key_ordinal
FROM sys.key_constraints AS kc
JOIN sys.tables AS t ON t.object_id = kc.parent_object_id AND t.is_ms_shipped = 0
JOIN sys.schemas AS s ON s.schema_id = t.schema_id
JOIN sys.indexes AS i ON i.object_id = kc.parent_object_id AND i.index_id = kc.unique_index_id
JOIN sys.index_columns AS ic ON ic.object_id = i.object_id AND ic.index_id = i.index_id AND ic.key_ordinal > 0
JOIN sys.columns AS c ON c.object_id = ic.object_id AND c.column_id = ic.column_id
ORDER BY s.name, t.name, kc.name, ic.key_ordinal;`;

export const SQL_CATALOG_FOREIGN_KEYS = `SELECT s.name AS schema_name, t.name AS table_name, fk.name AS constraint_name, CONVERT(int, fk.is_system_named) AS is_system_named,
  CONVERT(int, fk.is_disabled) AS is_disabled, rs.name AS ref_schema, rt.name AS ref_table, pc.name AS column_name, rc.name AS ref_column,
  fk.delete_referential_action_desc AS on_delete, fk.update_referential_action_desc AS on_update, fkc.constraint_column_id
FROM sys.foreign_keys AS fk
JOIN sys.tables AS t ON t.object_id = fk.parent_object_id AND t.is_ms_shipped = 0
JOIN sys.schemas AS s ON s.schema_id = t.schema_id
JOIN sys.tables AS rt ON rt.object_id = fk.referenced_object_id
JOIN sys.schemas AS rs ON rs.schema_id = rt.schema_id
JOIN sys.foreign_key_columns AS fkc ON fkc.constraint_object_id = fk.object_id
JOIN sys.columns AS pc ON pc.object_id = fkc.parent_object_id AND pc.column_id = fkc.parent_column_id
JOIN sys.columns AS rc ON rc.object_id = fkc.referenced_object_id AND rc.column_id = fkc.referenced_column_id
ORDER BY s.name, t.name, fk.name, fkc.constraint_column_id;`;

export const SQL_CATALOG_CHECKS = `SELECT s.name AS schema_name, t.name AS table_name, ck.name AS constraint_name, CONVERT(int, ck.is_system_named) AS is_system_named,
  CONVERT(int, ck.is_disabled) AS is_disabled, ck.definition
FROM sys.check_constraints AS ck
JOIN sys.tables AS t ON t.object_id = ck.parent_object_id AND t.is_ms_shipped = 0
JOIN sys.schemas AS s ON s.schema_id = t.schema_id
ORDER BY s.name, t.name, ck.name;`;

/** Indexes that are not a key constraint's (clustered and nonclustered rowstore), with key and included columns. */
export const SQL_CATALOG_INDEXES = `SELECT s.name AS schema_name, t.name AS table_name, i.name AS index_name, CONVERT(int, i.is_unique) AS is_unique,
  CASE WHEN i.type = 1 THEN 1 ELSE 0 END AS is_clustered, i.filter_definition, c.name AS column_name, ic.key_ordinal,
  CONVERT(int, ic.is_descending_key) AS is_descending, CONVERT(int, ic.is_included_column) AS is_included, ic.index_column_id
FROM sys.indexes AS i
JOIN sys.tables AS t ON t.object_id = i.object_id AND t.is_ms_shipped = 0
JOIN sys.schemas AS s ON s.schema_id = t.schema_id
JOIN sys.index_columns AS ic ON ic.object_id = i.object_id AND ic.index_id = i.index_id
JOIN sys.columns AS c ON c.object_id = ic.object_id AND c.column_id = ic.column_id
WHERE i.type IN (1, 2) AND i.is_primary_key = 0 AND i.is_unique_constraint = 0 AND i.is_hypothetical = 0
ORDER BY s.name, t.name, i.name, ic.key_ordinal, ic.index_column_id;`;

/** User schemas (not dbo, guest, sys, INFORMATION_SCHEMA or the fixed database roles), user types, the database's collation. */
export const SQL_CATALOG_SCHEMAS = `SELECT name AS schema_name FROM sys.schemas WHERE schema_id BETWEEN 5 AND 16383 ORDER BY name;`;

export const SQL_CATALOG_TYPES = `SELECT SCHEMA_NAME(t.schema_id) AS schema_name, t.name AS type_name, CONVERT(int, t.is_table_type) AS is_table_type,
  bt.name AS base_type, t.max_length, t.precision, t.scale, CONVERT(int, t.is_nullable) AS is_nullable
FROM sys.types AS t
LEFT JOIN sys.types AS bt ON bt.user_type_id = t.system_type_id
WHERE t.is_user_defined = 1 AND t.is_assembly_type = 0
ORDER BY schema_name, type_name;`;

export const SQL_DATABASE_COLLATION = `SELECT CONVERT(nvarchar(128), DATABASEPROPERTYEX(DB_NAME(), 'Collation')) AS collation;`;

export interface ObjectRow {
  schema_name: string; object_name: string; object_type: string; definition: string | null;
  synonym_target?: string | null; sequence_type?: string | null; sequence_start?: string | null; sequence_increment?: string | null;
  sequence_min?: string | null; sequence_max?: string | null; sequence_cycle?: number | null; sequence_cached?: number | null; sequence_cache?: number | null;
}
export interface ColumnRow {
  schema_name: string; object_name: string; column_name: string; column_id: number; type_name: string;
  max_length: number; precision: number; scale: number; is_nullable: boolean | number; is_identity: boolean | number;
  computed_definition: string | null;
  is_table_type?: number; collation_name?: string | null; default_name?: string | null; default_definition?: string | null; default_system_named?: number | null;
}
export interface KeyRow { schema_name: string; table_name: string; constraint_name: string; constraint_type: string; is_system_named: number; is_clustered: number; column_name: string; key_ordinal: number }
export interface ForeignKeyRow {
  schema_name: string; table_name: string; constraint_name: string; is_system_named: number; is_disabled: number; ref_schema: string; ref_table: string;
  column_name: string; ref_column: string; on_delete: string; on_update: string; constraint_column_id: number;
}
export interface CheckRow { schema_name: string; table_name: string; constraint_name: string; is_system_named: number; is_disabled: number; definition: string }
export interface IndexRow {
  schema_name: string; table_name: string; index_name: string; is_unique: number; is_clustered: number; filter_definition: string | null;
  column_name: string; key_ordinal: number; is_descending: number; is_included: number; index_column_id: number;
}
export interface TypeRow { schema_name: string; type_name: string; is_table_type: number; base_type: string | null; max_length: number; precision: number; scale: number; is_nullable: number }

export interface CatalogRows {
  objects: readonly ObjectRow[];
  columns: readonly ColumnRow[];
  keys?: readonly KeyRow[];
  foreignKeys?: readonly ForeignKeyRow[];
  checks?: readonly CheckRow[];
  indexes?: readonly IndexRow[];
  schemas?: ReadonlyArray<{ schema_name: string }>;
  types?: readonly TypeRow[];
  collation?: string;
}

const action = (desc: string | null | undefined) => (desc ?? 'NO_ACTION').replace(/_/g, ' ').toUpperCase();
const nameOf = (row: { constraint_name: string; is_system_named: number }) => (Number(row.is_system_named) ? {} : { name: row.constraint_name });

/** The catalog from the rows of the SQL_CATALOG_* queries (pure). */
export function catalogFromRows(rows: CatalogRows): Catalog {
  const objects: CatalogObject[] = [];
  const tables = new Map<string, CatalogObject>();
  const tableKey = (schema: string, name: string) => `${schema}\u0000${name}`;
  for (const r of rows.objects) {
    const type = objectTypeFromSys(r.object_type);
    if (!type) continue;
    const o: CatalogObject = { schema: r.schema_name, name: r.object_name, type };
    if (type === 'table') {
      o.columns = [];
      tables.set(tableKey(r.schema_name, r.object_name), o);
    } else if (type === 'synonym') {
      o.target = r.synonym_target ?? '';
    } else if (type === 'sequence') {
      o.sequence = {
        type: r.sequence_type ?? 'bigint', start: String(r.sequence_start ?? ''), increment: String(r.sequence_increment ?? ''),
        min: String(r.sequence_min ?? ''), max: String(r.sequence_max ?? ''), cycle: Boolean(Number(r.sequence_cycle ?? 0)),
        ...(Number(r.sequence_cached ?? 1) ? (r.sequence_cache !== null && r.sequence_cache !== undefined ? { cache: String(r.sequence_cache) } : {}) : { cache: null }),
      };
    } else {
      o.definition = r.definition;
    }
    objects.push(o);
  }
  for (const t of rows.types ?? []) {
    const o: CatalogObject = { schema: t.schema_name, name: t.type_name, type: 'type' };
    if (Number(t.is_table_type)) {
      o.columns = [];
      tables.set(`type\u0000${tableKey(t.schema_name, t.type_name)}`, o);
    } else {
      o.baseType = columnTypeName(t.base_type ?? '', Number(t.max_length), Number(t.precision), Number(t.scale));
      o.nullable = Boolean(Number(t.is_nullable));
    }
    objects.push(o);
  }
  for (const c of rows.columns) {
    const table = tables.get(`${Number(c.is_table_type ?? 0) ? 'type\u0000' : ''}${tableKey(c.schema_name, c.object_name)}`);
    if (!table) continue;
    const column: CatalogColumn = {
      name: c.column_name,
      type: c.type_name.includes('.') ? c.type_name : columnTypeName(c.type_name, Number(c.max_length), Number(c.precision), Number(c.scale)),
      nullable: Boolean(Number(c.is_nullable)),
    };
    if (Number(c.is_identity)) column.identity = true;
    if (c.computed_definition) column.computed = c.computed_definition;
    if (c.collation_name) column.collation = c.collation_name;
    if (c.default_definition) column.default = { ...(Number(c.default_system_named) ? {} : { name: c.default_name ?? undefined }), definition: c.default_definition };
    table.columns!.push(column);
  }
  const tableOf = (schema: string, name: string) => tables.get(tableKey(schema, name));
  /** Rows of one table part each (a key, a foreign key, an index), in order: created on its first row, completed by each. */
  const grouped = <R extends { schema_name: string; table_name: string }, T>(list: readonly R[] | undefined, name: (r: R) => string, create: (first: R, table: CatalogObject) => T, add: (item: T, row: R) => void) => {
    const seen = new Map<string, T>();
    for (const row of list ?? []) {
      const table = tableOf(row.schema_name, row.table_name);
      if (!table) continue;
      const id = `${tableKey(row.schema_name, row.table_name)}\u0000${name(row)}`;
      let item = seen.get(id);
      if (item === undefined) { item = create(row, table); seen.set(id, item); }
      add(item, row);
    }
  };
  const constraint = (table: CatalogObject, c: CatalogConstraint) => { (table.constraints ??= []).push(c); return c; };
  grouped(rows.keys, (k) => k.constraint_name,
    (k, table) => constraint(table, { kind: k.constraint_type.trim().toUpperCase() === 'PK' ? 'primary key' : 'unique', ...nameOf(k), columns: [], clustered: Boolean(Number(k.is_clustered)) }),
    (c, k) => c.columns!.push(k.column_name));
  grouped(rows.foreignKeys, (f) => f.constraint_name,
    (f, table) => constraint(table, {
      kind: 'foreign key', ...nameOf(f), columns: [], ...(Number(f.is_disabled) ? { disabled: true } : {}),
      references: { table: `${f.ref_schema}.${f.ref_table}`, columns: [], ...(action(f.on_delete) !== 'NO ACTION' ? { onDelete: action(f.on_delete) } : {}), ...(action(f.on_update) !== 'NO ACTION' ? { onUpdate: action(f.on_update) } : {}) },
    }),
    (c, f) => { c.columns!.push(f.column_name); c.references!.columns.push(f.ref_column); });
  for (const ck of rows.checks ?? []) {
    const table = tableOf(ck.schema_name, ck.table_name);
    if (!table) continue;
    (table.constraints ??= []).push({ kind: 'check', ...nameOf(ck), definition: ck.definition, ...(Number(ck.is_disabled) ? { disabled: true } : {}) });
  }
  grouped(rows.indexes, (ix) => ix.index_name,
    (ix, table) => {
      const index: CatalogIndex = { name: ix.index_name, unique: Boolean(Number(ix.is_unique)), clustered: Boolean(Number(ix.is_clustered)), columns: [], ...(ix.filter_definition ? { filter: ix.filter_definition } : {}) };
      (table.indexes ??= []).push(index);
      return index;
    },
    (index, ix) => {
      if (Number(ix.is_included)) (index.included ??= []).push(ix.column_name);
      else index.columns.push({ name: ix.column_name, ...(Number(ix.is_descending) ? { desc: true } : {}) });
    });
  for (const sc of rows.schemas ?? []) objects.push({ schema: '', name: sc.schema_name, type: 'schema' });
  return { objects, ...(rows.collation ? { collation: rows.collation } : {}) };
}

export function journalFromRows(rows: ReadonlyArray<Record<string, unknown>>): JournalRow[] {
  return rows.map((r) => ({
    guid: String(r.dbv_guid ?? ''),
    version: String(r.dbv_version ?? '').trim(),
    isRoot: Boolean(Number(r.dbv_est_racine ?? 0)),
    scriptNumber: Number(r.dbv_script_number ?? 0),
    prepared: Boolean(Number(r.dbv_est_prepare ?? 0)),
    executed: Boolean(Number(r.dbv_est_execute ?? 0)),
    validated: Boolean(Number(r.dbv_est_valide ?? 0)),
  }));
}

/**
 * The change marker (store.changeMarker): one round trip, a few milliseconds even on a 50,000-object
 * catalog. Objects by count, latest modify_date and a checksum of (id, name, schema, modify_date):
 * creates, alters, drops and renames all change it (an index change alters its table's
 * modify_date); schemas, user types and the database collation, which are not in sys.objects; the
 * journal by count and checksum of every row (a row updated in place changes it too).
 */
export const SQL_CHANGE_MARKER = `SET NOCOUNT ON;
DECLARE @journal nvarchar(100) = N'-';
IF OBJECT_ID(N'E.sysparams_databaseversion', N'U') IS NOT NULL
  SELECT @journal = CONCAT(COUNT_BIG(*), N'/', CHECKSUM_AGG(CHECKSUM(dbv_guid, dbv_version, dbv_est_racine, dbv_script_number, dbv_est_prepare, dbv_est_execute, dbv_est_valide)))
  FROM E.sysparams_databaseversion;
SELECT
  (SELECT CONCAT(COUNT_BIG(*), N'/', CONVERT(nvarchar(30), MAX(modify_date), 126), N'/', CHECKSUM_AGG(CHECKSUM(object_id, name, schema_id, modify_date)))
     FROM sys.objects WHERE is_ms_shipped = 0) AS objects,
  (SELECT CONCAT(COUNT_BIG(*), N'/', CHECKSUM_AGG(CHECKSUM(schema_id, name, principal_id))) FROM sys.schemas) AS schemas,
  (SELECT CONCAT(COUNT_BIG(*), N'/', CHECKSUM_AGG(CHECKSUM(user_type_id, name, schema_id, system_type_id, max_length, precision, scale, is_nullable)))
     FROM sys.types WHERE is_user_defined = 1) AS types,
  CONVERT(nvarchar(128), DATABASEPROPERTYEX(DB_NAME(), 'Collation')) AS collation,
  @journal AS journal;`;

/**
 * The session a script runs in, as SQL Server Management Studio sets it (Tools > Options > Query
 * Execution > ANSI, and its connection defaults), sent first on the script's own connection. The
 * login's language and date format are left alone: a script written for a French server reads
 * '01/02/2025' as it does in SSMS under the same login.
 */
export const SQL_SESSION_OPTIONS = `SET ANSI_NULLS ON;
SET ANSI_NULL_DFLT_ON ON;
SET ANSI_PADDING ON;
SET ANSI_WARNINGS ON;
SET ARITHABORT ON;
SET CONCAT_NULL_YIELDS_NULL ON;
SET QUOTED_IDENTIFIER ON;
SET NUMERIC_ROUNDABORT OFF;
SET IMPLICIT_TRANSACTIONS OFF;
SET CURSOR_CLOSE_ON_COMMIT OFF;
SET NOCOUNT OFF;
SET LOCK_TIMEOUT -1;
SET DEADLOCK_PRIORITY NORMAL;
SET TEXTSIZE 2147483647;
SET TRANSACTION ISOLATION LEVEL READ COMMITTED;`;

/** Transactional scripts also doom the transaction on any error (else a failed statement could be skipped and the rest committed). */
export const SQL_XACT_ABORT_ON = 'SET XACT_ABORT ON;';
export const SQL_XACT_ABORT_OFF = 'SET XACT_ABORT OFF;';

/** The session id, checked around the batches of a script: they must all run on one session. */
export const SQL_SESSION_ID = 'SELECT @@SPID AS spid;';

/** Who the server sees, for the audit trail. */
export const SQL_WHO = `SELECT SUSER_SNAME() AS login_name, DB_NAME() AS database_name, @@SERVERNAME AS server_name;`;

/** A COPY_ONLY full backup (does not break the customer's differential/log chain). */
export function backupCommand(file: string): SqlCommand {
  return {
    text: `DECLARE @db sysname = DB_NAME();
BACKUP DATABASE @db TO DISK = @file WITH COPY_ONLY, INIT, CHECKSUM, NAME = N'altazion-update: before database scripts';`,
    params: [{ name: 'file', type: 'nvarchar', value: file }],
  };
}

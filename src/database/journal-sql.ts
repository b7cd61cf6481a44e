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
import { columnTypeName, objectTypeFromSys, type Catalog, type CatalogObject } from './catalog';

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

export const SQL_CATALOG_OBJECTS = `SELECT s.name AS schema_name, o.name AS object_name, o.type AS object_type, m.definition AS definition
FROM sys.objects AS o
JOIN sys.schemas AS s ON s.schema_id = o.schema_id
LEFT JOIN sys.sql_modules AS m ON m.object_id = o.object_id
WHERE o.is_ms_shipped = 0 AND o.type IN ('U', 'V', 'P', 'PC', 'FN', 'IF', 'TF', 'FS', 'FT', 'TR', 'TA');`;

export const SQL_CATALOG_COLUMNS = `SELECT s.name AS schema_name, o.name AS object_name, c.name AS column_name, c.column_id,
  t.name AS type_name, c.max_length, c.precision, c.scale, c.is_nullable, c.is_identity, cc.definition AS computed_definition
FROM sys.columns AS c
JOIN sys.objects AS o ON o.object_id = c.object_id AND o.type = 'U' AND o.is_ms_shipped = 0
JOIN sys.schemas AS s ON s.schema_id = o.schema_id
JOIN sys.types AS t ON t.user_type_id = c.user_type_id
LEFT JOIN sys.computed_columns AS cc ON cc.object_id = c.object_id AND cc.column_id = c.column_id
ORDER BY s.name, o.name, c.column_id;`;

export interface ObjectRow { schema_name: string; object_name: string; object_type: string; definition: string | null }
export interface ColumnRow {
  schema_name: string; object_name: string; column_name: string; column_id: number; type_name: string;
  max_length: number; precision: number; scale: number; is_nullable: boolean | number; is_identity: boolean | number;
  computed_definition: string | null;
}

/** The catalog from the rows of SQL_CATALOG_OBJECTS and SQL_CATALOG_COLUMNS. */
export function catalogFromRows(objectRows: readonly ObjectRow[], columnRows: readonly ColumnRow[]): Catalog {
  const objects: CatalogObject[] = [];
  const tables = new Map<string, CatalogObject>();
  for (const r of objectRows) {
    const type = objectTypeFromSys(r.object_type);
    if (!type) continue;
    const o: CatalogObject = { schema: r.schema_name, name: r.object_name, type };
    if (type === 'table') {
      o.columns = [];
      tables.set(`${r.schema_name}\u0000${r.object_name}`, o);
    } else {
      o.definition = r.definition;
    }
    objects.push(o);
  }
  for (const c of columnRows) {
    const table = tables.get(`${c.schema_name}\u0000${c.object_name}`);
    if (!table) continue;
    table.columns!.push({
      name: c.column_name,
      type: columnTypeName(c.type_name, Number(c.max_length), Number(c.precision), Number(c.scale)),
      nullable: Boolean(c.is_nullable),
      identity: Boolean(c.is_identity),
      computed: c.computed_definition ?? null,
    });
  }
  return { objects };
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

// The shape of a database schema as drift, impact and the stores see it (pure data). The SQL Server
// store builds it from the catalog views (sys.objects, sys.sql_modules, sys.columns, sys.indexes,
// sys.key_constraints, sys.foreign_keys, sys.check_constraints, sys.default_constraints,
// sys.synonyms, sys.sequences, sys.types, sys.schemas); the sandbox store keeps it in a JSON file; a
// package's baseline is the same objects reduced to fingerprints, with their standard definitions
// kept apart (for diffs).
//
// What a DBA compares: tables by columns (type, nullability, identity, computed expression,
// collation when it is not the database's), their keys and constraints, defaults and indexes;
// modules by normalised definition; synonyms by target; sequences and user types by their
// definition; schemas by existence. Names SQL Server generated (PK__clients__3213E83F...) differ from
// one database to the next and are not compared; names the scripts chose are.

export type ObjectType = 'table' | 'view' | 'procedure' | 'function' | 'trigger' | 'synonym' | 'sequence' | 'type' | 'schema';
export const OBJECT_TYPES: readonly ObjectType[] = ['table', 'view', 'procedure', 'function', 'trigger', 'synonym', 'sequence', 'type', 'schema'];

export interface CatalogColumn {
  name: string;
  /** Type as SQL Server spells it with its size: `int`, `nvarchar(50)`, `nvarchar(max)`, `decimal(18,2)`; user types as `schema.name`. */
  type: string;
  nullable: boolean;
  identity?: boolean;
  /** Expression of a computed column. */
  computed?: string | null;
  /** Only when it differs from the database's default collation. */
  collation?: string | null;
  /** The default constraint of the column: its expression, and its name when the script chose it. */
  default?: { name?: string; definition: string } | null;
}

export type ConstraintKind = 'primary key' | 'unique' | 'foreign key' | 'check';

export interface CatalogConstraint {
  kind: ConstraintKind;
  /** Undefined when SQL Server generated the name. */
  name?: string;
  /** Key columns (primary key, unique, foreign key), in key order. */
  columns?: string[];
  /** Primary key and unique: clustered or not. */
  clustered?: boolean;
  /** Foreign key: the referenced table (`schema.name`) and columns, and the actions. */
  references?: { table: string; columns: string[]; onDelete?: string; onUpdate?: string };
  /** Check: the expression as SQL Server stores it. */
  definition?: string;
  /** Foreign key and check: not enforced (WITH NOCHECK / NOCHECK CONSTRAINT). */
  disabled?: boolean;
}

export interface CatalogIndex {
  name: string;
  unique: boolean;
  clustered: boolean;
  /** Key columns, `desc` when descending. */
  columns: Array<{ name: string; desc?: boolean }>;
  included?: string[];
  filter?: string | null;
}

export interface CatalogObject {
  schema: string;
  name: string;
  type: ObjectType;
  /** Module text (views, procedures, functions, triggers); null when encrypted. */
  definition?: string | null;
  /** Table (and table type) columns in column order. */
  columns?: CatalogColumn[];
  /** Table keys and constraints (defaults are on their columns). */
  constraints?: CatalogConstraint[];
  /** Table indexes that are not a key constraint's. */
  indexes?: CatalogIndex[];
  /** Synonym: the object it names (`[db].[schema].[name]` as written). */
  target?: string;
  /** Sequence: its data type and properties. */
  sequence?: { type: string; start: string; increment: string; min?: string; max?: string; cycle: boolean; cache?: string | null };
  /** User type: the base type (`nvarchar(50)`) and nullability; table types have columns instead. */
  baseType?: string;
  nullable?: boolean;
}

export interface Catalog {
  objects: CatalogObject[];
  /** The database's default collation, when known. */
  collation?: string;
}

export interface BaselineObject {
  schema: string;
  name: string;
  type: ObjectType;
  fingerprint: string;
  /** Tables: the normalised column lines (`name type null|not null [identity]`), to say which columns differ. */
  columns?: string[];
  /** Tables: the normalised constraint and index lines, to say which differ. */
  parts?: string[];
  /**
   * Modules: sha256 of the definition exactly as the standard scripts leave it; tables: of their
   * model as the catalog gives it (rawTableText). A live object with the same bytes is standard
   * without normalising it (the fast path of a large drift); anything else is compared by fingerprint.
   */
  rawSha256?: string;
}

export interface Baseline {
  schemaVersion: 1;
  /** Release the baseline describes (the standard schema after that release). */
  version: string;
  /** The reference database's default collation. */
  collation?: string;
  objects: BaselineObject[];
}

/** `E.clients`: how objects are named in reports; a schema is `schema E`. */
export function displayName(o: { schema: string; name: string; type?: ObjectType }): string {
  return o.type === 'schema' ? `schema ${o.name}` : `${o.schema}.${o.name}`;
}

/** Lookup key: SQL Server's default collation is case-insensitive, so are names. */
export function objectKey(schema: string, name: string): string {
  return `${schema.toLowerCase()}.${name.toLowerCase()}`;
}

/** Lookup key of an object (schemas have their own namespace). */
export function keyOf(o: { schema: string; name: string; type?: ObjectType }): string {
  return o.type === 'schema' ? `schema ${o.name.toLowerCase()}` : objectKey(o.schema, o.name);
}

/** sys.objects.type -> our object type (undefined for what belongs to a table: constraints, defaults...). */
export function objectTypeFromSys(sysType: string): ObjectType | undefined {
  switch (sysType.trim().toUpperCase()) {
    case 'U': return 'table';
    case 'V': return 'view';
    case 'P': case 'PC': return 'procedure';
    case 'FN': case 'IF': case 'TF': case 'FS': case 'FT': return 'function';
    case 'TR': case 'TA': return 'trigger';
    case 'SN': return 'synonym';
    case 'SO': return 'sequence';
    default: return undefined;
  }
}

/** sys.columns sizes -> `nvarchar(50)` etc. (max_length is in bytes; -1 means max). */
export function columnTypeName(typeName: string, maxLength: number, precision: number, scale: number): string {
  const t = typeName.toLowerCase();
  switch (t) {
    case 'nvarchar': case 'nchar':
      return `${t}(${maxLength === -1 ? 'max' : maxLength / 2})`;
    case 'varchar': case 'char': case 'varbinary': case 'binary':
      return `${t}(${maxLength === -1 ? 'max' : maxLength})`;
    case 'decimal': case 'numeric':
      return `${t}(${precision},${scale})`;
    case 'datetime2': case 'time': case 'datetimeoffset':
      return `${t}(${scale})`;
    case 'float':
      return precision === 53 ? 'float' : `float(${precision})`;
    default:
      return t;
  }
}

/** Reads and checks a baseline document; `source` names the file in messages. Throws a plain Error with the field. */
export function parseBaseline(value: unknown, source: string): Baseline {
  const fail = (field: string, problem: string) => new Error(`${source}: ${field}: ${problem}`);
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw fail('(document)', 'not a JSON object');
  const b = value as Record<string, unknown>;
  if (b.schemaVersion !== 1) throw fail('schemaVersion', `unsupported value ${JSON.stringify(b.schemaVersion)} (expected 1)`);
  if (typeof b.version !== 'string' || b.version === '') throw fail('version', 'required string');
  if (!Array.isArray(b.objects)) throw fail('objects', 'must be an array');
  b.objects.forEach((o: Record<string, unknown>, i: number) => {
    for (const key of o?.type === 'schema' ? ['name', 'fingerprint'] : ['schema', 'name', 'fingerprint']) {
      if (typeof o?.[key] !== 'string' || o[key] === '') throw fail(`objects[${i}].${key}`, 'required string');
    }
    if (!(OBJECT_TYPES as readonly unknown[]).includes(o.type)) throw fail(`objects[${i}].type`, `must be one of ${OBJECT_TYPES.join(', ')}`);
  });
  return value as Baseline;
}

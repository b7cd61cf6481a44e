// The shape of a database schema as drift, impact and the stores see it (pure data). The SQL Server
// store builds it from sys.objects / sys.sql_modules / sys.columns; the sandbox store keeps it in a
// JSON file; a package's baseline is the same objects reduced to fingerprints.

export type ObjectType = 'table' | 'view' | 'procedure' | 'function' | 'trigger';
export const OBJECT_TYPES: readonly ObjectType[] = ['table', 'view', 'procedure', 'function', 'trigger'];

export interface CatalogColumn {
  name: string;
  /** Type as SQL Server spells it with its size: `int`, `nvarchar(50)`, `nvarchar(max)`, `decimal(18,2)`. */
  type: string;
  nullable: boolean;
  identity?: boolean;
  /** Expression of a computed column. */
  computed?: string | null;
}

export interface CatalogObject {
  schema: string;
  name: string;
  type: ObjectType;
  /** Module text (views, procedures, functions, triggers); null when encrypted. */
  definition?: string | null;
  /** Table columns in column order. */
  columns?: CatalogColumn[];
}

export interface Catalog {
  objects: CatalogObject[];
}

export interface BaselineObject {
  schema: string;
  name: string;
  type: ObjectType;
  fingerprint: string;
  /** Tables: the normalised column lines (`name type null|not null [identity]`), to say which columns differ. */
  columns?: string[];
  /**
   * Modules: sha256 of the definition exactly as the standard scripts leave it. A live definition
   * with the same bytes is standard without normalising it (the fast path of a large drift); any
   * other text is compared by fingerprint.
   */
  rawSha256?: string;
}

export interface Baseline {
  schemaVersion: 1;
  /** Release the baseline describes (the standard schema after that release). */
  version: string;
  objects: BaselineObject[];
}

/** `E.clients`: how objects are named in reports. */
export function displayName(o: { schema: string; name: string }): string {
  return `${o.schema}.${o.name}`;
}

/** Lookup key: SQL Server's default collation is case-insensitive, so are names. */
export function objectKey(schema: string, name: string): string {
  return `${schema.toLowerCase()}.${name.toLowerCase()}`;
}

/** sys.objects.type -> our object type (undefined for the kinds we do not track: constraints, synonyms...). */
export function objectTypeFromSys(sysType: string): ObjectType | undefined {
  switch (sysType.trim().toUpperCase()) {
    case 'U': return 'table';
    case 'V': return 'view';
    case 'P': case 'PC': return 'procedure';
    case 'FN': case 'IF': case 'TF': case 'FS': case 'FT': return 'function';
    case 'TR': case 'TA': return 'trigger';
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
    for (const key of ['schema', 'name', 'fingerprint']) {
      if (typeof o?.[key] !== 'string' || o[key] === '') throw fail(`objects[${i}].${key}`, 'required string');
    }
    if (!(OBJECT_TYPES as readonly unknown[]).includes(o.type)) throw fail(`objects[${i}].type`, `must be one of ${OBJECT_TYPES.join(', ')}`);
  });
  return value as Baseline;
}

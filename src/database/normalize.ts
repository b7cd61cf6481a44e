// Normalised definitions and fingerprints (SPEC §7): formatting and comments never count, real
// changes always do. Keywords and identifiers are compared case-insensitively (SQL Server's default
// collation), string literals exactly. `CREATE OR ALTER` / `ALTER` become `CREATE` and the object's
// own name in the header is dropped (sys.objects already names the object; sp_rename leaves the old
// name in sys.sql_modules). Tables are fingerprinted by their columns.
import { createHash } from 'node:crypto';
import { displayName, type Baseline, type Catalog, type CatalogColumn, type CatalogObject } from './catalog';
import { isKeyword, readName, tokenize, type Token } from './lexer';

const SIMPLE_IDENT = /^[A-Za-z_][A-Za-z0-9_@#$]*$/;
const MODULE_KINDS = new Set(['view', 'procedure', 'proc', 'function', 'trigger']);

function tokenText(t: Token): string {
  switch (t.kind) {
    case 'word': return t.text.toLowerCase();
    case 'ident': return SIMPLE_IDENT.test(t.text) ? t.text.toLowerCase() : `[${t.text.toLowerCase().replace(/]/g, ']]')}]`;
    case 'string': return t.text[0] === "'" ? t.text : 'N' + t.text.slice(1);
    default: return t.text;
  }
}

/** Normalised text of a module definition (view, procedure, function, trigger). */
export function normalizeDefinition(definition: string): string {
  const tokens = tokenize(definition);
  let start = 0;
  const out: string[] = [];
  // Header: CREATE [OR ALTER] | ALTER  <kind>  <name>
  if (isKeyword(tokens[0], 'create') || isKeyword(tokens[0], 'alter')) {
    let k = 1;
    if (isKeyword(tokens[0], 'create') && isKeyword(tokens[1], 'or') && isKeyword(tokens[2], 'alter')) k = 3;
    const kind = tokens[k]?.kind === 'word' ? tokens[k].text.toLowerCase() : '';
    if (MODULE_KINDS.has(kind)) {
      const name = readName(tokens, k + 1);
      out.push('create', kind === 'proc' ? 'procedure' : kind);
      start = name ? name.next : k + 1;
    }
  }
  let end = tokens.length;
  while (end > start && tokens[end - 1].kind === 'punct' && tokens[end - 1].text === ';') end--;
  for (let i = start; i < end; i++) out.push(tokenText(tokens[i]));
  return out.join(' ');
}

/** `NVARCHAR (50)` -> `nvarchar(50)`, `[int]` -> `int`, `decimal` -> `decimal(18,0)` (SQL Server's defaults). */
export function normalizeColumnType(type: string): string {
  let t = type.replace(/[[\]\s]/g, '').toLowerCase();
  if (/^(n?varchar|n?char|varbinary|binary)$/.test(t)) t += '(1)';
  else if (/^(decimal|numeric)$/.test(t)) t += '(18,0)';
  else if (/^(decimal|numeric)\(\d+\)$/.test(t)) t = t.replace(')', ',0)');
  else if (/^(datetime2|time|datetimeoffset)$/.test(t)) t += '(7)';
  else if (t === 'float(53)') t = 'float';
  else if (t === 'sysname') t = 'nvarchar(128)';
  return t;
}

export function columnLine(c: CatalogColumn): string {
  const parts = [c.name.toLowerCase(), normalizeColumnType(c.type), c.nullable ? 'null' : 'not null'];
  if (c.identity) parts.push('identity');
  if (c.computed) parts.push('as ' + normalizeDefinition(c.computed));
  return parts.join(' ');
}

/**
 * Normalised text of any object. Table columns are sorted by name: column order is not part of
 * the fingerprint (table designers rebuild tables in another order without changing them).
 */
export function normalizeObject(o: CatalogObject): string {
  if (o.type === 'table') return 'table\n' + (o.columns ?? []).map(columnLine).sort().join('\n');
  if (o.definition === null || o.definition === undefined) return `${o.type}\n(encrypted)`;
  return `${o.type}\n${normalizeDefinition(o.definition)}`;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function fingerprintObject(o: CatalogObject): string {
  return sha256Hex(normalizeObject(o));
}

/** The baseline of a catalog: what a package ships to describe the standard schema after its release. */
export function buildBaseline(version: string, catalog: Catalog): Baseline {
  const objects = catalog.objects
    .map((o) => ({ schema: o.schema, name: o.name, type: o.type, fingerprint: fingerprintObject(o), ...(o.type === 'table' ? { columns: (o.columns ?? []).map(columnLine).sort() } : {}) }))
    .sort((a, b) => displayName(a).toLowerCase().localeCompare(displayName(b).toLowerCase()));
  return { schemaVersion: 1, version, objects };
}

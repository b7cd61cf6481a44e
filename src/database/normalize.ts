// Normalised definitions and fingerprints (SPEC §7): formatting and comments never count, real
// changes always do. Keywords and identifiers are compared case-insensitively (SQL Server's default
// collation), string literals exactly. `CREATE OR ALTER` / `ALTER` become `CREATE` and the object's
// own name in the header is dropped (sys.objects already names the object; sp_rename leaves the old
// name in sys.sql_modules). Tables are fingerprinted by their columns.
import { displayName, type Baseline, type Catalog, type CatalogColumn, type CatalogConstraint, type CatalogIndex, type CatalogObject } from './catalog';
import { scriptObject } from './script-object';
import { isKeyword, readName, tokenize } from './lexer';
import { compareTextIgnoringCase } from '../core/text-order';
import { nodeCrypto } from '../io/node-crypto';

const SIMPLE_IDENT = /^[A-Za-z_][A-Za-z0-9_@#$]*$/;
const MODULE_KINDS = new Set(['view', 'procedure', 'proc', 'function', 'trigger']);

/**
 * Normalised pieces of `text` from `from` on, in one pass without token objects (the drift of a
 * large catalog normalises tens of megabytes): words lower-cased, simple [bracketed] and "quoted"
 * identifiers unquoted, strings as written (N prefix upper-cased), comments and blanks dropped.
 * Same rules as the lexer (lexer.ts).
 */
function normalizedPieces(text: string, from: number): string[] {
  const lower = text.toLowerCase();
  // toLowerCase may change the length of exotic characters: then lower-case piece by piece.
  const sameLength = lower.length === text.length;
  const low = (a: number, b: number) => (sameLength ? lower.slice(a, b) : text.slice(a, b).toLowerCase());
  const out: string[] = [];
  const n = text.length;
  let i = from;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12 || c === 0xa0 || c === 0xfeff) { i++; continue; }
    if (c === 45 && text.charCodeAt(i + 1) === 45) { const nl = text.indexOf('\n', i); i = nl < 0 ? n : nl; continue; }
    if (c === 47 && text.charCodeAt(i + 1) === 42) {
      let depth = 1;
      let k = i + 2;
      while (depth > 0 && k < n) {
        const d = text.charCodeAt(k);
        if (d === 47 && text.charCodeAt(k + 1) === 42) { depth++; k += 2; } else if (d === 42 && text.charCodeAt(k + 1) === 47) { depth--; k += 2; } else k++;
      }
      i = k;
      continue;
    }
    const isN = (c === 78 || c === 110) && text.charCodeAt(i + 1) === 39;
    if (c === 39 || isN) {
      const quote = isN ? i + 1 : i;
      let k = quote + 1;
      for (;;) {
        const e = text.indexOf("'", k);
        if (e < 0) { k = n; break; }
        if (text.charCodeAt(e + 1) === 39) { k = e + 2; continue; }
        k = e + 1;
        break;
      }
      out.push(isN ? 'N' + text.slice(quote, k) : text.slice(i, k));
      i = k;
      continue;
    }
    if (c === 91 || c === 34) {
      const closer = c === 91 ? ']' : '"';
      let k = i + 1;
      for (;;) {
        const e = text.indexOf(closer, k);
        if (e < 0) { k = n; break; }
        if (text[e + 1] === closer) { k = e + 2; continue; }
        k = e + 1;
        break;
      }
      const inner = low(i + 1, text[k - 1] === closer && k - 1 > i ? k - 1 : k).split(closer + closer).join(closer);
      out.push(SIMPLE_IDENT.test(inner) ? inner : `[${inner.replace(/]/g, ']]')}]`);
      i = k;
      continue;
    }
    if ((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 64 || c === 35 || c === 36 || c > 127) {
      WORD.lastIndex = i + 1;
      WORD.test(text);
      const k = WORD.lastIndex > i ? WORD.lastIndex : i + 1;
      out.push(low(i, k));
      i = k;
      continue;
    }
    out.push(text[i]);
    i++;
  }
  return out;
}

/** The rest of a word from a position (sticky: no search, no backtracking). */
const WORD = /[0-9A-Za-z_@#$\u0080-\uffff]*/y;

/** Normalised text of a module definition (view, procedure, function, trigger). */
export function normalizeDefinition(definition: string): string {
  // Header: CREATE [OR ALTER] | ALTER  <kind>  <name>, from the first few tokens.
  const head = tokenize(definition, 12);
  const out: string[] = [];
  let from = 0;
  if (isKeyword(head[0], 'create') || isKeyword(head[0], 'alter')) {
    let k = 1;
    if (isKeyword(head[0], 'create') && isKeyword(head[1], 'or') && isKeyword(head[2], 'alter')) k = 3;
    const kind = head[k]?.kind === 'word' ? head[k].text.toLowerCase() : '';
    if (MODULE_KINDS.has(kind)) {
      const name = readName(head, k + 1);
      out.push('create', kind === 'proc' ? 'procedure' : kind);
      const last = name ? name.next - 1 : k;
      from = head[last].end;
    }
  }
  const body = normalizedPieces(definition, from);
  let end = body.length;
  while (end > 0 && body[end - 1] === ';') end--;
  if (end < body.length) body.length = end;
  return out.length ? out.join(' ') + (body.length ? ' ' + body.join(' ') : '') : body.join(' ');
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

/**
 * An expression as SQL Server stores it or a script writes it, compared alike: `((0))` and `0`,
 * `([a]>(0))` and `a > 0`, `(getdate())` and `GETDATE()` (parentheses around one term dropped).
 */
export function normalizeExpression(expression: string): string {
  let pieces = normalizeDefinition(expression).split(' ');
  for (let changed = true; changed;) {
    changed = false;
    for (let k = 0; k + 2 < pieces.length; k++) {
      if (pieces[k] === '(' && pieces[k + 2] === ')' && !/^[a-z_@#][\w@#$]*$/.test(pieces[k - 1] ?? '')) {
        pieces = [...pieces.slice(0, k), pieces[k + 1], ...pieces.slice(k + 3)];
        changed = true;
      }
    }
    // Parentheses around the whole expression.
    if (pieces[0] === '(' && pieces[pieces.length - 1] === ')') {
      let depth = 0;
      let whole = true;
      for (let k = 0; k < pieces.length - 1; k++) {
        if (pieces[k] === '(') depth++;
        else if (pieces[k] === ')') depth--;
        if (depth === 0) { whole = false; break; }
      }
      if (whole) { pieces = pieces.slice(1, -1); changed = true; }
    }
  }
  return pieces.join(' ');
}

export function columnLine(c: CatalogColumn): string {
  const parts = [c.name.toLowerCase(), normalizeColumnType(c.type), c.nullable ? 'null' : 'not null'];
  if (c.identity) parts.push('identity');
  if (c.computed) parts.push('as ' + normalizeExpression(c.computed));
  if (c.collation) parts.push('collate ' + c.collation.toLowerCase());
  if (c.default) parts.push(`default${c.default.name ? ` ${c.default.name.toLowerCase()}` : ''} ${normalizeExpression(c.default.definition)}`);
  return parts.join(' ');
}

const lowerList = (items: readonly string[] | undefined) => (items ?? []).map((i) => i.toLowerCase()).join(',');

export function constraintLine(k: CatalogConstraint): string {
  const name = k.name ? ` ${k.name.toLowerCase()}` : '';
  switch (k.kind) {
    case 'primary key': case 'unique':
      return `${k.kind}${name} ${k.clustered ? 'clustered' : 'nonclustered'} (${lowerList(k.columns)})`;
    case 'foreign key': {
      const r = k.references!;
      return `foreign key${name} (${lowerList(k.columns)}) references ${r.table.toLowerCase()} (${lowerList(r.columns)}) on delete ${(r.onDelete ?? 'no action').toLowerCase()} on update ${(r.onUpdate ?? 'no action').toLowerCase()}${k.disabled ? ' nocheck' : ''}`;
    }
    case 'check':
      return `check${name} ${normalizeExpression(k.definition ?? '')}${k.disabled ? ' nocheck' : ''}`;
  }
}

export function indexLine(ix: CatalogIndex): string {
  return `index ${ix.name.toLowerCase()}${ix.unique ? ' unique' : ''} ${ix.clustered ? 'clustered' : 'nonclustered'} (${ix.columns.map((c) => `${c.name.toLowerCase()}${c.desc ? ' desc' : ''}`).join(',')})`
    + (ix.included?.length ? ` include (${[...ix.included].map((i) => i.toLowerCase()).sort().join(',')})` : '')
    + (ix.filter ? ` where ${normalizeExpression(ix.filter)}` : '');
}

/** A table's constraint and index lines (sorted): what `parts` of a baseline table holds. */
export function tableParts(o: CatalogObject): string[] {
  return [...(o.constraints ?? []).map(constraintLine), ...(o.indexes ?? []).map(indexLine)].sort();
}

/**
 * Normalised text of any object. Table columns are sorted by name: column order is not part of
 * the fingerprint (table designers rebuild tables in another order without changing them).
 */
export function normalizeObject(o: CatalogObject): string {
  switch (o.type) {
    case 'table': return ['table', ...(o.columns ?? []).map(columnLine).sort(), ...tableParts(o)].join('\n');
    case 'schema': return 'schema';
    case 'synonym': return `synonym\n${(o.target ?? '').toLowerCase().replace(/[[\]]/g, '')}`;
    case 'sequence': return `sequence\n${normalizeDefinition(scriptObject({ ...o, schema: '', name: '' }))}`;
    case 'type': return o.columns ? ['table type', ...o.columns.map(columnLine).sort()].join('\n') : `type\n${normalizeColumnType(o.baseType ?? '')} ${o.nullable === false ? 'not null' : 'null'}`;
    default:
      if (o.definition === null || o.definition === undefined) return `${o.type}\n(encrypted)`;
      return `${o.type}\n${normalizeDefinition(o.definition)}`;
  }
}

/**
 * A table exactly as its catalog model has it (no normalisation): the baseline keeps its sha256, and
 * a live table with the same one is standard without being normalised (the fast path of a large
 * drift, as rawSha256 is for modules). Any other shape is compared by fingerprint.
 */
export function rawTableText(o: CatalogObject): string {
  return JSON.stringify([o.columns ?? [], o.constraints ?? [], o.indexes ?? []]);
}

export function sha256Hex(text: string): string {
  return nodeCrypto().createHash('sha256').update(text, 'utf8').digest('hex');
}

export function fingerprintObject(o: CatalogObject): string {
  return sha256Hex(normalizeObject(o));
}

/** The baseline of a catalog: what a package ships to describe the standard schema after its release. */
export function buildBaseline(version: string, catalog: Catalog): Baseline {
  const objects = catalog.objects
    .map((o) => ({
      schema: o.schema, name: o.name, type: o.type, fingerprint: fingerprintObject(o),
      ...(o.type === 'table' ? { columns: (o.columns ?? []).map(columnLine).sort(), parts: tableParts(o) } : {}),
      ...(typeof o.definition === 'string' ? { rawSha256: sha256Hex(o.definition) } : o.type === 'table' ? { rawSha256: sha256Hex(rawTableText(o)) } : {}),
    }))
    .sort((a, b) => compareTextIgnoringCase(displayName(a), displayName(b)));
  return { schemaVersion: 1, version, ...(catalog.collation ? { collation: catalog.collation } : {}), objects };
}

/** The standard definitions of a baseline (object name -> T-SQL), kept in a file of their own: only diffs read them. */
export interface BaselineDefinitions {
  schemaVersion: 1;
  version: string;
  definitions: Record<string, string>;
}

export function buildDefinitions(version: string, catalog: Catalog): BaselineDefinitions {
  const definitions: Record<string, string> = {};
  for (const o of [...catalog.objects].sort((a, b) => compareTextIgnoringCase(displayName(a), displayName(b)))) definitions[displayName(o)] = scriptObject(o);
  return { schemaVersion: 1, version, definitions };
}

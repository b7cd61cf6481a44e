// The sandbox database's "engine" (pure): applies the schema effects of a T-SQL batch to a catalog,
// enough for drift, impact and apply to agree end to end in a sandbox. Understood: CREATE/ALTER/DROP
// TABLE (columns), CREATE [OR ALTER]/ALTER/DROP VIEW, PROCEDURE, FUNCTION, TRIGGER, EXEC sp_rename,
// writes into fully qualified tables that do not exist (error 208). PRINT of a literal is a message;
// RAISERROR with a severity above 10 and THROW fail the batch with their message, so failure paths can be tested. Data is not
// simulated. Errors carry SQL Server's numbers and wording.
import { objectKey, type Catalog, type CatalogColumn, type CatalogConstraint, type CatalogIndex, type CatalogObject, type ObjectType } from '../../database/catalog';
import { resolverFrom } from '../../database/impact';
import { isKeyword, readName, tokenize, type Token } from '../../database/lexer';

export class SimulatedSqlError extends Error {
  constructor(message: string, readonly lineInBatch: number, readonly number: number) {
    super(message);
  }
}

const KIND_OF: Record<string, ObjectType> = { table: 'table', view: 'view', procedure: 'procedure', proc: 'procedure', function: 'function', trigger: 'trigger' };
/** Integer types' ranges: a sequence's default MINVALUE and MAXVALUE. */
const TYPE_RANGES: Record<string, [string, string]> = {
  tinyint: ['0', '255'], smallint: ['-32768', '32767'], int: ['-2147483648', '2147483647'], bigint: ['-9223372036854775808', '9223372036854775807'],
};

/** Words that start the next statement when no semicolon ended the previous one. */
const STATEMENT_STARTS = ['alter', 'create', 'drop', 'insert', 'update', 'delete', 'exec', 'execute', 'if', 'print', 'select', 'go', 'merge', 'truncate', 'set', 'declare', 'begin', 'end'];
const CONSTRAINT_STARTS = new Set(['constraint', 'primary', 'unique', 'foreign', 'check', 'index', 'period']);

function w(t: Token | undefined): string {
  return t?.kind === 'word' ? t.text.toLowerCase() : '';
}
function isP(t: Token | undefined, p: string): boolean {
  return t?.kind === 'punct' && t.text === p;
}
function text(t: Token): string {
  return t.kind === 'ident' ? `[${t.text.replace(/]/g, ']]')}]` : t.text;
}

/** Index of the token closing the parenthesis opened at `open`. */
function closing(tokens: readonly Token[], open: number): number {
  let depth = 0;
  for (let k = open; k < tokens.length; k++) {
    if (isP(tokens[k], '(')) depth++;
    else if (isP(tokens[k], ')') && --depth === 0) return k;
  }
  return tokens.length;
}

/** Splits tokens [from, to) on top-level commas. */
function splitTopLevel(tokens: readonly Token[], from: number, to: number): Array<[number, number]> {
  const parts: Array<[number, number]> = [];
  let depth = 0;
  let start = from;
  for (let k = from; k < to; k++) {
    if (isP(tokens[k], '(')) depth++;
    else if (isP(tokens[k], ')')) depth--;
    else if (depth === 0 && isP(tokens[k], ',')) { parts.push([start, k]); start = k + 1; }
  }
  if (start < to) parts.push([start, to]);
  return parts;
}

/** The batch text each token list came from: expressions are kept as written, as SQL Server keeps them. */
const SOURCE = new WeakMap<readonly Token[], string>();

function tokensText(tokens: readonly Token[], from: number, to: number): string {
  const source = SOURCE.get(tokens);
  if (!source || to <= from) return tokens.slice(from, to).map(text).join(' ');
  return source.slice(from > 0 ? tokens[from - 1].end : 0, tokens[to - 1].end).trim();
}

/** `(a, b DESC)` at `open`: the names (and directions); returns the index after `)`. */
function nameList(tokens: readonly Token[], open: number): { names: Array<{ name: string; desc?: boolean }>; next: number } {
  const end = closing(tokens, open);
  const names: Array<{ name: string; desc?: boolean }> = [];
  for (const [a, b] of splitTopLevel(tokens, open + 1, end)) {
    if (!tokens[a]) continue;
    names.push({ name: tokens[a].text, ...(w(tokens[b - 1]) === 'desc' ? { desc: true } : {}) });
  }
  return { names, next: end + 1 };
}

const ACTIONS = ['no action', 'cascade', 'set null', 'set default'];

/**
 * A key or constraint starting at `k` (after an optional CONSTRAINT name): PRIMARY KEY, UNIQUE,
 * FOREIGN KEY / REFERENCES, CHECK. `column` is set for a column constraint (its key is that column).
 */
function parseConstraint(tokens: readonly Token[], k: number, to: number, name: string | undefined, column: string | undefined, resolve: (parts: string[]) => string): { constraint?: CatalogConstraint; next: number } {
  const word = w(tokens[k]);
  if (word === 'primary' || word === 'unique') {
    let m = k + (word === 'primary' ? 2 : 1);
    let clustered: boolean | undefined;
    if (w(tokens[m]) === 'clustered') { clustered = true; m++; } else if (w(tokens[m]) === 'nonclustered') { clustered = false; m++; }
    let columns = column ? [column] : [];
    if (isP(tokens[m], '(')) { const list = nameList(tokens, m); columns = list.names.map((n) => n.name); m = list.next; }
    return { constraint: { kind: word === 'primary' ? 'primary key' : 'unique', ...(name ? { name } : {}), columns, clustered: clustered ?? (word === 'primary' ? undefined : false) }, next: m };
  }
  if (word === 'foreign' || word === 'references') {
    let m = k;
    let columns = column ? [column] : [];
    if (word === 'foreign') { m += 2; const list = nameList(tokens, m); columns = list.names.map((n) => n.name); m = list.next; }
    m++; // REFERENCES
    const table = readName(tokens, m);
    if (!table) return { next: to };
    m = table.next;
    let refColumns: string[] = [];
    if (isP(tokens[m], '(')) { const list = nameList(tokens, m); refColumns = list.names.map((n) => n.name); m = list.next; }
    const references: NonNullable<CatalogConstraint['references']> = { table: resolve(table.parts), columns: refColumns };
    while (w(tokens[m]) === 'on' && ['delete', 'update'].includes(w(tokens[m + 1]))) {
      const which = w(tokens[m + 1]);
      const two = `${w(tokens[m + 2])} ${w(tokens[m + 3])}`;
      const action = ACTIONS.includes(two) ? two : w(tokens[m + 2]);
      if (which === 'delete') references.onDelete = action.toUpperCase(); else references.onUpdate = action.toUpperCase();
      m += 2 + action.split(' ').length;
    }
    return { constraint: { kind: 'foreign key', ...(name ? { name } : {}), columns, references }, next: m };
  }
  if (word === 'check') {
    const end = closing(tokens, k + 1);
    return { constraint: { kind: 'check', ...(name ? { name } : {}), definition: tokensText(tokens, k + 1, end + 1) }, next: end + 1 };
  }
  return { next: k + 1 };
}

/** A column definition with its column constraints, or a table constraint. */
function parseTableElement(tokens: readonly Token[], from: number, to: number, resolve: (parts: string[]) => string): { column?: CatalogColumn; constraints: CatalogConstraint[] } {
  const first = tokens[from];
  const constraints: CatalogConstraint[] = [];
  if (!first) return { constraints };
  if (first.kind === 'word' && CONSTRAINT_STARTS.has(first.text.toLowerCase())) {
    let k = from;
    let name: string | undefined;
    if (w(tokens[k]) === 'constraint') { name = tokens[k + 1].text; k += 2; }
    const parsed = parseConstraint(tokens, k, to, name, undefined, resolve);
    if (parsed.constraint) constraints.push(parsed.constraint);
    return { constraints };
  }
  const name = first.text;
  let k = from + 1;
  if (isKeyword(tokens[k], 'as')) {
    return { column: { name, type: 'computed', nullable: true, computed: tokensText(tokens, k + 1, to) }, constraints };
  }
  const typeName = readName(tokens, k);
  if (!typeName) return { column: { name, type: 'sql_variant', nullable: true }, constraints };
  let type = typeName.parts.length > 1 ? typeName.parts.join('.') : typeName.parts[0].toLowerCase();
  k = typeName.next;
  if (isP(tokens[k], '(')) {
    const end = closing(tokens, k);
    type += '(' + tokens.slice(k + 1, end).map((t) => t.text.toLowerCase()).join('') + ')';
    k = end + 1;
  }
  const column: CatalogColumn = { name, type, nullable: true };
  let constraintName: string | undefined;
  while (k < to) {
    const word = w(tokens[k]);
    if (word === 'not' && isKeyword(tokens[k + 1], 'null')) { column.nullable = false; k += 2; }
    else if (word === 'null') k++;
    else if (word === 'identity') { column.identity = true; column.nullable = false; k++; if (isP(tokens[k], '(')) k = closing(tokens, k) + 1; }
    else if (word === 'collate') { column.collation = tokens[k + 1].text; k += 2; }
    else if (word === 'constraint') { constraintName = tokens[k + 1].text; k += 2; }
    else if (word === 'default') {
      // The expression runs to the next column constraint keyword at depth 0.
      let m = k + 1;
      let depth = 0;
      for (; m < to; m++) {
        if (isP(tokens[m], '(')) depth++;
        else if (isP(tokens[m], ')')) depth--;
        else if (depth === 0 && ['constraint', 'primary', 'unique', 'references', 'foreign', 'check', 'not', 'null', 'collate', 'identity'].includes(w(tokens[m]))) break;
      }
      column.default = { ...(constraintName ? { name: constraintName } : {}), definition: tokensText(tokens, k + 1, m) };
      constraintName = undefined;
      k = m;
    } else if (['primary', 'unique', 'references', 'foreign', 'check'].includes(word)) {
      if (word === 'primary') column.nullable = false;
      const parsed = parseConstraint(tokens, k, to, constraintName, name, resolve);
      if (parsed.constraint) constraints.push(parsed.constraint);
      constraintName = undefined;
      k = Math.max(parsed.next, k + 1);
    } else k++;
  }
  return { column, constraints };
}

/** A new primary key is clustered unless said otherwise or the table already has a clustered index. */
function settleClustered(table: CatalogObject): void {
  for (const c of table.constraints ?? []) {
    if (c.kind === 'primary key' && c.clustered === undefined) {
      const taken = (table.indexes ?? []).some((ix) => ix.clustered) || (table.constraints ?? []).some((x) => x !== c && x.clustered === true);
      c.clustered = !taken;
    }
  }
}

export function executeBatch(catalog: Catalog, batchText: string, defaultSchema = 'dbo', onMessage: (message: string) => void = () => undefined): void {
  const tokens = tokenize(batchText);
  SOURCE.set(tokens, batchText);
  const find = (parts: string[]): { key: string; schema: string; name: string; object?: CatalogObject } => {
    const name = parts[parts.length - 1];
    const schema = parts.length >= 2 && parts[parts.length - 2] ? parts[parts.length - 2] : resolverFrom(catalog.objects, defaultSchema)(name);
    const key = objectKey(schema, name);
    return { key, schema, name, object: catalog.objects.find((o) => o.type !== 'schema' && objectKey(o.schema, o.name) === key) };
  };
  const remove = (key: string) => { catalog.objects = catalog.objects.filter((o) => o.type === 'schema' || objectKey(o.schema, o.name) !== key); };
  const qualified = (parts: string[]) => { const f = find(parts); return `${f.schema}.${f.name}`; };
  const tableOf = (parts: string[], line: number) => {
    const f = find(parts);
    if (!f.object || f.object.type !== 'table') throw new SimulatedSqlError(`Cannot find the object "${f.schema}.${f.name}" because it does not exist or you do not have permissions.`, line, 1088);
    return f.object;
  };
  const schemaExists = (name: string) => name.toLowerCase() === 'dbo' || catalog.objects.some((o) => o.type === 'schema' && o.name.toLowerCase() === name.toLowerCase());

  /**
   * CREATE/ALTER of what is not a table or a module: indexes, schemas (and ALTER SCHEMA ... TRANSFER),
   * synonyms, sequences, user types. Returns the index after the statement, or undefined.
   */
  const createOther = (tokens: readonly Token[], at: number, k: number, mode: string, line: number): number | undefined => {
    let m = k;
    const flags = new Set<string>();
    while (['unique', 'clustered', 'nonclustered'].includes(w(tokens[m]))) flags.add(w(tokens[m++]));
    const what = w(tokens[m]);
    if (what === 'index' && mode === 'create') {
      const name = tokens[m + 1].text;
      const on = readName(tokens, m + 3);
      if (!on) return undefined;
      const table = tableOf(on.parts, line);
      let n = on.next;
      const list = nameList(tokens, n);
      n = list.next;
      const ix: CatalogIndex = { name, unique: flags.has('unique'), clustered: flags.has('clustered'), columns: list.names };
      if (w(tokens[n]) === 'include') { const inc = nameList(tokens, n + 1); ix.included = inc.names.map((x) => x.name); n = inc.next; }
      if (w(tokens[n]) === 'where') {
        let e = n + 1;
        while (e < tokens.length && !isP(tokens[e], ';') && !['with', ...STATEMENT_STARTS].includes(w(tokens[e]))) e++;
        ix.filter = tokensText(tokens, n + 1, e);
        n = e;
      }
      if ((table.indexes ?? []).some((x) => x.name.toLowerCase() === name.toLowerCase())) throw new SimulatedSqlError(`The operation failed because an index or statistics with name '${name}' already exists on table '${table.schema}.${table.name}'.`, line, 1913);
      (table.indexes ??= []).push(ix);
      return n;
    }
    if (what === 'schema') {
      const name = tokens[m + 1]?.text;
      if (!name) return undefined;
      if (mode === 'create') {
        if (schemaExists(name)) throw new SimulatedSqlError(`There is already an object named '${name}' in the database.`, line, 2714);
        catalog.objects.push({ schema: '', name, type: 'schema' });
        return m + 2;
      }
      // ALTER SCHEMA target TRANSFER [object::]s.name
      if (w(tokens[m + 2]) === 'transfer') {
        let n = m + 3;
        if (isP(tokens[n + 1], ':') && isP(tokens[n + 2], ':')) n += 3;
        const moved = readName(tokens, n);
        if (!moved) return undefined;
        const f = find(moved.parts);
        if (!f.object) throw new SimulatedSqlError(`Cannot find the object '${moved.parts.join('.')}', because it does not exist or you do not have permission.`, line, 15151);
        if (!schemaExists(name)) throw new SimulatedSqlError(`Cannot find the schema '${name}'.`, line, 15151);
        f.object.schema = name;
        return moved.next;
      }
      return m + 2;
    }
    if (what === 'synonym' && mode === 'create') {
      const nameAt = readName(tokens, m + 1);
      if (!nameAt || !isKeyword(tokens[nameAt.next], 'for')) return undefined;
      const targetAt = readName(tokens, nameAt.next + 1);
      const f = find(nameAt.parts);
      if (f.object) throw new SimulatedSqlError(`There is already an object named '${f.name}' in the database.`, line, 2714);
      catalog.objects.push({ schema: f.schema, name: f.name, type: 'synonym', target: (targetAt?.parts ?? []).map((p) => `[${p}]`).join('.') });
      return targetAt?.next ?? nameAt.next + 1;
    }
    if (what === 'sequence' && mode === 'create') {
      const nameAt = readName(tokens, m + 1);
      if (!nameAt) return undefined;
      const f = find(nameAt.parts);
      const q: NonNullable<CatalogObject['sequence']> = { type: 'bigint', start: '', increment: '1', cycle: false };
      let n = nameAt.next;
      const number = () => { let v = ''; if (isP(tokens[n], '-')) { v = '-'; n++; } v += tokens[n]?.text ?? ''; n++; return v; };
      while (n < tokens.length && !isP(tokens[n], ';')) {
        const word2 = w(tokens[n]);
        if (word2 === 'as') { const ty = readName(tokens, n + 1); q.type = ty ? ty.parts[ty.parts.length - 1].toLowerCase() : q.type; n = ty ? ty.next : n + 1; }
        else if (word2 === 'start') { n += 2; q.start = number(); }
        else if (word2 === 'increment') { n += 2; q.increment = number(); }
        else if (word2 === 'minvalue') { n++; q.min = number(); }
        else if (word2 === 'maxvalue') { n++; q.max = number(); }
        else if (word2 === 'cycle') { q.cycle = true; n++; }
        else if (word2 === 'cache') { n++; q.cache = tokens[n]?.kind === 'number' ? number() : undefined; }
        else if (word2 === 'no' && w(tokens[n + 1]) === 'cache') { q.cache = null; n += 2; }
        else if (['create', 'alter', 'drop', 'insert', 'update', 'delete', 'select', 'exec', 'execute', 'go', 'if', 'print'].includes(word2)) break;
        else n++;
      }
      // As SQL Server fills them: the type's range, and a start at the end the sequence moves from.
      const range = TYPE_RANGES[q.type];
      if (range) { q.min ??= range[0]; q.max ??= range[1]; }
      if (q.start === '') q.start = q.increment.startsWith('-') ? q.max ?? '' : q.min ?? '';
      catalog.objects.push({ schema: f.schema, name: f.name, type: 'sequence', sequence: q });
      return n;
    }
    if (what === 'type' && mode === 'create') {
      const nameAt = readName(tokens, m + 1);
      if (!nameAt) return undefined;
      const f = find(nameAt.parts);
      let n = nameAt.next;
      if (w(tokens[n]) === 'from') {
        const base = parseTableElement(tokens, n, Math.min(tokens.length, n + 12), qualified).column!;
        let e = n + 1;
        while (e < tokens.length && !isP(tokens[e], ';') && !['create', 'go', 'alter', 'drop'].includes(w(tokens[e]))) e++;
        catalog.objects.push({ schema: f.schema, name: f.name, type: 'type', baseType: base.type, nullable: base.nullable });
        return e;
      }
      if (w(tokens[n]) === 'as' && w(tokens[n + 1]) === 'table') {
        n += 2;
        const end = closing(tokens, n);
        const columns: CatalogColumn[] = [];
        for (const [a, b] of splitTopLevel(tokens, n + 1, end)) { const el = parseTableElement(tokens, a, b, qualified); if (el.column) columns.push(el.column); }
        catalog.objects.push({ schema: f.schema, name: f.name, type: 'type', columns });
        return end + 1;
      }
    }
    void at;
    return undefined;
  };

  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind !== 'word') continue;
    const word = t.text.toLowerCase();
    if (word === 'print') {
      // PRINT of a literal (what release scripts print): the message SQL Server would send.
      const literal = tokens[i + 1];
      if (literal?.kind === 'string') onMessage(unquote(literal.text));
      continue;
    }
    if (word === 'throw') {
      const message = tokens.slice(i + 1, i + 6).find((x) => x.kind === 'string');
      throw new SimulatedSqlError(message ? unquote(message.text) : 'THROW', t.line, Number(tokens[i + 1]?.text) || 50000);
    }
    if (word === 'raiserror') {
      let k = i + 1;
      if (isP(tokens[k], '(')) k++;
      const message = tokens[k];
      const severity = Number(tokens[k + 2]?.text);
      if (!(severity <= 10)) throw new SimulatedSqlError(message?.kind === 'string' ? unquote(message.text) : 'RAISERROR', t.line, 50000);
      continue;
    }
    if (word === 'create' || word === 'alter') {
      let k = i + 1;
      let mode: 'create' | 'alter' | 'upsert' = word;
      if (word === 'create' && isKeyword(tokens[k], 'or') && isKeyword(tokens[k + 1], 'alter')) { mode = 'upsert'; k += 2; }
      const other = createOther(tokens, i, k, mode, t.line);
      if (other !== undefined) { i = other - 1; continue; }
      const kind = KIND_OF[w(tokens[k])];
      if (!kind) continue;
      const nameAt = readName(tokens, k + 1);
      if (!nameAt) continue;
      const target = find(nameAt.parts);
      if (kind === 'table') {
        if (mode === 'create') {
          if (target.object) throw new SimulatedSqlError(`There is already an object named '${target.name}' in the database.`, t.line, 2714);
          const open = nameAt.next;
          const table: CatalogObject = { schema: target.schema, name: target.name, type: 'table', columns: [], constraints: [], indexes: [] };
          if (isP(tokens[open], '(')) {
            const end = closing(tokens, open);
            for (const [a, b] of splitTopLevel(tokens, open + 1, end)) {
              const element = parseTableElement(tokens, a, b, qualified);
              if (element.column) table.columns!.push(element.column);
              table.constraints!.push(...element.constraints);
            }
            i = end;
          }
          settleClustered(table);
          catalog.objects.push(table);
        } else {
          if (!target.object || target.object.type !== 'table') throw new SimulatedSqlError(`Cannot find the object "${target.schema}.${target.name}" because it does not exist or you do not have permissions.`, t.line, 4902);
          i = alterTable(tokens, nameAt.next, target.object, t.line, qualified) - 1;
        }
        continue;
      }
      // Modules: the rest of the batch is the definition.
      if (mode === 'create' && target.object) throw new SimulatedSqlError(`There is already an object named '${target.name}' in the database.`, t.line, 2714);
      if (mode === 'alter' && !target.object) throw new SimulatedSqlError(`Invalid object name '${target.schema}.${target.name}'.`, t.line, 208);
      if (target.object) remove(target.key);
      catalog.objects.push({ schema: target.schema, name: target.name, type: kind, definition: batchText.trim() });
      return;
    }
    if (word === 'drop' && w(tokens[i + 1]) === 'index') {
      let k = i + 2;
      const ifExists = isKeyword(tokens[k], 'if') && isKeyword(tokens[k + 1], 'exists');
      if (ifExists) k += 2;
      const name = tokens[k]?.text;
      const on = isKeyword(tokens[k + 1], 'on') ? readName(tokens, k + 2) : undefined;
      if (name && on) {
        const table = tableOf(on.parts, t.line);
        const before = table.indexes?.length ?? 0;
        table.indexes = (table.indexes ?? []).filter((ix) => ix.name.toLowerCase() !== name.toLowerCase());
        if (before === table.indexes.length && !ifExists) throw new SimulatedSqlError(`Cannot drop the index '${on.parts.join('.')}.${name}', because it does not exist or you do not have permission.`, t.line, 3701);
        i = on.next - 1;
      }
      continue;
    }
    if (word === 'drop' && ['synonym', 'sequence', 'type', 'schema'].includes(w(tokens[i + 1]))) {
      const what = w(tokens[i + 1]);
      let k = i + 2;
      const ifExists = isKeyword(tokens[k], 'if') && isKeyword(tokens[k + 1], 'exists');
      if (ifExists) k += 2;
      const nameAt = readName(tokens, k);
      if (!nameAt) continue;
      const before = catalog.objects.length;
      if (what === 'schema') catalog.objects = catalog.objects.filter((o) => !(o.type === 'schema' && o.name.toLowerCase() === nameAt.parts[0].toLowerCase()));
      else { const f = find(nameAt.parts); if (f.object?.type === what) remove(f.key); }
      if (before === catalog.objects.length && !ifExists) throw new SimulatedSqlError(`Cannot drop the ${what} '${nameAt.parts.join('.')}', because it does not exist or you do not have permission.`, t.line, 3701);
      i = nameAt.next - 1;
      continue;
    }
    if (word === 'drop') {
      const kind = KIND_OF[w(tokens[i + 1])];
      if (!kind) continue;
      let k = i + 2;
      const ifExists = isKeyword(tokens[k], 'if') && isKeyword(tokens[k + 1], 'exists');
      if (ifExists) k += 2;
      for (;;) {
        const nameAt = readName(tokens, k);
        if (!nameAt) break;
        const target = find(nameAt.parts);
        if (target.object) remove(target.key);
        else if (!ifExists) throw new SimulatedSqlError(`Cannot drop the ${kind === 'procedure' ? 'procedure' : kind} '${nameAt.parts.join('.')}', because it does not exist or you do not have permission.`, t.line, 3701);
        k = nameAt.next;
        if (!isP(tokens[k], ',')) break;
        k++;
      }
      i = k - 1;
      continue;
    }
    if ((word === 'exec' || word === 'execute') && isP(tokens[i + 1], '(') && tokens[i + 2]?.kind === 'string' && isP(tokens[i + 3], ')')) {
      // EXEC(N'...') of one literal: dynamic SQL the engine can still run (CREATE SCHEMA must be alone in its batch).
      executeBatch(catalog, unquote(tokens[i + 2].text), defaultSchema, onMessage);
      i += 3;
      continue;
    }
    if (word === 'exec' || word === 'execute') {
      const proc = readName(tokens, i + 1);
      if (!proc || proc.parts[proc.parts.length - 1].toLowerCase() !== 'sp_rename') continue;
      const args = tokens.slice(proc.next, proc.next + 12).filter((x) => x.kind === 'string').map((x) => unquote(x.text));
      if (args.length < 2) continue;
      const parts = readName(tokenize(args[0]), 0)?.parts ?? [args[0]];
      const isColumn = (args[2] ?? '').toLowerCase() === 'column';
      const target = find(isColumn ? parts.slice(0, -1) : parts);
      if (!target.object) throw new SimulatedSqlError(`No item by the name of '${args[0]}' could be found in the current database, given that @itemtype was input as '${args[2] ?? '(null)'}'.`, t.line, 15248);
      if (isColumn) {
        const col = target.object.columns?.find((c) => c.name.toLowerCase() === parts[parts.length - 1].toLowerCase());
        if (!col) throw new SimulatedSqlError(`Either the parameter @objname is ambiguous or the claimed @objtype (COLUMN) is wrong.`, t.line, 15248);
        col.name = args[1];
      } else {
        target.object.name = args[1];
      }
      continue;
    }
    if (['insert', 'update', 'delete', 'merge', 'truncate'].includes(word)) {
      let k = i + 1;
      if (isKeyword(tokens[k], 'into') || isKeyword(tokens[k], 'from') || isKeyword(tokens[k], 'table')) k++;
      const nameAt = readName(tokens, k);
      // Only qualified names: an unqualified one may be an alias (UPDATE c SET ... FROM E.clients c).
      if (nameAt && nameAt.parts.length >= 2 && !nameAt.parts[nameAt.parts.length - 1].startsWith('#')) {
        const target = find(nameAt.parts);
        if (!target.object) throw new SimulatedSqlError(`Invalid object name '${nameAt.parts.join('.')}'.`, t.line, 208);
      }
    }
  }
}

function unquote(literal: string): string {
  const body = literal[0] === "'" ? literal.slice(1) : literal.slice(2);
  return body.replace(/'$/, '').replace(/''/g, "'");
}

/**
 * ALTER TABLE t ADD c type, ... | ADD CONSTRAINT ... | DROP COLUMN c, ... | DROP CONSTRAINT n |
 * ALTER COLUMN c type [NOT] NULL | [WITH [NO]CHECK] [NO]CHECK CONSTRAINT n; returns the index after the statement.
 */
function alterTable(tokens: readonly Token[], at: number, table: CatalogObject, line: number, resolve: (parts: string[]) => string): number {
  const columns = (table.columns ??= []);
  const statementEnd = (from: number) => {
    let depth = 0;
    for (let k = from; k < tokens.length; k++) {
      if (isP(tokens[k], '(')) depth++;
      else if (isP(tokens[k], ')')) depth--;
      else if (depth === 0 && (isP(tokens[k], ';') || STATEMENT_STARTS.includes(w(tokens[k])))) return k;
    }
    return tokens.length;
  };
  let action = w(tokens[at]);
  let nocheck = false;
  if (action === 'with' && ['check', 'nocheck'].includes(w(tokens[at + 1]))) { nocheck = w(tokens[at + 1]) === 'nocheck'; at += 2; action = w(tokens[at]); }
  if ((action === 'nocheck' || action === 'check') && isKeyword(tokens[at + 1], 'constraint')) {
    const name = tokens[at + 2]?.text.toLowerCase();
    for (const k of table.constraints ?? []) if (k.name?.toLowerCase() === name || name === 'all') k.disabled = action === 'nocheck';
    return at + 3;
  }
  if (action === 'drop' && isKeyword(tokens[at + 1], 'constraint')) {
    let k = at + 2;
    const ifExists = isKeyword(tokens[k], 'if') && isKeyword(tokens[k + 1], 'exists');
    if (ifExists) k += 2;
    const name = tokens[k]?.text ?? '';
    const lower = name.toLowerCase();
    const before = (table.constraints?.length ?? 0) + columns.filter((c) => c.default?.name?.toLowerCase() === lower).length;
    table.constraints = (table.constraints ?? []).filter((c) => c.name?.toLowerCase() !== lower);
    for (const c of columns) if (c.default?.name?.toLowerCase() === lower) c.default = null;
    if (before === table.constraints.length && !ifExists) throw new SimulatedSqlError(`'${name}' is not a constraint.`, line, 3728);
    return k + 1;
  }
  if (action === 'add') {
    const end = statementEnd(at + 1);
    for (const [a, b] of splitTopLevel(tokens, at + 1, end)) {
      // ADD CONSTRAINT DF_x DEFAULT (0) FOR col: a default on an existing column.
      if (w(tokens[a]) === 'constraint' && w(tokens[a + 2]) === 'default') {
        const forAt = tokens.findIndex((x, idx) => idx > a + 2 && idx < b && isKeyword(x, 'for'));
        const col = forAt > 0 ? columns.find((c) => c.name.toLowerCase() === tokens[forAt + 1]?.text.toLowerCase()) : undefined;
        if (col) col.default = { name: tokens[a + 1].text, definition: tokensText(tokens, a + 3, forAt) };
        continue;
      }
      const element = parseTableElement(tokens, a, b, resolve);
      for (const k of element.constraints) (table.constraints ??= []).push(nocheck ? { ...k, disabled: k.kind === 'foreign key' || k.kind === 'check' ? true : undefined } : k);
      settleClustered(table);
      const c = element.column;
      if (!c) continue;
      if (columns.some((x) => x.name.toLowerCase() === c.name.toLowerCase())) {
        throw new SimulatedSqlError(`Column names in each table must be unique. Column name '${c.name}' in table '${table.schema}.${table.name}' is specified more than once.`, line, 2705);
      }
      columns.push(c);
    }
    return end;
  }
  if (action === 'drop' && isKeyword(tokens[at + 1], 'column')) {
    let k = at + 2;
    const ifExists = isKeyword(tokens[k], 'if') && isKeyword(tokens[k + 1], 'exists');
    if (ifExists) k += 2;
    for (;;) {
      const c = tokens[k];
      if (!c || (c.kind !== 'word' && c.kind !== 'ident')) break;
      const index = columns.findIndex((x) => x.name.toLowerCase() === c.text.toLowerCase());
      if (index < 0 && !ifExists) throw new SimulatedSqlError(`ALTER TABLE DROP COLUMN failed because column '${c.text}' does not exist in table '${table.name}'.`, line, 4924);
      if (index >= 0) columns.splice(index, 1);
      k++;
      if (!isP(tokens[k], ',')) break;
      k++;
    }
    return k;
  }
  if (action === 'alter' && isKeyword(tokens[at + 1], 'column')) {
    const end = statementEnd(at + 2);
    const c = parseTableElement(tokens, at + 2, end, resolve).column;
    if (c) {
      const index = columns.findIndex((x) => x.name.toLowerCase() === c.name.toLowerCase());
      if (index < 0) throw new SimulatedSqlError(`Cannot find the column '${c.name}' in table '${table.schema}.${table.name}'.`, line, 4924);
      columns[index] = { ...columns[index], type: c.type, nullable: c.nullable, ...(c.collation ? { collation: c.collation } : {}) };
    }
    return end;
  }
  return at;
}

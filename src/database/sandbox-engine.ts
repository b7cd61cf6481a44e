// The sandbox database's "engine" (pure): applies the schema effects of a T-SQL batch to a catalog,
// enough for drift, impact and apply to agree end to end in a sandbox. Understood: CREATE/ALTER/DROP
// TABLE (columns), CREATE [OR ALTER]/ALTER/DROP VIEW, PROCEDURE, FUNCTION, TRIGGER, EXEC sp_rename,
// writes into fully qualified tables that do not exist (error 208). RAISERROR with a severity above
// 10 and THROW fail the batch with their message, so failure paths can be tested. Data is not
// simulated. Errors carry SQL Server's numbers and wording.
import { objectKey, type Catalog, type CatalogColumn, type CatalogObject, type ObjectType } from './catalog';
import { resolverFrom } from './impact';
import { isKeyword, readName, tokenize, type Token } from './lexer';

export class SimulatedSqlError extends Error {
  constructor(message: string, readonly lineInBatch: number, readonly number: number) {
    super(message);
  }
}

const KIND_OF: Record<string, ObjectType> = { table: 'table', view: 'view', procedure: 'procedure', proc: 'procedure', function: 'function', trigger: 'trigger' };
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

/** A column definition `name type [(n)] [NULL|NOT NULL] [IDENTITY(1,1)] ...` or `name AS expr`; undefined for table constraints. */
function parseColumn(tokens: readonly Token[], from: number, to: number): CatalogColumn | undefined {
  const first = tokens[from];
  if (!first || (first.kind === 'word' && CONSTRAINT_STARTS.has(first.text.toLowerCase()))) return undefined;
  const name = first.text;
  let k = from + 1;
  if (isKeyword(tokens[k], 'as')) {
    return { name, type: 'computed', nullable: true, computed: tokens.slice(k + 1, to).map(text).join(' ') };
  }
  const typeName = readName(tokens, k);
  if (!typeName) return { name, type: 'sql_variant', nullable: true };
  let type = typeName.parts[typeName.parts.length - 1].toLowerCase();
  k = typeName.next;
  if (isP(tokens[k], '(')) {
    const end = closing(tokens, k);
    type += '(' + tokens.slice(k + 1, end).map((t) => t.text.toLowerCase()).join('') + ')';
    k = end + 1;
  }
  let nullable = true;
  let identity = false;
  for (; k < to; k++) {
    const word = w(tokens[k]);
    if (word === 'not' && isKeyword(tokens[k + 1], 'null')) { nullable = false; k++; }
    else if (word === 'primary') nullable = false;
    else if (word === 'identity') identity = true;
  }
  if (identity) nullable = false;
  return { name, type, nullable, identity };
}

export function executeBatch(catalog: Catalog, batchText: string, defaultSchema = 'dbo'): void {
  const tokens = tokenize(batchText);
  const find = (parts: string[]): { key: string; schema: string; name: string; object?: CatalogObject } => {
    const name = parts[parts.length - 1];
    const schema = parts.length >= 2 && parts[parts.length - 2] ? parts[parts.length - 2] : resolverFrom(catalog.objects, defaultSchema)(name);
    const key = objectKey(schema, name);
    return { key, schema, name, object: catalog.objects.find((o) => objectKey(o.schema, o.name) === key) };
  };
  const remove = (key: string) => { catalog.objects = catalog.objects.filter((o) => objectKey(o.schema, o.name) !== key); };

  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind !== 'word') continue;
    const word = t.text.toLowerCase();
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
      const kind = KIND_OF[w(tokens[k])];
      if (!kind) continue;
      const nameAt = readName(tokens, k + 1);
      if (!nameAt) continue;
      const target = find(nameAt.parts);
      if (kind === 'table') {
        if (mode === 'create') {
          if (target.object) throw new SimulatedSqlError(`There is already an object named '${target.name}' in the database.`, t.line, 2714);
          const open = nameAt.next;
          const columns: CatalogColumn[] = [];
          if (isP(tokens[open], '(')) {
            const end = closing(tokens, open);
            for (const [a, b] of splitTopLevel(tokens, open + 1, end)) {
              const c = parseColumn(tokens, a, b);
              if (c) columns.push(c);
            }
            i = end;
          }
          catalog.objects.push({ schema: target.schema, name: target.name, type: 'table', columns });
        } else {
          if (!target.object || target.object.type !== 'table') throw new SimulatedSqlError(`Cannot find the object "${target.schema}.${target.name}" because it does not exist or you do not have permissions.`, t.line, 4902);
          i = alterTable(tokens, nameAt.next, target.object, t.line) - 1;
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

/** ALTER TABLE t ADD c type, ... | DROP COLUMN c, ... | ALTER COLUMN c type [NOT] NULL; returns the index after the statement. */
function alterTable(tokens: readonly Token[], at: number, table: CatalogObject, line: number): number {
  const columns = (table.columns ??= []);
  const statementEnd = (from: number) => {
    let depth = 0;
    for (let k = from; k < tokens.length; k++) {
      if (isP(tokens[k], '(')) depth++;
      else if (isP(tokens[k], ')')) depth--;
      else if (depth === 0 && (isP(tokens[k], ';') || ['alter', 'create', 'drop', 'insert', 'update', 'delete', 'exec', 'execute', 'if', 'print', 'select', 'go', 'merge', 'truncate', 'set', 'declare', 'begin', 'end'].includes(w(tokens[k])))) return k;
    }
    return tokens.length;
  };
  const action = w(tokens[at]);
  if (action === 'add') {
    const end = statementEnd(at + 1);
    for (const [a, b] of splitTopLevel(tokens, at + 1, end)) {
      const c = parseColumn(tokens, a, b);
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
    const c = parseColumn(tokens, at + 2, end);
    if (c) {
      const index = columns.findIndex((x) => x.name.toLowerCase() === c.name.toLowerCase());
      if (index < 0) throw new SimulatedSqlError(`Cannot find the column '${c.name}' in table '${table.schema}.${table.name}'.`, line, 4924);
      columns[index] = { ...columns[index], type: c.type, nullable: c.nullable };
    }
    return end;
  }
  return at;
}

// Impact of a script (SPEC §7): the objects it creates, alters, drops, writes, renames, runs or
// grants rights on, and which of them the customer changed. Static analysis of the tokens of each
// batch: the body of a CREATE/ALTER VIEW/PROCEDURE/FUNCTION/TRIGGER is not executed by the script,
// so it is not scanned; a write through an alias or a common table expression is a write of its
// table. Dynamic SQL (EXEC('...'), sp_executesql) cannot be analysed: it is flagged so the admin
// reads the script. test/unit/database/oracle.test.ts holds these rules against Microsoft's parser.
import { splitBatches, type Batch } from './batches';
import { objectKey } from './catalog';
import type { DriftReport } from './drift';
import { isKeyword, readName, tokenize, type Token } from './lexer';

/**
 * `execute`: the script runs a procedure, whose (possibly customised) body then acts.
 * `permission`: GRANT / DENY / REVOKE on the object (its definition is not changed).
 */
export type ImpactAction = 'create' | 'alter' | 'drop' | 'write' | 'rename' | 'execute' | 'permission';

export interface TouchedObject {
  /** Resolved `schema.name` as written (case kept). */
  object: string;
  action: ImpactAction;
  /** Line in the script. */
  line: number;
}

export interface ScriptImpact {
  objects: TouchedObject[];
  /** Distinct objects (first spelling), in order of appearance. */
  objectNames: string[];
  /** Touched objects that are Modified/Missing in the drift, or customer objects a script creates over. */
  customized: string[];
  dynamicSql: boolean;
}

/** Finds the schema of an unqualified name (known objects first, else the default schema). */
export type SchemaResolver = (name: string) => string;

/** A resolver from known object names: a name that exists in exactly one schema resolves there. */
export function resolverFrom(objects: Iterable<{ schema: string; name: string }>, defaultSchema = 'dbo'): SchemaResolver {
  const schemas = new Map<string, Set<string>>();
  for (const o of objects) {
    const key = o.name.toLowerCase();
    let set = schemas.get(key);
    if (!set) schemas.set(key, (set = new Set()));
    set.add(o.schema);
  }
  return (name) => {
    const set = schemas.get(name.toLowerCase());
    return set && set.size === 1 ? [...set][0] : defaultSchema;
  };
}

const TABLE_LIKE = new Set(['table', 'view', 'procedure', 'proc', 'function', 'trigger']);
/** Objects created and dropped by name only. */
const NAMED_ONLY = new Set(['synonym', 'sequence', 'type']);
/** What ends the column list between OUTPUT and INTO (the statement moved on). */
const OUTPUT_STOPS = new Set(['select', 'update', 'insert', 'delete', 'merge', 'values', 'from', 'where', 'set', 'output']);
const MODULES = new Set(['view', 'procedure', 'proc', 'function', 'trigger']);

function word(t: Token | undefined): string {
  return t?.kind === 'word' ? t.text.toLowerCase() : '';
}

function isPunct(t: Token | undefined, p: string): boolean {
  return t?.kind === 'punct' && t.text === p;
}

function unquoteString(literal: string): string {
  const body = literal[0] === "'" ? literal.slice(1) : literal.slice(2);
  return body.replace(/'$/, '').replace(/''/g, "'");
}

/** Splits `E.obj`, `[E].[obj]`, `obj` from a string argument (sp_rename). */
function partsOfString(text: string): string[] {
  const tokens = tokenize(text);
  return readName(tokens, 0)?.parts ?? [text];
}

export function analyzeBatches(batches: readonly Batch[], resolve: SchemaResolver = () => 'dbo'): { objects: TouchedObject[]; dynamicSql: boolean } {
  const objects: TouchedObject[] = [];
  let dynamicSql = false;
  for (const batch of batches) {
    const tokens = tokenize(batch.text);
    const lineOf = (t: Token) => batch.startLine + t.line - 1;
    const add = (parts: string[], action: ImpactAction, at: Token) => {
      const name = parts[parts.length - 1];
      if (!name || name.startsWith('#') || name.startsWith('@')) return; // temp tables, variables
      const schema = parts.length >= 2 && parts[parts.length - 2] ? parts[parts.length - 2] : resolve(name);
      objects.push({ object: `${schema}.${name}`, action, line: lineOf(at) });
    };
    // Common table expressions of the batch: `WITH name [(cols)] AS (... FROM table ...)`; writing
    // through one writes its (first) table.
    const ctes = new Map<string, string[]>();
    for (let k = 0; k < tokens.length; k++) {
      if (!isKeyword(tokens[k], 'with')) continue;
      let m = k + 1;
      for (;;) {
        const name = tokens[m];
        if (!name || (name.kind !== 'word' && name.kind !== 'ident')) break;
        let a = m + 1;
        if (isPunct(tokens[a], '(')) { let depth = 0; for (; a < tokens.length; a++) { if (isPunct(tokens[a], '(')) depth++; else if (isPunct(tokens[a], ')') && --depth === 0) break; } a++; }
        if (!isKeyword(tokens[a], 'as') || !isPunct(tokens[a + 1], '(')) break;
        let depth = 0;
        let end = a + 1;
        let table: string[] | undefined;
        for (; end < tokens.length; end++) {
          if (isPunct(tokens[end], '(')) depth++;
          else if (isPunct(tokens[end], ')') && --depth === 0) break;
          else if (!table && isKeyword(tokens[end], 'from')) table = readName(tokens, end + 1)?.parts;
        }
        if (table) ctes.set(name.text.toLowerCase(), table);
        if (!isPunct(tokens[end + 1], ',')) break;
        m = end + 2;
      }
    }
    /** For `UPDATE a SET ... FROM E.t a`: the table behind alias `a` (or common table expression `a`), else the name itself. */
    const dealias = (parts: string[], from: number): string[] => {
      if (parts.length !== 1) return parts;
      const alias = parts[0].toLowerCase();
      const cte = ctes.get(alias);
      if (cte) return cte;
      for (let k = from; k < Math.min(tokens.length, from + 400); k++) {
        const before = tokens[k - 1];
        if (!(isKeyword(before, 'from') || isKeyword(before, 'join') || isPunct(before, ','))) continue;
        const name = readName(tokens, k);
        if (!name) continue;
        let a = name.next;
        if (isKeyword(tokens[a], 'as')) a++;
        const t = tokens[a];
        if (t && (t.kind === 'word' || t.kind === 'ident') && t.text.toLowerCase() === alias && name.parts.join('.').toLowerCase() !== alias) return name.parts;
      }
      return parts;
    };
    scan: for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i];
      if (t.kind !== 'word') continue;
      const w = t.text.toLowerCase();
      const prev = word(tokens[i - 1]);
      switch (w) {
        case 'create':
        case 'alter': {
          let k = i + 1;
          let action: ImpactAction = w === 'create' ? 'create' : 'alter';
          if (w === 'create' && isKeyword(tokens[k], 'or') && isKeyword(tokens[k + 1], 'alter')) { k += 2; action = 'alter'; }
          const kind = word(tokens[k]);
          if (NAMED_ONLY.has(kind)) {
            const name = readName(tokens, k + 1);
            if (name) { add(name.parts, w === 'create' ? 'create' : 'alter', t); i = name.next - 1; }
            break;
          }
          if (kind === 'schema' && w === 'alter') {
            // ALTER SCHEMA target TRANSFER [class::]s.obj: the object leaves its schema for the target one.
            const target = tokens[k + 1];
            let m = k + 2;
            if (!target || !isKeyword(tokens[m], 'transfer')) break;
            m++;
            if (isPunct(tokens[m + 1], ':') && isPunct(tokens[m + 2], ':')) m += 3;
            const moved = readName(tokens, m);
            if (moved) {
              add(moved.parts, 'rename', t);
              add([target.text, moved.parts[moved.parts.length - 1]], 'create', t);
              i = moved.next - 1;
            }
            break;
          }
          if (TABLE_LIKE.has(kind)) {
            const name = readName(tokens, k + 1);
            if (!name) break;
            add(name.parts, action, t);
            if (kind === 'trigger' && isKeyword(tokens[name.next], 'on')) {
              const table = readName(tokens, name.next + 1);
              if (table && !['database', 'all'].includes(table.parts[0].toLowerCase())) add(table.parts, 'alter', t);
            }
            if (MODULES.has(kind)) break scan; // the rest of the batch is the module body
            i = name.next - 1;
          } else {
            // CREATE [UNIQUE] [CLUSTERED|NONCLUSTERED] [COLUMNSTORE] INDEX x ON t / ALTER INDEX x ON t
            while (['unique', 'clustered', 'nonclustered', 'columnstore', 'xml', 'spatial', 'primary'].includes(word(tokens[k]))) k++;
            if (word(tokens[k]) === 'index') {
              const idx = readName(tokens, k + 1);
              if (idx && isKeyword(tokens[idx.next], 'on')) {
                const table = readName(tokens, idx.next + 1);
                if (table) add(table.parts, 'alter', t);
              }
            }
          }
          break;
        }
        case 'drop': {
          const kind = word(tokens[i + 1]);
          let k = i + 2;
          if (isKeyword(tokens[k], 'if') && isKeyword(tokens[k + 1], 'exists')) k += 2;
          if (TABLE_LIKE.has(kind) || NAMED_ONLY.has(kind)) {
            for (;;) {
              const name = readName(tokens, k);
              if (!name) break;
              add(name.parts, 'drop', t);
              k = name.next;
              if (!isPunct(tokens[k], ',')) break;
              k++;
            }
            i = k - 1;
          } else if (kind === 'index') {
            const idx = readName(tokens, k);
            if (idx && isKeyword(tokens[idx.next], 'on')) {
              const table = readName(tokens, idx.next + 1);
              if (table) add(table.parts, 'alter', t);
            } else if (idx && idx.parts.length >= 2) {
              add(idx.parts.slice(0, -1), 'alter', t); // legacy DROP INDEX table.index
            }
          }
          break;
        }
        case 'insert':
        case 'merge': {
          let k = i + 1;
          if (isKeyword(tokens[k], 'top')) { k++; while (k < tokens.length && !isPunct(tokens[k], ')')) k++; k++; }
          if (isKeyword(tokens[k], 'into')) k++;
          const name = readName(tokens, k);
          if (name && !['select', 'values', 'default', 'exec', 'execute', 'using'].includes(name.parts[0].toLowerCase())) {
            add(dealias(name.parts, name.next), 'write', t);
            i = name.next - 1;
          }
          break;
        }
        case 'update': {
          if (prev === 'for' || prev === 'of' || prev === 'after' || prev === ',' || isPunct(tokens[i - 1], ',') || isPunct(tokens[i - 1], '(')) break; // trigger/cursor syntax, UPDATE(col)
          if (isKeyword(tokens[i + 1], 'statistics') || isPunct(tokens[i + 1], '(')) break;
          let k = i + 1;
          if (isKeyword(tokens[k], 'top')) { k++; while (k < tokens.length && !isPunct(tokens[k], ')')) k++; k++; }
          const name = readName(tokens, k);
          if (name && (isKeyword(tokens[name.next], 'set') || isKeyword(tokens[name.next], 'with'))) {
            add(dealias(name.parts, name.next), 'write', t);
          }
          break;
        }
        case 'delete': {
          if (prev === 'on' || prev === 'for' || prev === 'after' || isPunct(tokens[i - 1], ',')) break; // ON DELETE CASCADE, trigger syntax
          let k = i + 1;
          if (isKeyword(tokens[k], 'top')) { k++; while (k < tokens.length && !isPunct(tokens[k], ')')) k++; k++; }
          if (isKeyword(tokens[k], 'from')) k++;
          const name = readName(tokens, k);
          if (name) add(dealias(name.parts, name.next), 'write', t);
          break;
        }
        case 'truncate': {
          if (isKeyword(tokens[i + 1], 'table')) {
            const name = readName(tokens, i + 2);
            if (name) add(name.parts, 'write', t);
          }
          break;
        }
        case 'into': {
          // SELECT ... INTO new_table creates a table (INSERT INTO / MERGE INTO are handled above);
          // OUTPUT ... INTO table writes one.
          if (prev === 'insert' || prev === 'merge' || word(tokens[i - 2]) === 'insert') break;
          let output = false;
          for (let k = i - 1; k >= 0 && k > i - 200; k--) {
            const w2 = word(tokens[k]);
            if (isPunct(tokens[k], ';') || (OUTPUT_STOPS.has(w2) && w2 !== 'output')) break;
            if (w2 === 'output') { output = true; break; }
          }
          const name = readName(tokens, i + 1);
          if (name) add(name.parts, output ? 'write' : 'create', t);
          break;
        }
        case 'grant':
        case 'deny':
        case 'revoke': {
          // GRANT perms ON [OBJECT::]name TO ...: rights on an object (ON SCHEMA::, DATABASE:: are not objects).
          let k = i + 1;
          while (k < tokens.length && !isKeyword(tokens[k], 'on') && !isKeyword(tokens[k], 'to') && !isKeyword(tokens[k], 'from')) k++;
          if (!isKeyword(tokens[k], 'on')) { i = k; break; }
          k++;
          if (isPunct(tokens[k + 1], ':') && isPunct(tokens[k + 2], ':')) {
            if (word(tokens[k]) !== 'object') { i = k + 3; break; }
            k += 3;
          }
          const name = readName(tokens, k);
          if (name) { add(name.parts, 'permission', t); i = name.next - 1; }
          break;
        }
        case 'enable':
        case 'disable': {
          if (!isKeyword(tokens[i + 1], 'trigger')) break;
          let k = i + 2;
          while (readName(tokens, k)) { const n = readName(tokens, k)!; k = n.next; if (!isPunct(tokens[k], ',')) break; k++; }
          if (isKeyword(tokens[k], 'on')) {
            const table = readName(tokens, k + 1);
            if (table && !['database', 'all'].includes(table.parts[0].toLowerCase())) add(table.parts, 'alter', t);
          }
          break;
        }
        case 'exec':
        case 'execute': {
          let k = i + 1;
          if (isKeyword(tokens[k], 'as') || prev === 'grant' || prev === 'deny' || prev === 'revoke' || isPunct(tokens[i - 1], ',')) break; // EXECUTE AS USER, permission lists
          if (tokens[k]?.kind === 'word' && tokens[k].text.startsWith('@') && isPunct(tokens[k + 1], '=')) k += 2; // EXEC @rc = proc
          if (isPunct(tokens[k], '(') || (tokens[k]?.kind === 'word' && tokens[k].text.startsWith('@'))) { dynamicSql = true; break; } // EXEC('...'), EXEC @sql
          const proc = readName(tokens, k);
          if (!proc) break;
          const procName = proc.parts[proc.parts.length - 1].toLowerCase();
          if (procName === 'sp_executesql') { dynamicSql = true; break; }
          if (procName !== 'sp_rename') {
            // A procedure of the database (not a system one) runs: its body, customised or not, acts.
            if (!/^(sp_|xp_)/.test(procName) && !proc.parts[0].toLowerCase().startsWith('sys')) add(proc.parts, 'execute', t);
            break;
          }
          {
            let a = proc.next;
            if (tokens[a]?.kind === 'word' && tokens[a].text.startsWith('@') && isPunct(tokens[a + 1], '=')) a += 2;
            if (tokens[a]?.kind !== 'string') { dynamicSql = true; break; }
            const parts = partsOfString(unquoteString(tokens[a].text));
            // The third argument says what is renamed: COLUMN / INDEX / STATISTICS name an object's part.
            let objType = '';
            for (let m = a + 1; m < Math.min(tokens.length, a + 12); m++) {
              if (tokens[m].kind === 'string' && m > a + 2) { objType = unquoteString(tokens[m].text).toLowerCase(); break; }
            }
            const isPart = ['column', 'index', 'statistics'].includes(objType) || parts.length >= 3;
            add(isPart ? parts.slice(0, -1) : parts, 'rename', t);
          }
          break;
        }
        default:
          break;
      }
    }
  }
  return { objects, dynamicSql };
}

/** Impact of one script's text against a drift report (none: nothing is customised). */
export function scriptImpact(sql: string, drift: DriftReport | undefined, resolve?: SchemaResolver): ScriptImpact {
  return impactOfBatches(splitBatches(sql), drift, resolve);
}

export function impactOfBatches(batches: readonly Batch[], drift: DriftReport | undefined, resolve?: SchemaResolver): ScriptImpact {
  const { objects, dynamicSql } = analyzeBatches(batches, resolve);
  const names = new Map<string, string>();
  const customized = new Map<string, string>();
  for (const o of objects) {
    const [schema, ...rest] = o.object.split('.');
    const key = objectKey(schema, rest.join('.'));
    if (!names.has(key)) names.set(key, o.object);
    // Rights granted on a customised object leave its definition alone: not a reason to stop.
    if (drift && o.action !== 'permission' && (drift.customizedKeys.has(key) || (o.action === 'create' && drift.extraKeys.has(key)))) {
      if (!customized.has(key)) customized.set(key, o.object);
    }
  }
  return { objects, objectNames: [...names.values()], customized: [...customized.values()], dynamicSql };
}

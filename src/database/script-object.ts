// One object of the catalog as T-SQL a DBA reads (pure): the standard definitions a baseline
// carries, what `db drift --show` diffs, and what a backup saves before a script changes an object.
// Modules are their own text; tables, synonyms, sequences, user types and schemas are scripted from
// the catalog model in a fixed layout (columns in column order, then keys and constraints, then
// indexes), so the same object always gives the same text.
import { displayName, type CatalogColumn, type CatalogConstraint, type CatalogIndex, type CatalogObject } from './catalog';

export function quoteIdent(name: string): string {
  return `[${name.replace(/]/g, ']]')}]`;
}

function quoteMultipart(name: string): string {
  return name.split('.').map(quoteIdent).join('.');
}

function columnDefinition(c: CatalogColumn): string {
  if (c.computed) return `${quoteIdent(c.name)} AS ${c.computed}`;
  const parts = [quoteIdent(c.name), c.type.includes('.') ? quoteMultipart(c.type) : c.type];
  if (c.collation) parts.push(`COLLATE ${c.collation}`);
  if (c.identity) parts.push('IDENTITY');
  parts.push(c.nullable ? 'NULL' : 'NOT NULL');
  if (c.default) parts.push(`${c.default.name ? `CONSTRAINT ${quoteIdent(c.default.name)} ` : ''}DEFAULT ${c.default.definition}`);
  return parts.join(' ');
}

function constraintDefinition(k: CatalogConstraint): string {
  const named = k.name ? `CONSTRAINT ${quoteIdent(k.name)} ` : '';
  const cols = (k.columns ?? []).map(quoteIdent).join(', ');
  switch (k.kind) {
    case 'primary key': case 'unique':
      return `${named}${k.kind.toUpperCase()} ${k.clustered ? 'CLUSTERED' : 'NONCLUSTERED'} (${cols})`;
    case 'foreign key': {
      const r = k.references!;
      const actions = [r.onDelete && r.onDelete !== 'NO ACTION' ? ` ON DELETE ${r.onDelete}` : '', r.onUpdate && r.onUpdate !== 'NO ACTION' ? ` ON UPDATE ${r.onUpdate}` : ''].join('');
      return `${named}FOREIGN KEY (${cols}) REFERENCES ${quoteMultipart(r.table)} (${r.columns.map(quoteIdent).join(', ')})${actions}${k.disabled ? ' /* NOCHECK */' : ''}`;
    }
    case 'check':
      return `${named}CHECK ${k.definition ?? ''}${k.disabled ? ' /* NOCHECK */' : ''}`;
  }
}

function indexDefinition(table: string, ix: CatalogIndex): string {
  const cols = ix.columns.map((c) => `${quoteIdent(c.name)}${c.desc ? ' DESC' : ''}`).join(', ');
  return `CREATE ${ix.unique ? 'UNIQUE ' : ''}${ix.clustered ? 'CLUSTERED' : 'NONCLUSTERED'} INDEX ${quoteIdent(ix.name)} ON ${table} (${cols})`
    + (ix.included?.length ? ` INCLUDE (${ix.included.map(quoteIdent).join(', ')})` : '')
    + (ix.filter ? ` WHERE ${ix.filter}` : '') + ';';
}

/** The object as T-SQL, ending with a newline. */
export function scriptObject(o: CatalogObject): string {
  const name = `${quoteIdent(o.schema)}.${quoteIdent(o.name)}`;
  switch (o.type) {
    case 'schema':
      return `CREATE SCHEMA ${quoteIdent(o.name)};\n`;
    case 'synonym':
      return `CREATE SYNONYM ${name} FOR ${o.target ?? '?'};\n`;
    case 'sequence': {
      const q = o.sequence!;
      return `CREATE SEQUENCE ${name} AS ${q.type} START WITH ${q.start} INCREMENT BY ${q.increment}`
        + `${q.min !== undefined ? ` MINVALUE ${q.min}` : ''}${q.max !== undefined ? ` MAXVALUE ${q.max}` : ''} ${q.cycle ? 'CYCLE' : 'NO CYCLE'}`
        + `${q.cache === null ? ' NO CACHE' : q.cache !== undefined ? ` CACHE ${q.cache}` : ''};\n`;
    }
    case 'type':
      if (o.columns) return `CREATE TYPE ${name} AS TABLE (\n${o.columns.map((c) => `  ${columnDefinition(c)}`).join(',\n')}\n);\n`;
      return `CREATE TYPE ${name} FROM ${o.baseType ?? '?'} ${o.nullable === false ? 'NOT NULL' : 'NULL'};\n`;
    case 'table': {
      const lines = [...(o.columns ?? []).map(columnDefinition), ...(o.constraints ?? []).map(constraintDefinition)];
      const indexes = (o.indexes ?? []).map((ix) => indexDefinition(name, ix));
      return `CREATE TABLE ${name} (\n${lines.map((l) => `  ${l}`).join(',\n')}\n);\n${indexes.map((l) => `${l}\n`).join('')}`;
    }
    default:
      if (o.definition === null || o.definition === undefined) return `-- ${displayName(o)}: the definition is encrypted (WITH ENCRYPTION)\n`;
      return o.definition.replace(/\s+$/, '') + '\n';
  }
}

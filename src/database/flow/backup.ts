// The safety net before scripts change customised objects (or run under --force): the current
// definitions of the objects they touch, saved under bin\updates\backups\database-<id>\, one .sql
// file each, with restore.sql that puts the modules (views, procedures, functions, triggers,
// synonyms) back as they were. Tables are saved as their DDL for reference: a restore script
// cannot give back data a script changed; that is what the COPY_ONLY backup is for.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { displayName, objectKey, type Catalog, type CatalogObject } from '../catalog';
import { scriptObject } from '../script-object';

export interface DefinitionBackup {
  folder: string;
  restoreScript: string;
  /** Objects whose definitions were saved. */
  saved: string[];
}

const MODULE_KINDS: Record<string, string> = { view: 'VIEW', procedure: 'PROCEDURE', function: 'FUNCTION', trigger: 'TRIGGER', synonym: 'SYNONYM' };
const BOM = '\uFEFF';

function fileName(o: CatalogObject): string {
  return `${displayName(o)}.sql`.replace(/[<>:"/\\|?*\x00-\x1f]+/g, '_');
}

function quoteName(o: { schema: string; name: string }): string {
  return `[${o.schema.replace(/]/g, ']]')}].[${o.name.replace(/]/g, ']]')}]`;
}

/** restore.sql (pure): modules dropped and recreated as saved, tables as commented reference. */
export function restoreScript(objects: readonly CatalogObject[], header: string): string {
  const lines = [header, 'SET ANSI_NULLS ON;', 'SET QUOTED_IDENTIFIER ON;', 'GO'];
  for (const o of objects) {
    const kind = MODULE_KINDS[o.type];
    if (!kind || o.definition === null) {
      lines.push(`-- ${displayName(o)} (${o.type}): not restored by this script${o.type === 'table' ? ' (a table holds data: compare with its saved definition, or restore the database backup)' : ' (encrypted definition)'}.`, '');
      continue;
    }
    lines.push(`-- ${displayName(o)} (${o.type})`,
      `IF OBJECT_ID(N'${quoteName(o).replace(/'/g, "''")}') IS NOT NULL DROP ${kind} ${quoteName(o)};`, 'GO', scriptObject(o).replace(/\s+$/, ''), 'GO', '');
  }
  return lines.join('\r\n') + '\r\n';
}

export async function backupDefinitions(input: { folder: string; catalog: Catalog; objects: readonly string[]; server: string; scripts: readonly string[]; now: Date }): Promise<DefinitionBackup> {
  const wanted = new Set(input.objects.map((o) => { const [s, ...n] = o.split('.'); return objectKey(s, n.join('.')); }));
  const found = input.catalog.objects.filter((o) => wanted.has(objectKey(o.schema, o.name)));
  const header = `-- Saved by altazion-update on ${input.now.toISOString()} from ${input.server}, before script(s) ${input.scripts.join(', ')}.`;
  const restore = path.join(input.folder, 'restore.sql');
  if (found.length === 0) return { folder: input.folder, restoreScript: restore, saved: [] };
  await fs.mkdir(input.folder, { recursive: true });
  for (const o of found) await fs.writeFile(path.join(input.folder, fileName(o)), `${BOM}${header}\r\n${scriptObject(o)}`, 'utf8');
  await fs.writeFile(restore, BOM + restoreScript(found, header), 'utf8');
  return { folder: input.folder, restoreScript: restore, saved: found.map(displayName) };
}

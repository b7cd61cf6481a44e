// The sandbox's simulated database (SPEC §10, issue 5 §7). A database is a folder:
//   <sandbox host dir>/database/catalog.ndjson one line per CatalogObject        the schema (the first line:
//                                                                               { "collation": ... } or {})
//   <sandbox host dir>/database/journal.json   { "rows": JournalRow[] }          E.sysparams_databaseversion
//   <sandbox host dir>/database/marker.json    { "catalog": n, "journal": n }   as SQL Server's sys.objects
//                                                                               modify_date: bumped on each write
// The change marker is read from marker.json alone (a few bytes), as SQL Server answers it from its
// metadata without reading definitions: caching is exercised here the way it works on a server.
// The sandbox's cpointsoftware.config points at it: `Data Source=sandbox;Initial Catalog=<folder>`
// (or `AttachDbFilename=<folder>`). Scripts "execute" through engine.ts, which applies their
// schema effects to the catalog. A transactional script is applied to a copy and committed with its
// journal row only when every batch succeeded; a non-transactional one persists batch by batch.
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { AltazionError } from '../../core/errors';
import { nodeCrypto } from '../../io/node-crypto';
import type { DatabaseScriptEntry } from '../../core/package-manifest';
import type { Batch } from '../../database/batches';
import type { Catalog, CatalogObject } from '../../database/catalog';
import type { JournalRow } from '../../database/journal-sql';
import { versionKey } from '../../database/plan';
import { executeBatch, SimulatedSqlError } from './engine';
import { ScriptFailedError, scriptLine, type DatabaseStore, type ScriptObserver } from '../../database/store';

/** One object per line: read as a stream, like rows from SQL Server, never as one big string. */
export const SANDBOX_CATALOG_FILE = 'catalog.ndjson';
export const SANDBOX_JOURNAL_FILE = 'journal.json';
export const SANDBOX_MARKER_FILE = 'marker.json';

export interface SandboxJournalRow extends JournalRow {
  /** When the row was last written (ISO). */
  at?: string;
}

async function readJson<T>(file: string): Promise<T> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new AltazionError(code === 'ENOENT' ? 'E_CONFIG' : 'E_DATABASE', `${file}: ${code === 'ENOENT' ? 'the sandbox database file does not exist' : (error as Error).message}`, { target: file, hint: 'create a sandbox with `altazion-update sandbox create`' });
  }
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new AltazionError('E_CONFIG', `${file}: not valid JSON (${(error as Error).message})`, { target: file });
  }
}

async function writeJson(file: string, value: unknown): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(temp, JSON.stringify(value, null, 1) + '\n');
  await fs.rename(temp, file);
}

export class SandboxStore implements DatabaseStore {
  readonly description: string;
  private readonly catalogFile: string;
  private readonly journalFile: string;
  private readonly markerFile: string;

  constructor(readonly folder: string, private readonly now: () => Date = () => new Date()) {
    this.description = `sandbox database ${folder}`;
    this.catalogFile = path.join(folder, SANDBOX_CATALOG_FILE);
    this.journalFile = path.join(folder, SANDBOX_JOURNAL_FILE);
    this.markerFile = path.join(folder, SANDBOX_MARKER_FILE);
  }

  private async bump(part: 'catalog' | 'journal'): Promise<void> {
    const marker = await readJson<Record<string, number>>(this.markerFile).catch(() => ({} as Record<string, number>));
    marker[part] = (marker[part] ?? 0) + 1;
    await writeJson(this.markerFile, marker);
  }

  private async writeCatalog(catalog: Catalog): Promise<void> {
    const temp = `${this.catalogFile}.${process.pid}.tmp`;
    const out = createWriteStream(temp);
    const header = catalog.collation ? { collation: catalog.collation } : {};
    for (const line of [header, ...catalog.objects]) {
      if (!out.write(JSON.stringify(line) + '\n')) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
    await fs.rename(temp, this.catalogFile);
    await this.bump('catalog');
  }

  private async writeJournal(rows: SandboxJournalRow[]): Promise<void> {
    await writeJson(this.journalFile, { rows });
    await this.bump('journal');
  }

  async changeMarker(): Promise<string> {
    const marker = await readJson<Record<string, number>>(this.markerFile).catch(() => ({} as Record<string, number>));
    return `catalog=${marker.catalog ?? 0};journal=${marker.journal ?? 0}`;
  }

  /**
   * Changes the schema outside any script (what an admin does in SSMS): the tests' way to customise
   * a sandbox database after it was created. Bumps the marker as SQL Server bumps modify_date.
   */
  async alterCatalog(change: (catalog: Catalog) => void): Promise<void> {
    const catalog = await this.readCatalog();
    change(catalog);
    await this.writeCatalog(catalog);
  }

  async backupDatabase(folder: string, name: string): Promise<string> {
    const file = path.join(folder, name);
    await fs.mkdir(folder, { recursive: true });
    const content = { catalog: await this.readCatalog(), journal: await this.readJournal() };
    await fs.writeFile(file, JSON.stringify(content));
    return file;
  }

  /** Writes a new sandbox database (used by sandbox creation and tests). */
  static async create(folder: string, catalog: Catalog, journal: JournalRow[]): Promise<SandboxStore> {
    await fs.mkdir(folder, { recursive: true });
    const store = new SandboxStore(folder);
    await store.writeCatalog(catalog);
    await store.writeJournal(journal);
    return store;
  }

  async readCatalog(): Promise<Catalog> {
    const catalog: Catalog = { objects: [] };
    let lines: AsyncIterable<string>;
    try {
      await fs.access(this.catalogFile);
      lines = createInterface({ input: createReadStream(this.catalogFile, { encoding: 'utf8' }), crlfDelay: Infinity });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new AltazionError(code === 'ENOENT' ? 'E_CONFIG' : 'E_DATABASE', `${this.catalogFile}: ${code === 'ENOENT' ? 'the sandbox database file does not exist' : (error as Error).message}`, { target: this.catalogFile, hint: 'create a sandbox with `altazion-update sandbox create`' });
    }
    let n = 0;
    for await (const line of lines) {
      n++;
      if (!line.trim()) continue;
      let value: unknown;
      try { value = JSON.parse(line); } catch (error) { throw new AltazionError('E_CONFIG', `${this.catalogFile}: line ${n}: not valid JSON (${(error as Error).message})`, { target: this.catalogFile }); }
      if (n === 1 && !(value as CatalogObject).type) { const collation = (value as { collation?: string }).collation; if (collation) catalog.collation = collation; continue; }
      catalog.objects.push(value as CatalogObject);
    }
    return catalog;
  }

  async readJournal(): Promise<SandboxJournalRow[]> {
    const value = await readJson<{ rows: SandboxJournalRow[] }>(this.journalFile);
    if (!value || !Array.isArray(value.rows)) throw new AltazionError('E_CONFIG', `${this.journalFile}: rows: must be an array`, { target: this.journalFile });
    return value.rows;
  }

  private upsert(rows: SandboxJournalRow[], version: string, number: number, isRoot: boolean, flags: Pick<JournalRow, 'prepared' | 'executed' | 'validated'>): SandboxJournalRow[] {
    const at = this.now().toISOString();
    const index = rows.findIndex((r) => versionKey(r.version) === versionKey(version) && r.scriptNumber === number && r.isRoot === isRoot);
    if (index >= 0) {
      rows[index] = { ...rows[index], ...flags, at };
    } else {
      rows.push({ guid: nodeCrypto().randomUUID(), version, isRoot, scriptNumber: number, ...flags, at });
    }
    return rows;
  }

  async runScript(entry: DatabaseScriptEntry, batches: readonly Batch[], observer?: ScriptObserver): Promise<void> {
    let catalog = await this.readCatalog();
    let journal = await this.readJournal();
    if (!entry.transactional) {
      journal = this.upsert(journal, entry.version, entry.number, false, { prepared: true, executed: false, validated: false });
      await this.writeJournal(journal);
    }
    const working: Catalog = entry.transactional ? structuredClone(catalog) : catalog;
    for (const batch of batches) {
      try {
        for (let run = 1; run <= batch.repeat; run++) {
          const messages: string[] = [];
          const started = process.hrtime.bigint();
          executeBatch(working, batch.text, 'dbo', (m) => messages.push(m));
          observer?.batchDone?.({ batch: batch.index, run, messages, rowsAffected: [], durationMs: Number(process.hrtime.bigint() - started) / 1e6 });
        }
      } catch (error) {
        if (!(error instanceof SimulatedSqlError)) throw error;
        if (!entry.transactional) await this.writeCatalog(working); // earlier batches stay applied
        journal = this.upsert(await this.readJournal(), entry.version, entry.number, false, { prepared: true, executed: false, validated: false });
        await this.writeJournal(journal);
        throw new ScriptFailedError({ scriptId: entry.id, batch: batch.index, line: scriptLine(batch, error.lineInBatch), sqlMessage: error.message, sqlNumber: error.number }, entry.transactional);
      }
    }
    catalog = working;
    await this.writeCatalog(catalog);
    journal = this.upsert(journal, entry.version, entry.number, false, { prepared: true, executed: true, validated: true });
    await this.writeJournal(journal);
  }

  async markApplied(entry: DatabaseScriptEntry): Promise<void> {
    const journal = this.upsert(await this.readJournal(), entry.version, entry.number, false, { prepared: true, executed: false, validated: true });
    await this.writeJournal(journal);
  }

  async recordRelease(version: string): Promise<void> {
    const journal = this.upsert(await this.readJournal(), version, 0, true, { prepared: true, executed: true, validated: true });
    await this.writeJournal(journal);
  }

  async close(): Promise<void> {
    // Nothing held open.
  }
}

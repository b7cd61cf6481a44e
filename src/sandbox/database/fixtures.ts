// The sandbox's database: a realistic release history of the standard schema (tricky T-SQL on
// purpose: GO in strings, comments and identifiers, nested comments, CREATE OR ALTER, quoted
// identifiers, GO with a count, a non-transactional script), the packages built from it, and the
// simulated database of a server installed at an older version, optionally customised.
// Baselines are computed by running the scripts through the sandbox engine, so packages,
// catalogs and drift always agree.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { AltazionError } from '../../core/errors';
import { MANIFEST_FILE, type DatabaseScriptEntry, type PackageManifest } from '../../core/package-manifest';
import { compareVersions } from '../../core/version';
import { splitBatches } from '../../database/batches';
import { displayName, objectKey, type Catalog, type CatalogObject } from '../../database/catalog';
import type { JournalRow } from '../../database/journal-sql';
import { buildBaseline, buildDefinitions } from '../../database/normalize';
import type { DatabaseSectionEx } from '../../database/package';
import { buildPackageZip } from '../../feed/publish';
import { executeBatch } from './engine';
import { SandboxStore } from './store';

interface FixtureScript { number: number; name: string; transactional?: boolean; sql: string }
interface FixtureRelease { label: string; id: string; scripts: FixtureScript[] }

const RELEASES: FixtureRelease[] = [
  {
    label: '25.9',
    id: '2025-09',
    scripts: [
      {
        number: 1,
        name: 'Tables de base',
        sql: `/* Altazion Office - 2025-09 / script n°0001 : tables de base
   /* commentaire imbriqué */
GO
   (ce GO est dans un commentaire)
*/
SET ANSI_NULLS ON
GO
SET QUOTED_IDENTIFIER ON
GO
IF SCHEMA_ID(N'E') IS NULL EXEC(N'CREATE SCHEMA [E]')
GO
CREATE TABLE [E].[clients] (
  [cli_id] int IDENTITY(1,1) NOT NULL CONSTRAINT [PK_clients] PRIMARY KEY,
  [cli_nom] nvarchar(100) NOT NULL,
  [cli_prenom] nvarchar(100) NULL,
  [cli_actif] bit NOT NULL CONSTRAINT [DF_clients_actif] DEFAULT (1),
  [cli_cree_le] datetime2(0) NOT NULL CONSTRAINT DF_clients_cree DEFAULT (SYSUTCDATETIME())
);
CREATE TABLE E.commandes (
  cmd_id int IDENTITY(1,1) NOT NULL PRIMARY KEY,
  cmd_cli_id int NOT NULL CONSTRAINT FK_commandes_clients REFERENCES E.clients (cli_id),
  cmd_ref varchar(30) NOT NULL,
  cmd_date datetime NOT NULL,
  cmd_total decimal(18, 2) NOT NULL DEFAULT 0
);
CREATE TABLE E.articles (
  art_id int IDENTITY(1,1) NOT NULL PRIMARY KEY,
  art_code varchar(50) NOT NULL,
  art_libelle nvarchar(200) NOT NULL,
  art_prix decimal(18, 4) NULL
);
CREATE TABLE E.parametres (
  par_nom nvarchar(100) NOT NULL PRIMARY KEY,
  par_valeur nvarchar(max) NULL
);
GO
INSERT INTO E.parametres (par_nom, par_valeur) VALUES (N'version', N'25.9'), (N'message', N'Bienvenue !
GO
(ce GO est dans une chaîne)'), (N'derniere_commande', NULL);
GO
`,
      },
      {
        number: 2,
        name: 'Vues, procédures, fonctions, déclencheurs',
        sql: `CREATE VIEW [E].[vw_clients_actifs]
AS
  SELECT cli_id, cli_nom, cli_prenom FROM E.clients WHERE cli_actif = 1 -- seulement les actifs
GO
CREATE PROCEDURE E.ps_commandes_client
  @cli_id int
AS
BEGIN
  SET NOCOUNT ON;
  /* GO dans un commentaire
GO
  */
  SELECT c.cmd_id, c.cmd_ref, c.cmd_total FROM E.commandes AS c WHERE c.cmd_cli_id = @cli_id ORDER BY c.cmd_date DESC;
END
GO
CREATE FUNCTION E.fn_total_client (@cli_id int) RETURNS decimal(18, 2)
AS
BEGIN
  RETURN (SELECT ISNULL(SUM(cmd_total), 0) FROM E.commandes WHERE cmd_cli_id = @cli_id);
END
GO
CREATE TRIGGER E.tr_commandes_total ON E.commandes AFTER INSERT, UPDATE
AS
BEGIN
  SET NOCOUNT ON;
  IF UPDATE(cmd_total) UPDATE E.parametres SET par_valeur = CONVERT(nvarchar(30), SYSUTCDATETIME(), 126) WHERE par_nom = N'derniere_commande';
END
GO
`,
      },
    ],
  },
  {
    label: '25.10',
    id: '2025-10',
    scripts: [
      {
        number: 1,
        name: 'E-mail des clients',
        sql: `-- 2025-10 / script n°0001 : e-mail des clients
ALTER TABLE E.clients ADD cli_email nvarchar(200) NULL;
PRINT N'Colonne cli_email ajoutée';
GO
UPDATE E.clients SET cli_email = N'' WHERE cli_email IS NULL AND cli_nom <> N'GO';
GO
`,
      },
      {
        number: 2,
        name: 'Commandes client : filtre par date',
        sql: `CREATE OR ALTER PROCEDURE [E].[ps_commandes_client]
  @cli_id int,
  @depuis datetime = NULL
AS
BEGIN
  SET NOCOUNT ON;
  SELECT c.cmd_id, c.cmd_ref, c.cmd_total, c.cmd_date, N'GO' AS [GO
]
  FROM E.commandes AS c
  WHERE c.cmd_cli_id = @cli_id AND (@depuis IS NULL OR c.cmd_date >= @depuis)
  ORDER BY c.cmd_date DESC;
END
go
`,
      },
      {
        number: 3,
        name: 'Programme de fidélité',
        sql: `CREATE TABLE "E"."fidelite" (
  fid_cli_id int NOT NULL PRIMARY KEY REFERENCES E.clients (cli_id),
  fid_points int NOT NULL DEFAULT 0
)
GO
INSERT INTO E.parametres (par_nom, par_valeur) VALUES (N'fidelite_actif', N'0')
GO
CREATE SEQUENCE E.seq_fidelite AS int START WITH 1 INCREMENT BY 1
GO
CREATE SYNONYM E.clients_fidelite FOR E.fidelite
GO
CREATE OR ALTER VIEW E.vw_clients_actifs AS
  SELECT c.cli_id, c.cli_nom, c.cli_prenom, c.cli_email, ISNULL(f.fid_points, 0) AS fid_points
  FROM E.clients AS c LEFT JOIN E.fidelite AS f ON f.fid_cli_id = c.cli_id
  WHERE c.cli_actif = 1
GO
`,
      },
      {
        number: 4,
        name: 'Index et statistiques (hors transaction)',
        transactional: false,
        sql: `CREATE NONCLUSTERED INDEX IX_commandes_client ON E.commandes (cmd_cli_id, cmd_date DESC);
GO
UPDATE STATISTICS E.commandes WITH FULLSCAN
GO 2
`,
      },
    ],
  },
];

/** Objects the customer added: Extra in the drift, allowed. */
const CUSTOMER_OBJECTS: CatalogObject[] = [
  { schema: 'dbo', name: 'ps_export_compta', type: 'procedure', definition: 'CREATE PROCEDURE dbo.ps_export_compta AS SELECT cmd_ref, cmd_total FROM E.commandes' },
  { schema: 'dbo', name: 'tmp_import_clients', type: 'table', columns: [{ name: 'nom', type: 'nvarchar(100)', nullable: true }] },
];

/** Release label of a package version: `25.10.1.2` -> `25.10`. */
function releaseOf(version: string): string {
  return version.split('.').slice(0, 2).join('.');
}

function releasesUpTo(version: string): FixtureRelease[] {
  return RELEASES.filter((r) => compareVersions(r.label, releaseOf(version)) <= 0);
}

function entryFor(release: FixtureRelease, s: FixtureScript, file: string, bytes: Buffer): DatabaseScriptEntry {
  return {
    id: `${release.id}/${String(s.number).padStart(4, '0')}`,
    version: release.label,
    number: s.number,
    name: s.name,
    file,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    transactional: s.transactional !== false,
  };
}

/** The standard schema after every script up to `version` (run through the sandbox engine). */
export function standardCatalog(version: string): Catalog {
  const catalog: Catalog = { objects: [] };
  for (const release of releasesUpTo(version)) {
    for (const s of release.scripts) {
      for (const batch of splitBatches(s.sql)) for (let r = 0; r < batch.repeat; r++) executeBatch(catalog, batch.text, 'dbo');
    }
  }
  return catalog;
}

export interface DatabasePackageOptions {
  /** Earlier package versions whose baselines the package carries (database.baselines). */
  previousVersions?: readonly string[];
}

/**
 * Files of the database package of `version` (path inside the package -> content): the manifest,
 * every script up to that release (cumulative, in order), the baseline of `version` and of each
 * previous version. Write them into a folder and zip it (buildPackageZip) for a feed, or into the
 * installed database module folder.
 */
export function buildDatabasePackageFiles(version: string, options: DatabasePackageOptions = {}): Record<string, Buffer> {
  const files: Record<string, Buffer> = {};
  const scripts: DatabaseScriptEntry[] = [];
  for (const release of releasesUpTo(version)) {
    for (const s of release.scripts) {
      const file = `scripts/${release.id}/${String(s.number).padStart(4, '0')}.sql`;
      const bytes = Buffer.from(s.sql, 'utf8');
      files[file] = bytes;
      scripts.push(entryFor(release, s, file, bytes));
    }
  }
  const baselineFile = (v: string) => `baselines/${v}.json`;
  const definitionsFile = (v: string) => `baselines/${v}.definitions.json`;
  const baselines: Record<string, string> = {};
  const definitions: Record<string, string> = {};
  for (const v of [version, ...(options.previousVersions ?? []).filter((p) => p !== version)]) {
    const catalog = standardCatalog(v);
    files[baselineFile(v)] = Buffer.from(JSON.stringify(buildBaseline(v, catalog), null, 1) + '\n');
    files[definitionsFile(v)] = Buffer.from(JSON.stringify(buildDefinitions(v, catalog), null, 1) + '\n');
    if (v !== version) baselines[v] = baselineFile(v);
    definitions[v] = definitionsFile(v);
  }
  const database: DatabaseSectionEx = { scripts, baseline: baselineFile(version), ...(Object.keys(baselines).length ? { baselines } : {}), definitions };
  const manifest: PackageManifest = { schemaVersion: 1, module: 'database', version, kind: 'database', database };
  files[MANIFEST_FILE] = Buffer.from(JSON.stringify(manifest, null, 2) + '\n');
  return files;
}

/** Makes a standard object visibly customised: a table gets a column, a module a real (not cosmetic) change. */
function customizeObject(o: CatalogObject): void {
  if (o.type === 'table') {
    o.columns = [...(o.columns ?? []), { name: 'perso_code_client', type: 'varchar(20)', nullable: true }];
    return;
  }
  const definition = o.definition ?? '';
  // A real change, valid T-SQL: an option in the header. Views: WITH VIEW_METADATA before AS;
  // procedures and functions: WITH EXECUTE AS CALLER before AS; triggers: before AFTER/FOR/INSTEAD OF.
  const kind = /\b(VIEW|PROCEDURE|PROC|FUNCTION|TRIGGER)\b/i.exec(definition);
  const from = kind ? kind.index + kind[0].length : 0;
  const anchor = (o.type === 'trigger' ? /\b(AFTER|FOR|INSTEAD)\b/i : /\bAS\b/i).exec(definition.slice(from));
  const option = o.type === 'view' ? 'WITH VIEW_METADATA' : 'WITH EXECUTE AS CALLER';
  o.definition = anchor
    ? `${definition.slice(0, from + anchor.index)}${option}\n${definition.slice(from + anchor.index)}`
    : `${definition}\n-- personnalisé\nSELECT 1 AS perso`;
}

export interface SandboxDatabaseOptions {
  /** Package version the database is at (its scripts are applied, its release is recorded). */
  version: string;
  /** Standard objects to customise (`E.clients`, `clients`, case-insensitive; `E.x:drop` removes one). */
  customize?: readonly string[];
  /** Add the customer's own objects (Extra, allowed). Default true. */
  customerObjects?: boolean;
}

export interface SandboxDatabaseInfo {
  /** The database folder (catalog.ndjson, journal.json, marker.json). */
  folder: string;
  /** For cpointsoftware.config: `Data Source=sandbox;Initial Catalog=<folder>`. */
  connectionString: string;
  customized: string[];
}

/**
 * Creates the simulated database of a sandbox server in `<hostDir>/database`: the standard schema
 * of `version` with every script journaled, the customer's own objects, and the customisations.
 */
export async function createSandboxDatabase(hostDir: string, options: SandboxDatabaseOptions): Promise<SandboxDatabaseInfo> {
  const folder = path.join(hostDir, 'database');
  const catalog = standardCatalog(options.version);
  const customized: string[] = [];
  for (const item of options.customize ?? []) {
    // `E.clients` alters the object; `E.fn_total_client:drop` removes it (Missing in the drift).
    const drop = /:drop$/i.test(item);
    const wanted = drop ? item.slice(0, -5) : item;
    const key = wanted.includes('.') ? wanted.toLowerCase() : undefined;
    const found = catalog.objects.find((o) => (key ? objectKey(o.schema, o.name) === key : o.name.toLowerCase() === wanted.toLowerCase()));
    if (!found) {
      throw new AltazionError('E_USAGE', `--customize: "${wanted}" is not a standard object of the ${options.version} schema (${catalog.objects.map(displayName).join(', ')})`, { target: wanted });
    }
    if (drop) catalog.objects = catalog.objects.filter((o) => o !== found);
    else customizeObject(found);
    customized.push(displayName(found));
  }
  if (options.customerObjects !== false) catalog.objects.push(...structuredClone(CUSTOMER_OBJECTS));
  const journal: JournalRow[] = [];
  let n = 0;
  const guid = () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
  for (const release of releasesUpTo(options.version)) {
    for (const s of release.scripts) {
      journal.push({ guid: guid(), version: release.label, isRoot: false, scriptNumber: s.number, prepared: true, executed: true, validated: true });
    }
  }
  journal.push({ guid: guid(), version: options.version, isRoot: true, scriptNumber: 0, prepared: true, executed: true, validated: true });
  await SandboxStore.create(folder, catalog, journal);
  return { folder, connectionString: `Data Source=sandbox;Initial Catalog=${folder}`, customized };
}

// ---------------------------------------------------------------------------------------------
// Packages and databases for tests and `sandbox create` (src/sandbox/create.ts):

async function writeFiles(folder: string, files: Record<string, Buffer>): Promise<void> {
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(folder, ...name.split('/'));
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, content);
  }
}

/**
 * Publisher side: the database package `database-<newVersion>.zip` in `packagesDir` (next to the
 * other packages, before publishFeed), carrying the baseline of `oldVersion` for the drift.
 */
export async function writeSandboxDatabasePackage(packagesDir: string, newVersion: string, oldVersion: string, workDir: string): Promise<string> {
  const folder = path.join(workDir, `database-${newVersion}`);
  await writeFiles(folder, buildDatabasePackageFiles(newVersion, { previousVersions: [oldVersion] }));
  const zip = path.join(packagesDir, `database-${newVersion}.zip`);
  await buildPackageZip(folder, zip);
  return zip;
}

/**
 * Server side: the database module folder holds the installed package (its manifest is what
 * discovery reads), and `<hostDir>/database` the simulated database at that version, customised
 * as asked. Returns the connection string for cpointsoftware.config.
 */
export async function installSandboxDatabase(options: { hostDir: string; moduleFolder: string; version: string; customize?: readonly string[] }): Promise<SandboxDatabaseInfo> {
  await writeFiles(options.moduleFolder, buildDatabasePackageFiles(options.version));
  return createSandboxDatabase(options.hostDir, { version: options.version, customize: options.customize });
}

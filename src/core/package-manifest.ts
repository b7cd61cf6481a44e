// The manifest inside every package (`altazion-package.json` at the root of the zip). The installer
// leaves it in the module folder, where discovery reads the installed version from it (SPEC §4).
import { AltazionError } from './errors';
import { MODULE_KINDS, type ModuleKind } from './modules';
import { isVersion } from './version';

export const MANIFEST_FILE = 'altazion-package.json';

export interface DatabaseScriptEntry {
  /** Stable id, e.g. `2025-10/0030`. */
  id: string;
  /** Release the script belongs to, e.g. `25.10`. */
  version: string;
  number: number;
  name: string;
  /** Path of the .sql file inside the package. */
  file: string;
  sha256: string;
  /** False for scripts that cannot run inside a transaction (they run alone). */
  transactional: boolean;
}

export interface DatabaseSection {
  /** Ordered scripts (execution order). */
  scripts: DatabaseScriptEntry[];
  /** Path inside the package of the schema baseline (JSON) after this release. */
  baseline: string;
}

export interface PackageManifest {
  schemaVersion: 1;
  module: string;
  version: string;
  kind: ModuleKind;
  /** Main assembly relative to the module folder (legacy version detection), optional. */
  mainAssembly?: string;
  /** Minimum versions of other modules this release needs, e.g. { database: "25.10" }. */
  requires?: Record<string, string>;
  database?: DatabaseSection;
}

/** Validates a parsed manifest; `source` names the package or folder in messages. */
export function validateManifest(value: unknown, source: string): PackageManifest {
  const fail = (field: string, problem: string) =>
    new AltazionError('E_PACKAGE_INVALID', `${source}: ${MANIFEST_FILE}: ${field}: ${problem}`, { target: source });
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw fail('(document)', 'not a JSON object');
  const m = value as Record<string, unknown>;
  if (m.schemaVersion !== 1) throw fail('schemaVersion', `unsupported value ${JSON.stringify(m.schemaVersion)} (expected 1)`);
  if (typeof m.module !== 'string' || !/^[a-z0-9][a-z0-9_-]*$/.test(m.module)) throw fail('module', `invalid module key ${JSON.stringify(m.module)}`);
  if (typeof m.version !== 'string' || !isVersion(m.version)) throw fail('version', `invalid version ${JSON.stringify(m.version)}`);
  if (typeof m.kind !== 'string' || !(MODULE_KINDS as readonly string[]).includes(m.kind)) throw fail('kind', `must be one of ${MODULE_KINDS.join(', ')}`);
  if (m.mainAssembly !== undefined && typeof m.mainAssembly !== 'string') throw fail('mainAssembly', 'must be a string');
  if (m.requires !== undefined) {
    if (!m.requires || typeof m.requires !== 'object' || Array.isArray(m.requires)) throw fail('requires', 'must be an object of module: version');
    for (const [mod, ver] of Object.entries(m.requires)) {
      if (typeof ver !== 'string' || !isVersion(ver)) throw fail(`requires.${mod}`, `invalid version ${JSON.stringify(ver)}`);
    }
  }
  if (m.kind === 'database') {
    const db = m.database as Record<string, unknown> | undefined;
    if (!db || typeof db !== 'object') throw fail('database', 'a database package needs a database section');
    if (!Array.isArray(db.scripts)) throw fail('database.scripts', 'must be an array');
    if (typeof db.baseline !== 'string') throw fail('database.baseline', 'must be the path of the baseline file');
    db.scripts.forEach((s: Record<string, unknown>, i: number) => {
      const where = `database.scripts[${i}]`;
      for (const key of ['id', 'version', 'name', 'file', 'sha256']) {
        if (typeof s?.[key] !== 'string' || s[key] === '') throw fail(`${where}.${key}`, 'required string');
      }
      if (typeof s.number !== 'number') throw fail(`${where}.number`, 'required number');
      if (s.transactional !== undefined && typeof s.transactional !== 'boolean') throw fail(`${where}.transactional`, 'must be true or false');
      if (!/^[0-9a-f]{64}$/.test(String(s.sha256))) throw fail(`${where}.sha256`, 'must be 64 lower-case hex digits');
    });
  }
  const manifest = m as unknown as PackageManifest;
  if (manifest.database) {
    manifest.database.scripts = manifest.database.scripts.map((s) => ({ ...s, transactional: s.transactional !== false }));
  }
  return manifest;
}

// The catalog of Altazion module keys (SPEC §2). The feed's module catalog is authoritative for
// kinds; this table is the fallback and the source of aliases (hook scripts may use short names).

export type ModuleKind = 'web' | 'service' | 'database';

export interface ModuleInfo {
  key: string;
  kind: ModuleKind;
  aliases: readonly string[];
  /** Human label, as the legacy portal showed it. */
  label: string;
}

export const KNOWN_MODULES: readonly ModuleInfo[] = [
  { key: 'gestioncommerciale', kind: 'web', aliases: ['gestcom'], label: 'Gestion commerciale' },
  { key: 'ecommerce', kind: 'web', aliases: [], label: 'E-commerce' },
  { key: 'phygitalapi', kind: 'web', aliases: ['phygital'], label: 'Phygital' },
  { key: 'integration', kind: 'web', aliases: [], label: 'Intégration' },
  { key: 'logistique', kind: 'service', aliases: [], label: 'Logistique' },
  { key: 'database', kind: 'database', aliases: ['db'], label: 'Base de données' },
];

export const MODULE_KINDS: readonly ModuleKind[] = ['web', 'service', 'database'];

/** Canonical key for a module name or alias, case-insensitive; unknown names are lower-cased as is. */
export function canonicalModuleName(name: string): string {
  const lower = name.trim().toLowerCase();
  const known = KNOWN_MODULES.find((m) => m.key === lower || m.aliases.includes(lower));
  return known ? known.key : lower;
}

/** Every name a module may be referred to by (its key and its aliases), lower-case. */
export function moduleNames(key: string): string[] {
  const known = KNOWN_MODULES.find((m) => m.key === canonicalModuleName(key));
  return known ? [known.key, ...known.aliases] : [key.toLowerCase()];
}

export function defaultKind(key: string): ModuleKind | undefined {
  return KNOWN_MODULES.find((m) => m.key === canonicalModuleName(key))?.kind;
}

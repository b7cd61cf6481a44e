// The fake Altazion modules a sandbox holds: a few files per version, enough for discovery,
// packaging, install and rollback to be exercised for real. Pure data.
import type { ModuleKind } from '../core/modules';

export interface SandboxModuleSpec {
  key: string;
  kind: ModuleKind;
  folder: string;
  /** IIS pool (web) or Windows service name (service). */
  pool?: string;
  service?: { name: string; displayName: string; exe: string };
  virtualPath?: string;
}

export const SANDBOX_MODULES: readonly SandboxModuleSpec[] = [
  { key: 'gestioncommerciale', kind: 'web', folder: 'gestcom', pool: 'gestcom', virtualPath: '/gestcom' },
  { key: 'ecommerce', kind: 'web', folder: 'ecommerce', pool: 'ecommerce', virtualPath: '/' },
  { key: 'logistique', kind: 'service', folder: 'logistique', service: { name: 'AltazionLogistique', displayName: 'Altazion - Logistique', exe: 'Altazion.Logistique.exe' } },
  { key: 'database', kind: 'database', folder: 'database' },
];

export const DEFAULT_SANDBOX_MODULES = SANDBOX_MODULES.map((m) => m.key);

export const SANDBOX_OLD_VERSION = '25.9.12.3';
export const SANDBOX_NEW_VERSION = '25.10.1.2';

/** Files of a web or service module at a version (path relative to the module folder -> content). */
export function moduleFiles(spec: SandboxModuleSpec, version: string): Record<string, string> {
  const title = `${spec.key} ${version}`;
  if (spec.kind === 'web') {
    return {
      'web.config': `<?xml version="1.0" encoding="utf-8"?>\n<configuration>\n  <appSettings><add key="version" value="${version}" /></appSettings>\n</configuration>\n`,
      'default.htm': `<!doctype html><title>${title}</title><h1>${title}</h1>\n`,
      [`bin/Altazion.${spec.folder}.dll`]: `fake assembly ${title}\n`,
      'bin/Altazion.Core.dll': `fake core assembly ${version}\n`,
      'content/site.css': `/* ${title} */ body { font-family: sans-serif; }\n`,
    };
  }
  if (spec.kind === 'service') {
    return {
      [spec.service!.exe]: `fake service binary ${title}\n`,
      [`${spec.service!.exe}.config`]: `<?xml version="1.0"?>\n<configuration><appSettings><add key="version" value="${version}" /></appSettings></configuration>\n`,
      'Altazion.Core.dll': `fake core assembly ${version}\n`,
    };
  }
  return {};
}

/** The customer's own e.config, which must survive every update (SPEC §2). */
export function customerConfig(spec: SandboxModuleSpec): string {
  return `<?xml version="1.0" encoding="utf-8"?>\n<e rootFolder="D:\\\\data\\\\${spec.folder}" customer="Sandbox SARL" />\n`;
}

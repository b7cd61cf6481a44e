// bin\config\applicationspath.config: the module instances installed on this server (SPEC §4).
import { canonicalModuleName, MODULE_KINDS, type ModuleKind } from '../core/modules';
import { configError } from '../core/errors';
import { attr, children, parseXml, requiredAttr, rootElement } from './xml';

export interface ApplicationEntry {
  /** Canonical module key (aliases resolved). */
  name: string;
  /** Instance name; '' for the main instance. */
  instance: string;
  path: string;
  kind?: ModuleKind;
  appPool?: string;
  serviceName?: string;
  site?: string;
}

export function parseApplicationsConfig(input: Uint8Array | string, file: string): ApplicationEntry[] {
  const root = rootElement(parseXml(input, file), 'applications', file);
  const entries: ApplicationEntry[] = [];
  children(root, 'application').forEach((element, index) => {
    const where = `<application> #${index + 1}`;
    const name = canonicalModuleName(requiredAttr(element, 'name', file, where));
    const entry: ApplicationEntry = {
      name,
      instance: (attr(element, 'instance') ?? '').trim(),
      path: requiredAttr(element, 'path', file, `${where} (${name})`),
    };
    const kind = attr(element, 'kind')?.trim().toLowerCase();
    if (kind) {
      if (!(MODULE_KINDS as readonly string[]).includes(kind)) {
        throw configError(file, `${where} (${name}) @kind`, `"${kind}" is not one of ${MODULE_KINDS.join(', ')}`);
      }
      entry.kind = kind as ModuleKind;
    }
    const appPool = attr(element, 'apppool')?.trim();
    if (appPool) entry.appPool = appPool;
    const serviceName = attr(element, 'servicename')?.trim();
    if (serviceName) entry.serviceName = serviceName;
    const site = attr(element, 'site')?.trim();
    if (site) entry.site = site;
    const duplicate = entries.find((e) => e.name === entry.name && e.instance.toLowerCase() === entry.instance.toLowerCase());
    if (duplicate) {
      throw configError(file, `${where} (${name})`, `instance "${entry.instance || '(default)'}" of ${name} is declared twice`, 'give each copy of a module its own instance="..." attribute');
    }
    // Read by the CLI, the cmdlets and the SYSTEM service from different current folders: only an
    // absolute path (drive, UNC or /) means the same folder to all of them.
    if (!/^([a-z]:[\\/]|[\\/])/i.test(entry.path)) {
      throw configError(file, `${where} (${name}) @path`, `"${entry.path}" is not an absolute path (e.g. D:\\simplement-e\\app\\${name}\\)`);
    }
    entries.push(entry);
  });
  return entries;
}

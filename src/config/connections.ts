// bin\config\cpointsoftware.config: database connections (SPEC §2). The default connection is the
// one marked default='true', else the one named Equihira (the main database).
import { configError } from '../core/errors';
import { attr, children, parseBooleanAttr, parseXml, requiredAttr, type XmlElement } from './xml';

export interface ConnectionEntry {
  name: string;
  isDefault: boolean;
  connectionString: string;
}

function findConnections(element: XmlElement, depth = 0): XmlElement[] {
  // The element may sit directly under the root or inside a <connections> wrapper.
  const direct = children(element, 'connection');
  if (direct.length > 0 || depth > 3) return direct;
  return Object.entries(element)
    .filter(([key, value]) => !key.startsWith('@_') && !key.startsWith('#') && typeof value === 'object')
    .flatMap(([key]) => children(element, key).flatMap((child) => findConnections(child, depth + 1)));
}

export function parseConnectionsConfig(input: Uint8Array | string, file: string): ConnectionEntry[] {
  const doc = parseXml(input, file);
  return findConnections(doc).map((element, index) => {
    const where = `<Connection> #${index + 1}`;
    return {
      name: requiredAttr(element, 'name', file, where),
      isDefault: parseBooleanAttr(attr(element, 'default'), file, `${where} @default`, false),
      connectionString: requiredAttr(element, 'connectionstring', file, where),
    };
  });
}

export function defaultConnection(entries: readonly ConnectionEntry[], file: string): ConnectionEntry {
  const chosen = entries.find((e) => e.isDefault) ?? entries.find((e) => e.name.toLowerCase() === 'equihira');
  if (!chosen) throw configError(file, '<Connection default="true">', 'no default connection (and none named Equihira)');
  return chosen;
}

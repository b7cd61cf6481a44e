// Tolerant XML reading for the instance files (SPEC §2): UTF-8 with or without BOM, UTF-16 with
// BOM, element and attribute names case-insensitive (everything is lower-cased on the way in).
import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import { configError } from '../core/errors';

export function decodeText(bytes: Uint8Array): string {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return new TextDecoder('utf-8').decode(bytes.subarray(3));
  // No BOM: an ASCII first character next to a zero byte is UTF-16 (XML 1.0 appendix F); UTF-8 never has it.
  if (bytes.length >= 2 && bytes[0] !== 0 && bytes[0] < 0x80 && bytes[1] === 0) return new TextDecoder('utf-16le').decode(bytes);
  if (bytes.length >= 2 && bytes[0] === 0 && bytes[1] !== 0 && bytes[1] < 0x80) return new TextDecoder('utf-16be').decode(bytes);
  return new TextDecoder('utf-8').decode(bytes);
}

export type XmlElement = { [name: string]: XmlNode | XmlNode[] | string | undefined };
type XmlNode = XmlElement | string;

const ATTR = '@_';

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: ATTR,
  transformTagName: (name: string) => name.toLowerCase(),
  transformAttributeName: (name: string) => name.toLowerCase(),
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: true,
  processEntities: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

/** Parses an XML document; a syntax error names the file and the line. */
export function parseXml(input: Uint8Array | string, file: string): XmlElement {
  const text = typeof input === 'string' ? input.replace(/^\uFEFF/, '') : decodeText(input);
  if (text.trim() === '') throw configError(file, '(document)', 'the file is empty');
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    throw configError(file, `line ${valid.err.line}`, `not well-formed XML: ${valid.err.msg}`);
  }
  return parser.parse(text) as XmlElement;
}

/** The single root element with the expected (lower-case) name. */
export function rootElement(doc: XmlElement, name: string, file: string): XmlElement {
  const root = doc[name];
  if (root === undefined) {
    const found = Object.keys(doc).filter((k) => !k.startsWith('#') && !k.startsWith('?'));
    throw configError(file, `<${name}>`, `root element missing${found.length ? ` (found <${found.join('>, <')}>)` : ''}`);
  }
  if (Array.isArray(root)) throw configError(file, `<${name}>`, 'more than one root element');
  return typeof root === 'string' ? {} : (root as XmlElement);
}

/** Child elements with that (lower-case) name, always as an array. */
export function children(element: XmlElement, name: string): XmlElement[] {
  const value = element[name];
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.map((node) => (typeof node === 'string' ? { '#text': node } : node));
}

export function attr(element: XmlElement, name: string): string | undefined {
  const value = element[ATTR + name.toLowerCase()];
  return typeof value === 'string' ? value : undefined;
}

/** Attribute or, failing that, child element text: admins write both forms. */
export function attrOrChild(element: XmlElement, name: string): string | undefined {
  const fromAttr = attr(element, name);
  if (fromAttr !== undefined) return fromAttr;
  const child = element[name.toLowerCase()];
  if (typeof child === 'string') return child;
  if (child && !Array.isArray(child) && typeof child === 'object' && typeof child['#text'] === 'string') return child['#text'] as string;
  return undefined;
}

export function requiredAttr(element: XmlElement, name: string, file: string, where: string): string {
  const value = attr(element, name);
  if (value === undefined || value.trim() === '') throw configError(file, `${where} @${name}`, 'required attribute is missing or empty');
  return value.trim();
}

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: ATTR, format: true, suppressEmptyNode: true, suppressBooleanAttributes: false });

/** Serialises an object in the parser's shape (attributes prefixed with `@_`) with a declaration. */
export function buildXml(doc: Record<string, unknown>): string {
  return '<?xml version="1.0" encoding="utf-8"?>\n' + builder.build(doc);
}

export function parseBooleanAttr(value: string | undefined, file: string, where: string, fallback: boolean): boolean {
  if (value === undefined || value.trim() === '') return fallback;
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'oui'].includes(v)) return true;
  if (['false', '0', 'no', 'non'].includes(v)) return false;
  throw configError(file, where, `"${value}" is not a boolean (true/false)`);
}

export function parseIntegerAttr(value: string | undefined, file: string, where: string, fallback: number, min = 0): number {
  if (value === undefined || value.trim() === '') return fallback;
  if (!/^\d+$/.test(value.trim())) throw configError(file, where, `"${value}" is not a whole number`);
  const n = Number.parseInt(value.trim(), 10);
  if (n < min) throw configError(file, where, `${n} is below the minimum ${min}`);
  return n;
}

/**
 * The names a file may hold, element by element, spelled as the documentation spells them (they
 * are compared case-insensitively): what `unknownNames` compares a document with.
 */
export interface XmlSchema {
  attributes?: readonly string[];
  children?: Readonly<Record<string, XmlSchema>>;
}

/** An element or attribute the schema does not know: a typo, or a setting of a newer version. */
export interface UnknownName {
  /** The elements it sits in, below the root: `<install>`, `<maintenance><window>`, '' for the root. */
  where: string;
  kind: 'element' | 'attribute';
  /** As written in the file (case kept). */
  name: string;
  /** The closest known name at that place, when one is close enough to be what was meant. */
  suggestion?: string;
  /** The suggestion is an attribute of the same element: a setting written as a child element. */
  suggestionIsAttribute?: boolean;
}

/**
 * Every element and attribute of `element` (and below) that `schema` does not name, in document
 * order, once per place and name (pure). `text` is the document's text: it gives back the spelling
 * the parser lower-cased. Namespace declarations and prefixed names (xmlns, xsi:...) are not settings.
 */
export function unknownNames(element: XmlElement, schema: XmlSchema, where: string, text: string): UnknownName[] {
  const found: UnknownName[] = [];
  const seen = new Set<string>();
  const add = (item: UnknownName) => {
    const key = unknownNameKey(item);
    if (!seen.has(key)) { seen.add(key); found.push(item); }
  };
  const walk = (el: XmlElement, sc: XmlSchema, at: string) => {
    const attributes = sc.attributes ?? [];
    const childNames = Object.keys(sc.children ?? {});
    // Attributes first (the parser lists them after the child elements).
    const keys = Object.keys(el);
    for (const key of [...keys.filter((k) => k.startsWith(ATTR)), ...keys.filter((k) => !k.startsWith(ATTR))]) {
      if (key.startsWith('#')) continue;
      if (key.startsWith(ATTR)) {
        const name = key.slice(ATTR.length);
        if (name === 'xmlns' || name.includes(':') || attributes.some((a) => a.toLowerCase() === name)) continue;
        add({ where: at, kind: 'attribute', name: writtenName(text, 'attribute', name), ...suggest(name, attributes) });
        continue;
      }
      if (key.includes(':')) continue;
      const known = childNames.find((c) => c.toLowerCase() === key);
      if (known === undefined) {
        // <install><keepBackups>3</keepBackups></install>: the setting exists, as an attribute.
        const asAttribute = attributes.find((a) => a.toLowerCase() === key);
        const suggestion = asAttribute === undefined ? suggest(key, childNames) : { suggestion: asAttribute, suggestionIsAttribute: true };
        add({ where: at, kind: 'element', name: writtenName(text, 'element', key), ...suggestion });
        continue;
      }
      for (const child of children(el, key)) walk(child, sc.children![known]!, `${at}<${known}>`);
    }
  };
  walk(element, schema, where);
  return found;
}

/** One key per place and name (case-insensitive): what is listed, and warned about, once. */
export function unknownNameKey(item: Pick<UnknownName, 'where' | 'kind' | 'name'>): string {
  return `${item.where}|${item.kind}|${item.name.toLowerCase()}`;
}

function suggest(name: string, known: readonly string[]): { suggestion?: string } {
  const best = closestName(name, known);
  return best === undefined ? {} : { suggestion: best };
}

/** The known name nearest to `name` (edit distance, case-insensitive) when it is near enough to be a typo. */
export function closestName(name: string, known: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) { best = candidate; bestDistance = distance; }
  }
  // A third of the name (at least 1, at most 3 edits): keepBackup → keepBackups, chek → check; not color → port.
  const allowed = Math.min(3, Math.max(1, Math.floor(lower.length / 3)));
  return bestDistance <= allowed ? best : undefined;
}

/** Levenshtein distance with adjacent transpositions (a swapped pair of letters is one typo). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** The spelling of a (lower-cased) name as the file writes it: its first occurrence, else the name. */
function writtenName(text: string, kind: 'element' | 'attribute', lower: string): string {
  const escaped = lower.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = kind === 'element' ? new RegExp(`<(${escaped})(?=[\\s/>])`, 'i') : new RegExp(`\\s(${escaped})\\s*=`, 'i');
  return pattern.exec(text)?.[1] ?? lower;
}

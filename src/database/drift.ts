// Drift (SPEC §7): the live catalog against the baseline of the installed version. Modified and
// Missing standard objects mean the database was customised ("dénormalisée") and must not be
// updated automatically; Extra objects are the customer's own and are allowed.
import { displayName, keyOf, type Baseline, type Catalog, type ObjectType } from './catalog';
import { columnLine, fingerprintObject, rawTableText, sha256Hex, tableParts } from './normalize';
import { messageList, msg, type Message } from '../core/messages';
import { compareTextIgnoringCase } from '../core/text-order';

export type DriftState = 'Modified' | 'Missing' | 'Extra';

export interface DriftItem {
  /** `E.clients` (`schema E`, `(database)`) */
  object: string;
  type: ObjectType | 'database';
  state: DriftState;
  /** How it differs, as a message (English: textOf; the portal words it in French). */
  detail: Message | string;
}

export interface DriftReport {
  baselineVersion: string;
  modified: DriftItem[];
  missing: DriftItem[];
  extra: DriftItem[];
  /** No Modified or Missing standard object. */
  standard: boolean;
  /** Lower-cased keys (`e.clients`) of the Modified and Missing objects. */
  customizedKeys: Set<string>;
  /** Lower-cased keys of the Extra objects (customer objects). */
  extraKeys: Set<string>;
}

export interface DriftOptions {
  /** Object keys never reported (e.g. the journal table itself). */
  ignore?: readonly string[];
  /**
   * Another standard state the database may legitimately be in: the target release's baseline,
   * when some of its scripts already ran (one by one). An object matching it is not drift; a
   * standard object it no longer has is not Missing; an object it creates is not Extra.
   */
  alsoStandard?: Baseline;
}

export function computeDrift(catalog: Catalog, baseline: Baseline, options: DriftOptions = {}): DriftReport {
  const ignore = new Set((options.ignore ?? []).map((k) => k.toLowerCase()));
  const live = new Map<string, Catalog['objects'][number]>();
  for (const o of catalog.objects) live.set(keyOf(o), o);
  const modified: DriftItem[] = [];
  const missing: DriftItem[] = [];
  const extra: DriftItem[] = [];
  const seen = new Set<string>();
  const target = new Map<string, Baseline['objects'][number]>();
  for (const t of options.alsoStandard?.objects ?? []) target.set(keyOf(t), t);
  const matchesTarget = (key: string, o: Catalog['objects'][number]) => {
    const t = target.get(key);
    return t !== undefined && t.type === o.type && t.fingerprint === fingerprintObject(o);
  };
  // The database's default collation: every string column, temp table and comparison follows it.
  if (baseline.collation && catalog.collation && baseline.collation.toLowerCase() !== catalog.collation.toLowerCase()) {
    modified.push({ object: '(database)', type: 'database', state: 'Modified', detail: msg('drift.collation', { current: catalog.collation, standard: baseline.collation }) });
  }
  for (const b of baseline.objects) {
    const key = keyOf(b);
    if (ignore.has(key)) continue;
    seen.add(key);
    const o = live.get(key);
    if (!o) {
      if (options.alsoStandard && !target.has(key)) continue; // the target release drops it
      missing.push({ object: displayName(b), type: b.type, state: 'Missing', detail: msg('drift.missing', { type: b.type }) });
      continue;
    }
    // Fast path: the very bytes the standard scripts wrote.
    if (b.rawSha256 && o.type === b.type && sha256Hex(typeof o.definition === 'string' ? o.definition : o.type === 'table' ? rawTableText(o) : '') === b.rawSha256) continue;
    const fingerprint = fingerprintObject(o);
    if (o.type === b.type && fingerprint === b.fingerprint) continue;
    const t = target.get(key);
    if (t && t.type === o.type && t.fingerprint === fingerprint) continue; // already in its target release's standard state
    modified.push({
      object: displayName(b), type: b.type, state: 'Modified',
      detail: o.type !== b.type ? msg('drift.typeChanged', { type: b.type, current: o.type }) : b.type === 'table' ? tableDifference(b.columns, b.parts, o) : msg('drift.definitionDiffers'),
    });
  }
  for (const [key, o] of live) {
    if (seen.has(key) || ignore.has(key) || matchesTarget(key, o)) continue;
    extra.push({ object: displayName(o), type: o.type, state: 'Extra', detail: msg('drift.extra', { type: o.type }) });
  }
  const byName = (a: DriftItem, b: DriftItem) => compareTextIgnoringCase(a.object, b.object);
  modified.sort(byName); missing.sort(byName); extra.sort(byName);
  return {
    baselineVersion: baseline.version,
    modified,
    missing,
    extra,
    standard: modified.length === 0 && missing.length === 0,
    customizedKeys: new Set([...modified, ...missing].filter((d) => d.type !== 'database').map((d) => d.object.toLowerCase())),
    extraKeys: new Set(extra.map((d) => d.object.toLowerCase())),
  };
}

/**
 * `columns added: x; removed: y; changed: z (nvarchar(50) null -> nvarchar(60) null); constraints or
 * indexes added: ...; removed: ...` when the baseline lists them.
 */
function tableDifference(standardLines: string[] | undefined, standardParts: string[] | undefined, live: Catalog['objects'][number]): Message | string {
  const partsNow = tableParts(live);
  const partsAdded = standardParts ? partsNow.filter((p) => !standardParts.includes(p)) : [];
  const partsRemoved = standardParts ? standardParts.filter((p) => !partsNow.includes(p)) : [];
  const partsText: Message[] = [
    ...(partsAdded.length ? [msg('drift.partsAdded', { parts: partsAdded.join('; ') })] : []),
    ...(partsRemoved.length ? [msg('drift.partsRemoved', { parts: partsRemoved.join('; ') })] : []),
  ];
  if (!standardLines) return partsText.length ? messageList(partsText) : msg('drift.tableDiffers');
  const split = (line: string) => { const space = line.indexOf(' '); return [line.slice(0, space), line.slice(space + 1)] as const; };
  const standard = new Map(standardLines.map(split));
  const current = new Map((live.columns ?? []).map(columnLine).map(split));
  const added = [...current.keys()].filter((k) => !standard.has(k));
  const removed = [...standard.keys()].filter((k) => !current.has(k));
  const changed = [...current].filter(([k, v]) => standard.has(k) && standard.get(k) !== v).map(([k, v]) => `${k} (${standard.get(k)} -> ${v})`);
  const all: Message[] = [
    ...(added.length ? [msg('drift.columnsAdded', { columns: added.join(', ') })] : []),
    ...(removed.length ? [msg('drift.columnsRemoved', { columns: removed.join(', ') })] : []),
    ...(changed.length ? [msg('drift.columnsChanged', { columns: changed.join(', ') })] : []),
    ...partsText,
  ];
  return all.length ? messageList(all) : msg('drift.tableDiffers');
}

export function driftItems(report: DriftReport): DriftItem[] {
  return [...report.modified, ...report.missing, ...report.extra];
}

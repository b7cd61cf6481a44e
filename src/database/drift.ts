// Drift (SPEC §7): the live catalog against the baseline of the installed version. Modified and
// Missing standard objects mean the database was customised ("dénormalisée") and must not be
// updated automatically; Extra objects are the customer's own and are allowed.
import { displayName, objectKey, type Baseline, type Catalog, type ObjectType } from './catalog';
import { fingerprintObject } from './normalize';

export type DriftState = 'Modified' | 'Missing' | 'Extra';

export interface DriftItem {
  /** `E.clients` */
  object: string;
  type: ObjectType;
  state: DriftState;
  detail: string;
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
}

export function computeDrift(catalog: Catalog, baseline: Baseline, options: DriftOptions = {}): DriftReport {
  const ignore = new Set((options.ignore ?? []).map((k) => k.toLowerCase()));
  const live = new Map<string, Catalog['objects'][number]>();
  for (const o of catalog.objects) live.set(objectKey(o.schema, o.name), o);
  const modified: DriftItem[] = [];
  const missing: DriftItem[] = [];
  const extra: DriftItem[] = [];
  const seen = new Set<string>();
  for (const b of baseline.objects) {
    const key = objectKey(b.schema, b.name);
    if (ignore.has(key)) continue;
    seen.add(key);
    const o = live.get(key);
    if (!o) {
      missing.push({ object: displayName(b), type: b.type, state: 'Missing', detail: `standard ${b.type} not found in the database` });
    } else if (o.type !== b.type) {
      modified.push({ object: displayName(b), type: b.type, state: 'Modified', detail: `standard ${b.type} is now a ${o.type}` });
    } else if (fingerprintObject(o) !== b.fingerprint) {
      modified.push({ object: displayName(b), type: b.type, state: 'Modified', detail: b.type === 'table' ? 'columns differ from the standard table' : 'definition differs from the standard one' });
    }
  }
  for (const [key, o] of live) {
    if (seen.has(key) || ignore.has(key)) continue;
    extra.push({ object: displayName(o), type: o.type, state: 'Extra', detail: `customer ${o.type} (not part of the standard schema)` });
  }
  const byName = (a: DriftItem, b: DriftItem) => a.object.toLowerCase().localeCompare(b.object.toLowerCase());
  modified.sort(byName); missing.sort(byName); extra.sort(byName);
  return {
    baselineVersion: baseline.version,
    modified,
    missing,
    extra,
    standard: modified.length === 0 && missing.length === 0,
    customizedKeys: new Set([...modified, ...missing].map((d) => d.object.toLowerCase())),
    extraKeys: new Set(extra.map((d) => d.object.toLowerCase())),
  };
}

export function driftItems(report: DriftReport): DriftItem[] {
  return [...report.modified, ...report.missing, ...report.extra];
}

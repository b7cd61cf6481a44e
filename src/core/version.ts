// Altazion versions: releases are `YY.N` (25.10), builds `YY.M.D.H` (25.5.28.7).
// Compared numerically part by part; a missing part counts as 0 (so 25.10 == 25.10.0.0).

import { AltazionError } from './errors';

export type Version = readonly number[];

const VERSION_RE = /^\d+(\.\d+){0,3}$/;

export function isVersion(text: string): boolean {
  return VERSION_RE.test(text.trim());
}

/** Parses `25.5.28.7`; returns undefined for anything that is not 1 to 4 numeric parts. */
export function parseVersion(text: string): Version | undefined {
  const trimmed = text.trim();
  if (!VERSION_RE.test(trimmed)) return undefined;
  return trimmed.split('.').map((part) => Number.parseInt(part, 10));
}

export function compareVersions(a: string | Version, b: string | Version): number {
  const left = typeof a === 'string' ? parseVersion(a) : a;
  const right = typeof b === 'string' ? parseVersion(b) : b;
  if (!left || !right) throw new TypeError(`not a version: ${!left ? String(a) : String(b)}`);
  const length = Math.max(left.length, right.length);
  for (let i = 0; i < length; i++) {
    const diff = (left[i] ?? 0) - (right[i] ?? 0);
    if (diff !== 0) return diff < 0 ? -1 : 1;
  }
  return 0;
}

export const versionLessThan = (a: string, b: string): boolean => compareVersions(a, b) < 0;

/** The highest of the given versions, or undefined for an empty list. */
export function maxVersion<T>(items: readonly T[], versionOf: (item: T) => string): T | undefined {
  let best: T | undefined;
  for (const item of items) {
    if (best === undefined || compareVersions(versionOf(item), versionOf(best)) > 0) best = item;
  }
  return best;
}

/** A `--version` argument that is not a version: refused before anything is touched (exit 2). */
export function checkVersionArgument(value: string | undefined, hint?: string): void {
  if (value === undefined || isVersion(value)) return;
  throw new AltazionError('E_USAGE', `--version: "${value}" is not a version (numbers separated by dots: a release like 25.10 or a build like 25.10.1.2)`, {
    target: value, ...(hint ? { hint } : {}),
  });
}

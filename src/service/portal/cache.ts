// A short-lived, shared answer for the module list: 200 pages or scripts polling /api/modules at
// once trigger one discovery, not 200 (each reads the configs, the host and every module folder).
// Results are at most `ttlMs` old; `invalidate()` after anything that changes them (install, check).

export interface Coalesced<T> {
  get(): Promise<T>;
  invalidate(): void;
}

export function coalesce<T>(load: () => Promise<T>, ttlMs: number, now: () => number = Date.now): Coalesced<T> {
  let entry: { value: Promise<T>; at: number; generation: number } | undefined;
  let generation = 0;
  return {
    get() {
      if (entry && now() - entry.at < ttlMs) return entry.value;
      const mine = { value: load(), at: now(), generation };
      entry = mine;
      // A failure is not cached: the next caller tries again.
      mine.value.catch(() => { if (entry === mine) entry = undefined; });
      return mine.value;
    },
    invalidate() {
      generation++;
      entry = undefined;
    },
  };
}

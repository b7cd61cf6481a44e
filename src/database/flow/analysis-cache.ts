// Where analyses are kept (see analysis.ts): what a snapshot holds, the in-memory cache of a
// long-running process (the portal) and the file a command leaves for the next one.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../../io/files';
import type { Message } from '../../core/messages';
import type { DatabaseScriptEntry } from '../../core/package-manifest';
import type { DriftReport } from '../drift';
import type { ScriptImpact } from '../impact';
import type { JournalRow } from '../journal-sql';

/** Bumped when what a snapshot holds or how it is computed changes: older snapshots are ignored. */
export const SNAPSHOT_FORMAT = 6;

/** What an analysis found, without the store or the package (serialisable). */
export interface AnalysisSnapshot {
  format: number;
  key: string;
  server: string;
  packageVersion?: string;
  scripts: DatabaseScriptEntry[];
  journal: JournalRow[];
  installedVersion?: string;
  drift?: Omit<DriftReport, 'customizedKeys' | 'extraKeys'>;
  driftUnknownReason?: Message | string;
  impacts: Record<string, ScriptImpact>;
  /** Unified diffs standard -> current of the Modified and Missing objects (by object name). */
  diffs: Record<string, string>;
}

/**
 * Where snapshots are kept between commands and requests. A `get` that misses is followed by the
 * analysis, its `set` when it succeeded, and `settle` in every case (analysis.ts does both).
 */
export interface AnalysisCache {
  get(key: string): Promise<AnalysisSnapshot | undefined>;
  set(snapshot: AnalysisSnapshot): Promise<void>;
  /** The analysis that followed a miss of `key` is over (kept or failed). */
  settle?(key: string): void;
  /** Full analyses run through this cache (tests and benchmarks count them). */
  analyses: number;
}

/**
 * In one process (the service: its portal's pages and its minute check): the latest snapshot, in
 * front of another cache (the disk). While one analysis of a key runs, another `get` of that key
 * waits for it instead of analysing too: one analysis per change, however many ask at once.
 */
export function memoryAnalysisCache(next?: AnalysisCache): AnalysisCache {
  let last: AnalysisSnapshot | undefined;
  const running = new Map<string, { done: Promise<void>; release: () => void }>();
  const cache: AnalysisCache = {
    analyses: 0,
    async get(key) {
      while (running.has(key) && last?.key !== key) await running.get(key)!.done;
      if (last?.key === key) return last;
      // Registered before any await: whoever asks next for this key waits for this caller.
      let release!: () => void;
      const done = new Promise<void>((resolve) => { release = resolve; });
      running.set(key, { done, release });
      const found = await next?.get(key).catch(() => undefined);
      if (!found) return undefined; // the caller analyses, then set() and settle()
      last = found;
      cache.settle!(key);
      return found;
    },
    async set(snapshot) {
      last = snapshot;
      cache.analyses++;
      await next?.set(snapshot);
    },
    settle(key) {
      const entry = running.get(key);
      running.delete(key);
      entry?.release();
    },
  };
  return cache;
}

/**
 * Between commands: one JSON file under bin\updates\database. Reading it is best effort (a damaged
 * or foreign file is ignored), and so is writing it (a non-administrator's `get` cannot write there).
 */
export function diskAnalysisCache(ctx: { layout: { updates: string } }): AnalysisCache {
  const file = path.join(ctx.layout.updates, 'database', 'analysis.json');
  const cache: AnalysisCache = {
    analyses: 0,
    async get(key) {
      const text = await fs.readFile(file, 'utf8').catch(() => undefined);
      if (!text) return undefined;
      try {
        const snapshot = JSON.parse(text) as AnalysisSnapshot;
        return snapshot.format === SNAPSHOT_FORMAT && snapshot.key === key ? snapshot : undefined;
      } catch {
        return undefined;
      }
    },
    async set(snapshot) {
      cache.analyses++;
      try {
        // Removes its temporary file on any failure (a full disk must not leave one behind).
        await writeFileAtomic(file, JSON.stringify(snapshot));
      } catch {
        // Only a cache: the next command analyses again.
      }
    },
  };
  return cache;
}


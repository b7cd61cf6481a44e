// The service's minute check of the database (database/flow/service-check.ts): what lets `get` show
// the database without loading the SQL Server driver. Logs only what changes (a failure, the
// recovery, a new analysis), not a line a minute.
export interface DatabaseWatchOptions {
  /** Whether there is a database module to check (applicationspath.config, read again each time). */
  hasDatabase: () => Promise<boolean>;
  /** One check: asks the database and leaves the result for `get`; throws when the database cannot be read. */
  check: () => Promise<{ analysed: boolean; status: string }>;
  intervalMs: number;
  /** Waits `ms` or until the signal aborts (resolves either way). */
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  log: (level: 'info' | 'warning', message: string) => void;
}

export async function watchDatabase(options: DatabaseWatchOptions, signal: AbortSignal): Promise<void> {
  let failing = false;
  while (!signal.aborted) {
    if (await options.hasDatabase().catch(() => false)) {
      try {
        const { analysed, status } = await options.check();
        if (failing) options.log('info', `database check: the database answers again (${status})`);
        else if (analysed) options.log('info', `database check: the database changed, analysed again (${status})`);
        failing = false;
      } catch (error) {
        if (!failing) options.log('warning', `database check failed (\`get\` asks the database itself until it works again): ${(error as Error).message}`);
        failing = true;
      }
    }
    await options.sleep(options.intervalMs, signal);
  }
}

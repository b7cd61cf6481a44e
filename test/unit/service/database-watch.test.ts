// The service's minute check of the database: checks at start and then every interval, only where a
// database module is declared, and logs what changes (a failure once, the recovery, a new analysis).
import { expect } from 'chai';
import { watchDatabase } from '../../../src/service/database-watch';

type Outcome = { analysed: boolean; status: string } | Error;

async function runWatch(outcomes: Outcome[], hasDatabase: boolean[] = []) {
  const stop = new AbortController();
  const logs: string[] = [];
  const waits: number[] = [];
  let checks = 0;
  let round = 0;
  await watchDatabase({
    hasDatabase: async () => hasDatabase[round] ?? true,
    check: async () => {
      const outcome = outcomes[checks++]!;
      if (outcome instanceof Error) throw outcome;
      return outcome;
    },
    intervalMs: 60_000,
    sleep: async (ms) => {
      waits.push(ms);
      if (++round >= Math.max(outcomes.length, hasDatabase.length)) stop.abort();
    },
    log: (level, message) => logs.push(`${level}: ${message}`),
  }, stop.signal);
  return { logs, waits, checks };
}

describe('watchDatabase', () => {
  it('checks at once and then every interval, logging only a new analysis', async () => {
    const { logs, waits, checks } = await runWatch([{ analysed: true, status: 'UpdateAvailable' }, { analysed: false, status: 'UpdateAvailable' }, { analysed: false, status: 'UpdateAvailable' }]);
    expect(checks).to.equal(3);
    expect(waits).to.deep.equal([60_000, 60_000, 60_000]);
    expect(logs).to.deep.equal(['info: database check: the database changed, analysed again (UpdateAvailable)']);
  });

  it('logs a failure once while it lasts, then the recovery', async () => {
    const down = new Error('ECONNREFUSED sql01:1433');
    const { logs, checks } = await runWatch([down, down, down, { analysed: false, status: 'UpToDate' }, { analysed: false, status: 'UpToDate' }]);
    expect(checks).to.equal(5);
    expect(logs).to.deep.equal([
      'warning: database check failed (`get` asks the database itself until it works again): ECONNREFUSED sql01:1433',
      'info: database check: the database answers again (UpToDate)',
    ]);
  });

  it('does not check while no database module is declared', async () => {
    const { checks, waits } = await runWatch([{ analysed: false, status: 'UpToDate' }], [false, false, true]);
    expect(checks).to.equal(1);
    expect(waits).to.have.length(3);
  });
});

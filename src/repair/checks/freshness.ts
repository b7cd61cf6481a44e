// `freshness`: the versions status.xml detected against the verified feed. When the publisher's
// latest is more than a day old and status.xml is behind (or missing), run a check now instead of
// waiting for the service (seed: "Aucune version n'est disponible").
import { msg, type Message } from '../../core/messages';
import { runCheck } from '../../check/run-check';
import { maxVersion } from '../../core/version';
import { readStatus } from '../../discovery/updates';
import type { RepairResultRecord } from '../../core/records';
import { judgeFreshness, type PublishedLatest } from '../decisions';
import { errorParam, result, type RepairCheck } from '../types';
import { compareText } from '../../core/text-order';

export const freshnessCheck: RepairCheck = {
  id: 'freshness',
  describe: 'status.xml knows the latest published versions (runs a check when it is behind a release over a day old)',
  async run(ctx, options) {
    let published: PublishedLatest[];
    try {
      const { index } = await ctx.facts.feed();
      published = Object.entries(index.modules).flatMap(([name, entry]) => {
        const latest = maxVersion(entry.releases, (r) => r.version);
        return latest ? [{ name, version: latest.version, publishedAt: latest.publishedAt }] : [];
      }).sort((a, b) => compareText(a.name, b.name));
    } catch (error) {
      return [result('freshness', ctx.layout.statusXml, 'Skipped', msg('repair.freshness.noFeed', { error: errorParam(error) }), msg('repair.seeCheck', { check: 'feed' }))];
    }
    const status = await readStatus(ctx.layout.statusXml).catch(() => undefined);
    const verdicts = judgeFreshness(published, status?.modules, ctx.now());
    const stale = verdicts.filter((v) => v.state === 'stale');
    const records: RepairResultRecord[] = [];
    for (const v of verdicts) {
      if (v.state === 'current') continue;
      if (v.state === 'recent') {
        records.push(result('freshness', v.name, 'Ok', msg('repair.freshness.recent', { version: v.version, hours: v.ageHours, detected: v.detected ?? msg('repair.freshness.nothing') })));
      }
    }
    if (stale.length === 0) {
      if (records.length === 0) records.push(result('freshness', ctx.layout.statusXml, 'Ok', msg('repair.freshness.current', { versions: published.map((p) => `${p.name} ${p.version}`).join(', ') || msg('repair.freshness.noneListed') })));
      return records;
    }
    const behind = (v: (typeof stale)[number]) => msg('repair.freshness.behind', { detected: v.detected ?? msg(status ? 'repair.freshness.noEntry' : 'repair.freshness.noStatus'), version: v.version, hours: v.ageHours });
    if (!options.fix) {
      for (const v of stale) records.push(result('freshness', v.name, 'WouldFix', behind(v), msg('repair.freshness.runCheck')));
      return records;
    }
    let failure: Message | string | undefined;
    try {
      await runCheck(ctx, { report: false });
    } catch (error) {
      failure = errorParam(error); // packages that failed to download; status.xml may still be written
    }
    const after = await readStatus(ctx.layout.statusXml).catch(() => undefined);
    const now = judgeFreshness(published, after?.modules, ctx.now());
    for (const v of stale) {
      const fixed = now.find((n) => n.name === v.name)?.state === 'current';
      records.push(fixed
        ? result('freshness', v.name, 'Fixed', behind(v), msg('repair.freshness.ranCheck', { version: v.version }))
        : result('freshness', v.name, 'Failed', failure ? msg('repair.freshness.notBroughtError', { behind: behind(v), error: failure }) : msg('repair.freshness.notBrought', { behind: behind(v) }), msg('repair.freshness.checkVerbose')));
    }
    if (failure && records.every((r) => r.Status !== 'Failed')) {
      records.push(result('freshness', ctx.layout.statusXml, 'Warning', msg('repair.freshness.withErrors', { error: failure }), msg('repair.freshness.verboseAction')));
    }
    return records;
  },
};

// `freshness`: the versions status.xml detected against the verified feed. When the publisher's
// latest is more than a day old and status.xml is behind (or missing), run a check now instead of
// waiting for the service (seed: "Aucune version n'est disponible").
import { runCheck } from '../../check/run-check';
import { maxVersion } from '../../core/version';
import { readStatus } from '../../discovery/updates';
import type { RepairResultRecord } from '../../core/records';
import { judgeFreshness, type PublishedLatest } from '../decisions';
import { errorText, result, type RepairCheck } from '../types';
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
      return [result('freshness', ctx.layout.statusXml, 'Skipped', `the feed cannot be read, so freshness cannot be judged: ${errorText(error)}`, 'see check feed')];
    }
    const status = await readStatus(ctx.layout.statusXml).catch(() => undefined);
    const verdicts = judgeFreshness(published, status?.modules, ctx.now());
    const stale = verdicts.filter((v) => v.state === 'stale');
    const records: RepairResultRecord[] = [];
    for (const v of verdicts) {
      if (v.state === 'current') continue;
      if (v.state === 'recent') {
        records.push(result('freshness', v.name, 'Ok', `${v.version} published less than a day ago (${v.ageHours} h); status.xml has ${v.detected ?? 'nothing'}: the service picks it up at its next check`));
      }
    }
    if (stale.length === 0) {
      if (records.length === 0) records.push(result('freshness', ctx.layout.statusXml, 'Ok', `status.xml knows the latest version of every module (${published.map((p) => `${p.name} ${p.version}`).join(', ') || 'the feed lists none'})`));
      return records;
    }
    const behind = (v: (typeof stale)[number]) => `status.xml has ${v.detected ?? (status ? 'no entry' : 'no status.xml')}, the feed has ${v.version} published ${v.ageHours} h ago`;
    if (!options.fix) {
      for (const v of stale) records.push(result('freshness', v.name, 'WouldFix', behind(v), 'run a check now (altazion-update check)'));
      return records;
    }
    let failure: string | undefined;
    try {
      await runCheck(ctx, { report: false });
    } catch (error) {
      failure = errorText(error); // packages that failed to download; status.xml may still be written
    }
    const after = await readStatus(ctx.layout.statusXml).catch(() => undefined);
    const now = judgeFreshness(published, after?.modules, ctx.now());
    for (const v of stale) {
      const fixed = now.find((n) => n.name === v.name)?.state === 'current';
      records.push(fixed
        ? result('freshness', v.name, 'Fixed', behind(v), `ran a check: status.xml now has ${v.version}`)
        : result('freshness', v.name, 'Failed', `${behind(v)}; the check did not bring it${failure ? `: ${failure}` : ''}`, 'see check feed; then altazion-update check --verbose'));
    }
    if (failure && records.every((r) => r.Status !== 'Failed')) {
      records.push(result('freshness', ctx.layout.statusXml, 'Warning', `the check completed with errors: ${failure}`, 'altazion-update check --verbose'));
    }
    return records;
  },
};

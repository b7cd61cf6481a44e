// The texts a DBA reads (pure): the customisation report, the header of an exported script and
// the report.txt beside the exports.
import { textOf } from '../../core/messages';
import type { PlannedScript } from '../plan';
import type { DatabaseAnalysis } from './analysis';
import { verdictOf } from './records';

export function describeImpact(p: PlannedScript): string {
  return p.impact?.objectNames.length ? `touches ${p.impact.objectNames.join(', ')}` : 'no object found by analysis';
}

/** Human report of a manual situation: drift, then each pending script with what it touches. */
export function manualReport(a: DatabaseAnalysis): string[] {
  const lines: string[] = [];
  if (a.drift) {
    for (const d of [...a.drift.modified, ...a.drift.missing]) lines.push(`${d.state}: ${d.object} (${d.type}) - ${d.detail}`);
    if (a.drift.extra.length) lines.push(`Extra (customer objects, allowed): ${a.drift.extra.map((d) => d.object).join(', ')}`);
  } else if (a.driftUnknownReason) {
    lines.push(textOf(a.driftUnknownReason));
  }
  for (const p of a.plan?.pending ?? []) {
    const impact = p.impact;
    const touches = impact?.objectNames.length ? impact.objectNames.join(', ') : 'no object found by analysis';
    const custom = impact?.customized.length ? ` - CUSTOMISED: ${impact.customized.join(', ')}` : '';
    lines.push(`Script ${p.entry.id} "${p.entry.name}": ${touches}${custom}${impact?.dynamicSql ? ' - runs dynamic SQL (read it)' : ''}${p.entry.transactional ? '' : ' - not transactional'}`);
  }
  return lines;
}

/** The comment block at the top of an exported script. */
export function exportedScriptHeader(p: PlannedScript): string {
  return `-- ${p.entry.id} "${p.entry.name}" (release ${p.entry.version}, script n°${String(p.entry.number).padStart(4, '0')})\n` +
    `-- sha256 of the original: ${p.entry.sha256}${p.entry.transactional ? '' : '\n-- NOT transactional: run it alone'}\n` +
    `-- touches: ${p.impact?.objectNames.join(', ') || '(nothing found by analysis)'}${p.impact?.customized.length ? `\n-- CUSTOMISED objects: ${p.impact.customized.join(', ')}` : ''}\n` +
    `-- once run by hand: altazion-update install --name database --mark-applied ${p.entry.id}\n`;
}

/** report.txt beside exported scripts. */
export function exportReport(a: DatabaseAnalysis): string {
  const verdict = verdictOf(a);
  const action = textOf(verdict.Action);
  return [
    `Database ${a.store.description}`,
    `Installed version: ${a.installedVersion ?? '(none recorded)'}; package: ${a.packageVersion ?? '(none)'}`,
    `Status: ${verdict.Status} - ${textOf(verdict.Detail)}`,
    ...(action ? [`What to do: ${action}`] : []),
    '',
    ...manualReport(a),
    '',
  ].join('\r\n');
}

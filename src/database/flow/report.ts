// The texts a DBA reads (pure): the customisation report, the header of an exported script and
// the report.txt beside the exports. The report's lines are messages (install warnings reach the
// portal, which words them in French); the exported files are in English.
import { msg, textOf, type Message } from '../../core/messages';
import type { PlannedScript } from '../plan';
import type { DatabaseAnalysis } from './analysis';
import { verdictOf } from './records';

export function describeImpact(p: PlannedScript): Message {
  return p.impact?.objectNames.length ? msg('db.impact.touches', { objects: p.impact.objectNames.join(', ') }) : msg('db.impact.none');
}

/** `a - b - c` of the report lines, as one message. */
function dashed(first: Message | string, ...next: Message[]): Message | string {
  return next.reduce<Message | string>((all, m) => msg('db.report.and', { first: all, next: m }), first);
}

/** Report of a manual situation: drift, then each pending script with what it touches. */
export function manualReport(a: DatabaseAnalysis): Array<Message | string> {
  const lines: Array<Message | string> = [];
  if (a.drift) {
    for (const d of [...a.drift.modified, ...a.drift.missing]) {
      lines.push(msg('db.report.drift', { state: msg(`db.state.${d.state}`), object: d.object, type: d.type, detail: d.detail }));
    }
    if (a.drift.extra.length) lines.push(msg('db.report.extra', { objects: a.drift.extra.map((d) => d.object).join(', ') }));
  } else if (a.driftUnknownReason) {
    lines.push(a.driftUnknownReason);
  }
  for (const p of a.plan?.pending ?? []) {
    const impact = p.impact;
    const touches = impact?.objectNames.length ? impact.objectNames.join(', ') : msg('db.impact.none');
    const more: Message[] = [
      ...(impact?.customized.length ? [msg('db.report.customised', { objects: impact.customized.join(', ') })] : []),
      ...(impact?.dynamicSql ? [msg('db.report.dynamicSql')] : []),
      ...(p.entry.transactional ? [] : [msg('db.report.notTransactional')]),
    ];
    lines.push(dashed(msg('db.report.script', { id: p.entry.id, name: p.entry.name, touches }), ...more));
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
    ...manualReport(a).map(textOf),
    '',
  ].join('\r\n');
}

// The portal's HTML, rendered on the server (pure functions of the data): the pages work and read
// well before any script runs; /assets/app.js only adds the actions and live progress. Every value
// is escaped; no inline script or style (CSP default-src 'self').
import { CATALOGUES, messageParts, type Message, type MessageId, type MessageParams } from '../../core/messages';
import type { RepairResultRecord, UpdateRecord } from '../../core/records';
import { DEFAULT_NIGHT_TIME, type ScheduledInstall } from '../../schedule/plan';
import { MESSAGES, type Lang, type MessageKey, type Translator } from './i18n';
import type { DatabaseScriptView, DatabaseView, HistoryEntryView } from './types';

export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** JSON safe inside a <script type="application/json"> data block. */
export function jsonForHtml(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/**
 * A worded field of a record in the page's language: the message of its id and parameters when the
 * core gave one (data such as paths, versions or system error texts marked translate="no"), else
 * the text as it is.
 */
export function wordedHtml(lang: Lang, text: string, id?: string, params?: MessageParams): string {
  // A text the core gave without an id is English: said so (lang="en"), not passed off as French.
  if (!id || !(id in CATALOGUES.en)) return text ? `<span lang="en">${escapeHtml(text)}</span>` : '';
  return messageHtml({ id: id as MessageId, ...(params ? { params } : {}) }, lang);
}

export function messageHtml(message: Message, lang: Lang): string {
  return messageParts(message, lang).map((p) => (p.data ? `<span class="v" translate="no">${escapeHtml(p.text)}</span>` : escapeHtml(p.text))).join('');
}

export type PageId = 'modules' | 'database' | 'history' | 'health';
const NAV: Array<{ id: PageId; href: string; key: MessageKey }> = [
  { id: 'modules', href: '/', key: 'nav.modules' },
  { id: 'database', href: '/database', key: 'nav.database' },
  { id: 'history', href: '/history', key: 'nav.history' },
  { id: 'health', href: '/health', key: 'nav.health' },
];

export interface LayoutInput {
  lang: Lang;
  t: Translator;
  page: PageId;
  csrfToken: string;
  computerName: string;
  version: string;
  body: string;
  /** The administrator whose session cookie came with the request (undefined: read only). */
  signedInAs?: string;
}

/** Who is signed in, with a sign-out button; or how to sign in (actions are for administrators). */
function renderAuthBar(t: Translator, signedInAs: string | undefined): string {
  return signedInAs !== undefined
    ? `<div id="auth" class="auth signed-in"><span>${escapeHtml(t('auth.signedIn', { user: signedInAs }))}</span> <button type="button" id="sign-out">${escapeHtml(t('auth.signOut'))}</button></div>`
    : `<div id="auth" class="auth read-only"><span>${escapeHtml(t('auth.readOnly'))}</span></div>`;
}

export function renderLayout(input: LayoutInput): string {
  const { t } = input;
  const nav = NAV.map((item) => `<a href="${item.href}"${item.id === input.page ? ' class="active" aria-current="page"' : ''}>${escapeHtml(t(item.key))}</a>`).join('');
  return `<!DOCTYPE html>
<html lang="${input.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf-token" content="${escapeHtml(input.csrfToken)}">
<title>${escapeHtml(t('app.title'))} — ${escapeHtml(input.computerName)}</title>
<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/assets/style.css">
<script type="application/json" id="i18n">${jsonForHtml({ ui: MESSAGES[input.lang], core: CATALOGUES[input.lang], list: input.lang === 'fr' ? ' ; ' : '; ' })}</script>
<script src="/assets/app.js" defer></script>
</head>
<body data-page="${input.page}" data-signed-in="${input.signedInAs !== undefined}">
<header class="top">
<div class="brand"><span class="logo" aria-hidden="true">[e]</span><div><h1>${escapeHtml(t('app.title'))}</h1><p class="sub">${escapeHtml(t('app.subtitle', { computer: input.computerName }))}</p></div></div>
<nav>${nav}</nav>
</header>
<main>
${renderAuthBar(t, input.signedInAs)}
<section id="job" class="job" hidden aria-live="polite"></section>
${input.body}
</main>
<footer>${escapeHtml(t('footer.version', { version: input.version }))}</footer>
</body>
</html>`;
}

function statusBadge(t: Translator, status: string): string {
  return `<span class="badge s-${escapeHtml(status)}">${escapeHtml(t(`status.${status}` as MessageKey))}</span>`;
}

/** The module table (also served alone as /fragment/modules to refresh it after an install). */
/** The server's local time, as the admin reads it on the server's clock (schedules). */
export function formatLocal(iso: string, lang: Lang): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const p = (n: number) => String(n).padStart(2, '0');
  const day = lang === 'fr' ? `${p(date.getDate())}/${p(date.getMonth() + 1)}/${date.getFullYear()}` : `${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())}`;
  return `${day} ${p(date.getHours())}:${p(date.getMinutes())}`;
}

/** The plan that covers a module instance (the row shows it; the portal schedules no second one). */
export function scheduleFor(scheduled: readonly ScheduledInstall[], r: Pick<UpdateRecord, 'Name' | 'Instance'>): ScheduledInstall | undefined {
  return scheduled.find((e) => (e.Names.length === 0 || e.Names.includes(r.Name)) && (e.Instance === null || e.Instance.toLowerCase() === r.Instance.toLowerCase()));
}

export function renderModulesTable(t: Translator, records: readonly UpdateRecord[], applicationsConfig: string, lang: Lang, scheduled: readonly ScheduledInstall[] = []): string {
  if (records.length === 0) return `<p class="empty">${escapeHtml(t('modules.none', { file: applicationsConfig }))}</p>`;
  const rows = records.map((r) => {
    // An install running right now (from here, the command line or PowerShell): no button, its state.
    const installing = r.DetailId === 'update.installing';
    const installable = !installing && (r.UpdateAvailable || r.Status === 'ManualActionRequired');
    const planned = scheduleFor(scheduled, r);
    const later = !installable ? ''
      : planned
        ? `<div class="more scheduled">${escapeHtml(t(planned.State === 'Running' ? 'schedule.running' : 'schedule.planned', { date: formatLocal(planned.At, lang) }))}${planned.State === 'Pending' ? ` <button type="button" class="secondary small" data-cancel-schedule="${escapeHtml(planned.Id)}">${escapeHtml(t('button.cancel'))}</button>` : ''}</div>`
        : `<div class="more"><button type="button" class="secondary small" data-schedule="${escapeHtml(r.Name)}" data-instance="${escapeHtml(r.Instance)}">${escapeHtml(t('button.installTonight', { time: DEFAULT_NIGHT_TIME }))}</button></div>`;
    const button = (installable
      ? `<button type="button" class="install" data-install="${escapeHtml(r.Name)}" data-instance="${escapeHtml(r.Instance)}">${escapeHtml(t('button.install'))}</button>${later}`
      : '') + (r.Kind === 'database' && r.Status === 'ManualActionRequired' ? `<div class="more"><a href="/database">${escapeHtml(t('install.openDatabase'))}</a></div>` : '');
    return `<tr data-module="${escapeHtml(r.Name)}" data-instance="${escapeHtml(r.Instance)}">
<td class="name" translate="no">${escapeHtml(r.Name)}${r.Instance ? ` <span class="instance">[${escapeHtml(r.Instance)}]</span>` : ''}</td>
<td class="path" translate="no"><code>${escapeHtml(r.Path)}</code></td>
<td class="installed" translate="no">${escapeHtml(r.InstalledVersion)}</td>
<td class="available"><span translate="no">${r.AvailableVersion ? escapeHtml(r.AvailableVersion) : '—'}</span>${r.AvailableVersion && r.UpdateAvailable && !r.Downloaded ? ` <small>(${escapeHtml(t('modules.notDownloaded'))})</small>` : ''}</td>
<td class="status">${installing ? `<span class="badge s-Installing">${escapeHtml(t('status.Installing'))}</span>` : statusBadge(t, r.Status)}${r.Detail && !(r.Status === 'UpdateAvailable' && r.Downloaded && !installing) ? `<div class="detail">${wordedHtml(lang, r.Detail, r.DetailId, r.DetailParams)}</div>` : ''}</td>
<td class="action">${button}</td>
</tr>`;
  }).join('\n');
  const allUpToDate = records.every((r) => !r.UpdateAvailable && r.Status !== 'ManualActionRequired');
  return `${allUpToDate ? `<p class="ok-note">${escapeHtml(t('modules.allUpToDate'))}</p>` : ''}
<table class="grid modules">
<thead><tr><th>${escapeHtml(t('col.module'))}</th><th>${escapeHtml(t('col.path'))}</th><th>${escapeHtml(t('col.installed'))}</th><th>${escapeHtml(t('col.available'))}</th><th>${escapeHtml(t('col.status'))}</th><th><span class="sr">${escapeHtml(t('col.action'))}</span></th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`;
}

export function renderModulesPage(t: Translator, records: readonly UpdateRecord[], lastCheckedAt: string | undefined, applicationsConfig: string, lang: Lang, scheduled: readonly ScheduledInstall[] = []): string {
  const checked = lastCheckedAt
    ? t('modules.lastCheck', { date: formatDate(lastCheckedAt, lang) })
    : t('modules.neverChecked');
  return `<div class="toolbar"><p class="intro">${escapeHtml(t('modules.intro'))}</p>
<div class="check"><span id="last-check">${escapeHtml(checked)}</span> <button type="button" id="check-now" class="secondary">${escapeHtml(t('button.checkNow'))}</button></div></div>
<div id="modules">${renderModulesTable(t, records, applicationsConfig, lang, scheduled)}</div>`;
}

export function formatDate(iso: string, lang: Lang): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  // Fixed format (no locale data needed): 2026-11-24 07:35 UTC / 24/11/2026 07:35 UTC
  const p = (n: number) => String(n).padStart(2, '0');
  const d = lang === 'fr'
    ? `${p(date.getUTCDate())}/${p(date.getUTCMonth() + 1)}/${date.getUTCFullYear()}`
    : `${date.getUTCFullYear()}-${p(date.getUTCMonth() + 1)}-${p(date.getUTCDate())}`;
  return `${d} ${p(date.getUTCHours())}:${p(date.getUTCMinutes())} UTC`;
}

export function renderHistoryPage(t: Translator, entries: readonly HistoryEntryView[] | undefined, lang: Lang): string {
  if (entries === undefined) return `<p class="empty">${escapeHtml(t('error.generic', { message: 'history' }))}</p>`;
  if (entries.length === 0) return `<p class="intro">${escapeHtml(t('history.intro'))}</p><p class="empty">${escapeHtml(t('history.empty'))}</p>`;
  const rows = entries.map((e) => `<tr>
<td>${escapeHtml(formatDate(e.StartedAt, lang))}</td>
<td class="name" translate="no">${escapeHtml(e.Name)}${e.Instance ? ` <span class="instance">[${escapeHtml(e.Instance)}]</span>` : ''}</td>
<td translate="no">${escapeHtml(e.FromVersion)}</td>
<td translate="no">${escapeHtml(e.ToVersion)}</td>
<td><span class="badge r-${escapeHtml(e.Result)}">${escapeHtml(t(`result.${e.Result}` as MessageKey))}</span></td>
<td>${escapeHtml(t('seconds', { n: Math.round(e.DurationSeconds) }))}</td>
<td>${escapeHtml(t('seconds', { n: Math.round(e.DowntimeSeconds) }))}</td>
<td class="message">${wordedHtml(lang, e.Message, e.MessageId, e.MessageParams)}</td>
<td>${e.LogPath ? `<a href="/history/log?id=${encodeURIComponent(e.Id)}">${escapeHtml(t('button.viewLog'))}</a>` : ''}</td>
</tr>`).join('\n');
  return `<p class="intro">${escapeHtml(t('history.intro'))}</p>
<table class="grid history">
<thead><tr><th>${escapeHtml(t('col.date'))}</th><th>${escapeHtml(t('col.module'))}</th><th>${escapeHtml(t('col.from'))}</th><th>${escapeHtml(t('col.to'))}</th><th>${escapeHtml(t('col.result'))}</th><th>${escapeHtml(t('col.duration'))}</th><th>${escapeHtml(t('col.downtime'))}</th><th>${escapeHtml(t('col.message'))}</th><th>${escapeHtml(t('col.log'))}</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`;
}

export function renderHealthPage(t: Translator, results: readonly RepairResultRecord[] | undefined, failure?: string, lang: Lang = 'fr'): string {
  if (failure) return `<p class="intro">${escapeHtml(t('health.intro'))}</p><p class="error">${escapeHtml(t('health.failed', { message: failure }))}</p>`;
  if (results === undefined) return `<p class="empty">${escapeHtml(t('health.unavailable'))}</p>`;
  const rows = results.map((r) => `<tr>
<td translate="no">${escapeHtml(r.Check)}</td>
<td translate="no"><code>${escapeHtml(r.Target)}</code></td>
<td><span class="badge h-${escapeHtml(r.Status)}">${escapeHtml(t(`repair.${r.Status}` as MessageKey))}</span></td>
<td>${wordedHtml(lang, r.Detail, r.DetailId, r.DetailParams)}</td>
<td>${wordedHtml(lang, r.Action, r.ActionId, r.ActionParams)}</td>
</tr>`).join('\n');
  return `<p class="intro">${escapeHtml(t('health.intro'))}</p>
<table class="grid health">
<thead><tr><th>${escapeHtml(t('col.check'))}</th><th>${escapeHtml(t('col.target'))}</th><th>${escapeHtml(t('col.status'))}</th><th>${escapeHtml(t('col.detail'))}</th><th>${escapeHtml(t('col.fix'))}</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`;
}

export function renderDatabasePage(t: Translator, view: DatabaseView | undefined, failure?: string, lang: Lang = 'fr'): string {
  if (failure) return `<p class="error">${escapeHtml(t('error.generic', { message: failure }))}</p>`;
  if (view === undefined) return `<p class="empty">${escapeHtml(t('database.unavailable'))}</p>`;
  if (!view.installed) return `<p class="empty">${escapeHtml(t('database.notInstalled'))}</p>`;
  const list = (items: string[]) => items.length ? `<ul>${items.map((i) => `<li><code>${escapeHtml(i)}</code></li>`).join('')}</ul>` : '<p>—</p>';
  const drift = view.customized || view.drift.extra.length
    ? `<h2>${escapeHtml(t('database.drift'))}</h2>
<div class="drift">
<div><h3>${escapeHtml(t('database.modified'))} (${view.drift.modified.length})</h3>${list(view.drift.modified)}</div>
<div><h3>${escapeHtml(t('database.missing'))} (${view.drift.missing.length})</h3>${list(view.drift.missing)}</div>
<div><h3>${escapeHtml(t('database.extra'))} (${view.drift.extra.length})</h3>${list(view.drift.extra)}</div>
</div>`
    : '';
  const isPending = (s: DatabaseScriptView) => s.Status === 'Pending' || s.Status === 'Failed';
  const pending = view.scripts.filter(isPending);
  const done = view.scripts.filter((s) => !isPending(s));
  const article = (s: DatabaseScriptView) => {
    const actionable = (s.Status === 'Pending' || s.Status === 'Failed') && (view.manual ?? view.customized);
    return `<article class="script${s.TouchesCustomizedObjects ? ' touches' : ''}" data-script="${escapeHtml(s.Id)}">
<header><strong translate="no">${escapeHtml(s.Id)}</strong> <span translate="no">${escapeHtml(s.Name)}</span> <span class="badge c-${escapeHtml(s.Status)}">${escapeHtml(t(`script.${s.Status}` as MessageKey))}</span>
${s.TouchesCustomizedObjects ? `<span class="badge warn">${escapeHtml(t('database.customized'))}</span>` : ''}</header>
${s.Objects.length ? `<p class="objects">${escapeHtml(t('col.objects'))} : ${s.Objects.map((o) => `<code>${escapeHtml(o)}</code>`).join(', ')}</p>` : ''}
${s.Content !== undefined ? `<details><summary>${escapeHtml(t('button.showScript'))}</summary><pre class="sql">${escapeHtml(s.Content)}</pre></details>` : ''}
${actionable ? `<div class="actions"><button type="button" data-run-script="${escapeHtml(s.Id)}">${escapeHtml(t('button.runScript'))}</button> <button type="button" class="secondary" data-mark-applied="${escapeHtml(s.Id)}">${escapeHtml(t('button.markApplied'))}</button></div>` : ''}
</article>`;
  };
  const scripts = pending.length === 0 ? `<p class="empty">${escapeHtml(t('database.noPending'))}</p>` : pending.map(article).join('\n');
  const applied = done.length === 0 ? '' : `<details class="applied"><summary>${escapeHtml(t('database.applied'))} (${done.length})</summary>${done.map(article).join('\n')}</details>`;
  const manual = view.manual ?? view.customized;
  const diffs = Object.entries(view.diffs ?? {}).map(([object, diff]) => `<details class="diff"><summary><code>${escapeHtml(object)}</code></summary><pre class="sql">${escapeHtml(diff)}</pre></details>`).join('\n');
  return `<p class="intro">${escapeHtml(t(manual ? 'database.intro' : 'database.standard'))}</p>
${manual && view.detail ? `<p class="detail">${wordedHtml(lang, view.detail, view.detailId, view.detailParams)}</p>` : ''}
<p class="versions">${escapeHtml(t('col.installed'))} : <strong>${escapeHtml(view.installedVersion ?? '—')}</strong> · ${escapeHtml(t('col.available'))} : <strong>${escapeHtml(view.availableVersion ?? '—')}</strong></p>
${drift}
${diffs}
<h2>${escapeHtml(t('database.pending'))} (${pending.length})</h2>
<div id="scripts">${scripts}</div>
${applied}`;
}

// The portal's stylesheet, served as /assets/style.css (kept as a string module: everything is in
// the single executable, nothing is fetched from elsewhere).
export const STYLE_CSS = `
:root { --blue: #1d4f91; --blue-dark: #153a6b; --bg: #f4f6f9; --line: #d9dee6; --text: #1f2933; --muted: #5f6b7a;
  --ok: #1e7a3c; --warn: #a86400; --err: #b42318; font-family: "Segoe UI", system-ui, -apple-system, Roboto, Arial, sans-serif; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--text); font-size: 15px; }
header.top { background: var(--blue); color: #fff; display: flex; align-items: center; justify-content: space-between; padding: 10px 24px; flex-wrap: wrap; gap: 10px; }
.brand { display: flex; align-items: center; gap: 12px; }
.logo { background: #fff; color: var(--blue); font-weight: 700; border-radius: 6px; padding: 6px 8px; font-family: Consolas, monospace; }
h1 { font-size: 20px; margin: 0; font-weight: 600; }
.sub { margin: 2px 0 0; font-size: 13px; opacity: .85; }
nav { display: flex; gap: 4px; }
nav a { color: #fff; text-decoration: none; padding: 8px 14px; border-radius: 6px; }
nav a:hover { background: var(--blue-dark); }
nav a.active { background: #fff; color: var(--blue); font-weight: 600; }
main { max-width: 1200px; margin: 24px auto; padding: 0 24px; }
footer { max-width: 1200px; margin: 24px auto; padding: 0 24px; color: var(--muted); font-size: 12px; }
h2 { font-size: 17px; margin: 24px 0 8px; }
h3 { font-size: 14px; margin: 0 0 6px; }
.intro { color: var(--muted); margin: 0 0 12px; }
.toolbar { display: flex; justify-content: space-between; align-items: flex-start; gap: 16px; flex-wrap: wrap; }
.check { color: var(--muted); font-size: 13px; display: flex; gap: 8px; align-items: center; }
table.grid { width: 100%; border-collapse: collapse; background: #fff; border: 1px solid var(--line); border-radius: 8px; overflow: hidden; }
table.grid th { text-align: left; background: #eef1f5; font-weight: 600; font-size: 13px; color: var(--muted); padding: 10px 12px; border-bottom: 1px solid var(--line); }
table.grid td { padding: 10px 12px; border-bottom: 1px solid var(--line); vertical-align: top; }
table.grid tr:last-child td { border-bottom: 0; }
td.name { font-weight: 600; }
td.path code { font-size: 12px; color: var(--muted); word-break: break-all; }
td.action { text-align: right; white-space: nowrap; }
td.action .more { margin: 6px 0 0 auto; font-size: 13px; white-space: normal; max-width: 130px; }
td.path { min-width: 220px; }
.instance { color: var(--muted); font-weight: 400; }
.detail { font-size: 12px; color: var(--muted); margin-top: 4px; }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
button { font: inherit; background: var(--blue); color: #fff; border: 0; border-radius: 6px; padding: 7px 16px; cursor: pointer; }
button:hover { background: var(--blue-dark); }
button:disabled { background: #9aa5b4; cursor: default; }
button.secondary { background: #fff; color: var(--blue); border: 1px solid var(--blue); }
button.secondary:hover { background: #eef3fb; }
button.secondary:disabled { background: #fff; color: #9aa5b4; border-color: #c7cfda; }
.badge { display: inline-block; border-radius: 10px; padding: 2px 9px; font-size: 12px; font-weight: 600; background: #e7ebf0; color: var(--muted); }
.s-UpToDate, .r-Installed, .r-UpToDate, .h-Ok, .h-Fixed, .c-Applied, .c-AppliedManually { background: #e3f4e8; color: var(--ok); }
.s-UpdateAvailable, .h-WouldFix, .c-Pending { background: #e4edfa; color: var(--blue); }
.s-ManualActionRequired, .r-ManualActionRequired, .h-Warning, .warn { background: #fdf0dc; color: var(--warn); }
.s-Unknown, .s-NotInstalled, .h-Skipped, .r-WhatIf { background: #eceff3; color: var(--muted); }
.r-Failed, .r-RolledBack, .h-Failed, .c-Failed { background: #fde7e5; color: var(--err); }
.ok-note { background: #e3f4e8; color: var(--ok); border-radius: 8px; padding: 10px 14px; }
.empty { color: var(--muted); background: #fff; border: 1px dashed var(--line); border-radius: 8px; padding: 16px; }
.error { color: var(--err); background: #fde7e5; border-radius: 8px; padding: 10px 14px; }
.auth { display: flex; align-items: center; justify-content: space-between; gap: 12px; font-size: 13px; padding: 8px 12px; margin-bottom: 16px; border-radius: 8px; border: 1px solid var(--line); background: #fff; }
.auth.read-only { color: var(--muted); border-style: dashed; }
.job { background: #fff; border: 1px solid var(--line); border-left: 4px solid var(--blue); border-radius: 8px; padding: 12px 16px; margin-bottom: 16px; }
.job.done { border-left-color: var(--ok); }
.job.failed { border-left-color: var(--err); }
.job.manual { border-left-color: var(--warn); }
.job.manual .bar > div { background: var(--warn); }
.job h2 { margin: 0 0 8px; font-size: 16px; }
.job .bar { height: 10px; background: #e7ebf0; border-radius: 5px; overflow: hidden; margin: 6px 0; }
.job .bar > div { height: 100%; background: var(--blue); width: 0; transition: width .2s; }
.job .step { font-size: 13px; color: var(--muted); }
.job ol.log { font-family: Consolas, monospace; font-size: 12px; max-height: 180px; overflow: auto; background: #f7f8fa; border-radius: 6px; padding: 8px 8px 8px 28px; margin: 8px 0 0; }
.job ol.log:empty { display: none; }
.job ol.log li.warning { color: var(--warn); }
.job ol.log li.error { color: var(--err); }
.job ol.log li.hook { color: #3d4b5c; white-space: pre-wrap; }
button.small { padding: 3px 10px; font-size: 12px; }
.more.scheduled { color: var(--blue); }
.s-Installing { background: #e4edfa; color: var(--blue); }
.job .result { font-weight: 600; margin: 0 0 8px; font-size: 16px; }
.drift { display: grid; grid-template-columns: repeat(3, 1fr); gap: 12px; }
.drift > div { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px; }
.drift ul { margin: 0; padding-left: 18px; }
details.applied { margin-top: 16px; }
details.applied > summary { cursor: pointer; color: var(--muted); margin-bottom: 8px; }
article.script { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; margin-bottom: 10px; }
article.script.touches { border-left: 4px solid var(--warn); }
article.script header { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
.objects { font-size: 13px; color: var(--muted); margin: 6px 0; }
pre.sql { background: #1f2933; color: #e6edf3; padding: 12px; border-radius: 6px; overflow: auto; max-height: 320px; font-size: 12px; }
.actions { margin-top: 8px; display: flex; gap: 8px; }
.versions { margin: 0 0 8px; }
`;

export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#1d4f91"/><text x="16" y="21" font-family="monospace" font-size="13" font-weight="700" fill="#fff" text-anchor="middle">[e]</text></svg>`;

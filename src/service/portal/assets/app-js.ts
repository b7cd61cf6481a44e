// The portal's only script, served as /assets/app.js (CSP: no inline script). Plain ES2017, no
// framework: buttons post JSON with the CSRF token and the session key; an EventSource on
// /api/events shows the running job live (progress bar, log lines, result) and refreshes the module
// list when it ends. Signing in (auth.ts): the sign-in link lands on /#signin=<key>; the key goes
// to localStorage (kept per origin, port included) and leaves the address bar at once.
export const APP_JS = `(function () {
  'use strict';
  var tokenMeta = document.querySelector('meta[name="csrf-token"]');
  var token = tokenMeta ? tokenMeta.getAttribute('content') : '';
  var KEY_NAME = 'altazion-session-key';
  var store = null;
  try { store = window.localStorage; } catch (e) { store = null; }
  if (/^#signin=/.test(location.hash)) {
    if (store) store.setItem(KEY_NAME, location.hash.slice('#signin='.length));
    history.replaceState(null, '', location.pathname + location.search);
  }
  var sessionKey = store ? store.getItem(KEY_NAME) : null;
  var signedIn = document.body.getAttribute('data-signed-in') === 'true' && !!sessionKey;
  var i18n = {};
  try { i18n = JSON.parse(document.getElementById('i18n').textContent); } catch (e) { i18n = {}; }
  var page = document.body.getAttribute('data-page');
  var box = document.getElementById('job');
  var tracked = null;

  function t(key, params) {
    var s = i18n[key] || key;
    return s.replace(/\\{(\\w+)\\}/g, function (whole, name) { return params && name in params ? String(params[name]) : whole; });
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function post(url, body) {
    return fetch(url, {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': token, 'X-Session-Key': sessionKey || '' },
      body: JSON.stringify(body || {})
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) { return { status: r.status, data: data }; });
    });
  }
  function setBusy(busy) {
    var buttons = document.querySelectorAll('button[data-install], button[data-run-script], button[data-mark-applied], button#check-now');
    for (var i = 0; i < buttons.length; i++) {
      if (buttons[i].id === 'check-now' && busy) continue;
      buttons[i].disabled = busy || !signedIn;
      if (!signedIn) buttons[i].title = t('auth.required');
    }
  }
  function jobTitle(job) {
    var name = job.name + (job.instance ? ' [' + job.instance + ']' : '');
    if (job.kind === 'db-script') name += ' — ' + t('button.runScript') + ' ' + job.script;
    if (job.kind === 'db-mark-applied') name += ' — ' + t('button.markApplied') + ' ' + job.script;
    return name;
  }
  function ensureBox(job) {
    if (box.getAttribute('data-job') === job.id) return;
    box.setAttribute('data-job', job.id);
    box.textContent = '';
    box.appendChild(el('h2', 'title', t('install.running', { name: jobTitle(job) })));
    var bar = el('div', 'bar'); bar.appendChild(el('div', 'fill')); box.appendChild(bar);
    box.appendChild(el('div', 'step', ''));
    box.appendChild(el('ol', 'log'));
    box.hidden = false;
  }
  function showMessage(message) {
    if (!box.getAttribute('data-job')) return;
    var log = box.querySelector('ol.log');
    if (message.type === 'progress') {
      box.querySelector('.bar > div').style.width = Math.max(0, Math.min(100, message.percent)) + '%';
      box.querySelector('.step').textContent = message.activity + (message.status ? ' — ' + message.status : '') + ' (' + message.percent + ' %)';
    } else if (message.type === 'log' && message.level !== 'verbose') {
      log.appendChild(el('li', message.level, message.message));
      log.scrollTop = log.scrollHeight;
    } else if (message.type === 'error') {
      log.appendChild(el('li', 'error', message.code + ': ' + message.message));
      log.scrollTop = log.scrollHeight;
    }
  }
  function resultText(job) {
    if (job.state === 'failed') return t('install.failed', { name: jobTitle(job), message: job.error ? job.error.message : '' });
    var dbFailed = (job.results || []).some(function (r) { return r.Result === 'Failed' || r.Result === 'RolledBack'; });
    if (job.kind === 'db-script' && !dbFailed) return t('database.scriptRun', { id: job.script });
    if (job.kind === 'db-mark-applied' && !dbFailed) return t('database.scriptMarked', { id: job.script });
    var parts = (job.results || []).map(function (r) {
      var name = r.Name + (r.Instance ? ' [' + r.Instance + ']' : '');
      if (r.Result === 'Installed') return t('install.done', { name: name, version: r.ToVersion });
      if (r.Result === 'ManualActionRequired') return t('install.manual', { name: name });
      if (r.Result === 'Failed' || r.Result === 'RolledBack') return t('install.failed', { name: name, message: t('result.' + r.Result) + (r.Message ? ' — ' + r.Message : '') });
      return name + ' : ' + t('result.' + r.Result) + (r.Message ? ' — ' + r.Message : '');
    });
    return parts.join(' ') || t('check.done');
  }
  function refreshModules() {
    var target = document.getElementById('modules');
    if (!target) return Promise.resolve();
    return fetch('/fragment/modules', { credentials: 'same-origin' }).then(function (r) { return r.text(); }).then(function (html) {
      target.innerHTML = html;
      setBusy(false);
    });
  }
  function finishJob(job, live) {
    ensureBox(job);
    box.classList.remove('done', 'failed', 'manual');
    var failed = job.state === 'failed' || (job.results || []).some(function (r) { return r.Result === 'Failed' || r.Result === 'RolledBack'; });
    var manual = !failed && job.kind === 'install' && (job.results || []).some(function (r) { return r.Result === 'ManualActionRequired'; });
    box.classList.add(failed ? 'failed' : manual ? 'manual' : 'done');
    if (!failed) box.querySelector('.bar > div').style.width = '100%';
    var old = box.querySelector('.result');
    if (old) old.remove();
    var title = box.querySelector('h2.title');
    if (title) title.remove();
    var p = el('p', 'result', resultText(job));
    p.setAttribute('data-state', failed ? 'failed' : manual ? 'manual' : 'done');
    if (manual && page !== 'database') {
      var link = el('a', '', t('install.openDatabase'));
      link.setAttribute('href', '/database');
      p.appendChild(document.createTextNode(' '));
      p.appendChild(link);
    }
    box.insertBefore(p, box.querySelector('.bar'));
    setBusy(false);
    if (!live) return;
    if (page === 'modules') refreshModules();
    if (page === 'database' || page === 'history') setTimeout(function () { location.reload(); }, 1500);
  }
  function onJob(job) {
    if (job.state === 'running') {
      tracked = job.id;
      ensureBox(job);
      setBusy(true);
    } else {
      finishJob(job, tracked === job.id);
      tracked = null;
    }
  }

  if (window.EventSource) {
    var es = new EventSource('/api/events');
    es.addEventListener('snapshot', function (e) {
      var data = JSON.parse(e.data);
      if (!data.job) return;
      var recent = data.job.state === 'running' || (Date.now() - Date.parse(data.job.finishedAt || 0) < 5 * 60 * 1000);
      if (!recent) return;
      if (data.job.state === 'running') { tracked = data.job.id; ensureBox(data.job); setBusy(true); }
      else ensureBox(data.job);
      (data.messages || []).forEach(showMessage);
      if (data.job.state !== 'running') finishJob(data.job, false);
    });
    es.addEventListener('job', function (e) { onJob(JSON.parse(e.data)); });
    es.addEventListener('output', function (e) {
      var data = JSON.parse(e.data);
      if (box.getAttribute('data-job') === data.job) showMessage(data.message);
    });
  }

  var authBar = document.getElementById('auth');
  if (!signedIn && authBar && authBar.className.indexOf('signed-in') >= 0) {
    // A session cookie without its key (another browser profile, cleared storage): read only here.
    authBar.className = 'auth read-only';
    authBar.textContent = '';
    authBar.appendChild(el('span', '', t('auth.readOnly')));
  }
  setBusy(false);

  // Installs from the command line or PowerShell show up too: refresh the list while idle.
  if (page === 'modules') setInterval(function () { if (!tracked && !document.hidden) refreshModules(); }, 30000);

  function reportError(status, data) {
    var text = status === 401 ? t('auth.required') : status === 409 ? t('install.busy', { who: data.owner ? (data.owner.requestedBy + ', pid ' + data.owner.pid + (data.owner.user ? ', ' + data.owner.user : '') + (data.owner.description ? ', ' + data.owner.description : '')) : '' })
      : t('error.generic', { message: (data && data.error) || ('HTTP ' + status) });
    box.hidden = false;
    box.removeAttribute('data-job');
    box.className = 'job failed';
    box.textContent = '';
    box.appendChild(el('p', 'result', text)).setAttribute('data-state', 'refused');
    setBusy(false);
  }
  function startJob(url, body) {
    setBusy(true);
    return post(url, body).then(function (res) {
      if (res.status === 202 && res.data.job) onJob(res.data.job);
      else reportError(res.status, res.data);
    }, function (err) { reportError(0, { error: String(err) }); });
  }

  document.addEventListener('click', function (e) {
    var target = e.target.closest ? e.target.closest('button') : null;
    if (!target) return;
    if (target.hasAttribute('data-install')) {
      startJob('/api/install', { name: target.getAttribute('data-install'), instance: target.getAttribute('data-instance') || '' });
    } else if (target.hasAttribute('data-run-script')) {
      var id = target.getAttribute('data-run-script');
      if (confirm(t('database.confirmRun', { id: id }))) startJob('/api/database/run-script', { script: id });
    } else if (target.hasAttribute('data-mark-applied')) {
      var id2 = target.getAttribute('data-mark-applied');
      if (confirm(t('database.confirmMark', { id: id2 }))) startJob('/api/database/mark-applied', { script: id2 });
    } else if (target.id === 'sign-out') {
      post('/api/signout', {}).then(function () {
        if (store) store.removeItem(KEY_NAME);
        location.reload();
      });
    } else if (target.id === 'check-now') {
      var label = document.getElementById('last-check');
      target.disabled = true;
      label.textContent = t('check.running');
      post('/api/check', {}).then(function (res) {
        label.textContent = res.status === 401 ? t('auth.required') : res.data && res.data.ok ? t('check.done') : t('check.failed', { message: (res.data && res.data.error) || ('HTTP ' + res.status) });
        target.disabled = false;
        return refreshModules();
      });
    }
  });
})();
`;

// The portal's only script, served as /assets/app.js (CSP: no inline script). Plain ES2017, no
// framework: buttons post JSON with the CSRF token and the session key; the event stream
// (/api/events) shows the running job live (progress bar, log lines, hook output, result) and
// refreshes the module list when it ends. Messages of the core arrive as ids with parameters and are
// worded here in the page's language.
// One stream for all the tabs of a browser (a browser opens at most 6 connections per host, and each
// stream holds one): the tab holding the Web Lock "altazion-events" opens it and passes every event
// to the other tabs on a BroadcastChannel; when it closes, another tab takes the lock. Without those
// APIs each tab has its own stream, closed while the tab is hidden.
// Signing in (auth.ts): the sign-in link lands on /#signin=<key>; the key goes to localStorage (kept
// per origin, port included) and leaves the address bar at once.
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
  var i18n = { ui: {}, core: {}, list: '; ' };
  try { i18n = JSON.parse(document.getElementById('i18n').textContent); } catch (e) { /* keys shown as is */ }
  var page = document.body.getAttribute('data-page');
  var box = document.getElementById('job');
  var tracked = null;

  function t(key, params) {
    var s = i18n.ui[key] || key;
    return s.replace(/\\{(\\w+)\\}/g, function (whole, name) { return params && name in params ? String(params[name]) : whole; });
  }
  // A message of the core ({id, params}) as DOM nodes: text of the language, data in <span translate="no">.
  function fmtInto(parent, message) {
    var template = i18n.core[message.id];
    if (template === undefined) { parent.appendChild(document.createTextNode(message.text || message.id)); return parent; }
    var re = /\\{(\\w+)\\}/g, last = 0, m;
    while ((m = re.exec(template))) {
      if (m.index > last) parent.appendChild(document.createTextNode(template.slice(last, m.index)));
      last = m.index + m[0].length;
      var value = message.params ? message.params[m[1]] : undefined;
      if (value === undefined) parent.appendChild(document.createTextNode(m[0]));
      else paramInto(parent, value);
    }
    if (last < template.length) parent.appendChild(document.createTextNode(template.slice(last)));
    return parent;
  }
  function paramInto(parent, value) {
    if (Array.isArray(value)) {
      value.forEach(function (v, i) { if (i > 0) parent.appendChild(document.createTextNode(i18n.list)); paramInto(parent, v); });
    } else if (value !== null && typeof value === 'object') {
      fmtInto(parent, value);
    } else {
      var span = el('span', 'v', typeof value === 'number' && document.documentElement.lang === 'fr' ? String(value).replace('.', ',') : String(value));
      span.setAttribute('translate', 'no');
      parent.appendChild(span);
    }
  }
  // A worded field: its message when it has an id, else its text.
  function worded(parent, text, id, params) {
    if (id && i18n.core[id] !== undefined) return fmtInto(parent, { id: id, params: params });
    // A text without an id is English: said so, not passed off as the page's language.
    var span = el('span', '', text || '');
    span.setAttribute('lang', 'en');
    parent.appendChild(span);
    return parent;
  }
  // A sentence of the page around a text the server gave without a message id (English): marked as such.
  function withEnglish(parent, key, name, text) {
    var parts = t(key).split('{' + name + '}');
    parent.textContent = parts[0];
    if (parts.length > 1) {
      parent.appendChild(el('span', '', text)).setAttribute('lang', 'en');
      parent.appendChild(document.createTextNode(parts.slice(1).join('{' + name + '}')));
    }
    return parent;
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
      // The key as stored now: signing in again from another tab (a new session cookie) replaced it.
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': token, 'X-Session-Key': (store && store.getItem(KEY_NAME)) || sessionKey || '' },
      body: JSON.stringify(body || {})
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) { return { status: r.status, data: data }; });
    });
  }
  // Every action button: for a signed-in administrator only. Those that start a job also wait while
  // one runs; checking and (un)scheduling do not.
  function setBusy(busy) {
    var buttons = document.querySelectorAll('button[data-install], button[data-run-script], button[data-mark-applied], button#check-now, button[data-schedule], button[data-cancel-schedule]');
    for (var i = 0; i < buttons.length; i++) {
      var startsJob = buttons[i].hasAttribute('data-install') || buttons[i].hasAttribute('data-run-script') || buttons[i].hasAttribute('data-mark-applied');
      if (!startsJob && busy) continue;
      buttons[i].disabled = (busy && startsJob) || !signedIn;
      if (!signedIn) buttons[i].title = t('auth.required');
    }
  }
  function jobTitle(job) {
    var name = job.name + (job.instance ? ' [' + job.instance + ']' : '');
    if (job.kind === 'db-script') name += ' — ' + t('button.runScript') + ' ' + job.script;
    if (job.kind === 'db-mark-applied') name += ' — ' + t('button.markApplied') + ' ' + job.script;
    return name;
  }
  var lastSeq = 0;
  function ensureBox(job) {
    if (box.getAttribute('data-job') === job.id) return;
    box.setAttribute('data-job', job.id);
    lastSeq = 0;
    // A new job starts neutral: no border, result or state of the previous one.
    box.className = 'job';
    box.textContent = '';
    box.appendChild(el('h2', 'title', t('install.running', { name: jobTitle(job) })));
    var bar = el('div', 'bar'); bar.appendChild(el('div', 'fill')); box.appendChild(bar);
    box.appendChild(el('div', 'step', ''));
    box.appendChild(el('ol', 'log'));
    box.hidden = false;
  }
  function showMessage(message, seq) {
    if (!box.getAttribute('data-job')) return;
    if (seq !== undefined) { if (seq <= lastSeq) return; lastSeq = seq; }
    var log = box.querySelector('ol.log');
    if (message.type === 'progress') {
      box.querySelector('.bar > div').style.width = Math.max(0, Math.min(100, message.percent)) + '%';
      var step = box.querySelector('.step');
      step.textContent = '';
      worded(step, message.activity, message.activityId, message.activityParams);
      if (message.status) { step.appendChild(document.createTextNode(' — ')); worded(step, message.status, message.statusId, message.statusParams); }
      step.appendChild(document.createTextNode(' (' + message.percent + ' %)'));
    } else if (message.type === 'log' && message.level !== 'verbose') {
      // Hook scripts' own output is shown as it is, in its own style.
      var li = el('li', message.messageId === 'hook.output' ? 'hook' : message.level);
      log.appendChild(worded(li, message.message, message.messageId, message.params));
      log.scrollTop = log.scrollHeight;
    } else if (message.type === 'error') {
      var item = el('li', 'error', message.code + ' : ');
      log.appendChild(worded(item, message.message, message.messageId, message.params));
      log.scrollTop = log.scrollHeight;
    }
  }
  // The result as DOM nodes in the page's language (the core's messages worded from their ids).
  function resultInto(p, job) {
    function text(s) { p.appendChild(document.createTextNode(s)); }
    function detail(r) { if (r.Message) { text(' — '); worded(p, r.Message, r.MessageId, r.MessageParams); } }
    if (job.state === 'failed') {
      text(t('install.failed', { name: jobTitle(job), message: '' }));
      if (job.error) worded(p, job.error.message, job.error.messageId, job.error.params);
      return;
    }
    var dbFailed = (job.results || []).some(function (r) { return r.Result === 'Failed' || r.Result === 'RolledBack'; });
    if (job.kind === 'db-script' && !dbFailed) { text(t('database.scriptRun', { id: job.script })); return; }
    if (job.kind === 'db-mark-applied' && !dbFailed) { text(t('database.scriptMarked', { id: job.script })); return; }
    (job.results || []).forEach(function (r, i) {
      if (i > 0) text(' ');
      var name = r.Name + (r.Instance ? ' [' + r.Instance + ']' : '');
      if (r.Result === 'Installed') text(t('install.done', { name: name, version: r.ToVersion }));
      else if (r.Result === 'ManualActionRequired') { text(t('install.manual', { name: name })); detail(r); }
      else if (r.Result === 'Failed' || r.Result === 'RolledBack') { text(t('install.failed', { name: name, message: t('result.' + r.Result) })); detail(r); }
      else { text(name + ' : ' + t('result.' + r.Result)); detail(r); }
    });
    if (!(job.results || []).length) text(t('check.done'));
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
    var p = el('p', 'result');
    resultInto(p, job);
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

  // The events, wherever they come from (our own stream, or the tab that holds it).
  function onSnapshot(data) {
    if (!data.job) return;
    var recent = data.job.state === 'running' || (Date.now() - Date.parse(data.job.finishedAt || 0) < 5 * 60 * 1000);
    if (!recent) return;
    if (data.job.state === 'running') { tracked = data.job.id; ensureBox(data.job); setBusy(true); }
    else ensureBox(data.job);
    (data.messages || []).forEach(function (m, i) { showMessage(m, (data.firstSeq || 1) + i); });
    if (data.job.state !== 'running') finishJob(data.job, false);
  }
  function onEvent(type, data) {
    if (type === 'snapshot') onSnapshot(data);
    else if (type === 'job') onJob(data);
    else if (type === 'output' && box.getAttribute('data-job') === data.job) showMessage(data.message, data.seq);
  }
  var TYPES = ['snapshot', 'job', 'output'];
  function openStream(forward) {
    var es = new EventSource('/api/events');
    TYPES.forEach(function (type) {
      es.addEventListener(type, function (e) {
        var data = JSON.parse(e.data);
        onEvent(type, data);
        if (forward) forward(type, data);
      });
    });
    return es;
  }
  var channel = window.BroadcastChannel ? new BroadcastChannel('altazion-events') : null;
  if (channel && navigator.locks && navigator.locks.request) {
    document.body.setAttribute('data-stream', 'follower');
    channel.onmessage = function (e) { if (e.data && e.data.type) onEvent(e.data.type, e.data.data); };
    // Until this tab holds the stream, it catches up from the running job's tail.
    fetch('/api/job', { credentials: 'same-origin' }).then(function (r) { return r.json(); }).then(function (current) {
      if (current && document.body.getAttribute('data-stream') === 'follower') onSnapshot({ job: current.snapshot, messages: current.messages, firstSeq: current.firstSeq });
    }).catch(function () { /* the stream brings it */ });
    navigator.locks.request('altazion-events', function () {
      document.body.setAttribute('data-stream', 'leader');
      openStream(function (type, data) { channel.postMessage({ type: type, data: data }); });
      // Held until the tab closes: the browser then gives the lock (and the stream) to another tab.
      return new Promise(function () {});
    });
  } else if (window.EventSource) {
    document.body.setAttribute('data-stream', 'own');
    var own = openStream(null);
    document.addEventListener('visibilitychange', function () {
      if (document.hidden && own) { own.close(); own = null; }
      else if (!document.hidden && !own) own = openStream(null);
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
    var p = el('p', 'result');
    if (status === 401) p.textContent = t('auth.required');
    else if (status === 409 && data && data.owner) p.textContent = t('install.busy', { who: data.owner.requestedBy + ', pid ' + data.owner.pid + (data.owner.user ? ', ' + data.owner.user : '') + (data.owner.description ? ', ' + data.owner.description : '') });
    // A refusal the core worded (a plan already made, a plan already started…): in the page's language.
    else if (data && data.messageId && i18n.core[data.messageId] !== undefined) fmtInto(p, { id: data.messageId, params: data.params, text: data.error });
    else withEnglish(p, 'error.generic', 'message', (data && data.error) || ('HTTP ' + status));
    box.hidden = false;
    box.removeAttribute('data-job');
    box.className = 'job failed';
    box.textContent = '';
    box.appendChild(p).setAttribute('data-state', 'refused');
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
    } else if (target.hasAttribute('data-schedule')) {
      target.disabled = true;
      post('/api/schedule', { name: target.getAttribute('data-schedule'), instance: target.getAttribute('data-instance') || '' }).then(function (res) {
        if (res.status !== 201) reportError(res.status, res.data);
        return refreshModules();
      });
    } else if (target.hasAttribute('data-cancel-schedule')) {
      target.disabled = true;
      post('/api/schedule/cancel', { id: target.getAttribute('data-cancel-schedule') }).then(function (res) {
        if (res.status !== 200) reportError(res.status, res.data);
        return refreshModules();
      });
    } else if (target.id === 'check-now') {
      var label = document.getElementById('last-check');
      target.disabled = true;
      label.textContent = t('check.running');
      post('/api/check', {}).then(function (res) {
        if (res.status === 401) label.textContent = t('auth.required');
        else if (res.data && res.data.ok) label.textContent = t('check.done');
        else withEnglish(label, 'check.failed', 'message', (res.data && res.data.error) || ('HTTP ' + res.status));
        target.disabled = false;
        return refreshModules();
      });
    }
  });
})();
`;

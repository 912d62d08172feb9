// Berth dashboard: plain JavaScript, no build step. Chart.js comes from the webjar in the jar.
//
// Token: every /api call needs "Authorization: Bearer <token>". The page asks for it once, keeps
// it in sessionStorage (this tab only, gone when the tab closes) and sends it as a header. The
// stats stream is read with fetch() and a ReadableStream, not EventSource, because EventSource
// cannot send headers and the token must not go into a URL (URLs end up in logs and history).
'use strict';

(() => {
  const TOKEN_KEY = 'berth.token';
  const WINDOW_MS = 5 * 60 * 1000;        // the most history the charts show
  const MIN_WINDOW_MS = 60 * 1000;        // the least: the page has no history from before it opened
  const WORKLOADS_EVERY_MS = 5000;        // phases and the workload list (the stream has only stats)
  const MiB = 1024 * 1024;

  const $ = (id) => document.getElementById(id);
  const el = (tag, cls, text) => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  };

  /** name -> {name, info (from /workloads), sample (newest stats), cpu[], mem[], cpuLimit[], memLimit[], row, card, charts} */
  const workloads = new Map();
  let token = null;
  let running = false;
  let streamAbort = null;
  let pollTimer = null;
  let watchdogTimer = null;
  let lastSampleAt = 0;                    // when the browser last received a snapshot
  let lastSampledAt = 0;                   // the snapshot's own time
  let intervalMs = 1000;                   // estimated from consecutive snapshots

  // ---------------------------------------------------------------- formatting

  function cores(v) {
    if (v === null || v === undefined) return '—';
    return v >= 10 ? v.toFixed(1) : v.toFixed(2);
  }

  function bytes(v) {
    if (v === null || v === undefined) return '—';
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let i = 0;
    while (v >= 1024 && i < units.length - 1) {
      v /= 1024;
      i++;
    }
    return (i === 0 ? v.toFixed(0) : v >= 100 ? v.toFixed(0) : v.toFixed(1)) + ' ' + units[i];
  }

  function percent(v) {
    if (v === null || v === undefined) return '—';
    return (v < 10 ? v.toFixed(1) : v.toFixed(0)) + ' %';
  }

  function clock(ms) {
    return new Date(ms).toLocaleTimeString([], {hour12: false});
  }

  function css(name) {
    return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  }

  // ---------------------------------------------------------------- API

  class Unauthorized extends Error {
  }

  async function api(path, options = {}) {
    const r = await fetch(path, {
      ...options,
      cache: 'no-store',
      headers: {...(options.headers || {}), Authorization: 'Bearer ' + token},
    });
    if (r.status === 401) throw new Unauthorized();
    return r;
  }

  function unauthorized() {
    stop();
    sessionStorage.removeItem(TOKEN_KEY);
    showLogin('The daemon rejected the token (401). It may have changed: the daemon writes a new one '
        + 'when its state directory has none. Copy it again from STATE/token.');
  }

  // ---------------------------------------------------------------- login

  function showLogin(message) {
    $('dashboard').hidden = true;
    $('logout').hidden = true;
    $('login').hidden = false;
    setConn('idle', 'not connected');
    const err = $('login-error');
    err.hidden = !message;
    err.textContent = message || '';
    $('token').value = '';
    $('token').focus();
  }

  async function login(candidate) {
    token = candidate;
    let r;
    try {
      r = await fetch('/api/v1/workloads', {cache: 'no-store', headers: {Authorization: 'Bearer ' + token}});
    } catch (e) {
      showLogin('Cannot reach the daemon: ' + e.message);
      return;
    }
    if (r.status === 401) {
      token = null;
      sessionStorage.removeItem(TOKEN_KEY);
      showLogin('Wrong token: the daemon answered 401. Copy the whole file STATE/token '
          + '(default /var/lib/berth/token), without spaces.');
      return;
    }
    if (!r.ok) {
      showLogin('The daemon answered ' + r.status + ' ' + r.statusText + '.');
      return;
    }
    sessionStorage.setItem(TOKEN_KEY, token);
    start(await r.json());
  }

  // ---------------------------------------------------------------- lifecycle

  function start(initialList) {
    running = true;
    $('login').hidden = true;
    $('dashboard').hidden = false;
    $('logout').hidden = false;
    if (initialList) applyList(initialList);
    pollWorkloads();
    openStream(0);
    watchdogTimer = setInterval(watchdog, 1000);
  }

  function stop() {
    running = false;
    if (streamAbort) streamAbort.abort();
    streamAbort = null;
    clearTimeout(pollTimer);
    clearInterval(watchdogTimer);
    token = null;
  }

  // ---------------------------------------------------------------- workload list (phases)

  async function pollWorkloads() {
    if (!running) return;
    try {
      const r = await api('/api/v1/workloads');
      if (r.ok) applyList(await r.json());
      const g = await api('/api/v1/git');
      showGit(g.ok ? await g.json() : null);
    } catch (e) {
      if (e instanceof Unauthorized) return unauthorized();
      // the daemon is restarting: the stream watchdog says so, try again later
    }
    if (running) pollTimer = setTimeout(pollWorkloads, WORKLOADS_EVERY_MS);
  }

  // The git source (404 when there is none): the revision in force, or why the fetched head is not.
  function showGit(git) {
    const el = $('git');
    el.hidden = !git;
    if (!git) return;
    const where = 'git ' + git.url + ' ' + git.branch + ': ';
    if (git.error) {
      el.textContent = where + git.error;
      el.className = 'error';
    } else {
      const a = git.applied;
      el.textContent = where + (a ? 'revision ' + a.commit.substring(0, 12) + ' "' + a.message + '" in force (applied '
          + a.at + (git.fetched ? ', fetched ' + git.fetched.at : '') + ')' : 'no revision applied yet');
      el.className = 'muted';
    }
  }

  function applyList(list) {
    const names = new Set(list.map((w) => w.name));
    for (const w of list) entry(w.name).info = w;
    for (const [name, w] of workloads) {
      if (!names.has(name)) {
        w.info = null;
        if (!w.sample) remove(name);
      }
    }
    render();
  }

  // ---------------------------------------------------------------- stats stream

  async function openStream(attempt) {
    if (!running) return;
    const abort = new AbortController();
    streamAbort = abort;
    let r;
    try {
      r = await api('/api/v1/stats/stream', {headers: {Accept: 'text/event-stream'}, signal: abort.signal});
    } catch (e) {
      if (e instanceof Unauthorized) return unauthorized();
      if (abort.signal.aborted) return;
      return retry(attempt, 'cannot reach the daemon');
    }
    if (!r.ok) {
      // 503 right after the daemon starts: no sample yet
      return retry(attempt, r.status === 503 ? 'waiting for the first sample' : 'the daemon answered ' + r.status);
    }
    setConn('live', 'live');
    const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    try {
      for (; ;) {
        const {value, done} = await reader.read();
        if (done) break;
        buffer += value;
        // Server-sent events end with a blank line; an event's data is its "data:" lines.
        let end;
        while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
          const data = block.split(/\r?\n/)
              .filter((l) => l.startsWith('data:'))
              .map((l) => l.slice(5).replace(/^ /, ''))
              .join('\n');
          if (data) {
            onSnapshot(JSON.parse(data));
            attempt = 0;
          }
        }
      }
    } catch (e) {
      if (abort.signal.aborted) return;
    }
    retry(attempt, 'the stream ended');
  }

  function retry(attempt, why) {
    if (!running) return;
    const delay = Math.min(10000, 1000 * 2 ** attempt);
    setConn('waiting', why + ', retrying in ' + Math.round(delay / 1000) + ' s');
    setTimeout(() => openStream(attempt + 1), delay);
  }

  function watchdog() {
    if (!lastSampleAt) return;
    const age = Date.now() - lastSampleAt;
    const banner = $('banner');
    if (age > Math.max(5000, 3 * intervalMs)) {
      banner.hidden = false;
      banner.textContent = 'No new sample for ' + Math.round(age / 1000) + ' s: the numbers below are from '
          + clock(lastSampledAt) + '.';
    } else {
      banner.hidden = true;
    }
  }

  function setConn(state, text) {
    const c = $('conn');
    c.dataset.state = state;
    c.textContent = text;
  }

  // ---------------------------------------------------------------- snapshots

  function onSnapshot(s) {
    const t = Date.parse(s.sampledAt);
    if (lastSampledAt && t > lastSampledAt) intervalMs = t - lastSampledAt;
    lastSampledAt = t;
    lastSampleAt = Date.now();
    $('sampled').textContent = 'sampled ' + clock(t);
    renderHost(s.host);

    const seen = new Set();
    for (const w of s.workloads) {
      seen.add(w.name);
      const e = entry(w.name);
      e.sample = w;
      e.cpu.push({x: t, y: w.cpu.usageCores});
      e.mem.push({x: t, y: w.memory.usageBytes / MiB});
      e.cpuLimit.push({x: t, y: w.cpu.limitCores});
      e.memLimit.push({x: t, y: w.memory.limitBytes === null ? null : w.memory.limitBytes / MiB});
    }
    for (const [name, e] of workloads) {
      if (!seen.has(name)) {
        e.sample = null;
        if (!e.info) remove(name);
      }
      for (const series of [e.cpu, e.mem, e.cpuLimit, e.memLimit]) {
        while (series.length && series[0].x < t - WINDOW_MS) series.shift();
      }
    }
    render();
    for (const e of workloads.values()) updateCharts(e, t);
  }

  // ---------------------------------------------------------------- host panel

  function renderHost(h) {
    meter('host-cpu', h.cpu.capacityCores, h.cpu.allocatedCores, h.cpu.usageCores,
        (v) => cores(v) + ' cores');
    meter('host-memory', h.memory.capacityBytes, h.memory.allocatedBytes, h.memory.usageBytes, bytes);
  }

  function meter(id, capacity, allocated, used, fmt) {
    const m = $(id);
    const pct = (v) => Math.min(100, capacity > 0 ? (100 * v) / capacity : 0) + '%';
    m.querySelector('.alloc').style.width = pct(allocated);
    m.querySelector('.used').style.width = pct(used);
    m.classList.toggle('over', allocated > capacity);
    const share = (v) => capacity > 0 ? ' (' + percent((100 * v) / capacity) + ')' : '';
    const text = m.querySelector('.meter-text');
    text.textContent = 'used ' + fmt(used) + share(used) + ' · allocated ' + fmt(allocated) + share(allocated)
        + (allocated > capacity ? ' — overcommitted' : '') + ' · capacity ' + fmt(capacity);
    m.dataset.used = used;
    m.dataset.allocated = allocated;
    m.dataset.capacity = capacity;
  }

  // ---------------------------------------------------------------- workloads table and cards

  function entry(name) {
    let e = workloads.get(name);
    if (!e) {
      e = {name, info: null, sample: null, cpu: [], mem: [], cpuLimit: [], memLimit: [], row: null, card: null, charts: null};
      workloads.set(name, e);
    }
    return e;
  }

  function remove(name) {
    const e = workloads.get(name);
    if (!e) return;
    if (e.charts) e.charts.forEach((c) => c.destroy());
    if (e.row) e.row.remove();
    if (e.card) e.card.remove();
    workloads.delete(name);
  }

  function render() {
    const tbody = document.querySelector('#workloads tbody');
    const charts = $('charts');
    const names = [...workloads.keys()].sort();
    $('empty').hidden = names.length > 0;
    for (const name of names) {
      const e = workloads.get(name);
      if (!e.row) createRow(e);
      if (!e.card) createCard(e);
      tbody.appendChild(e.row);      // appendChild moves: keeps rows and cards sorted by name
      charts.appendChild(e.card);
      fillRow(e);
    }
  }

  function createRow(e) {
    const tr = el('tr');
    tr.dataset.name = e.name;
    for (const c of ['name', 'kind', 'phase', 'cpu num', 'cpu-pct num', 'memory num', 'memory-pct num', 'notes']) {
      tr.appendChild(el('td', c));
    }
    tr.querySelector('.name').textContent = e.name;
    e.row = tr;
  }

  function createCard(e) {
    const card = el('div', 'card');
    card.dataset.name = e.name;
    const h = el('h3');
    h.appendChild(el('span', 'card-name', e.name));
    h.appendChild(el('span', 'phase'));
    h.appendChild(el('span', 'muted card-kind'));
    card.appendChild(h);
    const pair = el('div', 'pair');
    const cpuBox = el('div');
    cpuBox.appendChild(el('div', 'chart-title', 'CPU (cores)'));
    const cpuWrap = el('div', 'chart');
    const cpuCanvas = el('canvas', 'cpu-chart');
    cpuWrap.appendChild(cpuCanvas);
    cpuBox.appendChild(cpuWrap);
    const memBox = el('div');
    memBox.appendChild(el('div', 'chart-title', 'Memory (MiB)'));
    const memWrap = el('div', 'chart');
    const memCanvas = el('canvas', 'memory-chart');
    memWrap.appendChild(memCanvas);
    memBox.appendChild(memWrap);
    pair.appendChild(cpuBox);
    pair.appendChild(memBox);
    card.appendChild(pair);
    e.card = card;
    $('charts').appendChild(card);  // in the document before Chart.js measures it
    e.charts = [
      lineChart(cpuCanvas, e.cpu, e.cpuLimit, css('--cpu'), (v) => cores(v), (v) => cores(v)),
      lineChart(memCanvas, e.mem, e.memLimit, css('--mem'), (v) => bytes(v * MiB), (v) => String(v)),
    ];
  }

  function fillRow(e) {
    const tr = e.row;
    const info = e.info;
    const s = e.sample;
    const phase = info ? info.phase || (info.state ? info.state : 'Unknown') : 'Unknown';
    const kind = info ? info.kind : s ? s.kind : '';
    const cells = {
      kind: kind === 'VirtualMachine' ? 'VM' : kind,
      cpu: s ? cores(s.cpu.usageCores) + ' / ' + (s.cpu.limitCores === null ? '∞' : cores(s.cpu.limitCores))
          : info && info.limits ? '— / ' + info.limits.cpu : '—',
      'cpu-pct': s ? percent(s.cpu.percentOfLimit) : '—',
      memory: s ? bytes(s.memory.usageBytes) + ' / ' + (s.memory.limitBytes === null ? '∞' : bytes(s.memory.limitBytes))
          : info && info.limits ? '— / ' + info.limits.memory : '—',
      'memory-pct': s ? percent(s.memory.percentOfLimit) : '—',
      notes: notes(e),
    };
    for (const [cls, text] of Object.entries(cells)) {
      const td = tr.querySelector('td.' + cls.replace(' ', '.'));
      if (td.textContent !== text) td.textContent = text;
    }
    const p = tr.querySelector('td.phase');
    p.textContent = phase;
    p.dataset.phase = phase;
    p.classList.add('phase');
    p.title = info && info.state ? 'runtime state: ' + info.state : '';
    tr.querySelector('td.cpu').dataset.value = s ? s.cpu.usageCores : '';
    tr.querySelector('td.memory').dataset.value = s ? s.memory.usageBytes : '';
    heat(tr.querySelector('td.cpu-pct'), s && s.cpu.percentOfLimit);
    heat(tr.querySelector('td.memory-pct'), s && s.memory.percentOfLimit);
    tr.classList.toggle('gone', !info);

    const cardPhase = e.card.querySelector('.phase');
    cardPhase.textContent = phase;
    cardPhase.dataset.phase = phase;
    e.card.querySelector('.card-kind').textContent = cells.kind;
  }

  function notes(e) {
    const out = [];
    if (e.sample && e.sample.oomKilled) out.push('OOM-killed');
    if (e.sample && e.sample.cpu.throttledSeconds > 0) out.push('throttled ' + e.sample.cpu.throttledSeconds.toFixed(1) + ' s');
    if (e.info && e.info.lastError) out.push(e.info.lastError);
    if (!e.info) out.push('no longer listed');
    else if (!e.info.desired) out.push('declared by no source of this daemon');
    return out.join(' · ');
  }

  function heat(td, pct) {
    td.classList.toggle('hot', pct !== null && pct !== undefined && pct >= 80 && pct < 98);
    td.classList.toggle('full', pct !== null && pct !== undefined && pct >= 98);
  }

  // ---------------------------------------------------------------- charts

  /** fmt formats a value for the tooltip, tick for the y axis (whose unit is in the chart's title). */
  function lineChart(canvas, used, limit, color, fmt, tick) {
    const grid = css('--grid');
    const muted = css('--muted');
    return new Chart(canvas, {
      type: 'line',
      data: {
        datasets: [
          {label: 'used', data: used, borderColor: color, backgroundColor: color + '33', fill: 'origin',
            borderWidth: 1.5, pointRadius: 0, tension: 0},
          {label: 'limit', data: limit, borderColor: css('--limit'), borderDash: [6, 4], fill: false,
            borderWidth: 1.5, pointRadius: 0, stepped: true, spanGaps: false},
        ],
      },
      options: {
        animation: false,
        parsing: false,
        normalized: true,
        responsive: true,
        maintainAspectRatio: false,
        interaction: {mode: 'index', intersect: false},
        scales: {
          x: {
            type: 'linear',
            grid: {color: grid},
            ticks: {color: muted, maxRotation: 0, callback: (v, i, ticks) => relative(v, ticks)},
            // counted back from the newest sample: every minute, or every 15 s in a short window
            afterBuildTicks: (axis) => {
              const step = axis.max - axis.min > 2 * 60000 ? 60000 : 15000;
              const ticks = [];
              for (let v = axis.max; v >= axis.min - 1; v -= step) ticks.unshift({value: v});
              axis.ticks = ticks;
            },
          },
          y: {
            beginAtZero: true,
            grid: {color: grid},
            ticks: {color: muted, callback: (v) => tick(v), maxTicksLimit: 5},
          },
        },
        plugins: {
          legend: {display: true, position: 'bottom', labels: {color: muted, boxWidth: 12, boxHeight: 2}},
          tooltip: {
            callbacks: {
              title: (items) => items.length ? clock(items[0].parsed.x) : '',
              label: (item) => item.dataset.label + ': ' + (item.parsed.y === null ? 'none' : fmt(item.parsed.y)),
            },
          },
        },
      },
    });
  }

  function relative(v, ticks) {
    const newest = ticks.length ? ticks[ticks.length - 1].value : v;
    const s = Math.round((newest - v) / 1000);
    return s === 0 ? 'now' : '−' + (s % 60 === 0 ? s / 60 + ' min' : s + ' s');
  }

  function updateCharts(e, t) {
    if (!e.charts) return;
    // the window grows with the history the page has, from one minute to WINDOW_MS
    const first = e.cpu.length ? e.cpu[0].x : t;
    const span = Math.min(WINDOW_MS, Math.max(MIN_WINDOW_MS, t - first));
    for (const c of e.charts) {
      c.options.scales.x.min = t - span;
      c.options.scales.x.max = t;
      // room above the limit line so it stays visible
      const limitSeries = c.data.datasets[1].data;
      const lim = limitSeries.length ? limitSeries[limitSeries.length - 1].y : null;
      c.options.scales.y.suggestedMax = lim ? lim * 1.15 : undefined;
      c.update('none');
    }
  }

  // ---------------------------------------------------------------- wiring

  document.addEventListener('DOMContentLoaded', () => {
    $('login-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const t = $('token').value.trim();
      if (t) login(t);
    });
    $('logout').addEventListener('click', () => {
      stop();
      sessionStorage.removeItem(TOKEN_KEY);
      for (const name of [...workloads.keys()]) remove(name);
      showLogin('');
    });
    if (typeof Chart === 'undefined') {
      showLogin('The chart library did not load (/webjars/chart.js/...): the dashboard cannot draw charts.');
      return;
    }
    const saved = sessionStorage.getItem(TOKEN_KEY);
    if (saved) login(saved);
    else showLogin('');
  });
})();

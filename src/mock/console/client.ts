// The console page's script (served as /console.js; plain ES2017, no libraries): takes the snapshot
// and the batches from the event stream, keeps at most 1,000 feed events and renders at most 200 rows
// a table, at most once per animation frame (a 1,000 msgs/s feed costs the page a few renders a
// second), draws the selected device's timeline as SVG, and posts downlinks from the form.
export const CONSOLE_JS = String.raw`(function () {
  'use strict';
  var ROWS = 200, KEEP = 1000, TIMELINE_W = 1000;
  var devices = new Map(), order = [], feed = [], lastSeq = 0, paused = false, held = 0, skipped = 0;
  var selected = null, marks = [], offset = 0, stats = null, dirty = { devices: true, feed: true, timeline: true, stats: true }, frame = 0;
  var $ = function (id) { return document.getElementById(id); };
  var esc = function (s) { return String(s).replace(/[&<>"']/g, function (c) { return '&#' + c.charCodeAt(0) + ';'; }); };
  var now = function () { return Date.now() + offset; };
  function span(ms) { var s = Math.round(Math.abs(ms) / 1000); return s < 120 ? s + ' s' : s < 7200 ? Math.round(s / 60) + ' min' : Math.round(s / 3600) + ' h'; }
  function ago(t, n) { return t ? span(n - t) + ' ago' : 'never'; }
  function until(t, n) { return t === undefined || t === null ? '' : t >= n ? 'in ' + span(t - n) : span(n - t) + ' ago'; }
  function clock(t) { return new Date(t).toISOString().slice(11, 23); }

  function schedule() { if (!frame) frame = requestAnimationFrame(render); }
  function render() {
    frame = 0;
    if (dirty.stats) renderStats();
    if (dirty.devices) renderDevices();
    if (dirty.feed) { if (paused) renderFeedNote(); else renderFeed(); }
    if (dirty.timeline) renderTimeline();
    dirty = { devices: false, feed: false, timeline: false, stats: false };
  }

  function renderStats() {
    if (!stats) return;
    $('s-connected').textContent = stats.connected; $('s-registered').textContent = stats.registered;
    $('s-rate').textContent = stats.uplinksPerS; $('s-uplinks').textContent = stats.uplinks;
  }

  function renderDevices() {
    var f = $('device-filter').value.trim().toLowerCase(), n = now(), html = [], shown = 0, matched = 0;
    for (var i = 0; i < order.length; i++) {
      var d = devices.get(order[i]);
      if (f && d.deviceId.toLowerCase().indexOf(f) < 0) continue;
      matched++;
      if (shown >= ROWS) continue;
      shown++;
      var state = d.connected ? 'connected' : d.fallbackUntil && n - d.fallbackUntil < 60000 ? 'fallback' : 'offline';
      html.push('<tr data-device="' + esc(d.deviceId) + '" class="' + (d.connected ? 'up' : 'down') + (d.deviceId === selected ? ' selected' : '') + '"><td class="id">' + esc(d.deviceId) + '</td><td class="state">' + state + '</td><td>' + esc(d.transport) + '</td><td>' + ago(d.lastSeen, n) + '</td><td>' + (d.exp !== undefined && d.exp !== null ? until(d.exp * 1000, n) : '') + '</td><td class="kid">' + esc(d.kid ? d.kid.slice(0, 16) : '') + '</td><td>' + until(d.refreshAt, n) + '</td></tr>');
    }
    document.querySelector('#devices tbody').innerHTML = html.join('');
    $('devices-more').textContent = matched > shown ? 'showing ' + shown + ' of ' + matched : '';
  }

  function kindsOn() { var on = {}; document.querySelectorAll('input[name=kind]').forEach(function (c) { if (c.checked) on[c.value] = true; }); return on; }
  function renderFeed() {
    var f = $('feed-device').value.trim().toLowerCase(), on = kindsOn(), html = [];
    for (var i = feed.length - 1; i >= 0 && html.length < ROWS; i--) {
      var e = feed[i];
      if (!on[e.kind] || (f && e.device.toLowerCase().indexOf(f) < 0)) continue;
      html.push('<tr data-kind="' + e.kind + '" data-seq="' + e.seq + '" class="' + (e.ok ? 'ok' : 'bad') + '"><td>' + clock(e.time) + '</td><td>' + e.kind + '</td><td class="id">' + esc(e.device) + '</td><td>' + esc(e.transport) + '</td><td class="text">' + esc(e.text) + '</td></tr>');
    }
    document.querySelector('#feed tbody').innerHTML = html.join('');
    renderFeedNote();
  }
  function renderFeedNote() {
    $('feed-note').textContent = (paused ? 'paused, ' + held + ' new event(s) held' : '') + (skipped ? (paused ? '; ' : '') + skipped + ' event(s) not sent to the page (more than a batch holds)' : '');
  }

  // The selected device's timeline: a session lane (connected spans, refreshes, reconnects), a lane
  // of refusals and a lane of fallback periods, over the last 10 minutes at most (1 minute at least).
  function renderTimeline() {
    var box = $('timeline');
    if (!selected) { box.innerHTML = '<p class="controls">No device selected.</p>'; return; }
    $('timeline-device').textContent = selected;
    var n = now(), first = marks.length ? marks[0].t : n;
    var t0 = Math.max(n - 600000, Math.min(first, n - 60000)), W = TIMELINE_W, L = 90, R = 10, H = 120;
    var x = function (t) { return (L + ((Math.max(t, t0) - t0) / (n - t0)) * (W - L - R)).toFixed(1); };
    var out = ['<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ' + W + ' ' + H + '" role="img" aria-label="timeline of ' + esc(selected) + '">'];
    var lanes = [['session', 22], ['refusals', 52], ['fallback', 82]];
    lanes.forEach(function (l) { out.push('<text x="4" y="' + (l[1] + 4) + '">' + l[0] + '</text><line class="axis" x1="' + L + '" x2="' + (W - R) + '" y1="' + l[1] + '" y2="' + l[1] + '"/>'); });
    for (var k = 0; k <= 5; k++) {
      var tt = t0 + ((n - t0) * k) / 5, xx = x(tt);
      out.push('<line class="axis" x1="' + xx + '" x2="' + xx + '" y1="8" y2="96"/><text x="' + xx + '" y="112" text-anchor="' + (k === 5 ? 'end' : k === 0 ? 'start' : 'middle') + '">' + (k === 5 ? 'now' : '-' + span(n - tt)) + '</text>');
    }
    var open = null;
    var bar = function (a, b, y, color, kind, note) { out.push('<rect data-mark="' + kind + '" x="' + x(a) + '" y="' + (y - 6) + '" width="' + Math.max(2, x(b) - x(a)).toFixed(1) + '" height="12" fill="' + color + '" opacity="0.75"><title>' + esc(kind + ' ' + clock(a) + '-' + clock(b) + ' ' + note) + '</title></rect>'); };
    marks.forEach(function (m) {
      var tip = '<title>' + esc(m.k + ' at ' + clock(m.t) + ' UTC: ' + m.note) + '</title>';
      if (m.k === 'connect' || m.k === 'refresh' || m.k === 'reconnect') {
        if (open !== null) bar(open, m.t, 22, '#1a7f37', 'session', '');
        open = m.t;
        var c = m.k === 'refresh' ? '#0969da' : m.k === 'reconnect' ? '#bc4c00' : '#1a7f37', X = x(m.t);
        out.push('<path data-mark="' + m.k + '" d="M' + X + ' 8 l6 6 l-6 6 l-6 -6 z" fill="' + c + '">' + tip + '</path>');
      } else if (m.k === 'disconnect') {
        if (open !== null) bar(open, m.t, 22, '#1a7f37', 'session', m.note);
        open = null;
        out.push('<line data-mark="disconnect" x1="' + x(m.t) + '" x2="' + x(m.t) + '" y1="12" y2="32" stroke="#656d76" stroke-width="2">' + tip + '</line>');
      } else if (m.k === 'refused') {
        var Y = x(m.t);
        out.push('<path data-mark="refused" d="M' + (Y - 5) + ' 47 l10 10 m0 -10 l-10 10" stroke="#cf222e" stroke-width="2.5">' + tip + '</path>');
      } else if (m.k === 'fallback') bar(m.t, m.t2 || m.t, 82, '#bc4c00', 'fallback', m.note);
    });
    if (open !== null) bar(open, n, 22, '#1a7f37', 'session', 'connected now');
    out.push('</svg>');
    out.push('<p class="controls">&#9670; green connect, blue token refresh, orange reconnect after an unplanned end; | disconnect; &#10005; refused credential; orange bars: uplinks over HTTP/CoAP/UDP while no MQTT session was up. Hover for details.</p>');
    box.innerHTML = out.join('');
  }

  var timelineTimer = 0;
  function loadTimeline() {
    if (!selected || timelineTimer) return;
    // At most two fetches a second, whatever the event rate.
    timelineTimer = setTimeout(function () {
      timelineTimer = 0;
      var id = selected;
      fetch('/console/timeline?deviceId=' + encodeURIComponent(id), { credentials: 'same-origin' }).then(function (r) { return r.json(); }).then(function (t) {
        if (id !== selected) return;
        marks = t.marks; dirty.timeline = true; schedule();
      }).catch(function () {});
    }, 500);
  }

  function apply(m) {
    if (m.now) offset = m.now - Date.now();
    if (m.type === 'snapshot') {
      // A snapshot (the first message, and again after the stream reconnects) replaces everything.
      devices = new Map(); order = []; feed = []; lastSeq = 0;
      m.devices.forEach(function (d) { devices.set(d.deviceId, d); order.push(d.deviceId); });
      if (!selected && order.length) { selected = order[0]; loadTimeline(); }
      dirty.devices = true;
    } else {
      // A new device, or one connected or gone, redraws the table now; a moved last seen waits for the second's redraw.
      m.devices.forEach(function (d) {
        var old = devices.get(d.deviceId);
        if (!old) order.push(d.deviceId);
        if (!old || old.connected !== d.connected || old.exp !== d.exp || old.lastSeen === 0) dirty.devices = true;
        devices.set(d.deviceId, d);
      });
      skipped += m.skipped || 0;
    }
    var list = m.type === 'snapshot' ? m.feed : m.events, touched = false;
    for (var i = 0; i < list.length; i++) {
      var e = list[i];
      if (e.seq <= lastSeq) continue;
      lastSeq = e.seq;
      feed.push(e);
      if (paused) held++;
      if (selected && e.device === selected && (e.kind !== 'uplink' || !/^mqtt/.test(e.transport))) touched = true;
    }
    if (feed.length > KEEP) feed.splice(0, feed.length - KEEP);
    if (list.length) dirty.feed = true;
    if (touched) loadTimeline();
    stats = m.stats; dirty.stats = true;
    schedule();
  }

  function connect() {
    var es = new EventSource('/console/events');
    es.onopen = function () { $('status').textContent = 'live'; document.body.setAttribute('data-live', 'on'); };
    es.onmessage = function (ev) { try { apply(JSON.parse(ev.data)); } catch (err) { $('status').textContent = 'bad message: ' + err.message; } };
    es.onerror = function () { $('status').textContent = 'reconnecting...'; document.body.setAttribute('data-live', 'off'); if (es.readyState === 2) setTimeout(connect, 3000); };
  }

  $('device-filter').addEventListener('input', function () { dirty.devices = true; schedule(); });
  $('feed-device').addEventListener('input', function () { dirty.feed = true; schedule(); });
  document.querySelectorAll('input[name=kind]').forEach(function (c) { c.addEventListener('change', function () { dirty.feed = true; schedule(); }); });
  $('pause').addEventListener('click', function () {
    paused = !paused; held = 0;
    this.textContent = paused ? 'resume' : 'pause';
    dirty.feed = true; schedule();
  });
  document.querySelector('#devices tbody').addEventListener('click', function (ev) {
    var tr = ev.target.closest('tr');
    if (!tr) return;
    selected = tr.getAttribute('data-device'); marks = [];
    document.querySelector('#downlink input[name=deviceId]').value = selected;
    dirty.devices = dirty.timeline = true; schedule(); loadTimeline();
  });
  $('downlink').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var f = ev.target, body = { deviceId: f.deviceId.value, qos: Number(f.qos.value), payload: f.payload.value };
    if (f.topic.value) body.topic = f.topic.value;
    $('downlink-result').textContent = 'sending...';
    fetch('/console/downlink', { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
      .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, j: j }; }); })
      .then(function (r) { $('downlink-result').textContent = r.ok ? 'delivered to ' + r.j.delivered + ' session(s)' : 'refused: ' + r.j.error; })
      .catch(function (err) { $('downlink-result').textContent = 'failed: ' + err.message; });
  });
  // Relative times ("3 s ago", "in 12 s") move with the clock.
  setInterval(function () { dirty.devices = dirty.timeline = true; schedule(); }, 1000);
  connect();
})();
`;

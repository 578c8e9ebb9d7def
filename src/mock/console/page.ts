// The console page as the mock serves it: the HTML with a static snapshot already in it (devices and
// the newest feed rows, so it shows something without JavaScript), its stylesheet, and its script
// (client.ts). Every value a client chose is HTML-escaped; nothing secret is ever in the snapshot.
import type { DeviceRow } from './devices';
import type { FeedEvent } from './feed';
import type { ConsoleSnapshot } from './state';

export { CONSOLE_JS } from './client';

/** Rows the page shows at most, in the device table and in the feed (the rest are counted). */
export const PAGE_ROWS = 200;

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => '&#' + c.charCodeAt(0) + ';');

/** "12 s", "3 min", "2 h": a span for the tables. */
export function span(ms: number): string {
  const s = Math.round(Math.abs(ms) / 1000);
  return s < 120 ? s + ' s' : s < 7200 ? Math.round(s / 60) + ' min' : Math.round(s / 3600) + ' h';
}
const ago = (t: number, now: number) => (t ? span(now - t) + ' ago' : 'never');
const until = (t: number | undefined, now: number) => (t === undefined ? '' : t >= now ? 'in ' + span(t - now) : span(now - t) + ' ago');
const clock = (t: number) => new Date(t).toISOString().slice(11, 23);

function deviceRow(d: DeviceRow, now: number): string {
  return (
    '<tr data-device="' + esc(d.deviceId) + '" class="' + (d.connected ? 'up' : 'down') + '">' +
    '<td class="id">' + esc(d.deviceId) + '</td>' +
    '<td class="state">' + (d.connected ? 'connected' : d.fallbackUntil && now - d.fallbackUntil < 60000 ? 'fallback' : 'offline') + '</td>' +
    '<td>' + esc(d.transport) + '</td>' +
    '<td>' + ago(d.lastSeen, now) + '</td>' +
    '<td>' + (d.exp !== undefined ? until(d.exp * 1000, now) : '') + '</td>' +
    '<td class="kid">' + esc(d.kid ? d.kid.slice(0, 16) : '') + '</td>' +
    '<td>' + until(d.refreshAt, now) + '</td></tr>'
  );
}

function feedRow(e: FeedEvent): string {
  return '<tr data-kind="' + e.kind + '" data-seq="' + e.seq + '" class="' + (e.ok ? 'ok' : 'bad') + '"><td>' + clock(e.time) + '</td><td>' + e.kind + '</td><td class="id">' + esc(e.device) + '</td><td>' + esc(e.transport) + '</td><td class="text">' + esc(e.text) + '</td></tr>';
}

const KINDS = ['uplink', 'auth', 'connect', 'refresh', 'disconnect', 'refused', 'downlink'];

/** The whole page, with `s` rendered in (shown as it is without JavaScript). */
export function renderPage(s: ConsoleSnapshot): string {
  const devices = s.devices.slice(0, PAGE_ROWS);
  const feed = s.feed.slice(-PAGE_ROWS).reverse();
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>akenza-device mock console</title><link rel="stylesheet" href="/console.css"></head>
<body data-live="off">
<header><h1>akenza-device mock console</h1>
<p id="stats"><span id="s-connected">${s.stats.connected}</span> of <span id="s-registered">${s.stats.registered}</span> devices connected &middot;
<span id="s-rate">${s.stats.uplinksPerS}</span> uplinks/s &middot; <span id="s-uplinks">${s.stats.uplinks}</span> uplinks in all &middot;
<span id="status">snapshot of ${esc(new Date(s.now).toISOString())} (reload for a new one)</span></p></header>
<noscript><p class="note">JavaScript is off: this is a static snapshot. Reload the page to see newer events.</p></noscript>
<main>
<section id="devices-box"><h2>Devices</h2>
<p class="controls"><label>filter <input id="device-filter" type="search" placeholder="device id" autocomplete="off"></label> <span id="devices-more">${s.devices.length > PAGE_ROWS ? 'showing ' + PAGE_ROWS + ' of ' + s.devices.length : ''}</span></p>
<table id="devices"><thead><tr><th>device</th><th>state</th><th>transport</th><th>last seen</th><th>token exp</th><th>kid</th><th>refresh</th></tr></thead>
<tbody>${devices.map((d) => deviceRow(d, s.now)).join('')}</tbody></table></section>
<section id="downlink-box"><h2>Send a downlink</h2>
<form id="downlink" method="post" action="/console/downlink">
<label>device <input name="deviceId" required list="device-ids" autocomplete="off"></label>
<label>topic <input name="topic" placeholder="(default)" autocomplete="off"></label>
<label>QoS <select name="qos"><option>0</option><option>1</option></select></label>
<label class="wide">payload <input name="payload" value='{"led":"on"}' autocomplete="off"></label>
<button type="submit">send</button> <span id="downlink-result"></span>
<datalist id="device-ids">${devices.map((d) => '<option value="' + esc(d.deviceId) + '">').join('')}</datalist></form></section>
<section id="timeline-box"><h2>Timeline <span id="timeline-device">${devices.length ? '' : '(no device)'}</span></h2>
<p class="controls">Click a device to see its connects, refreshes, refusals and fallback periods.</p>
<div id="timeline"></div></section>
<section id="feed-box"><h2>Live feed</h2>
<p class="controls"><label>device <input id="feed-device" type="search" placeholder="any" autocomplete="off"></label>
${KINDS.map((k) => '<label class="kind"><input type="checkbox" name="kind" value="' + k + '" checked> ' + k + '</label>').join(' ')}
<button id="pause" type="button">pause</button> <span id="feed-note"></span></p>
<table id="feed"><thead><tr><th>time (UTC)</th><th>kind</th><th>device</th><th>via</th><th>what</th></tr></thead>
<tbody>${feed.map(feedRow).join('')}</tbody></table></section>
</main>
<script src="/console.js"></script>
</body></html>
`;
}

/** A refusal as a small page (no token or input echoed beyond the fixed reason). */
export function renderRefusalPage(status: number, why: string): string {
  return '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>' + status + ' - akenza-device mock console</title></head><body><h1>' + status + '</h1><p>' + esc(why) + '</p></body></html>\n';
}

export const CONSOLE_CSS = `
:root { color-scheme: light; --ok: #1a7f37; --bad: #cf222e; --refresh: #0969da; --fb: #bc4c00; --muted: #656d76; }
body { font: 13px/1.4 system-ui, sans-serif; margin: 0; color: #1f2328; background: #f6f8fa; }
header { background: #24292f; color: #fff; padding: 8px 16px; }
header h1 { font-size: 16px; margin: 0; } header p { margin: 2px 0 0; color: #d0d7de; }
main { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 12px; padding: 12px; }
section { background: #fff; border: 1px solid #d0d7de; border-radius: 6px; padding: 8px 12px; min-width: 0; }
#feed-box, #timeline-box { grid-column: 1 / -1; } #downlink-box { align-self: start; }
h2 { font-size: 14px; margin: 0 0 6px; }
.controls { margin: 0 0 6px; color: var(--muted); } .controls label { margin-right: 8px; }
.note { background: #fff8c5; margin: 0; padding: 6px 16px; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; }
th, td { text-align: left; padding: 2px 6px; border-bottom: 1px solid #eaeef2; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
th { color: var(--muted); font-weight: 600; }
#devices-box { max-height: 420px; overflow: auto; } #feed-box { max-height: 520px; overflow: auto; }
#devices tbody tr { cursor: pointer; } #devices tr.selected { background: #ddf4ff; }
#devices tr.up .state { color: var(--ok); font-weight: 600; } #devices tr.down .state { color: var(--muted); }
#feed th:nth-child(1) { width: 92px; } #feed th:nth-child(2) { width: 72px; } #feed th:nth-child(3) { width: 150px; } #feed th:nth-child(4) { width: 52px; }
#feed tr.bad td { color: var(--bad); } #feed tr[data-kind=refresh] td:nth-child(2) { color: var(--refresh); }
.id, .kid { font-family: ui-monospace, monospace; } td.text { font-family: ui-monospace, monospace; }
form label { display: inline-block; margin: 0 8px 6px 0; } form label.wide input { width: 260px; }
#timeline svg { width: 100%; height: auto; display: block; } #timeline .axis { stroke: #d0d7de; }
#timeline text { font-size: 11px; fill: var(--muted); }
button { font: inherit; }
`;

export { esc as escapeHtml };

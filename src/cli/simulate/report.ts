// The simulation's final report: one object (printed as JSON with --json) and its text form.
import type { FleetCounters } from './fleet';
import type { LoopDelay } from './loop-delay';
import type { MockStats } from './mock-host';

type Latency = { count: number; p50: number | null; p99: number | null; max: number | null };

export interface SimReport {
  ok: boolean;
  interrupted: boolean;
  target: { url: string; mock: string };
  devices: { total: number; es256: number; rs256: number; rsaKeys: number };
  keys: { source: 'generated' | 'loaded'; ms: number };
  connect: { allConnected: boolean; connected: number; ms: number | null; perSecond: number | null; concurrency: number; latencyMs: Latency };
  run: {
    seconds: number;
    rate: number;
    qos: 0 | 1;
    published: number;
    acked: number;
    failed: number;
    dropped: number;
    skipped: number;
    /** Publishes still without PUBACK when the devices were stopped. */
    unacked: number;
    msgsPerS: number;
    /** Acked per second, over the whole seconds of the run. */
    perSecond: { min: number | null; median: number | null; max: number | null };
    ackLatencyMs: Latency;
  };
  tokens: { lifetimeS: number; refreshes: number; forcedRefreshes: number; refreshGapMs: Latency };
  connections: { connects: number; reconnects: number; unplannedDisconnects: number; reasons: { [reason: string]: number }; authRejected: number; connectedAtEnd: number };
  errors: { count: number; kinds: { message: string; count: number }[] };
  mock: MockStats | null;
  memory: { simulatorPeakRssMB: number; mockPeakRssMB: number | null; totalPeakRssMB: number | null };
  /** How late each process's event loop ran during the run phase (the mock's only when it has its own process). */
  eventLoopDelayMs: { simulator: LoopDelay; mock: LoopDelay | null };
}

const median = (xs: number[]): number | null => {
  if (!xs.length) return null;
  const s = xs.slice().sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export function perSecondSummary(xs: number[]): SimReport['run']['perSecond'] {
  return { min: xs.length ? Math.min(...xs) : null, median: median(xs), max: xs.length ? Math.max(...xs) : null };
}

export function topKinds(kinds: { [m: string]: number }, n = 5): { message: string; count: number }[] {
  return Object.keys(kinds)
    .map((message) => ({ message, count: kinds[message] }))
    .sort((a, b) => b.count - a.count)
    .slice(0, n);
}

export const mb = (bytes: number) => Math.round(bytes / 1048576);

export function countsOk(c: FleetCounters, unacked: number): boolean {
  return c.everConnected === c.devices && c.failed === 0 && c.errors === 0 && c.authRejected === 0 && unacked === 0;
}

const lat = (l: Latency) => (l.count ? 'p50 ' + l.p50 + ' ms, p99 ' + l.p99 + ' ms, max ' + l.max + ' ms' : 'no samples');

/** Terminal width the text report keeps to. */
export const REPORT_COLUMNS = 80;
const INDENT = '              '; // under the 14-character label column

/** `line` in lines of at most `width` characters, broken at spaces (a longer word is cut), continued under the label column. */
export function wrapLine(line: string, width = REPORT_COLUMNS): string[] {
  const out: string[] = [];
  let rest = line;
  while (rest.length > width) {
    let cut = rest.lastIndexOf(' ', width);
    if (cut <= INDENT.length) cut = width; // one long word: cut it
    out.push(rest.slice(0, cut).trimEnd());
    rest = INDENT + rest.slice(cut).trimStart();
  }
  out.push(rest);
  return out;
}

export function formatReport(r: SimReport): string {
  const lines: string[] = [];
  lines.push('simulation ' + (r.interrupted ? 'interrupted (Ctrl-C)' : 'finished') + ': ' + (r.ok ? 'OK' : 'PROBLEMS (see below)'));
  lines.push('  target      ' + r.target.url + ' (' + r.target.mock + ')');
  lines.push('  devices     ' + r.devices.total + ' (' + r.devices.es256 + ' ES256, ' + r.devices.rs256 + ' RS256' + (r.devices.rs256 ? ' sharing ' + r.devices.rsaKeys + ' RSA key(s)' : '') + '), keys ' + r.keys.source + ' in ' + r.keys.ms + ' ms');
  const cn = r.connect;
  lines.push('  connect     ' + cn.connected + '/' + r.devices.total + ' connected' + (cn.ms !== null ? ' in ' + (cn.ms / 1000).toFixed(2) + ' s (' + cn.perSecond + '/s, ' + cn.concurrency + ' at once)' : '') + '; per device ' + lat(cn.latencyMs));
  const run = r.run;
  lines.push('  run         ' + run.seconds.toFixed(1) + ' s at ' + run.rate + ' msgs/s asked, QoS ' + run.qos + ': ' + run.acked + ' acked of ' + run.published + ' published = ' + run.msgsPerS + ' msgs/s');
  if (run.perSecond.median !== null) lines.push('              per second: min ' + run.perSecond.min + ', median ' + run.perSecond.median + ', max ' + run.perSecond.max + '; ack latency ' + lat(run.ackLatencyMs));
  if (run.failed || run.dropped || run.skipped || run.unacked) lines.push('              failed ' + run.failed + ', dropped ' + run.dropped + ', skipped (none connected) ' + run.skipped + ', unacked at stop ' + run.unacked);
  lines.push('  tokens      lifetime ' + r.tokens.lifetimeS + ' s, ' + r.tokens.refreshes + ' refreshes' + (r.tokens.forcedRefreshes ? ' (' + r.tokens.forcedRefreshes + ' forced)' : '') + '; refresh gap ' + lat(r.tokens.refreshGapMs));
  const co = r.connections;
  const reasons = Object.keys(co.reasons).map((k) => k + ' ' + co.reasons[k]).join(', ');
  lines.push('  connections ' + co.connects + ' CONNACKs, ' + co.reconnects + ' reconnects, ' + co.unplannedDisconnects + ' unplanned disconnects' + (reasons ? ' (' + reasons + ')' : '') + ', ' + co.authRejected + ' auth refusals; ' + co.connectedAtEnd + ' connected at the end');
  lines.push('  errors      ' + r.errors.count + r.errors.kinds.map((k) => '\n              ' + k.count + 'x ' + k.message).join(''));
  if (r.mock) lines.push('  mock saw    ' + r.mock.uplinks + ' uplinks, ' + r.mock.connects + ' accepted CONNECTs from ' + r.mock.devicesSeen + ' devices, ' + r.mock.refused + ' refused, ' + r.mock.abnormalCloses + ' closed by the broker');
  const m = r.memory;
  lines.push('  memory      simulator peak RSS ' + m.simulatorPeakRssMB + ' MB' + (m.mockPeakRssMB !== null ? ', mock ' + m.mockPeakRssMB + ' MB, total ' + m.totalPeakRssMB + ' MB' : r.target.mock === 'inline' ? ' (mock included)' : ''));
  const d = (x: LoopDelay) => 'p50 ' + x.p50 + ' ms, p99 ' + x.p99 + ' ms, max ' + x.max + ' ms';
  lines.push('  loop delay  during the run: simulator ' + d(r.eventLoopDelayMs.simulator) + (r.eventLoopDelayMs.mock ? '; mock ' + d(r.eventLoopDelayMs.mock) : ''));
  // Every line (an error kind spans two: its own newline) wrapped to 80 columns.
  return lines.join('\n').split('\n').flatMap((l) => wrapLine(l)).join('\n');
}

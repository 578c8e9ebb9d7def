// `simulate --report-html FILE --report-csv DIR` and the terminal summary's width: a real small run
// (inline mock, 2 s tokens so devices refresh) writes a self-contained HTML report (inline SVG, no
// script, nothing fetched) and CSV time series that agree with the JSON report; every summary line,
// of that run and of a synthetic 100,000-device report with long URLs and errors, fits 80 columns.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main';
import { formatReport, REPORT_COLUMNS, wrapLine, type SimReport } from '../../src/cli/simulate/report';
import { SeriesRecorder } from '../../src/cli/simulate/series';
import { histogram, niceStep } from '../../src/cli/simulate/svg-chart';
import { captureIo } from '../helpers';

const dir = mkdtempSync(join(tmpdir(), 'akenza-simulate-report-'));

const lat = (p50: number) => ({ count: 100000, p50, p99: p50 * 40.123, max: p50 * 99.9 });
const big: SimReport = {
  ok: false,
  interrupted: false,
  target: { url: 'mqtts://a-rather-long-broker-host-name.eu-central-1.example.akenza.io:8883', mock: 'external broker' },
  devices: { total: 100000, es256: 90000, rs256: 10000, rsaKeys: 8 },
  keys: { source: 'generated', ms: 37280 },
  connect: { allConnected: false, connected: 99998, ms: 132600, perSecond: 754, concurrency: 500, latencyMs: lat(614.1) },
  run: { seconds: 3600, rate: 10000, qos: 1, published: 35999100, acked: 35999000, failed: 100, dropped: 12, skipped: 3, unacked: 88, msgsPerS: 9999, perSecond: { min: 286, median: 10000, max: 17610 }, ackLatencyMs: lat(1.2) },
  tokens: { lifetimeS: 60, refreshes: 6000000, forcedRefreshes: 100000, refreshGapMs: lat(19.6) },
  connections: { connects: 6100000, reconnects: 12345, unplannedDisconnects: 12345, reasons: { 'connection closed by the broker': 12000, 'keepalive timeout (no PINGRESP within 1.5 x keepalive)': 345 }, authRejected: 3, connectedAtEnd: 99990 },
  errors: { count: 101, kinds: [{ message: 'publish failed: the session ended before its PUBACK arrived (the message may or may not have been delivered: QoS 1 resends it)', count: 100 }, { message: 'x'.repeat(200), count: 1 }] },
  mock: null,
  memory: { simulatorPeakRssMB: 4502, mockPeakRssMB: null, totalPeakRssMB: null },
  eventLoopDelayMs: { simulator: { p50: 10.1, p99: 250.3, max: 1402.7 }, mock: null },
};

describe('the terminal summary', () => {
  it('keeps every line within 80 columns, words intact and in order, continued under the label column', () => {
    const text = formatReport(big);
    const lines = text.split('\n');
    for (const l of lines) expect(l.length, l).toBeLessThanOrEqual(REPORT_COLUMNS);
    expect(lines.length).toBeGreaterThan(14); // some were wrapped
    // Nothing lost: the words of the unwrapped lines, in order (the 200-character word is cut, not dropped).
    const words = (s: string) => s.replace(/\s+/g, '');
    expect(words(text)).toContain(words('connections 6100000 CONNACKs, 12345 reconnects, 12345 unplanned disconnects'));
    expect(words(text)).toContain('x'.repeat(200));
    for (const l of lines.filter((x) => /^ {14}\S/.test(x))) expect(l.startsWith('              ')).toBe(true);
  });

  it('wraps at spaces and cuts a word longer than the line', () => {
    expect(wrapLine('short')).toEqual(['short']);
    const w = wrapLine('  label       ' + 'word '.repeat(30).trim());
    expect(w.length).toBe(3);
    expect(w.every((l) => l.length <= 80 && !l.endsWith(' '))).toBe(true);
    expect(wrapLine('y'.repeat(100))).toEqual(['y'.repeat(80), ' '.repeat(14) + 'y'.repeat(20)]);
  });
});

describe('the time series', () => {
  it('samples per-second deltas and that second ack latency percentiles, on a clock of its own', () => {
    let t = 0;
    const c = { devices: 2, started: 2, everConnected: 0, connectedNow: 0, connects: 0, refreshes: 0, reconnects: 0, unplannedDisconnects: 0, authRejected: 0, errors: 0, published: 0, acked: 0, failed: 0, dropped: 0, skipped: 0 };
    const s = new SeriesRecorder(c, () => 50 * 1048576, () => t);
    s.start();
    t = 1000;
    c.connects = c.everConnected = c.connectedNow = 2;
    s.connected(120.25);
    s.sample();
    t = 2000;
    s.phase = 'run';
    for (let i = 1; i <= 100; i++) s.ack(i);
    c.acked = 100;
    s.sample();
    t = 2500;
    s.refreshGap(15);
    s.stop();
    expect(s.points.map((p) => [p.t, p.phase, p.connects, p.msgs, p.ackP50, p.ackP99, p.mockRssMB])).toEqual([
      [1, 'connect', 2, 0, null, null, 50],
      [2, 'run', 0, 100, 50, 99, 50],
      [2.5, 'run', 0, 0, null, null, 50],
    ]);
    expect([s.connectTimes.t, s.connectTimes.v]).toEqual([[1], [120.3]]);
    expect([s.refreshGaps.t, s.refreshGaps.v]).toEqual([[2.5], [15]]);
  });

  it('keeps a second latencies in a bounded reservoir, and thins long event lists', () => {
    const c = { devices: 1, started: 1, everConnected: 1, connectedNow: 1, connects: 1, refreshes: 0, reconnects: 0, unplannedDisconnects: 0, authRejected: 0, errors: 0, published: 0, acked: 0, failed: 0, dropped: 0, skipped: 0 };
    const s = new SeriesRecorder(c, () => null, () => 0);
    for (let i = 0; i < 100000; i++) s.ack(i % 2 ? 1 : 3);
    s.sample();
    expect(s.points[0].ackP50).toBeGreaterThanOrEqual(1);
    expect(s.points[0].ackP99).toBe(3);
    for (let i = 0; i < 50000; i++) s.refreshGap(i);
    expect(s.refreshGaps.v.length).toBeLessThanOrEqual(20000);
    expect(s.refreshGaps.v.length).toBeGreaterThan(10000);
  });

  it('bins histograms on round steps', () => {
    expect(niceStep(1000)).toBe(200);
    expect(niceStep(7)).toBe(2);
    const h = histogram([0, 1, 2, 95, 99.9], 10);
    expect(h.edges[1]).toBe(10);
    expect(h.counts.reduce((a, b) => a + b, 0)).toBe(5);
    expect(h.counts[0]).toBe(3);
  });
});

describe('simulate --report-html --report-csv', () => {
  it('fails before the run when the report cannot be written', async () => {
    const c = captureIo();
    expect(await main(['simulate', '--devices', '2', '--duration', '1', '--mock', 'inline', '--progress', 'none', '--report-html', join(dir, 'no-such-dir', 'r.html')], c.io)).toBe(1);
    expect(c.err.join('\n')).toMatch(/--report-html .*r\.html: cannot write in .*no-such-dir \(ENOENT\)/);
    expect(c.out).toEqual([]); // no run, no report
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    const d = captureIo();
    expect(await main(['simulate', '--devices', '2', '--duration', '1', '--mock', 'inline', '--progress', 'none', '--report-csv', join(file, 'sub')], d.io)).toBe(1);
    expect(d.err.join('\n')).toMatch(/--report-csv .*: cannot make the folder \(ENOTDIR\)/);
  });

  it('writes a self-contained HTML report and CSV series that agree with the run', async () => {
    const html = join(dir, 'report.html');
    const csvDir = join(dir, 'csv');
    const c = captureIo();
    const code = await main(['simulate', '--devices', '6', '--rate', '30', '--duration', '3', '--lifetime', '2', '--mock', 'inline', '--progress', 'none', '--report-html', html, '--report-csv', csvDir], c.io);
    expect(code).toBe(0);
    const text = c.out.join('\n');
    for (const l of text.split('\n')) expect(l.length, l).toBeLessThanOrEqual(80);
    expect(c.err.join('\n')).toContain('report written: ' + html);
    const page = readFileSync(html, 'utf8');
    // Self-contained: no script, nothing loaded from anywhere (the SVG namespace is a name, not a fetch).
    expect(page).not.toMatch(/<script|\bsrc=|\bhref=|url\(|@import/i);
    expect(page.match(/<svg /g)).toHaveLength(8);
    for (const title of ['Devices connected', 'Connect time per device', 'Messages acknowledged per second', 'Ack latency per second', 'Refresh gaps', 'Refreshes, reconnects and errors per second', 'Memory']) expect(page).toContain(title);
    expect(page).toContain('simulation finished: OK');
    const series = readFileSync(join(csvDir, 'series.csv'), 'utf8').trim().split('\n');
    expect(series[0]).toBe('t,dt,phase,connected,everConnected,connects,msgs,ackP50,ackP99,refreshes,reconnects,errors,simRssMB,mockRssMB');
    const rows = series.slice(1).map((l) => l.split(','));
    expect(rows.length).toBeGreaterThanOrEqual(3);
    const acked = Number(/(\d+) acked of/.exec(text)![1]);
    expect(rows.reduce((n, r) => n + Number(r[6]), 0)).toBe(acked);
    expect(rows.some((r) => r[2] === 'run')).toBe(true);
    const connects = readFileSync(join(csvDir, 'connect-times.csv'), 'utf8').trim().split('\n');
    expect(connects).toHaveLength(7); // a header and one row per device
    const gaps = readFileSync(join(csvDir, 'refresh-gaps.csv'), 'utf8').trim().split('\n');
    expect(gaps[0]).toBe('t,gapMs');
    expect(gaps.length).toBeGreaterThan(1); // 2 s tokens: devices refreshed
  });
});

// --report-html FILE and --report-csv DIR: the run's time series (series.ts) as one self-contained
// HTML file (inline SVG charts and the text report; no script, no external resource) and as CSV files.
import { accessSync, constants, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CommandFailed } from '../io';
import { formatReport, type SimReport } from './report';
import type { Fleet } from './fleet';
import type { MockHost } from './mock-host';
import { SeriesRecorder } from './series';
import { barChart, histogram, lineChart } from './svg-chart';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => '&#' + c.charCodeAt(0) + ';');
const COLORS = { a: '#0969da', b: '#cf222e', c: '#1a7f37', d: '#bc4c00', e: '#8250df' };

/** The HTML report: the summary, then the charts, each over seconds since the fleet started connecting. */
export function reportHtml(r: SimReport, s: SeriesRecorder, title: string): string {
  const p = s.points;
  const t = p.map((x) => x.t);
  const charts: string[] = [];
  const col = <K extends keyof (typeof p)[number]>(k: K) => p.map((x) => x[k] as number | null);
  // Counts as rates over each sample's span; a last sample under a quarter second is left out (too noisy).
  const rate = (k: 'connects' | 'msgs' | 'refreshes' | 'reconnects' | 'errors') => p.map((x) => (x.dt >= 0.25 ? Math.round((x[k] / x.dt) * 10) / 10 : null));
  charts.push(
    lineChart({ title: 'Devices connected', xLabel: 's since start', yLabel: 'devices' }, [
      { name: 'connected now', color: COLORS.a, xs: t, ys: col('connected') },
      { name: 'ever connected', color: COLORS.c, xs: t, ys: col('everConnected') },
    ]),
  );
  charts.push(lineChart({ title: 'Connects per second (CONNACK 0: first connects, refreshes, reconnects)', xLabel: 's since start', yLabel: 'connects/s' }, [{ name: 'connects/s', color: COLORS.a, xs: t, ys: rate('connects') }]));
  const h = histogram(s.connectTimes.v);
  charts.push(barChart({ title: 'Connect time per device (start to first CONNACK), ' + s.connectTimes.v.length + ' devices', xLabel: 'ms', yLabel: 'devices' }, h.edges, h.counts, COLORS.a));
  charts.push(lineChart({ title: 'Messages acknowledged per second', xLabel: 's since start', yLabel: 'msgs/s' }, [{ name: 'msgs/s', color: COLORS.c, xs: t, ys: rate('msgs') }]));
  charts.push(
    lineChart({ title: 'Ack latency per second (publish to PUBACK)', xLabel: 's since start', yLabel: 'ms' }, [
      { name: 'p50', color: COLORS.a, xs: t, ys: col('ackP50') },
      { name: 'p99', color: COLORS.b, xs: t, ys: col('ackP99') },
    ]),
  );
  charts.push(lineChart({ title: 'Refresh gaps (old session end to new CONNACK), one dot per refresh', xLabel: 's since start', yLabel: 'ms' }, [{ name: 'gap', color: COLORS.e, xs: s.refreshGaps.t, ys: s.refreshGaps.v, dots: true }]));
  charts.push(
    lineChart({ title: 'Refreshes, reconnects and errors per second', xLabel: 's since start', yLabel: 'per second' }, [
      { name: 'refreshes', color: COLORS.e, xs: t, ys: rate('refreshes') },
      { name: 'reconnects', color: COLORS.d, xs: t, ys: rate('reconnects') },
      { name: 'errors', color: COLORS.b, xs: t, ys: rate('errors') },
    ]),
  );
  const mem = [{ name: 'simulator RSS', color: COLORS.a, xs: t, ys: col('simRssMB') }];
  if (p.some((x) => x.mockRssMB !== null)) mem.push({ name: 'mock peak RSS', color: COLORS.d, xs: t, ys: col('mockRssMB') });
  charts.push(lineChart({ title: 'Memory' + (r.target.mock === 'mock inline' ? ' (the mock runs in the simulator)' : ''), xLabel: 's since start', yLabel: 'MB' }, mem));
  const run = p.filter((x) => x.phase === 'run');
  const phases = run.length ? 'run phase from ' + run[0].t + ' s to ' + run[run.length - 1].t + ' s' : 'no run phase';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #1f2328; max-width: 1520px; }
h1 { font-size: 20px; margin: 0 0 4px; } .muted { color: #656d76; margin: 0 0 12px; }
pre { background: #f6f8fa; border: 1px solid #d0d7de; border-radius: 6px; padding: 10px; overflow: auto; font-size: 12px; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(720px, 1fr)); gap: 12px; }
svg { background: #fff; border: 1px solid #d0d7de; border-radius: 6px; max-width: 100%; height: auto; }
svg text { font: 11px system-ui, sans-serif; fill: #656d76; } svg .title { font-size: 13px; fill: #1f2328; font-weight: 600; }
svg .grid { stroke: #eaeef2; }
</style></head><body>
<h1>${esc(title)}</h1>
<p class="muted">${r.devices.total} devices, ${r.run.rate} msgs/s asked for ${r.run.seconds} s, tokens of ${r.tokens.lifetimeS} s; one sample a second, ${phases}. Written by akenza-device simulate --report-html.</p>
<pre>${esc(formatReport(r))}</pre>
<div class="charts">
${charts.join('\n')}
</div>
</body></html>
`;
}

const csv = (rows: (string | number | null)[][]) => rows.map((r) => r.map((v) => (v === null ? '' : String(v))).join(',')).join('\n') + '\n';

/** Writes DIR/series.csv (one row a second), connect-times.csv and refresh-gaps.csv; returns the files. */
export function writeReportCsv(dir: string, s: SeriesRecorder): string[] {
  mkdirSync(dir, { recursive: true });
  const keys = ['t', 'dt', 'phase', 'connected', 'everConnected', 'connects', 'msgs', 'ackP50', 'ackP99', 'refreshes', 'reconnects', 'errors', 'simRssMB', 'mockRssMB'] as const;
  const files: [string, string][] = [
    ['series.csv', csv([[...keys], ...s.points.map((p) => keys.map((k) => p[k]))])],
    ['connect-times.csv', csv([['t', 'connectMs'], ...s.connectTimes.t.map((t, i) => [t, s.connectTimes.v[i]])])],
    ['refresh-gaps.csv', csv([['t', 'gapMs'], ...s.refreshGaps.t.map((t, i) => [t, s.refreshGaps.v[i]])])],
  ];
  return files.map(([name, text]) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  });
}

/** A recorder fed by the fleet's samples (and the mock's memory, when it runs in its own process). */
export function recordSeries(fleet: Fleet, mock: MockHost | null): SeriesRecorder {
  const series = new SeriesRecorder(fleet.c, () => (mock ? mock.stats().maxRssBytes : null));
  fleet.hooks = { ack: (ms) => series.ack(ms), connected: (ms) => series.connected(ms), refreshGap: (ms) => series.refreshGap(ms) };
  return series;
}

/** Writes the files asked for (after a last sample, for a run that ended early); returns their paths. */
export function writeReportFiles(r: SimReport, series: SeriesRecorder, htmlFile: string | undefined, csvDir: string | undefined): string[] {
  series.stop();
  const written: string[] = [];
  if (htmlFile) {
    writeFileSync(htmlFile, reportHtml(r, series, 'akenza-device simulate: ' + r.devices.total + ' devices, ' + new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC'));
    written.push(htmlFile);
  }
  if (csvDir) written.push(...writeReportCsv(csvDir, series));
  return written;
}

/** Fails before the run (not after minutes of it) when the report file's folder or the CSV folder cannot be written. */
export function checkReportTargets(htmlFile: string | undefined, csvDir: string | undefined): void {
  const writable = (dir: string, what: string) => {
    try {
      if (!statSync(dir).isDirectory()) throw new Error('not a directory');
      accessSync(dir, constants.W_OK);
    } catch (e) {
      throw new CommandFailed(what + ': cannot write in ' + dir + ' (' + ((e as NodeJS.ErrnoException).code || (e as Error).message) + ')');
    }
  };
  if (htmlFile) writable(dirname(htmlFile), '--report-html ' + htmlFile);
  if (csvDir) {
    try {
      mkdirSync(csvDir, { recursive: true });
    } catch (e) {
      throw new CommandFailed('--report-csv ' + csvDir + ': cannot make the folder (' + ((e as NodeJS.ErrnoException).code || (e as Error).message) + ')');
    }
    writable(csvDir, '--report-csv ' + csvDir);
  }
}

// Fleet simulator benchmark: runs the built CLI's `simulate` (mock cloud in a child process) a few
// times and prints the medians as markdown for BENCHMARKS.md.
// Usage: npm run bench:fleet [-- --runs 3 [simulate options that replace the defaults below]]
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const argv = process.argv.slice(2);
let runs = 3;
const ri = argv.indexOf('--runs');
if (ri >= 0) {
  runs = Number(argv[ri + 1]);
  argv.splice(ri, 2);
}
const defaults = ['--devices', '10000', '--alg', 'ES256', '--rate', '1000', '--duration', '60', '--lifetime', '60'];
const simArgs = argv.length ? argv : defaults;
const command = 'node dist/node/cli.js simulate ' + simArgs.join(' ') + ' --json --progress none';

const median = (xs: number[]) => {
  const s = xs.slice().sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const reports: any[] = [];
for (let i = 0; i < runs; i++) {
  const load = execFileSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).split(' ').slice(0, 3).join(' ');
  let out: string;
  try {
    out = execFileSync(process.execPath, [join(root, 'dist/node/cli.js'), 'simulate', ...simArgs, '--json', '--progress', 'none'], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 24 });
  } catch (e) {
    // Exit 1 still prints the report: keep it, it is a measurement too.
    out = (e as { stdout?: string }).stdout || '';
    if (!out) throw e;
  }
  const r = JSON.parse(out);
  r.loadBefore = load;
  reports.push(r);
  process.stderr.write('run ' + (i + 1) + '/' + runs + ': connect ' + r.connect.ms + ' ms, ' + r.run.msgsPerS + ' msgs/s, ' + r.tokens.refreshes + ' refreshes, ' + r.errors.count + ' errors, RSS ' + r.memory.simulatorPeakRssMB + ' + ' + r.memory.mockPeakRssMB + ' MB (load before: ' + load + ')\n');
}

type Row = [string, (r: any) => number | null, string?];
const rows: Row[] = [
  ['devices connected', (r) => r.connect.connected],
  ['connect time, s (all devices)', (r) => (r.connect.ms === null ? null : r.connect.ms / 1000)],
  ['connects/s during the ramp', (r) => r.connect.perSecond],
  ['per-device connect p99, ms', (r) => r.connect.latencyMs.p99],
  ['achieved msgs/s (acked / run seconds)', (r) => r.run.msgsPerS],
  ['slowest second, msgs acked', (r) => r.run.perSecond.min],
  ['messages acked', (r) => r.run.acked],
  ['ack latency p50 (runs) / p99 (median), ms', (r) => r.run.ackLatencyMs.p50],
  ['token refreshes', (r) => r.tokens.refreshes],
  ['refresh gap p50, ms (DISCONNECT to CONNACK)', (r) => r.tokens.refreshGapMs.p50],
  ['refresh gap p99, ms', (r) => r.tokens.refreshGapMs.p99],
  ['unplanned reconnects', (r) => r.connections.reconnects],
  ['errors (+ failed + unacked)', (r) => r.errors.count + r.run.failed + r.run.unacked],
  ['uplinks recorded by the mock', (r) => (r.mock ? r.mock.uplinks : null)],
  ['peak RSS simulator, MB', (r) => r.memory.simulatorPeakRssMB],
  ['peak RSS mock, MB', (r) => r.memory.mockPeakRssMB],
  ['peak RSS total, MB', (r) => r.memory.totalPeakRssMB],
  ['event-loop delay max, simulator, ms', (r) => r.eventLoopDelayMs.simulator.max],
  ['event-loop delay max, mock, ms', (r) => (r.eventLoopDelayMs.mock ? r.eventLoopDelayMs.mock.max : null)],
];
const fmt = (v: number | null) => (v === null ? '-' : Number.isInteger(v) ? String(v) : v.toFixed(2));
const lines = ['Command: `' + command + '` (' + runs + ' runs, Node ' + process.version + ')', '', '| what | median | runs |', '|---|---:|---|'];
for (const [name, get] of rows) {
  const vals = reports.map(get);
  const nums = vals.filter((v): v is number => v !== null);
  let cell = nums.length ? fmt(median(nums)) : '-';
  if (name.startsWith('ack latency')) cell += ' / ' + fmt(median(reports.map((r) => r.run.ackLatencyMs.p99)));
  lines.push('| ' + name + ' | ' + cell + ' | ' + vals.map(fmt).join(', ') + ' |');
}
lines.push('', 'Load average before each run: ' + reports.map((r) => r.loadBefore).join('; ') + '.');
console.log(lines.join('\n'));

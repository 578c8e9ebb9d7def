// The run's time series for --report-html and --report-csv: one sample a second from the first
// connect attempt to the end (connected devices, connects, acked msgs/s, ack latency p50/p99 of that
// second, refreshes, reconnects, errors, memory), every device's connect time, and each refresh gap
// with when it happened. Bounded: a second's latencies are a reservoir of at most 2,048 samples, and
// past MAX_POINTS the per-event lists keep every other entry.
import type { FleetCounters } from './fleet';

export interface SeriesPoint {
  /** Seconds since the fleet started connecting. */
  t: number;
  /** Seconds this sample covers (1, but the last is the partial second before stop()). */
  dt: number;
  phase: 'connect' | 'run' | 'drain';
  connected: number;
  everConnected: number;
  /** CONNACK 0s in this sample's dt (first connects, refreshes, reconnects). */
  connects: number;
  /** Acked messages in this sample's dt. */
  msgs: number;
  ackP50: number | null;
  ackP99: number | null;
  refreshes: number;
  reconnects: number;
  errors: number;
  simRssMB: number;
  /** The mock's peak RSS so far (null with an inline mock or an external broker). */
  mockRssMB: number | null;
}

/** Per-event lists are thinned (every other entry kept) past this many. */
export const MAX_POINTS = 20000;
const RESERVOIR = 2048;

/** Keeps at most MAX_POINTS (t, value) pairs, halving (every other one) when full. */
class Thinned {
  readonly t: number[] = [];
  readonly v: number[] = [];
  private every = 1;
  private seen = 0;
  add(t: number, v: number): void {
    if (this.seen++ % this.every !== 0) return;
    this.t.push(t);
    this.v.push(v);
    if (this.t.length >= MAX_POINTS) {
      for (let i = 0, j = 0; i < this.t.length; i += 2, j++) {
        this.t[j] = this.t[i];
        this.v[j] = this.v[i];
      }
      this.t.length = this.v.length = Math.ceil(this.t.length / 2);
      this.every *= 2;
    }
  }
}

const quantile = (sorted: Float64Array, q: number): number | null => (sorted.length ? Math.round(sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] * 10) / 10 : null);

export class SeriesRecorder {
  readonly points: SeriesPoint[] = [];
  /** Each device's first connect: seconds since the start, and how long it took (ms). */
  readonly connectTimes = new Thinned();
  /** Each refresh: seconds since the start, and the gap (ms) between the old session's end and the new one. */
  readonly refreshGaps = new Thinned();
  private readonly lat = new Float64Array(RESERVOIR);
  private latN = 0;
  private latSeen = 0;
  private last = { connects: 0, acked: 0, refreshes: 0, reconnects: 0, errors: 0 };
  private timer?: NodeJS.Timeout;
  private t0 = 0;
  private lastT = 0;
  phase: SeriesPoint['phase'] = 'connect';

  constructor(
    private readonly counters: FleetCounters,
    private readonly mockRssBytes: () => number | null,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  /** Seconds since start(). */
  since(): number {
    return (this.clock() - this.t0) / 1000;
  }

  start(): void {
    this.t0 = this.clock();
    this.timer = setInterval(() => this.sample(), 1000);
    this.timer.unref();
  }

  /** A last sample (the partial second) and no more. */
  stop(): void {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.sample();
  }

  ack(ms: number): void {
    // Reservoir sampling: every acked message this second is equally likely to be kept.
    const i = this.latSeen++;
    if (i < RESERVOIR) this.lat[this.latN++] = ms;
    else {
      const j = Math.floor(Math.random() * (i + 1));
      if (j < RESERVOIR) this.lat[j] = ms;
    }
  }

  connected(ms: number): void {
    this.connectTimes.add(Math.round(this.since() * 1000) / 1000, Math.round(ms * 10) / 10);
  }

  refreshGap(ms: number): void {
    this.refreshGaps.add(Math.round(this.since() * 1000) / 1000, Math.round(ms * 10) / 10);
  }

  sample(): void {
    const c = this.counters;
    const lat = this.lat.slice(0, this.latN).sort();
    const mock = this.mockRssBytes();
    const t = this.since();
    this.points.push({
      t: Math.round(t * 10) / 10,
      dt: Math.round((t - this.lastT) * 1000) / 1000,
      phase: this.phase,
      connected: c.connectedNow,
      everConnected: c.everConnected,
      connects: c.connects - this.last.connects,
      msgs: c.acked - this.last.acked,
      ackP50: quantile(lat, 0.5),
      ackP99: quantile(lat, 0.99),
      refreshes: c.refreshes - this.last.refreshes,
      reconnects: c.reconnects - this.last.reconnects,
      errors: c.errors - this.last.errors,
      simRssMB: Math.round(process.memoryUsage().rss / 1048576),
      mockRssMB: mock === null ? null : Math.round(mock / 1048576),
    });
    this.last = { connects: c.connects, acked: c.acked, refreshes: c.refreshes, reconnects: c.reconnects, errors: c.errors };
    this.latN = 0;
    this.latSeen = 0;
    this.lastT = t;
  }
}

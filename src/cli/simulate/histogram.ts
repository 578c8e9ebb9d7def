// A fixed-memory latency histogram (0.1 ms buckets up to 60 s, the rest in one overflow bucket): a
// fleet records a sample per message for minutes, so samples are counted, not kept.

const RESOLUTION_MS = 0.1;
const BUCKETS = 600000;

export class Histogram {
  private readonly counts = new Uint32Array(BUCKETS + 1);
  count = 0;
  max = 0;

  add(ms: number): void {
    const b = Math.min(BUCKETS, Math.max(0, Math.floor(ms / RESOLUTION_MS)));
    this.counts[b]++;
    this.count++;
    if (ms > this.max) this.max = ms;
  }

  /** The q-quantile (0..1) in ms, to the bucket's upper edge; null without samples. */
  quantile(q: number): number | null {
    if (!this.count) return null;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let b = 0; b <= BUCKETS; b++) {
      seen += this.counts[b];
      if (seen >= rank) return b === BUCKETS ? this.max : Math.min(this.max, (b + 1) * RESOLUTION_MS);
    }
    return this.max;
  }

  summary(): { count: number; p50: number | null; p99: number | null; max: number | null } {
    const r = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);
    return { count: this.count, p50: r(this.quantile(0.5)), p99: r(this.quantile(0.99)), max: this.count ? r(this.max) : null };
  }
}

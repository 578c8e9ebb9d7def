// Benchmark timing helper: batches of calls, several rounds interleaved across candidates, medians.
export interface Candidate {
  name: string;
  fn: () => unknown | Promise<unknown>;
}

export interface Result {
  name: string;
  /** Median microseconds per call over the rounds. */
  medianUs: number;
  rounds: number[];
}

const median = (xs: number[]) => {
  const s = xs.slice().sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Runs each candidate `batch` times per round for `rounds` rounds, candidates interleaved so drift hits all alike. */
export async function measure(cands: Candidate[], batch: number, rounds = 9): Promise<Result[]> {
  for (const c of cands) for (let i = 0; i < Math.max(3, batch >> 2); i++) await c.fn(); // warm-up
  const times: number[][] = cands.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < cands.length; k++) {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < batch; i++) await cands[k].fn();
      times[k].push(Number(process.hrtime.bigint() - t0) / 1000 / batch);
    }
  }
  return cands.map((c, k) => ({ name: c.name, medianUs: median(times[k]), rounds: times[k] }));
}

export function table(results: Result[], baseline: string): string {
  const base = results.find((r) => r.name === baseline)!.medianUs;
  const lines = ['| what | median µs/op | ratio to ' + baseline + ' |', '|---|---:|---:|'];
  for (const r of results) lines.push('| ' + r.name + ' | ' + r.medianUs.toFixed(1) + ' | ' + (r.medianUs / base).toFixed(2) + 'x |');
  return lines.join('\n');
}

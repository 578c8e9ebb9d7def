// Small inline-SVG charts for the HTML report (no library, no script: the file opens anywhere):
// line or dot series over a shared x axis, and a bar histogram, with "nice" axis ticks.

export interface Series {
  name: string;
  color: string;
  xs: number[];
  /** null leaves a gap. */
  ys: (number | null)[];
  /** Dots instead of a line (events such as refresh gaps). */
  dots?: boolean;
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  width?: number;
  height?: number;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => '&#' + c.charCodeAt(0) + ';');
const f = (n: number) => (Math.round(n * 10) / 10).toString();

/** A round step (1, 2 or 5 times a power of ten) giving about `n` ticks up to `max`. */
export function niceStep(max: number, n = 5): number {
  if (!(max > 0)) return 1;
  const raw = max / n;
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  const m = raw / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

const label = (v: number) => (Math.abs(v) >= 10000 ? Math.round(v / 1000) + 'k' : Number.isInteger(v) ? String(v) : v.toFixed(Math.abs(v) < 1 ? 2 : 1));

function frame(o: ChartOptions, xMax: number, yMax: number): { head: string[]; x: (v: number) => number; y: (v: number) => number; W: number; H: number } {
  const W = o.width || 720;
  const H = o.height || 220;
  const L = 56;
  const R = 12;
  const T = 28;
  const B = 36;
  const xs = niceStep(xMax);
  const ys = niceStep(yMax);
  const xTop = Math.max(xs, Math.ceil(xMax / xs) * xs);
  const yTop = Math.max(ys, Math.ceil(yMax / ys) * ys);
  const x = (v: number) => L + (v / xTop) * (W - L - R);
  const y = (v: number) => H - B - (v / yTop) * (H - T - B);
  const head = ['<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ' + W + ' ' + H + '" width="' + W + '" height="' + H + '" role="img" aria-label="' + esc(o.title) + '">'];
  head.push('<text x="' + L + '" y="16" class="title">' + esc(o.title) + '</text>');
  for (let v = 0; v <= yTop + ys / 2; v += ys) head.push('<line x1="' + L + '" x2="' + (W - R) + '" y1="' + f(y(v)) + '" y2="' + f(y(v)) + '" class="grid"/><text x="' + (L - 4) + '" y="' + f(y(v) + 4) + '" text-anchor="end">' + label(v) + '</text>');
  for (let v = 0; v <= xTop + xs / 2; v += xs) head.push('<text x="' + f(x(v)) + '" y="' + (H - B + 14) + '" text-anchor="middle">' + label(v) + '</text>');
  head.push('<text x="' + (W - R) + '" y="' + (H - 4) + '" text-anchor="end">' + esc(o.xLabel) + '</text>');
  head.push('<text x="12" y="' + (T + (H - T - B) / 2) + '" transform="rotate(-90 12 ' + (T + (H - T - B) / 2) + ')" text-anchor="middle">' + esc(o.yLabel) + '</text>');
  return { head, x, y, W, H };
}

/** Lines (or dots) sharing the axes; a legend when there is more than one series. */
export function lineChart(o: ChartOptions, series: Series[]): string {
  let xMax = 0;
  let yMax = 0;
  for (const s of series) {
    for (const v of s.xs) if (v > xMax) xMax = v;
    for (const v of s.ys) if (v !== null && v > yMax) yMax = v;
  }
  const { head, x, y, W } = frame(o, xMax, yMax);
  const out = head;
  series.forEach((s, k) => {
    if (s.dots) {
      const d: string[] = [];
      s.xs.forEach((xv, i) => {
        const yv = s.ys[i];
        if (yv !== null) d.push('M' + f(x(xv)) + ' ' + f(y(yv)) + 'h0.1');
      });
      out.push('<path d="' + d.join('') + '" stroke="' + s.color + '" stroke-width="4" stroke-linecap="round" fill="none"/>');
    } else {
      let d = '';
      let pen = false;
      s.xs.forEach((xv, i) => {
        const yv = s.ys[i];
        if (yv === null) return void (pen = false);
        d += (pen ? 'L' : 'M') + f(x(xv)) + ' ' + f(y(yv));
        pen = true;
      });
      out.push('<path d="' + d + '" stroke="' + s.color + '" stroke-width="1.8" fill="none"/>');
    }
    if (series.length > 1) out.push('<rect x="' + (W - 170) + '" y="' + (8 + k * 14) + '" width="10" height="10" fill="' + s.color + '"/><text x="' + (W - 156) + '" y="' + (17 + k * 14) + '">' + esc(s.name) + '</text>');
  });
  if (!series.some((s) => s.ys.some((v) => v !== null))) out.push('<text x="' + W / 2 + '" y="110" text-anchor="middle">no samples</text>');
  out.push('</svg>');
  return out.join('');
}

/** A histogram: `counts[i]` in the bin from `edges[i]` to `edges[i + 1]`. */
export function barChart(o: ChartOptions, edges: number[], counts: number[], color: string): string {
  const xMax = edges.length ? edges[edges.length - 1] : 1;
  const yMax = counts.length ? Math.max(...counts) : 0;
  const { head, x, y } = frame(o, xMax, yMax);
  const out = head;
  counts.forEach((n, i) => {
    if (!n) return;
    const x0 = x(edges[i]);
    const w = Math.max(1, x(edges[i + 1]) - x0 - 1);
    out.push('<rect x="' + f(x0) + '" y="' + f(y(n)) + '" width="' + f(w) + '" height="' + f(y(0) - y(n)) + '" fill="' + color + '"><title>' + label(edges[i]) + '-' + label(edges[i + 1]) + ': ' + n + '</title></rect>');
  });
  if (!counts.some((n) => n > 0)) out.push('<text x="360" y="110" text-anchor="middle">no samples</text>');
  out.push('</svg>');
  return out.join('');
}

/** `values` in `bins` equal bins from 0 to their nice maximum. */
export function histogram(values: number[], bins = 24): { edges: number[]; counts: number[] } {
  let max = 0;
  for (const v of values) if (v > max) max = v;
  const step = niceStep(max, bins);
  const n = Math.max(1, Math.ceil(max / step + 1e-9));
  const counts = new Array<number>(n).fill(0);
  for (const v of values) counts[Math.min(n - 1, Math.floor(v / step))]++;
  return { edges: Array.from({ length: n + 1 }, (_, i) => i * step), counts };
}

// Byte budgets per bundle (scripts/size.mjs; `npm test` builds dist/ first): the test fails above them.
import { describe, expect, it } from 'vitest';
import { measureSizes } from '../../scripts/size.mjs';

// The espruino bundle is over its 32 KB budget (issue 7): 41,560 bytes after the ES256-only key
// parsing, native base64, smaller field kernels, the fallback machinery left out (a stub stands
// in for src/device/fallback.ts) and terser's second pass. This ceiling, the measured size rounded
// up to the next 0.5 KB, keeps it from growing. Lower it as the bundle shrinks; delete it once the
// budget holds. Raised to 43.5 KB (44,311 bytes) by what the real interpreter needed (issue 13):
// regexes replaced by scanning, the board's entropy sources, signing in shorter slices with the key
// check inside the job, native UTF-8 for ASCII, caught socket errors, and lines of at most 100
// characters (about 500 bytes of newlines). Raised to 44.5 KB (45,163 bytes, +819) by the device's
// parts around one context object (issue 14): its fields are read as `c.x` where the one closure
// had locals; the build shortens their names (properties ending in '_'), without which it was +2.5 KB.
// Raised to 45 KB (45,605 bytes, +318 over the issue-15 diet before it) by the outbox as a class:
// its closures kept createContext's whole scope (the caller's options, the parsed key, ...) once the
// bundler inlined the factory, and the class form makes createDevice hold 236 variables fewer (issue
// 15 puts variables before bytes).
const ESPRUINO_CEILING = 45 * 1024;

describe('bundle size budgets', async () => {
  const rows = await measureSizes();
  it('measures every bundle', () => {
    expect(rows.filter((r) => r.missing).map((r) => r.name)).toEqual([]);
    expect(rows.length).toBe(5);
  });
  for (const r of rows.filter((x) => x.budget && x.name !== 'espruino bundle')) {
    it(`${r.name}: ${r.minified} bytes minified, budget ${r.budget}`, () => {
      expect(r.minified).toBeGreaterThan(1000);
      expect(r.minified).toBeLessThanOrEqual(r.budget as number);
    });
  }
  const esp = rows.find((x) => x.name === 'espruino bundle')!;
  it(`espruino bundle: ${esp.minified} bytes, not above its ${ESPRUINO_CEILING}-byte ceiling (budget ${esp.budget} not yet met)`, () => {
    expect(esp.minified).toBeLessThanOrEqual(ESPRUINO_CEILING);
  });
});

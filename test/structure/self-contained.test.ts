// A clone anywhere passes its tests: no test reads outside the checkout (the Wycheproof vectors are
// copied into test/vectors/). Only the real-engine suites (test/real-engines/) use the engine kits
// of ../shared/engines, through scripts/engines/real.mjs.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, rel } from './sources';

// these files name the patterns they look for
const ALLOWED = ['test/real-engines/', 'test/vectors/', 'test/structure/self-contained.test.ts', 'test/docs/shipped-refs.test.ts', 'test/package/shipped-files.test.ts'];

function files(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((f) => {
      const p = join(dir, f);
      return statSync(p).isDirectory() ? files(p) : /\.(ts|mts|js|mjs|cjs|json)$/.test(f) ? [p] : [];
    });
}

/** The references to files outside the checkout a test source makes, one string per hit. */
export function outsideRefs(text: string): string[] {
  const patterns = [
    /\/work\//g, // an absolute path of one machine
    /\.\.\/shared\b|['"]shared['"]|\bshared\/(vectors|engines)\b/g, // the reference data beside the checkout
    /(['"]\.\.['"],\s*){3,}/g, // three or more levels up from a test file leaves test/
    /\/(home|root|Users)\/[\w.-]+\//g,
  ];
  return patterns.flatMap((re) => text.match(re) || []);
}

describe('tests are self-contained', () => {
  it('the detector finds the kinds of path it guards against', () => {
    expect(outsideRefs("const P = '/work/shared/vectors/x.json';").length).toBeGreaterThan(0);
    expect(outsideRefs("join(import.meta.dirname, '..', '..', 'shared', 'vectors')")).toContain("'shared'");
    expect(outsideRefs("join(here, '..', '..', '..', 'x')")).toHaveLength(1);
    expect(outsideRefs("join(import.meta.dirname, 'vectors', 'wycheproof')")).toEqual([]);
  });

  it('no test outside test/real-engines reads ../shared, an absolute path, or above the checkout', () => {
    const hits = [join(ROOT, 'vitest.config.ts'), ...files(join(ROOT, 'test'))]
      .filter((f) => !ALLOWED.some((a) => rel(f).startsWith(a)))
      .flatMap((f) => outsideRefs(readFileSync(f, 'utf8')).map((h) => rel(f) + ': ' + h));
    expect(hits).toEqual([]);
  });

  it('the vectors the tests use are in the checkout, with their license and source noted', () => {
    const dir = join(ROOT, 'test', 'vectors', 'wycheproof');
    const have = readdirSync(dir).sort();
    expect(have).toEqual(['LICENSE', 'ecdsa_secp256r1_sha256_p1363_test.json', 'rsa_pkcs1_2048_sig_gen_test.json', 'rsa_signature_2048_sha256_test.json']);
    const readme = readFileSync(join(ROOT, 'test', 'vectors', 'README.md'), 'utf8');
    for (const f of have) expect(readme, f).toContain(f);
    // each copy is the file the README identifies (unmodified)
    for (const f of have.filter((n) => n.endsWith('.json'))) {
      const sum = createHash('sha256').update(readFileSync(join(dir, f))).digest('hex');
      expect(readme.split('\n').find((l) => l.includes('`' + f + '`')), f).toContain(sum);
    }
  });
});

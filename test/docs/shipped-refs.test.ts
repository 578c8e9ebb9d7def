// What users get points only at what they get: no shipped file (sources, docs, README, examples, the
// built type declarations) cites the project's internal design brief (DESIGN.md) or the reference
// data beside the checkout (../shared); the wire formats are in docs/protocol.md. Only the
// real-engine tooling (scripts/engines, test/real-engines), which builds and runs the engine kits,
// may name ../shared, and neither is shipped or scanned here.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const TEXT = /\.(ts|mts|js|mjs|cjs|json|md|txt|sh|yml|yaml|html)$/;

function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .flatMap((f) => {
      const p = join(dir, f);
      if (f === 'node_modules') return [];
      return statSync(p).isDirectory() ? files(p) : TEXT.test(f) ? [p] : [];
    });
}

/** The references to files users do not have, one string per hit. */
export function unshippedRefs(text: string): string[] {
  return [...text.matchAll(/\bDESIGN\.md\b|\.\.\/shared\b|\/work\/(shared|main|wt)\b/g)].map((m) => m[0]);
}

describe('shipped files reference only what ships', () => {
  it('the check finds the references it guards against', () => {
    expect(unshippedRefs('/** A registry (DESIGN.md section 2 format). */')).toEqual(['DESIGN.md']);
    expect(unshippedRefs('vectors are read from ../shared/vectors')).toEqual(['../shared']);
    expect(unshippedRefs("const P = '/work/shared/vectors/x.json'")).toEqual(['/work/shared']);
    expect(unshippedRefs('see docs/protocol.md, "HTTP uplinks"')).toEqual([]);
  });

  it('src, targets, docs (the API reference included), README, examples and dist/types cite no DESIGN.md or ../shared', () => {
    const types = join(root, 'dist', 'types');
    expect(existsSync(types), 'dist/types is missing: run npm run build').toBe(true);
    const scanned = [...['src', 'targets', 'docs', 'examples'].flatMap((d) => files(join(root, d))), join(root, 'README.md'), join(root, 'package.json'), ...files(types)];
    expect(scanned.length).toBeGreaterThan(100);
    const hits = scanned.flatMap((f) => unshippedRefs(readFileSync(f, 'utf8')).map((h) => relative(root, f) + ': ' + h));
    expect(hits).toEqual([]);
  });

  it('docs/protocol.md covers the wire formats users need', () => {
    const md = readFileSync(join(root, 'docs', 'protocol.md'), 'utf8');
    for (const term of ['kid', 'aud', 'exp', 'iat', '/up/device/id/', '/down/device/id/', 'CONNACK', 'x-uplink-secret', 'x-device-id', '/v3/capture', 'Content-Format', '2.01', 'UDP', 'bodyLimit'])
      expect(md, term).toContain(term);
  });
});

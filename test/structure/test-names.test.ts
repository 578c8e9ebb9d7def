// Suites are found by name: no two test files under test/ share a basename, and test/ has no
// catch-all folder (suites live beside the others for the same source).
import { readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rel, ROOT } from './sources';

function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? testFiles(p) : p.endsWith('.test.ts') ? [p] : [];
  });
}

describe('test files', () => {
  const files = testFiles(join(ROOT, 'test'));

  it('have unique basenames', () => {
    expect(files.length).toBeGreaterThan(50);
    const seen = new Map<string, string[]>();
    for (const f of files) seen.set(basename(f), [...(seen.get(basename(f)) || []), rel(f)]);
    expect([...seen.values()].filter((v) => v.length > 1)).toEqual([]);
  });

  it('live in folders named for what they test, not test/unit', () => {
    expect(files.map(rel).filter((f) => f.startsWith('test/unit/') || f.split('/').length < 3)).toEqual([]);
  });
});

// No import cycles under src/ and targets/: every relative import (and the tsconfig "paths" alias)
// of a .ts file is resolved by a small resolver, type-only imports included, and the strongly
// connected components of that graph must all be single files (a group printed is a set of files
// that import each other, directly or around a circle).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { rel, ROOT, tsFiles } from './sources';

const files = [...tsFiles(join(ROOT, 'src')), ...tsFiles(join(ROOT, 'targets'))];
const aliases: Record<string, string[]> = JSON.parse(readFileSync(join(ROOT, 'tsconfig.json'), 'utf8')).compilerOptions.paths || {};

/** The .ts file a specifier names, or undefined for packages, Node built-ins and non-TS files. */
function resolveImport(from: string, spec: string): string | undefined {
  let base: string;
  if (spec.startsWith('.')) base = resolve(dirname(from), spec);
  else if (aliases[spec]) base = resolve(ROOT, aliases[spec][0]);
  else return undefined;
  base = base.replace(/\.(m?js)$/, '');
  for (const c of [base, base + '.ts', base + '.d.ts', join(base, 'index.ts')]) if (c.endsWith('.ts') && existsSync(c)) return c;
  return undefined;
}

/** Specifiers of import, export-from, import() and import("...") type nodes; require() is not used. */
function specifiers(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return info.importedFiles.map((f) => f.fileName);
}

const graph = new Map<string, string[]>();
const unresolved: string[] = [];
for (const f of files) {
  const deps: string[] = [];
  for (const s of specifiers(f)) {
    const r = resolveImport(f, s);
    if (r) deps.push(r);
    else if (s.startsWith('.')) unresolved.push(rel(f) + ' -> ' + s);
  }
  graph.set(f, [...new Set(deps)]);
}

/** Strongly connected components with more than one file (or a file importing itself), by Tarjan. */
function cycles(g: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of g.get(v) || []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (g.get(v) || []).includes(v)) out.push(scc.map(rel).sort());
    }
  };
  for (const v of g.keys()) if (!index.has(v)) visit(v);
  return out.sort((a, b) => a[0].localeCompare(b[0]));
}

describe('imports under src/ and targets/', () => {
  it('resolve: every relative import names an existing .ts file (or a non-TS asset)', () => {
    expect(files.length).toBeGreaterThan(100);
    // Relative imports of assets (JSON manifests, .bin tables) are not edges of the graph.
    expect(unresolved.filter((u) => !/\.(json|bin|js|mjs)$/.test(u))).toEqual([]);
  });

  it('form no cycles (each group listed is a set of files that import each other)', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('the cycle finder finds a planted cycle', () => {
    const g = new Map([
      ['/a.ts', ['/b.ts']],
      ['/b.ts', ['/c.ts']],
      ['/c.ts', ['/a.ts', '/d.ts']],
      ['/d.ts', []],
      ['/e.ts', ['/e.ts']],
    ]);
    expect(cycles(g).length).toBe(2);
  });
});

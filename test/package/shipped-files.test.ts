// What `npm pack` ships points only at what it ships: package.json's bin and exports, the relative
// links of the shipped Markdown (README, docs, examples), and the docs, examples and notes that the
// shipped code and type declarations cite (the CLI's help names docs/cli.md) are all in the tarball;
// nothing shipped names DESIGN.md or ../shared. Links to what is only in the repository (src/, test/)
// are written as text, not as links, in the README.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, shippedFiles } from './pack';

/** Relative Markdown link targets in `md` (no URL, no in-page anchor), without their #anchor. */
export function mdLinks(md: string): string[] {
  return [...md.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1].split('#')[0]).filter((l) => l !== '' && !/^[a-z][a-z+.-]*:/i.test(l));
}

/** Paths in shipped text that must ship too: docs/…, examples/…, BENCHMARKS.md, and the never-shipped DESIGN.md and ../shared. */
export function citedPaths(text: string): string[] {
  // Not after a path or URL character: $(MODDABLE)/examples/... and https://v8.dev/docs/... are others' files.
  const re = /(?<![\w./$)-])((?:docs|examples)\/[\w./-]*[\w/]|BENCHMARKS\.md|DESIGN\.md|\.\.\/shared\b)/g;
  return [...text.matchAll(re)].map((m) => m[1].replace(/\/$/, ''));
}

/** The packages the declarations reachable from `entry` (a .d.ts) import, by the file that imports them. */
export function declarationImports(entry: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const m of readFileSync(file, 'utf8').matchAll(/(?:from|import\()\s*'([^']+)'/g)) {
      if (!m[1].startsWith('.')) out.push(relative(ROOT, file) + ': ' + m[1]);
      else for (const c of [m[1].replace(/\.js$/, '') + '.d.ts', m[1] + '/index.d.ts']) if (existsSync(join(dirname(file), c))) visit(join(dirname(file), c));
    }
  };
  visit(entry);
  return out;
}

describe('the packed files reference only packed files', () => {
  let files: string[] = [];
  const ships = (p: string) => files.includes(p) || files.some((f) => f.startsWith(p + '/'));
  beforeAll(() => {
    files = shippedFiles();
  }, 120_000);

  it('the checks find the references they look for', () => {
    expect(mdLinks('see [cli](docs/cli.md#mock), [site](https://akenza.io), [up](../README.md), [here](#x)')).toEqual(['docs/cli.md', '../README.md']);
    expect(citedPaths('exit codes: see docs/cli.md. Design: DESIGN.md, vectors in ../shared/vectors')).toEqual(['docs/cli.md', 'DESIGN.md', '../shared']);
    expect(citedPaths('"$(MODDABLE)/examples/manifest_base.json", https://v8.dev/docs/stack-trace-api')).toEqual([]);
    expect(citedPaths('run examples/node/demo.mjs')).toEqual(['examples/node/demo.mjs']);
  });

  it('ships the entries, docs and examples, and no sources, tests or scripts', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const targets = [...Object.values(pkg.bin as Record<string, string>), ...Object.values(pkg.exports as Record<string, string | Record<string, string>>).flatMap((e) => (typeof e === 'string' ? [e] : Object.values(e)))];
    expect(targets.length).toBeGreaterThan(6);
    for (const t of targets) expect(files, t).toContain(normalize(t));
    for (const f of ['README.md', 'docs/cli.md', 'docs/protocol.md', 'docs/api/README.md', 'dist/types/src/index.d.ts', 'examples/node/demo.mjs']) expect(files).toContain(f);
    expect(files.filter((f) => /^(src|test|scripts|targets|node_modules)\//.test(f) || f === 'DESIGN.md')).toEqual([]);
  });

  it('the entries\' declarations import node:*, @noble/curves and, for the mock, mqtt-packet (whose types it ships): no @types package a user must add', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    for (const [entry, e] of Object.entries(pkg.exports as Record<string, string | { types?: string }>)) {
      if (typeof e === 'string' || !e.types) continue;
      const allowed = entry === './mock' ? /^(node:|@noble\/curves\/|mqtt-packet$)/ : /^(node:|@noble\/curves\/)/;
      const imports = declarationImports(join(ROOT, e.types));
      expect(imports.filter((i) => !allowed.test(i.split(': ')[1])), entry).toEqual([]);
    }
    expect(declarationImports(join(ROOT, 'dist/types/src/mock/index.d.ts')).join('\n')).toContain(': mqtt-packet');
  });

  it('the relative links of shipped Markdown resolve to shipped files', () => {
    const md = files.filter((f) => f.endsWith('.md'));
    expect(md.length).toBeGreaterThan(10);
    const broken = md.flatMap((f) => mdLinks(readFileSync(join(ROOT, f), 'utf8')).filter((l) => !ships(normalize(join(dirname(f), l)))).map((l) => f + ' -> ' + l));
    expect(broken).toEqual([]);
  });

  it('shipped code, types, docs and examples cite only shipped files, never DESIGN.md or ../shared', () => {
    const text = files.filter((f) => /\.(js|mjs|d\.ts|md|json)$/.test(f));
    expect(text.filter((f) => f.startsWith('dist/types/')).length).toBeGreaterThan(20);
    const missing = text.flatMap((f) => citedPaths(readFileSync(join(ROOT, f), 'utf8')).filter((p) => !ships(p)).map((p) => f + ': ' + p));
    expect([...new Set(missing)]).toEqual([]);
  });
});

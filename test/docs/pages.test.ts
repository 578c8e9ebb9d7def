// The docs stay true to the code: docs/api matches the types, the troubleshooting table names every
// error code, and the README's links and npm scripts exist.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const read = (p: string) => readFileSync(join(root, p), 'utf8');

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else out.push(relative(dir, join(d, e.name)));
    }
  };
  walk(dir);
  return out.sort();
}

/** The quoted members of a string-literal union type declared in `file`. */
function unionMembers(file: string, typeName: string): string[] {
  const src = read(file);
  const m = new RegExp('export type ' + typeName + ' =([^;]*);').exec(src);
  if (!m) throw new Error(typeName + ' not found in ' + file);
  return [...m[1].replace(/\/\/[^\n]*/g, '').matchAll(/'([A-Z0-9_]+)'/g)].map((x) => x[1]);
}

/** Table rows (lines starting with '|') of a markdown file. */
const tableRows = (md: string) => md.split('\n').filter((l) => l.trimStart().startsWith('|'));

describe('docs/api', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'akenza-docs-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('is what `npm run docs` generates from the current types (run it after changing a public type or its comment)', async () => {
    const bin = join(root, 'node_modules', '.bin', 'typedoc');
    await run(bin, ['--options', 'typedoc.json', '--out', tmp, '--logLevel', 'Error'], { cwd: root, timeout: 120_000 });
    const fresh = filesUnder(tmp);
    expect(fresh.length).toBeGreaterThanOrEqual(4); // index + one page per entry point
    expect(filesUnder(join(root, 'docs', 'api'))).toEqual(fresh);
    for (const f of fresh) expect(read(join('docs', 'api', f)), 'docs/api/' + f + ' is stale: run npm run docs').toBe(readFileSync(join(tmp, f), 'utf8'));
  });

  it('has a page per public entry point of package.json "exports", naming its main functions', () => {
    const exportsField = JSON.parse(read('package.json')).exports as Record<string, unknown>;
    const pages: Record<string, string> = { '.': 'akenza-device.md', './node': 'akenza-device/node.md', './mock': 'akenza-device/mock.md' };
    for (const key of Object.keys(exportsField).filter((k) => k !== './package.json')) {
      expect(pages[key], 'no docs/api page for export ' + key).toBeDefined();
    }
    expect(read('docs/api/akenza-device.md')).toMatch(/### signJwt/);
    expect(read('docs/api/akenza-device/node.md')).toMatch(/### createDevice\(\)/);
    expect(read('docs/api/akenza-device/mock.md')).toMatch(/### startMockCloud\(\)/);
  });
});

describe('docs/troubleshooting.md', () => {
  const rows = tableRows(read('docs/troubleshooting.md'));

  it('has a row for every AkenzaError and MqttError code', () => {
    const codes = [...unionMembers('src/errors.ts', 'ErrorCode'), ...unionMembers('src/mqtt/errors.ts', 'MqttErrorCode')];
    expect(codes.length).toBeGreaterThanOrEqual(16);
    const missing = codes.filter((c) => !rows.some((r) => r.includes('`' + c + '`')));
    expect(missing, 'error codes missing from the troubleshooting table').toEqual([]);
  });

  it('has a row for every CONNACK refusal code 1..5', () => {
    for (let code = 1; code <= 5; code++) expect(rows.some((r) => new RegExp('^\\|\\s*CONNACK ' + code + '\\b').test(r.trim())), 'CONNACK ' + code).toBe(true);
  });
});

describe('README and docs pages', () => {
  const pages = ['README.md', 'docs/README.md', 'docs/token-lifecycle.md', 'docs/troubleshooting.md'];

  it('link only to files that exist', () => {
    const broken: string[] = [];
    for (const page of pages) {
      for (const m of read(page).matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1].split('#')[0];
        if (!target || /^[a-z]+:/.test(target)) continue; // in-page anchor or absolute URL
        if (!existsSync(resolve(root, dirname(page), target))) broken.push(page + ' -> ' + m[1]);
      }
    }
    expect(broken).toEqual([]);
  });

  it('name only npm scripts that package.json defines', () => {
    const scripts = Object.keys(JSON.parse(read('package.json')).scripts);
    const named = pages.flatMap((p) => [...read(p).matchAll(/npm run ([a-z:-]+)/g)].map((m) => m[1]));
    expect(named.length).toBeGreaterThan(0);
    expect(named.filter((s) => !scripts.includes(s))).toEqual([]);
  });
});

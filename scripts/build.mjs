// Builds every entry into dist/: the portable ESM core, the Node entry, the mock cloud, the CLI, and type declarations.
// Run by `npm run build`, `npm test`, and `npm pack`/`npm publish` (prepack): installing the package runs
// nothing (it ships dist/ built; this script and the sources it reads do not ship).
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { minify } from 'terser';
import { ESPRUINO_FORBIDDEN, ESPRUINO_SUPPORTED, espruinoRegexProblems } from './espruino-profile.mjs';
import { espruinoTableBytes } from './p256/espruino-table.mjs';

const root = new URL('..', import.meta.url).pathname;
process.chdir(root);
rmSync('dist', { recursive: true, force: true });

const common = { bundle: true, format: 'esm', target: 'es2022', sourcemap: false, logLevel: 'warning', packages: 'external' };

await Promise.all([
  build({ ...common, entryPoints: ['src/index.ts'], outfile: 'dist/core/index.js', platform: 'neutral' }),
  build({ ...common, entryPoints: ['targets/node/index.ts'], outfile: 'dist/node/index.js', platform: 'node' }),
  build({ ...common, entryPoints: ['src/mock/index.ts'], outfile: 'dist/mock/index.js', platform: 'node' }),
  build({ ...common, entryPoints: ['src/cli/bin.ts'], outfile: 'dist/node/cli.js', platform: 'node', banner: { js: '#!/usr/bin/env node' } }),
]);
chmodSync('dist/node/cli.js', 0o755);

// Device bundles, one per runtime: everything inlined (noble included), minified by esbuild, then a
// second pass by terser, whose repeated compression takes ~3% more off. Terser writes ecma 5 so it
// never emits newer syntax than it was given (the Espruino profile stays as esbuild enforced it).
// Properties whose names end in '_' (the device context's fields, src/device/context.ts) are
// shortened too: nothing outside a bundle reads them.
const device = { bundle: true, minify: true, legalComments: 'none', logLevel: 'warning', target: 'es2020', platform: 'neutral' };
async function buildDevice(options, format = {}, compress = {}, toplevel = false) {
  await build({ ...device, ...options });
  const out = await minify(readFileSync(options.outfile, 'utf8'), { module: options.format === 'esm', toplevel, compress: { passes: 3, ecma: 5, ...compress }, mangle: { properties: { regex: /_$/ } }, format: { ecma: 5, ...format } });
  writeFileSync(options.outfile, out.code);
}
await Promise.all([
  buildDevice({ entryPoints: ['targets/quickjs/index.ts'], outfile: 'dist/quickjs/akenza-device.mjs', format: 'esm' }),
  // Moddable: an ES module importing the host's ECMA-419 IO, plus the manifest a project includes.
  buildDevice({ entryPoints: ['targets/moddable/index.ts'], outfile: 'dist/moddable/akenza-device.js', format: 'esm', external: ['embedded:*', 'timer', 'net', 'crypt'] }),
  buildDevice({ entryPoints: ['targets/moddable/noble.ts'], outfile: 'dist/moddable/akenza-device-noble.js', format: 'esm', external: ['embedded:*', 'timer', 'net'] }),
]);
copyFileSync('targets/moddable/manifest.json', 'dist/moddable/manifest.json');
// The noble variant is not preloaded: XS compares a preloaded BigInt with === as unequal to the same runtime value.
copyFileSync('targets/moddable/manifest-noble.json', 'dist/moddable/manifest-noble.json');

// Module swaps a target declares in targets/<name>/swaps.json: { "src/x.ts": { "with": "targets/<name>/y.ts",
// "why": ... } }, paths from the repository root. Every import of a swapped module resolves to its
// stand-in, except the stand-in's own (a stand-in may build on the module it replaces). A build
// gets the target's table plus its own (`extra`); `used` collects the swaps that applied, over all
// of a target's builds.
function swaps(target, extra, used) {
  const table = { ...JSON.parse(readFileSync('targets/' + target + '/swaps.json', 'utf8')), ...extra };
  const noExt = (p) => resolve(p).replace(/\.ts$/, '');
  const standIns = new Map(Object.keys(table).map((from) => [noExt(from), resolve(table[from].with)]));
  return {
    name: target + '-swaps',
    setup: (b) => {
      b.onResolve({ filter: /^\./ }, (a) => {
        const p = noExt(resolve(a.resolveDir, a.path));
        const key = standIns.has(p) ? p : p + '/index';
        const to = standIns.get(key);
        if (!to || to === a.importer) return undefined;
        for (const from of Object.keys(table)) if (noExt(from) === key) used.add(from);
        return { path: to };
      });
    },
  };
}

// Espruino: CommonJS modules for Storage (targets/espruino/modules.json: the core `akenza-device`,
// and the modules it loads while needed and releases), each one file assigning `exports`, syntax
// limited to the Espruino profile, so the build fails if anything esbuild cannot lower slips in; the
// comb table ships beside them. targets/espruino/swaps.json (every module) gives way to Espruino's
// native hashes, base64 and ASCII text, and to smaller stand-ins for key extras (no RSA), the uplink
// fallback and the P-256 field code; a module's own swaps make the core's lazy loaders.
// the comb table in the layout the Espruino signer reads (scripts/p256/espruino-table.mjs)
const espruinoTable = espruinoTableBytes(readFileSync('src/sign/p256/comb-table.bin'));
const espruinoModules = JSON.parse(readFileSync('targets/espruino/modules.json', 'utf8'));
const espruinoUsed = new Set();
// targets/espruino/p256-flash.ts is built from p256-ram.ts's text without its "ram" directives (one
// source for both copies of the kernels); the build fails if there were none to take out.
const flashCopies = {
  name: 'espruino-flash-kernels',
  setup: (b) => b.onLoad({ filter: /targets[\\/]espruino[\\/]p256-flash\.ts$/ }, () => {
    const ram = readFileSync('targets/espruino/p256-ram.ts', 'utf8');
    const contents = ram.replace(/^\s*'ram';\n/gm, '');
    if (contents === ram || /['"]ram['"]/.test(contents.replace(/\/\/.*|\/\*[\s\S]*?\*\//g, ''))) throw new Error('targets/espruino/p256-ram.ts: no "ram" directives to take out for p256-flash.ts');
    return { contents: contents.replace(/export function ramKernels\(/, 'export function flashKernels(').replace(/export function ramInv\(/, 'export function flashInv('), loader: 'ts', resolveDir: resolve('targets/espruino') };
  }),
};
// a module's own terser compress options (modules.json `compress`, its `why` taken out)
const ownCompress = (m) => Object.fromEntries(Object.entries(m.compress || {}).filter(([k]) => k !== 'why'));
await Promise.all(Object.keys(espruinoModules).map((name) => buildDevice({
  entryPoints: [espruinoModules[name].entry], outfile: 'dist/espruino/' + name + '.js', supported: ESPRUINO_SUPPORTED,
  // the comb table's SHA-256: the module checks the Storage file against it with the native hash
  define: { AKENZA_P256_SHA256: JSON.stringify(createHash('sha256').update(espruinoTable).digest('hex')) },
  // CommonJS output keeps require('net') etc. as plain calls (an IIFE build adds a require shim);
  // the banner/footer still give the module its own scope.
  format: 'cjs',
  external: ['net', 'tls', 'dgram', 'crypto', 'Storage', ...Object.keys(espruinoModules)], logOverride: { 'commonjs-variable-in-esm': 'silent' },
  plugins: [swaps('espruino', espruinoModules[name].swaps || {}, espruinoUsed), flashCopies],
  // Short lines: Espruino's stack trace quotes the line an error was thrown from, so errors read
  // well; the variables a caught error keeps measured the same either way (BENCHMARKS.md).
}, { max_line_len: 100 }, { directives: false, ...ownCompress(espruinoModules[name]) }, true))); // keeps the "ram" directives (targets/espruino/p256-ram.ts; p256-flash.ts is its copy without them)
{
  // A swap that never applied names a module that moved: fail rather than ship the full one.
  const declared = Object.keys(JSON.parse(readFileSync('targets/espruino/swaps.json', 'utf8')));
  for (const name of Object.keys(espruinoModules)) declared.push(...Object.keys(espruinoModules[name].swaps || {}));
  const unused = declared.filter((from) => !espruinoUsed.has(from));
  if (unused.length) throw new Error('targets/espruino: nothing imports ' + unused.join(', '));
}
writeFileSync('dist/espruino/akenza-p256.bin', espruinoTable);
for (const name of Object.keys(espruinoModules)) {
  // Regexes Espruino gets wrong (a '/' in a class is a SyntaxError at load; '?', {n,m}... fail
  // silently) and APIs it lacks fail the build instead of the board.
  const code = readFileSync('dist/espruino/' + name + '.js', 'utf8');
  const problems = (await espruinoRegexProblems(code)).concat(ESPRUINO_FORBIDDEN.filter((re) => re.test(code)).map((re) => 'forbidden text ' + re));
  if (problems.length) throw new Error('dist/espruino/' + name + '.js is not Espruino-safe:\n  ' + problems.join('\n  '));
}

// Declarations for the package's typed entries (tests and scripts are not published).
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
addDeclarationExtensions('dist/types');

// The sources import without extensions (Bundler resolution, as esbuild, vitest and tsx read them),
// and tsc copies those specifiers into the .d.ts files; a consumer on NodeNext or Node16 resolution
// refuses them (TS2834). So each relative specifier gets the file it names: './x' -> './x.js',
// '../keys' -> '../keys/index.js'. One that names no emitted declaration fails the build.
function addDeclarationExtensions(dir) {
  for (const rel of readdirSync(dir, { recursive: true })) {
    if (!rel.endsWith('.d.ts')) continue;
    const file = join(dir, rel);
    const text = readFileSync(file, 'utf8');
    const fixed = text.replace(/(\bfrom\s+|\bimport\s*\(\s*|^import\s+)(['"])(\.\.?(?:\/[^'"]*)?)\2/gm, (all, lead, q, spec) => {
      if (/\.js$/.test(spec)) return all;
      const base = join(dirname(file), spec);
      const to = existsSync(base + '.d.ts') ? spec + '.js' : existsSync(join(base, 'index.d.ts')) ? spec.replace(/\/$/, '') + '/index.js' : null;
      if (!to) throw new Error(file + ': ' + spec + ' names no declaration file');
      return lead + q + to + q;
    });
    if (fixed !== text) writeFileSync(file, fixed);
  }
}

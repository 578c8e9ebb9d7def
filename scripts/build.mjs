// Builds every entry into dist/: the portable ESM core, the Node entry, the mock cloud, the CLI, and type declarations.
// Run by `npm install` (prepare) so the `akenza-device` bin works in a fresh clone.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { minify } from 'terser';
import { ESPRUINO_FORBIDDEN, ESPRUINO_SUPPORTED, espruinoRegexProblems } from './espruino-profile.mjs';

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
async function buildDevice(options, format = {}) {
  await build({ ...device, ...options });
  const out = await minify(readFileSync(options.outfile, 'utf8'), { module: options.format === 'esm', compress: { passes: 3, ecma: 5 }, mangle: { properties: { regex: /_$/ } }, format: { ecma: 5, ...format } });
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

// Espruino: one CommonJS module (it assigns `exports`), syntax limited to the Espruino profile, so
// the build fails if anything esbuild cannot lower slips in; the comb table ships beside it.
// The pure-JS SHA-256/SHA-1 and base64 give way to Espruino's native ones (faster, and no code in RAM),
// src/keys/extras to a stub without RSA (no RSA parsing or DER writer where RS256 cannot run),
// src/device/fallback to a stub refusing a fallback list (the target has no HTTP/CoAP/UDP uplinks),
// src/utf8 to native conversions for ASCII text,
// and fp-gen.ts to fp-small.ts (2.6 KB less field code; the unrolled multiply stays).
const espruinoSwaps = {
  name: 'espruino-swaps',
  setup: (b) => {
    b.onResolve({ filter: /\/hash\/sha(256|1)$/ }, (a) => ({ path: new URL('../targets/espruino/native-' + a.path.split('/').pop() + '.ts', import.meta.url).pathname }));
    b.onResolve({ filter: /^\.\/extras$/ }, (a) => (a.importer.endsWith('/src/keys/parse.ts') ? { path: new URL('../targets/espruino/key-extras.ts', import.meta.url).pathname } : undefined));
    // device.ts's import of it (the stub itself imports only the real module's type).
    b.onResolve({ filter: /^\.\/fallback$/ }, (a) => (a.importer.endsWith('/src/device/device.ts') ? { path: new URL('../targets/espruino/fallback.ts', import.meta.url).pathname } : undefined));
    b.onResolve({ filter: /\/base64$/ }, () => ({ path: new URL('../targets/espruino/native-base64.ts', import.meta.url).pathname }));
    // ASCII text through the native conversions (native-utf8.ts itself takes the real module).
    b.onResolve({ filter: /\/utf8$/ }, (a) => (a.importer.endsWith('native-utf8.ts') ? undefined : { path: new URL('../targets/espruino/native-utf8.ts', import.meta.url).pathname }));
    // fp-small.ts itself takes fpMul from fp-gen.ts.
    b.onResolve({ filter: /\/fp-gen$/ }, (a) => (a.importer.endsWith('fp-small.ts') ? undefined : { path: new URL('../src/sign/p256/fp-small.ts', import.meta.url).pathname }));
  },
};
await buildDevice({
  entryPoints: ['targets/espruino/index.ts'], outfile: 'dist/espruino/akenza-device.js', supported: ESPRUINO_SUPPORTED,
  // the comb table's SHA-256: the module checks the Storage file against it with the native hash
  define: { AKENZA_P256_SHA256: JSON.stringify(createHash('sha256').update(readFileSync('src/sign/p256/comb-table.bin')).digest('hex')) },
  // CommonJS output keeps require('net') etc. as plain calls (an IIFE build adds a require shim);
  // the banner/footer still give the module its own scope.
  format: 'cjs', banner: { js: '(()=>{' }, footer: { js: '})();' },
  external: ['net', 'tls', 'crypto', 'Storage'], logOverride: { 'commonjs-variable-in-esm': 'silent' }, plugins: [espruinoSwaps],
  // Short lines: Espruino's stack trace of an error points into the line it was thrown from, and
  // one 43 KB line made that cost more variables (BENCHMARKS.md, "Espruino (real interpreter)").
}, { max_line_len: 100 });
copyFileSync('src/sign/p256/comb-table.bin', 'dist/espruino/akenza-p256.bin');
{
  // Regexes Espruino gets wrong (a '/' in a class is a SyntaxError at load; '?', {n,m}... fail
  // silently) and APIs it lacks fail the build instead of the board.
  const code = readFileSync('dist/espruino/akenza-device.js', 'utf8');
  const problems = (await espruinoRegexProblems(code)).concat(ESPRUINO_FORBIDDEN.filter((re) => re.test(code)).map((re) => 'forbidden text ' + re));
  if (problems.length) throw new Error('dist/espruino/akenza-device.js is not Espruino-safe:\n  ' + problems.join('\n  '));
}

// Declarations for the package's typed entries (tests and scripts are not published).
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });

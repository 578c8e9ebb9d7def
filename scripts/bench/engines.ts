// ES256 mint time inside each engine, next to Node in the same run: the quickjs bundle in QuickJS,
// the espruino bundle in QuickJS under the Espruino profile, the moddable bundles in XS (xsnap).
// Every figure: median ms per signJwt over several rounds of back-to-back mints, kid auto.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { STRIP_GLOBALS } from '../espruino-profile.mjs';
import { xsnapPath } from '../engines/xs.mjs';
import { createHarness } from '../../test/engines/quickjs-harness';
import { signJwt as nodeSignJwt } from '../../targets/node/index';

const root = new URL('../..', import.meta.url).pathname;
const key = readFileSync(join(root, 'test/fixtures/keys/ec.pkcs8.pem'), 'utf8');
const ROUNDS = 7;
const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[xs.length >> 1];

// The same loop in every engine: warm up (table, key cache), then ROUNDS rounds of N mints.
const loop = (n: number) => `
  (function () {
    var o = { privateKey: ${JSON.stringify(key)}, deviceId: 'bench-dev', kid: 'auto' };
    var times = [];
    var clock = typeof performance !== 'undefined' ? function () { return performance.now(); } : function () { return Date.now(); };
    function round(r) {
      var t0 = clock(), i = 0;
      function next() {
        if (i++ === ${n}) { times.push((clock() - t0) / ${n}); return r + 1 < ${ROUNDS} ? round(r + 1) : report({ times: times }); }
        return akenza.signJwt(o).then(next);
      }
      return next();
    }
    akenza.signJwt(o).then(function () { round(0); }, function (e) { report({ error: String(e) }); });
  })();`;

async function inQuickJs(bundleFile: string, profile: boolean, n: number): Promise<number> {
  const dist = join(root, 'dist');
  const h = await createHarness({
    memoryLimitBytes: 16 * 1024 * 1024,
    shims: profile ? readFileSync(join(root, 'test/engines/espruino-shims.js'), 'utf8') : undefined,
    stripScript: profile ? STRIP_GLOBALS : undefined,
    files: { 'akenza-p256.bin': new Uint8Array(readFileSync(join(dist, 'espruino/akenza-p256.bin'))) },
    modules: profile ? {} : { 'akenza-device': readFileSync(join(dist, bundleFile), 'utf8') },
  });
  if (profile) h.script('var akenza = {}; (function (exports) {\n' + readFileSync(join(dist, bundleFile), 'utf8') + '\n})(akenza);');
  else h.run("import * as m from 'akenza-device'; globalThis.akenza = m;");
  h.script(loop(n));
  const r = await h.waitForReport((v) => 'times' in v || 'error' in v, 300_000);
  h.dispose();
  if (r.error) throw new Error(r.error);
  return median(r.times);
}

async function inXs(entry: string, n: number): Promise<number> {
  const src = `import * as m from ${JSON.stringify(join(root, 'targets/moddable', entry))}; globalThis.akenza = m;
    globalThis.report = (v) => print('REPORT ' + JSON.stringify(v));` + loop(n);
  const here = join(root, 'test/engines/xs');
  const out = await build({
    stdin: { contents: src, resolveDir: root, loader: 'ts' }, bundle: true, write: false, format: 'iife', target: 'es2020', logLevel: 'silent',
    alias: { 'embedded:io/socket/tcp': join(here, 'tcp.ts'), 'embedded:io/socket/tcp/tls': join(here, 'tls.ts'), 'embedded:io/socket/udp': join(here, 'udp.ts'), timer: join(here, 'timer.ts'), net: join(here, 'net.ts') },
  });
  const file = join(mkdtempSync(join(tmpdir(), 'xsb-')), 'bench.js');
  writeFileSync(file, out.outputFiles[0].text);
  const text = execFileSync(xsnapPath(), [file], { encoding: 'utf8' });
  const line = text.split('\n').find((l) => l.startsWith('REPORT '));
  const r = JSON.parse((line as string).slice(7));
  if (r.error) throw new Error(r.error);
  return median(r.times);
}

async function inNode(n: number): Promise<number> {
  const times: number[] = [];
  const o = { privateKey: key, deviceId: 'bench-dev', kid: 'auto' };
  await nodeSignJwt(o);
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await nodeSignJwt(o);
    times.push((performance.now() - t0) / n);
  }
  return median(times);
}

const rows: [string, number][] = [];
rows.push(['Node, node target (node:crypto)', await inNode(500)]);
rows.push(['QuickJS, quickjs bundle (BigInt-free P-256, pure-JS SHA-256)', await inQuickJs('quickjs/akenza-device.mjs', false, 20)]);
rows.push(['QuickJS under the Espruino profile, espruino bundle (native SHA-256 shim)', await inQuickJs('espruino/akenza-device.js', true, 20)]);
rows.push(['XS (xsnap), moddable bundle (BigInt-free P-256)', await inXs('index.ts', 30)]);
rows.push(['XS (xsnap), moddable noble bundle (noble, native BigInt)', await inXs('noble.ts', 30)]);
const base = rows[0][1];
console.log('| engine and bundle | median ms per ES256 mint | ratio to Node |');
console.log('|---|---:|---:|');
for (const [name, ms] of rows) console.log(`| ${name} | ${ms.toFixed(3)} | ${(ms / base).toFixed(0)}x |`);

// `npm run size`: minified and gzip bytes of each device bundle and of the MQTT codec + session
// alone, against the byte budgets (test/build/size.test.ts fails above them). Reads dist/ as
// `npm run build` left it.
import { build } from 'esbuild';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const root = new URL('..', import.meta.url).pathname;

/** Budgets in bytes of minified JS (tables and other data files are separate). The Espruino
 *  modules (targets/espruino/modules.json) live in flash, where their cost is variables per function
 *  (test/real-engines/espruino.test.ts), not bytes: their `guard` is a growth guard only, the size
 *  measured when they were split (issue 15) rounded up to the next 0.5 KB. */
export const BUDGETS = [
  // core 28.5 -> 31.5 KB (2026-12-06): a refresh short of memory mints offline (+300 bytes); ws:// and
  // wss:// URLs and the akenza-ws loader (+660); the akenza-fallback loader (+390); issue 17's write
  // backpressure (+554) and refusing unknown option keys (+1,346, most of it the known names, one
  // string per option group, and publish's timeoutMs): in flash, variables are what counts
  // (BENCHMARKS.md).
  { name: 'espruino akenza-device (core)', file: 'dist/espruino/akenza-device.js', guard: 31.5 * 1024 },
  // key generation's point math (akenza-sign) and the signer in four stages (targets/espruino/mint.ts),
  // each with the kernels' flash copies it may run (p256-flash.ts, used when memory is short): flash
  // bytes are cheap, variables are not
  { name: 'espruino akenza-sign', file: 'dist/espruino/akenza-sign.js', guard: 10 * 1024 },
  { name: 'espruino akenza-nonce', file: 'dist/espruino/akenza-nonce.js', guard: 4 * 1024 },
  { name: 'espruino akenza-comb', file: 'dist/espruino/akenza-comb.js', guard: 6 * 1024 },
  { name: 'espruino akenza-r', file: 'dist/espruino/akenza-r.js', guard: 5.5 * 1024 },
  { name: 'espruino akenza-s', file: 'dist/espruino/akenza-s.js', guard: 5 * 1024 },
  { name: 'espruino akenza-keys', file: 'dist/espruino/akenza-keys.js', guard: 9 * 1024 },
  { name: 'espruino akenza-ws', file: 'dist/espruino/akenza-ws.js', guard: 4 * 1024 },
  // the fallback (src/device/fallback.ts) and its HTTP, CoAP and UDP uplinks, loaded only for an
  // outage; 17 -> 18 KB (2026-12-06): the fallback as a class (field accesses where closures had
  // locals), transports made when first tried: -97 variables an outage, +600 bytes
  { name: 'espruino akenza-fallback', file: 'dist/espruino/akenza-fallback.js', guard: 18 * 1024 },
  // QuickJS 60 -> 76 KB (2026-12-06): MQTT over WebSocket (ws://, wss://), the SDK's RFC 6455 client
  // over the host's connect() with SHA-1 for the handshake's accept check, +3.2 KB; the fallback
  // uplinks (HTTP/1.1 over connect(), CoAP with its retransmissions and UDP over the host's udp),
  // +10.7 KB; issue 17's write backpressure, unknown option keys refused (their known names),
  // publish's timeoutMs and the fallback's `held` event, +2.3 KB.
  // 76 -> 77 KB (2026-12-06): the fallback made for an outage and dropped after it
  // (src/device/outage.ts), as a class, its transports made when first tried, and a watchdog on
  // each fallback send, +1.5 KB; on Espruino this is what lets the fallback run in 3,400 variables
  // (BENCHMARKS.md).
  { name: 'quickjs bundle', file: 'dist/quickjs/akenza-device.mjs', budget: 77 * 1024 },
  // Moddable 60 -> 61 KB and the MQTT row 6 -> 6.5 KB (2026-12-06): the session became a class
  // (+397 bytes: `s.` field accesses where closures had one-letter locals), which takes 37 variables
  // fewer per connection on Espruino, where variables are the budget that matters.
  // 61 -> 79 KB (2026-12-06): MQTT over WebSocket (ws://, wss://), the SDK's RFC 6455 client over the
  // ECMA-419 TCP/TLS socket with SHA-1 for the handshake's accept check, +3.3 KB; the fallback uplinks
  // (HTTP/1.1 over that socket, CoAP and UDP over ECMA-419 UDP), +11.2 KB, and the uplink URL and HTTP
  // head parsers scanned instead of regexes Espruino cannot run, +0.7 KB; issue 17's write
  // backpressure (+648 bytes: the session's unsent count and drain callback, QoS 0 kept until its
  // bytes left, the ECMA-419 socket's queue count, drain and read pause), unknown option keys
  // refused, publish's timeoutMs and the fallback's `held` event (+1,956). All run in the real SDK;
  // the bundle is preloaded, so these bytes sit in flash, not in the heap.
  // 79 -> 80 KB (2026-12-06): the fallback made for an outage (src/device/outage.ts) and the send
  // watchdog, as in QuickJS, +1.5 KB.
  { name: 'moddable bundle', file: 'dist/moddable/akenza-device.js', budget: 80 * 1024 },
  // src/mqtt/* only: UTF-8 and the error class are shared with the JWT code (counted in the bundles).
  // 6.5 -> 7 KB (2026-12-06): issue 17's write backpressure (unsent count, drain, write-stalled close)
  // and the session's choice of platform.webSocket for ws:// URLs (+382 bytes in all)
  { name: 'MQTT codec + session', entry: "export { encode } from './src/mqtt/encode'; export { createParser } from './src/mqtt/parser'; export { openSession } from './src/mqtt/session';", shared: /^\.\.\/(utf8|errors)$/, budget: 7 * 1024 },
  { name: 'MQTT codec + session + utf8 + errors', entry: "export { encode } from './src/mqtt/encode'; export { createParser } from './src/mqtt/parser'; export { openSession } from './src/mqtt/session';" },
];

export async function measureSizes() {
  const rows = [];
  for (const b of BUDGETS) {
    let code;
    if (b.file) {
      const path = join(root, b.file);
      if (!existsSync(path)) {
        rows.push({ ...b, missing: true });
        continue;
      }
      code = readFileSync(path);
    } else {
      const out = await build({
        stdin: { contents: b.entry, resolveDir: root, loader: 'ts' }, bundle: true, minify: true, write: false,
        format: 'esm', target: 'es2020', legalComments: 'none', logLevel: 'silent',
        plugins: b.shared ? [{ name: 'shared', setup: (pb) => pb.onResolve({ filter: b.shared }, (a) => ({ path: a.path, external: true })) }] : [],
      });
      code = Buffer.from(out.outputFiles[0].contents);
    }
    rows.push({ ...b, minified: code.length, gzip: gzipSync(code, { level: 9 }).length });
  }
  return rows;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
  const rows = await measureSizes();
  console.log('| what | minified bytes | gzip bytes | budget | within |');
  console.log('|---|---:|---:|---:|---|');
  for (const r of rows) {
    if (r.missing) console.log(`| ${r.name} | (not built: ${r.file}) | | ${r.budget || r.guard} | |`);
    else if (r.guard) console.log(`| ${r.name} | ${r.minified} | ${r.gzip} | growth guard ${r.guard} | ${r.minified <= r.guard ? 'yes' : 'NO'} |`);
    else if (!r.budget) console.log(`| ${r.name} | ${r.minified} | ${r.gzip} | (for reference) | |`);
    else console.log(`| ${r.name} | ${r.minified} | ${r.gzip} | ${r.budget}${r.aim ? ' (aim ' + r.aim + ')' : ''} | ${r.minified <= r.budget ? 'yes' : 'NO'} |`);
  }
}

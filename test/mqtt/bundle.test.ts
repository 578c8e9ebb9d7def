// The codec under the Espruino language profile (DESIGN.md section 3): esbuild must bundle it
// with the missing syntax switched off, the minified output must not name a missing global,
// and the bundle must run (encode + parse every fixture) in a context where those globals are
// deleted. Reports the minified size; the budget is 6 KB for MQTT codec + session together.
import { build } from 'esbuild';
import { ESPRUINO_SUPPORTED } from '../../scripts/espruino-profile.mjs';
import { gzipSync } from 'node:zlib';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { FIXTURES } from './fixtures';
import { normalize, toHex } from './gen';

const ESPRUINO = ESPRUINO_SUPPORTED;
const FORBIDDEN = ['Map(', 'Set(', 'Symbol', 'Math.imul', 'TextEncoder', 'Array.from', 'Uint8Array.from', 'BigInt', 'catch{'];

async function bundle(format: 'esm' | 'iife', external: string[] = []): Promise<string> {
  const r = await build({
    stdin: {
      contents: "export { encode, createParser, MqttError } from './src/mqtt/codec';",
      resolveDir: process.cwd(),
      sourcefile: 'mqtt-codec-entry.ts',
      loader: 'ts',
    },
    bundle: true,
    minify: true,
    write: false,
    format,
    globalName: format === 'iife' ? 'MQTT' : undefined,
    target: 'es2020',
    supported: ESPRUINO,
    external,
    logLevel: 'silent',
  });
  return r.outputFiles[0].text;
}

describe('MQTT codec bundle, Espruino profile', () => {
  it('bundles, names no missing global, and reports its size', async () => {
    const full = await bundle('esm');
    const own = await bundle('esm', ['*/utf8', '*/error-class']); // utf8.ts and error-class.ts are shared with the JWT code
    for (const word of FORBIDDEN) expect(full.includes(word), word).toBe(false);
    const sizes = {
      codecWithUtf8: full.length,
      codecWithUtf8Gzip: gzipSync(full, { level: 9 }).length,
      codecOnly: own.length,
      codecOnlyGzip: gzipSync(own, { level: 9 }).length,
    };
    console.log('mqtt codec minified bytes', JSON.stringify(sizes));
    // the codec's own code (budget aim: 3 KB of the 6 KB for codec + session)
    expect(own.length).toBeLessThanOrEqual(3750);
  });

  it('runs with Map, Set, WeakMap, Symbol, BigInt, TextEncoder, Math.imul, Array.from, Uint8Array.from deleted', async () => {
    const code = await bundle('iife');
    const ctx = vm.createContext({});
    vm.runInContext(
      'delete globalThis.Map; delete globalThis.Set; delete globalThis.WeakMap; delete globalThis.Symbol;' +
        'delete globalThis.BigInt; delete Math.imul; delete Array.from; delete Uint8Array.from;' +
        'if (typeof Map !== "undefined" || typeof Symbol !== "undefined" || Array.from) throw new Error("not deleted");',
      ctx,
    );
    vm.runInContext(code, ctx);
    // fixtures cross the context boundary as hex
    const run = vm.runInContext(
      `(function (hex, pkt) {
        var b = new Uint8Array(hex.length / 2);
        for (var i = 0; i < b.length; i++) b[i] = parseInt(hex.substr(i * 2, 2), 16);
        var got = [], err = null;
        var p = MQTT.createParser({ onPacket: function (x) { got.push(x); }, onError: function (e) { err = e; } });
        for (var i = 0; i < b.length; i += 3) p.push(b.subarray(i, i + 3));
        var enc = MQTT.encode(got[0]), h = '';
        for (var i = 0; i < enc.length; i++) h += (enc[i] < 16 ? '0' : '') + enc[i].toString(16);
        var json = JSON.stringify(got[0], function (k, v) { return v instanceof Uint8Array ? Array.prototype.slice.call(v) : v; });
        return { json: json, n: got.length, err: err && err.message, hex: h };
      })`,
      ctx,
    );
    for (const f of FIXTURES) {
      const r = run(toHex(f.bytes));
      expect(r.err).toBe(null);
      expect(r.hex).toBe(toHex(f.bytes));
      expect(r.n).toBe(1);
      const arrays = (_k: string, v: unknown) => (v instanceof Uint8Array ? Array.from(v) : v);
      expect(JSON.stringify(normalize(JSON.parse(r.json)))).toBe(JSON.stringify(normalize(f.packet), arrays));
    }
  });
});

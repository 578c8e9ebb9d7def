// The Espruino profile: the signer and everything it imports bundle under the profile's syntax
// limits, contain none of the missing APIs, and sign identically to noble when run in QuickJS with
// BigInt, Map, Set, WeakMap, Symbol, Math.imul, TextEncoder, Array.from, Uint8Array.from deleted and
// a memory limit set.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';
import { p256 } from '@noble/curves/nist.js';
import { bundle, newVm, ESPRUINO_SUPPORTED, type QjsVm } from '../../scripts/p256/qjs';
import { toHex } from '../../src/bytes';

const ENTRY = new URL('../../scripts/p256/qjs-entry.ts', import.meta.url).pathname;
const SIGNER = new URL('../../src/sign/p256/index.ts', import.meta.url).pathname;

// What the profile lacks, as it would appear in source or bundle text.
const FORBIDDEN: [string, RegExp][] = [
  ['BigInt', /BigInt|\b[0-9]+n\b/],
  ['Map/Set/WeakMap', /\b(Map|Set|WeakMap|WeakSet)\s*[(<.]/],
  ['Symbol', /\bSymbol\b/],
  ['Math.imul', /Math\.imul/],
  ['TextEncoder', /TextEncoder|TextDecoder/],
  ['Array.from', /Array\.from|Uint8Array\.from|Int32Array\.from/],
  ['spread/rest', /\.\.\.[A-Za-z_$[(]/],
  ['exponent', /(?<![/*])\*\*(?![/*])/],
  ['optional chaining / nullish', /\?\.[A-Za-z_$[(]|\?\?/],
  ['async/generators', /\basync\b|\bawait\b|function\s*\*|\byield\b/],
];

/** Source text without comments (block and line; good enough for these files: no '//' in strings). */
function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
}

function violations(text: string): string[] {
  return FORBIDDEN.filter(([, re]) => re.test(text)).map(([name]) => name);
}

describe('Espruino profile', () => {
  let vm: QjsVm;
  beforeAll(async () => {
    vm = await newVm({ strip: true, memoryLimit: 512 * 1024 });
    vm.eval(await bundle(ENTRY));
  });
  afterAll(() => vm.dispose());

  it('the signer sources and all they import use none of the missing syntax or APIs', async () => {
    const r = await build({
      entryPoints: [SIGNER],
      bundle: true,
      write: false,
      metafile: true,
      format: 'esm',
      target: 'es2020',
      supported: ESPRUINO_SUPPORTED,
      logLevel: 'silent',
    });
    const inputs = Object.keys(r.metafile.inputs);
    expect(inputs.some((f) => f.endsWith('sign/p256/signer.ts'))).toBe(true);
    const bad: Record<string, string[]> = {};
    for (const f of inputs) {
      const text = readFileSync(f, 'utf8');
      const v = violations(stripComments(text));
      // the repo hook's pattern applies to the raw text (comments included) of the signer's own files
      if (f.startsWith('src/sign/p256/') && /\b[0-9]+n\b|BigInt/.test(text)) v.push('hook pattern');
      if (v.length) bad[f] = v;
    }
    expect(bad).toEqual({});
    // the bundled output (comments stripped) is clean
    const min = await build({ entryPoints: [SIGNER], bundle: true, write: false, minify: true, format: 'iife', target: 'es2020', supported: ESPRUINO_SUPPORTED, logLevel: 'silent' });
    expect(violations(min.outputFiles[0].text)).toEqual([]);
  });

  it('the globals really are gone in the VM', () => {
    expect(vm.eval('__notStripped')).toBe('');
    expect(vm.eval('typeof BigInt + typeof Map + typeof Symbol + typeof Math.imul + typeof Array.from')).toBe(
      'undefinedundefinedundefinedundefinedundefined',
    );
  });

  it('signs like noble for several keys and messages, with a computed and with a loaded table', () => {
    const cases: [Uint8Array, Uint8Array][] = [];
    for (let i = 0; i < 6; i++) {
      const msg = new Uint8Array(i * 37);
      for (let j = 0; j < msg.length; j++) msg[j] = (j * 7 + i) & 255;
      cases.push([p256.utils.randomSecretKey(), msg]);
    }
    const run = () =>
      cases.map(([sk, m]) => vm.eval(`p256Sign('${toHex(sk)}', '${toHex(m)}')`) as string);
    const expected = cases.map(([sk, m]) => toHex(p256.sign(m, sk)));
    vm.eval('p256ComputeTable()');
    expect(run()).toEqual(expected);
    const tableHex = toHex(new Uint8Array(readFileSync(new URL('../../src/sign/p256/comb-table.bin', import.meta.url))));
    expect(vm.eval('p256TableHex()')).toBe(tableHex);
    vm.eval(`p256LoadTable('${tableHex}')`);
    expect(run().map((s) => s)).toEqual(expected);
    for (const [sk] of cases) expect(vm.eval(`p256PublicKey('${toHex(sk)}')`)).toBe(toHex(p256.getPublicKey(sk, false)));
    const [sk, m] = cases[3];
    expect(vm.eval(`p256Verify('${expected[3]}', '${toHex(m)}', '${toHex(p256.getPublicKey(sk, false))}')`)).toBe(true);
  });

  it('sliced mode in the VM gives the same signature in many steps', () => {
    const sk = p256.utils.randomSecretKey();
    const msg = new Uint8Array(300).fill(97);
    const [sig, steps] = vm.eval(`p256SlicedProfile('${toHex(sk)}', '${toHex(msg)}', 100)`) as [string, number];
    expect(sig).toBe(toHex(p256.sign(msg, sk)));
    expect(steps).toBeGreaterThan(10);
  });
});

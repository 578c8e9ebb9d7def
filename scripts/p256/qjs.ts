// QuickJS harness for the Espruino profile: bundles an entry with esbuild under the profile's syntax
// limits, then runs it in QuickJS with the globals Espruino lacks deleted and a memory limit set.
// Shared by test/sign-p256 and scripts/bench/p256.ts.
import { build } from 'esbuild';
import { newQuickJSWASMModuleFromVariant, type QuickJSContext, type QuickJSRuntime } from 'quickjs-emscripten-core';
import variant from '@jitl/quickjs-wasmfile-release-sync';

/** esbuild `supported` flags for Espruino 2v29 (DESIGN.md section 3). */
export { ESPRUINO_SUPPORTED, STRIP_GLOBALS } from '../espruino-profile.mjs';
import { ESPRUINO_SUPPORTED } from '../espruino-profile.mjs';

/** Bundles `entry` as an IIFE for the Espruino profile (or plain es2020 when `profile` is false). */
export async function bundle(entry: string, opts: { profile?: boolean; minify?: boolean } = {}): Promise<string> {
  const r = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'iife',
    target: 'es2020',
    platform: 'neutral',
    minify: !!opts.minify,
    supported: opts.profile === false ? {} : ESPRUINO_SUPPORTED,
    logLevel: 'silent',
  });
  return r.outputFiles[0].text;
}

import { STRIP_GLOBALS } from '../espruino-profile.mjs';

export interface QjsVm {
  rt: QuickJSRuntime;
  ctx: QuickJSContext;
  /** Evaluates code, returns its value dumped to the host (throws on a guest exception). */
  eval(code: string): unknown;
  dispose(): void;
}

let modPromise: ReturnType<typeof newQuickJSWASMModuleFromVariant> | null = null;

/**
 * A fresh QuickJS VM: `hostNow()` (host performance.now, for timing slices) and `print` are
 * provided; with `strip`, the Espruino-missing globals are deleted first.
 */
export async function newVm(opts: { strip?: boolean; memoryLimit?: number } = {}): Promise<QjsVm> {
  if (!modPromise) modPromise = newQuickJSWASMModuleFromVariant(variant);
  const mod = await modPromise;
  const rt = mod.newRuntime();
  if (opts.memoryLimit) rt.setMemoryLimit(opts.memoryLimit);
  rt.setMaxStackSize(512 * 1024);
  const ctx = rt.newContext();
  const now = ctx.newFunction('hostNow', () => ctx.newNumber(performance.now()));
  ctx.setProp(ctx.global, 'hostNow', now);
  now.dispose();
  const print = ctx.newFunction('print', (...args) => {
    console.log(...args.map((a) => ctx.dump(a)));
  });
  ctx.setProp(ctx.global, 'print', print);
  print.dispose();
  const vm: QjsVm = {
    rt,
    ctx,
    eval(code: string): unknown {
      const r = ctx.evalCode(code);
      if (r.error) {
        const err = ctx.dump(r.error);
        r.error.dispose();
        throw new Error('QuickJS: ' + JSON.stringify(err));
      }
      const v = ctx.dump(r.value);
      r.value.dispose();
      return v;
    },
    dispose() {
      ctx.dispose();
      rt.dispose();
    },
  };
  if (opts.strip) vm.eval(STRIP_GLOBALS);
  return vm;
}

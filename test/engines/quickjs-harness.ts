// Runs bundles inside QuickJS (quickjs-emscripten) with the host's IO bridged to Node: TCP sockets,
// timers, clock and randomness go through one native `__host` object and come back through one
// VM function `__dispatch`, so handles stay simple. Optionally strips globals and limits memory to
// emulate a smaller engine.
import { createHash, randomBytes } from 'node:crypto';
import { createSocket, type Socket as DgramSocket } from 'node:dgram';
import { connect, type Socket } from 'node:net';
import { newQuickJSWASMModuleFromVariant, type QuickJSContext, type QuickJSHandle, type QuickJSRuntime } from 'quickjs-emscripten-core';
import variant from '@jitl/quickjs-wasmfile-release-sync';

export interface HarnessOptions {
  memoryLimitBytes?: number;
  /** Script that deletes globals before any bundle runs (e.g. STRIP_GLOBALS from scripts/espruino-profile.mjs). */
  stripScript?: string;
  /** ES modules the VM can import by name. */
  modules?: { [name: string]: string };
  /** Files the VM can read through `__host.readFile(name)` (an ArrayBuffer, or undefined). */
  files?: { [name: string]: Uint8Array };
  /** Script run after the prelude and before globals are removed (e.g. an engine's API shims). */
  shims?: string;
}

// VM-side half of the bridge: builds the documented QuickJsHost object over __host/__dispatch.
const PRELUDE = `
const __cbs = {};
let __next = 1;
globalThis.__dispatch = function (kind, id, arg, from) {
  const cb = __cbs[id];
  if (!cb) return;
  if (kind === 'timer') { delete __cbs[id]; cb(); }
  else if (kind === 'connect') cb.onConnect();
  else if (kind === 'data') cb.onData(new Uint8Array(arg));
  else if (kind === 'error') cb.onError(arg);
  else if (kind === 'close') { delete __cbs[id]; cb.onClose(); }
  else if (kind === 'udp') cb.onMessage(new Uint8Array(arg), from.slice(0, from.lastIndexOf(':')), Number(from.slice(from.lastIndexOf(':') + 1)));
  else if (kind === 'udp-error') { if (cb.onError) cb.onError(arg); }
};
globalThis.host = {
  connect(o, events) {
    const id = __next++;
    __cbs[id] = events;
    __host.connect(id, o.host, o.port);
    return {
      write(b) { __host.write(id, b.buffer.slice(b.byteOffset, b.byteOffset + b.length)); },
      close() { __host.close(id); },
    };
  },
  setTimeout(fn, ms) { const id = __next++; __cbs[id] = fn; __host.setTimeout(id, ms); return id; },
  clearTimeout(id) { delete __cbs[id]; __host.clearTimeout(id); },
  now() { return __host.now(); },
  monotonic() { return __host.monotonic(); },
  randomBytes(n) { return new Uint8Array(__host.randomBytes(n)); },
  udp(events) {
    const id = __next++;
    __cbs[id] = events;
    __host.udpOpen(id);
    return {
      send(b, h, port) { __host.udpSend(id, b.buffer.slice(b.byteOffset, b.byteOffset + b.length), h, port); },
      close() { delete __cbs[id]; __host.udpClose(id); },
    };
  },
};
globalThis.print = (s) => __host.print(String(s));
globalThis.report = (v) => __host.report(JSON.stringify(v));
`;

export interface Harness {
  vm: QuickJSContext;
  rt: QuickJSRuntime;
  /** Evaluates a module; throws on an exception in the VM. */
  run(code: string, filename?: string): void;
  /** Evaluates a global script (for engines without modules); throws on an exception in the VM. */
  script(code: string, filename?: string): void;
  /** Resolves with the first `report(value)` the VM makes that satisfies `pred`. */
  waitForReport(pred: (v: any) => boolean, timeoutMs: number): Promise<any>;
  reports: any[];
  printed: string[];
  dispose(): void;
}

let modulePromise: ReturnType<typeof newQuickJSWASMModuleFromVariant> | null = null;

export async function createHarness(o: HarnessOptions = {}): Promise<Harness> {
  const QJS = await (modulePromise = modulePromise || newQuickJSWASMModuleFromVariant(variant));
  const rt = QJS.newRuntime();
  if (o.memoryLimitBytes) rt.setMemoryLimit(o.memoryLimitBytes);
  const modules = o.modules || {};
  rt.setModuleLoader((name) => {
    if (modules[name] === undefined) throw new Error('no module ' + name);
    return modules[name];
  });
  const vm = rt.newContext();
  const sockets = new Map<number, Socket>();
  const udps = new Map<number, DgramSocket>();
  const timers = new Map<number, NodeJS.Timeout>();
  const reports: any[] = [];
  const printed: string[] = [];
  const waiters: { pred: (v: any) => boolean; resolve: (v: any) => void }[] = [];
  let disposed = false;

  const dispatch = (kind: string, id: number, arg?: string | Uint8Array, from?: string) => {
    if (disposed) return;
    const fn = vm.getProp(vm.global, '__dispatch');
    const args: QuickJSHandle[] = [vm.newString(kind), vm.newNumber(id)];
    if (typeof arg === 'string') args.push(vm.newString(arg));
    else if (arg) args.push(vm.newArrayBuffer(arg.slice().buffer));
    if (from !== undefined) args.push(vm.newString(from));
    const r = vm.callFunction(fn, vm.undefined, ...args);
    fn.dispose();
    args.forEach((a) => a.dispose());
    if (r.error) {
      printed.push('uncaught in VM: ' + JSON.stringify(vm.dump(r.error)));
      r.error.dispose();
    } else r.value.dispose();
    drain();
  };
  const drain = () => {
    for (;;) {
      const r = rt.executePendingJobs();
      if (r.error) {
        printed.push('job error: ' + JSON.stringify(vm.dump(r.error)));
        r.error.dispose();
        break;
      }
      if (r.value === 0) break;
    }
  };

  const host = vm.newObject();
  const fn = (name: string, impl: (...a: QuickJSHandle[]) => QuickJSHandle | void) => {
    const h = vm.newFunction(name, impl);
    vm.setProp(host, name, h);
    h.dispose();
  };
  fn('connect', (id, hostName, port) => {
    const sid = vm.getNumber(id);
    const s = connect(vm.getNumber(port), vm.getString(hostName));
    sockets.set(sid, s);
    s.on('connect', () => dispatch('connect', sid));
    s.on('data', (b) => dispatch('data', sid, new Uint8Array(b)));
    s.on('error', (e) => dispatch('error', sid, e.message));
    s.on('close', () => {
      sockets.delete(sid);
      dispatch('close', sid);
    });
  });
  fn('write', (id, buf) => {
    const s = sockets.get(vm.getNumber(id));
    const lt = vm.getArrayBuffer(buf);
    if (s && !s.destroyed) s.write(Buffer.from(lt.value));
    lt.dispose();
  });
  fn('close', (id) => {
    sockets.get(vm.getNumber(id))?.destroy();
  });
  // UDP for the CoAP and UDP uplinks: node:dgram, one socket per udp() call
  fn('udpOpen', (id) => {
    const uid = vm.getNumber(id);
    const u = createSocket('udp4');
    udps.set(uid, u);
    u.on('message', (b, r) => dispatch('udp', uid, new Uint8Array(b), r.address + ':' + r.port));
    u.on('error', (e) => dispatch('udp-error', uid, e.message));
  });
  fn('udpSend', (id, buf, h, port) => {
    const u = udps.get(vm.getNumber(id));
    const lt = vm.getArrayBuffer(buf);
    const b = Buffer.from(lt.value);
    lt.dispose();
    const uid = vm.getNumber(id);
    if (u) u.send(b, vm.getNumber(port), vm.getString(h), (e) => e && dispatch('udp-error', uid, e.message));
  });
  fn('udpClose', (id) => {
    const uid = vm.getNumber(id);
    udps.get(uid)?.close();
    udps.delete(uid);
  });
  fn('setTimeout', (id, ms) => {
    const tid = vm.getNumber(id);
    timers.set(tid, setTimeout(() => {
      timers.delete(tid);
      dispatch('timer', tid);
    }, vm.getNumber(ms)));
  });
  fn('clearTimeout', (id) => {
    const tid = vm.getNumber(id);
    clearTimeout(timers.get(tid));
    timers.delete(tid);
  });
  fn('now', () => vm.newNumber(Date.now()));
  fn('monotonic', () => vm.newNumber(performance.now()));
  fn('randomBytes', (n) => vm.newArrayBuffer(randomBytes(vm.getNumber(n)).buffer.slice(0) as ArrayBuffer));
  // Native hashes, as engines like Espruino have them (crypto.SHA256, crypto.SHA1).
  fn('hash', (alg, buf) => {
    const lt = vm.getArrayBuffer(buf);
    const d = createHash(vm.getString(alg)).update(lt.value).digest();
    lt.dispose();
    return vm.newArrayBuffer(d.buffer.slice(d.byteOffset, d.byteOffset + d.length) as ArrayBuffer);
  });
  fn('readFile', (name) => {
    const f = (o.files || {})[vm.getString(name)];
    return f ? vm.newArrayBuffer(f.slice().buffer as ArrayBuffer) : vm.undefined;
  });
  fn('print', (s) => {
    printed.push(vm.getString(s));
  });
  fn('report', (s) => {
    const v = JSON.parse(vm.getString(s));
    reports.push(v);
    for (const w of waiters.slice()) if (w.pred(v)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(v);
    }
  });
  vm.setProp(vm.global, '__host', host);
  host.dispose();

  const evalOrThrow = (code: string, filename: string, type: 'global' | 'module') => {
    const r = vm.evalCode(code, filename, { type });
    if (r.error) {
      const e = vm.dump(r.error);
      r.error.dispose();
      throw new Error('QuickJS: ' + JSON.stringify(e));
    }
    r.value.dispose();
    drain();
  };
  evalOrThrow(PRELUDE, 'prelude.js', 'global');
  if (o.shims) evalOrThrow(o.shims, 'shims.js', 'global');
  if (o.stripScript) evalOrThrow(o.stripScript, 'strip.js', 'global');

  return {
    vm,
    rt,
    run: (code, filename = 'main.mjs') => evalOrThrow(code, filename, 'module'),
    script: (code, filename = 'script.js') => evalOrThrow(code, filename, 'global'),
    waitForReport: (pred, timeoutMs) =>
      new Promise((resolve, reject) => {
        const hit = reports.find(pred);
        if (hit) return resolve(hit);
        const t = setTimeout(() => reject(new Error('no matching report within ' + timeoutMs + ' ms; printed: ' + printed.join(' | ') + '; reports: ' + JSON.stringify(reports))), timeoutMs);
        waiters.push({ pred, resolve: (v) => (clearTimeout(t), resolve(v)) });
      }),
    reports,
    printed,
    dispose() {
      disposed = true;
      for (const s of sockets.values()) s.destroy();
      for (const u of udps.values()) u.close();
      for (const t of timers.values()) clearTimeout(t);
      vm.dispose();
      rt.dispose();
    },
  };
}

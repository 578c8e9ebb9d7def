// Runs device firmware (an ES module) inside QuickJS with the SDK's quickjs bundle, as an embedded
// host would: sockets (TCP, or TLS with --ca), timers, clock and randomness are bridged from Node.
// The firmware sees `host` (pass it to createDevice), `config` and `exit(code)`; the process exits with
// that code, or with 1 when --timeout passes first.
//   node run-quickjs.mjs firmware/main.js --device ID --key device.key.pem --mqtt mqtt://127.0.0.1:1883 [--ca ca.pem] [--timeout 60]
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP, connect as tcpConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { newQuickJSWASMModuleFromVariant } from 'quickjs-emscripten-core';
import variant from '@jitl/quickjs-wasmfile-release-sync';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { device: { type: 'string' }, key: { type: 'string' }, mqtt: { type: 'string' }, ca: { type: 'string' }, timeout: { type: 'string', default: '60' } },
});
if (positionals.length !== 1 || !values.device || !values.key || !values.mqtt) {
  console.error('usage: node run-quickjs.mjs FIRMWARE.js --device ID --key KEY.pem --mqtt URL [--ca CA.pem] [--timeout S]');
  process.exit(2);
}
const bundle = readFileSync(fileURLToPath(import.meta.resolve('akenza-device/package.json')).replace(/package\.json$/, 'dist/quickjs/akenza-device.mjs'), 'utf8');
const firmware = readFileSync(positionals[0], 'utf8');
const config = { deviceId: values.device, mqttUrl: values.mqtt, privateKeyPem: readFileSync(values.key, 'utf8'), caPem: values.ca ? readFileSync(values.ca, 'utf8') : undefined };

const QuickJS = await newQuickJSWASMModuleFromVariant(variant);
const rt = QuickJS.newRuntime();
rt.setMemoryLimit(16 * 1024 * 1024);
rt.setModuleLoader((name) => {
  if (name === 'akenza-device') return bundle;
  throw new Error('firmware may import only akenza-device, not ' + name);
});
const vm = rt.newContext();
const sockets = new Map();
const timers = new Map();

// Everything the VM calls goes through one native object; everything Node reports comes back through
// one VM function, __event(kind, id, arg), so handles stay plain numbers.
function runJobs() {
  for (;;) {
    const r = rt.executePendingJobs();
    if (r.error) {
      console.error('[firmware] unhandled: ' + JSON.stringify(vm.dump(r.error)));
      r.error.dispose();
      finish(1);
      return;
    }
    if (r.value === 0) return;
  }
}
function event(kind, id, arg) {
  if (stopped) return;
  const fn = vm.getProp(vm.global, '__event');
  const args = [vm.newString(kind), vm.newNumber(id)];
  if (typeof arg === 'string') args.push(vm.newString(arg));
  else if (arg) args.push(vm.newArrayBuffer(arg.buffer.slice(arg.byteOffset, arg.byteOffset + arg.length)));
  const r = vm.callFunction(fn, vm.undefined, ...args);
  fn.dispose();
  for (const a of args) a.dispose();
  if (r.error) {
    console.error('[firmware] uncaught: ' + JSON.stringify(vm.dump(r.error)));
    r.error.dispose();
    return finish(1);
  }
  r.value.dispose();
  runJobs();
}
const native = vm.newObject();
const def = (name, impl) => {
  const f = vm.newFunction(name, impl);
  vm.setProp(native, name, f);
  f.dispose();
};
def('connect', (id, hostName, port, tls) => {
  const sid = vm.getNumber(id);
  const opts = { host: vm.getString(hostName), port: vm.getNumber(port) };
  const s = vm.dump(tls) ? tlsConnect({ ...opts, ca: config.caPem, servername: isIP(opts.host) ? undefined : opts.host }) : tcpConnect(opts);
  sockets.set(sid, s);
  s.on(vm.dump(tls) ? 'secureConnect' : 'connect', () => event('connect', sid));
  s.on('data', (b) => event('data', sid, new Uint8Array(b)));
  s.on('error', (e) => event('error', sid, e.message));
  s.on('close', () => {
    sockets.delete(sid);
    event('close', sid);
  });
});
def('write', (id, buf) => {
  const s = sockets.get(vm.getNumber(id));
  const b = vm.getArrayBuffer(buf);
  if (s && !s.destroyed) s.write(Buffer.from(b.value));
  b.dispose();
});
def('close', (id) => {
  const s = sockets.get(vm.getNumber(id));
  if (s) s.end(); // end, not destroy: a just-written DISCONNECT still goes out
});
def('setTimeout', (id, ms) => {
  const tid = vm.getNumber(id);
  timers.set(tid, setTimeout(() => {
    timers.delete(tid);
    event('timer', tid);
  }, vm.getNumber(ms)));
});
def('clearTimeout', (id) => {
  clearTimeout(timers.get(vm.getNumber(id)));
  timers.delete(vm.getNumber(id));
});
def('now', () => vm.newNumber(Date.now()));
def('monotonic', () => vm.newNumber(performance.now()));
def('randomBytes', (n) => {
  const b = randomBytes(vm.getNumber(n));
  return vm.newArrayBuffer(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
});
def('print', (s) => void console.log('[firmware] ' + vm.getString(s)));
def('exit', (code) => {
  const n = vm.getNumber(code); // read now: the handle is gone once this call returns
  setImmediate(() => finish(n));
});
vm.setProp(vm.global, '__native', native);
native.dispose();

// The VM half: the QuickJsHost object the SDK expects (targets/quickjs/platform.ts), console, config, exit.
const prelude = `
const __handlers = {};
let __ids = 1;
globalThis.__event = (kind, id, arg) => {
  const h = __handlers[id];
  if (!h) return;
  if (kind === 'timer') { delete __handlers[id]; h(); }
  else if (kind === 'connect') h.onConnect();
  else if (kind === 'data') h.onData(new Uint8Array(arg));
  else if (kind === 'error') h.onError(arg);
  else if (kind === 'close') { delete __handlers[id]; h.onClose(); }
};
globalThis.host = {
  connect(o, events) {
    const id = __ids++;
    __handlers[id] = events;
    __native.connect(id, o.host, o.port, !!o.tls);
    return {
      write(b) { __native.write(id, b.buffer.slice(b.byteOffset, b.byteOffset + b.length)); },
      close() { __native.close(id); },
    };
  },
  setTimeout(fn, ms) { const id = __ids++; __handlers[id] = fn; __native.setTimeout(id, ms); return id; },
  clearTimeout(id) { delete __handlers[id]; __native.clearTimeout(id); },
  now: () => __native.now(),
  monotonic: () => __native.monotonic(),
  randomBytes: (n) => new Uint8Array(__native.randomBytes(n)),
};
globalThis.console = { log: (...a) => __native.print(a.map((x) => typeof x === 'string' ? x : JSON.stringify(x)).join(' ')) };
globalThis.exit = (code) => __native.exit(code === undefined ? 0 : code);
`;
let stopped = false;
function finish(code) {
  if (stopped) return;
  stopped = true;
  clearTimeout(deadline);
  for (const t of timers.values()) clearTimeout(t);
  for (const s of sockets.values()) s.destroy();
  process.exitCode = code;
}
const deadline = setTimeout(() => {
  console.error(`[runner] the firmware did not call exit() within ${values.timeout} s`);
  finish(1);
}, Number(values.timeout) * 1000);

for (const [code, name, type] of [[prelude, 'prelude.js', 'global'], ['globalThis.config = ' + JSON.stringify(config) + ';', 'config.js', 'global'], [firmware, positionals[0], 'module']]) {
  const r = vm.evalCode(code, name, { type });
  if (r.error) {
    console.error('[runner] ' + name + ': ' + JSON.stringify(vm.dump(r.error)));
    r.error.dispose();
    finish(1);
    break;
  }
  r.value.dispose();
  runJobs();
}

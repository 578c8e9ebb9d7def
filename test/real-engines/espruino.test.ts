// The Espruino bundle in the REAL Espruino interpreter (2v29, Linux build, 32-bit, ESP32 variable
// density, 16,383 variables; built from the kit by `npm run engines`), put into Storage as the
// README tells users (`akenza-device`, `akenza-sign`, `akenza-keys`, `akenza-p256.bin`), one
// temporary directory (one espruino.flash) per interpreter run, against the mock cloud in Node. Each run is bounded, every
// child is killed in afterAll, and each run ends by reporting E.getErrorFlags() and its peak
// variables (process.memory(), sampled every 200 ms). Issue 13's findings, each a test here.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { espruinoRegexProblems, regexProblems } from '../../scripts/espruino-profile.mjs';
import { startMockCloud, type MockCloud } from '../../src/mock/index';
import { expectedFingerprints, fixture, nodeVerifyJwt } from '../helpers';
import { DIST, deviceDir, ESPRUINO_MODULES, evalEspruino, killAll, runEspruino, startEspruino, type RunResult } from './espruino-run';
import { realEngines, skipWithout } from './kit';

const DEVICE = 'esp-dev';
const PKCS8 = JSON.stringify(fixture('ec.pkcs8.pem'));
const SEC1 = JSON.stringify(fixture('ec.sec1.pem'));
/** Reads n bytes of /dev/urandom through Espruino's host-file API: the Linux build's entropy source. */
const URANDOM = `function urandom(n) { var f = E.openFile('/dev/urandom', 'r'); var d = f.read(n); f.close(); return E.toUint8Array(d); }`;
/**
 * Records the gaps between turns of a timer chain: how long the event loop was blocked, by
 * getTime() (wall clock) and by the CPU time the interpreter's thread used meanwhile
 * (/proc/self/schedstat, read through Espruino's host-file API; 0.2 ms a read). The wall clock
 * also counts time the process waited for a CPU on a busy machine; the CPU time is the work a
 * slice did, which is what a device would spend.
 */
const TICKER = `
function __cpu() { var f = E.openFile('/proc/self/schedstat', 'r'); var s = f.read(80); f.close(); return parseFloat(s.split(' ')[0]) / 1e6; }
var __top = [], __wall = 0, __count = 0, __last = 0, __lastCpu = 0, __gen = 0, __cpu0 = 0;
function __tick(g) {
  if (g !== __gen) return;
  var t = getTime(), c = __cpu();
  if (__last) {
    __count++;
    __wall = Math.max(__wall, Math.round((t - __last) * 1000));
    __top.push(Math.round(c - __lastCpu)); __top.sort(function (a, b) { return b - a; }); if (__top.length > 5) __top.pop();
  }
  __last = t; __lastCpu = c;
  setTimeout(function () { __tick(g); }, 0);
}
function tickerStart() { __top = []; __wall = 0; __count = 0; __last = 0; __cpu0 = __cpu(); __gen++; __tick(__gen); }
function tickerStop() { __gen++; return { count: __count, cpuMax: __top[0], cpuTop: __top, wallMax: __wall, cpuMs: Math.round(__cpu() - __cpu0) }; }
`;

let bin = '';
let cloud: MockCloud;
/** Figures for the summary printed at the end (variables, times). */
const figures: { [name: string]: unknown } = {};

/** A run ended cleanly: exit status 0, not killed, E.getErrorFlags() empty, nothing uncaught (but
 *  `engineLines`: what the interpreter itself prints, e.g. after a failed TLS handshake). */
function expectClean(r: RunResult, engineLines?: RegExp, total = 16383): { peak: number; usage: number } {
  const end = r.get('end');
  expect(r.timedOut, r.out.slice(-3000)).toBe(false);
  expect(r.code).toBe(0);
  expect(end, r.out.slice(-3000)).toBeDefined();
  expect(end.flags).toEqual([]);
  const out = engineLines ? r.out.split('\n').filter((l) => !engineLines.test(l)).join('\n') : r.out;
  expect(out).not.toMatch(/Uncaught|OUT OF MEMORY|Execution Interrupted/);
  expect(end.total).toBe(total);
  return end;
}

function registry(publicKeys: string[]) {
  return { devices: [{ deviceId: DEVICE, credentials: publicKeys.map((publicKey) => ({ publicKey })) }], connectors: [] };
}

beforeAll(async () => {
  if (skipWithout('espruino')) return;
  bin = realEngines()!.espruino;
  cloud = await startMockCloud({ registry: registry([fixture('ec.pub.pem')]) });
}, 120000);

afterAll(async () => {
  killAll();
  if (cloud) await cloud.close();
  if (Object.keys(figures).length) console.log('espruino (real interpreter) figures: ' + JSON.stringify(figures, null, 1));
});

describe.skipIf(skipWithout('espruino'))('the espruino bundle in the real Espruino interpreter', () => {
  it('the regex check rejects what Espruino gets wrong, and the bundle has none of it', async () => {
    // each of these failed in the interpreter (issue 13): a SyntaxError at load, or silently no match
    expect(regexProblems('#[\\s\\S]|[^/][+#]|\\+[^/]', '')).toContain("unescaped '/' in a class");
    expect(regexProblems('^https?:', '')).toContain("'?' (optional, lazy, (?:...) or lookaround)");
    expect(regexProblems('^[0-9a-f]{64}$', '')).toContain('{n,m}');
    expect(regexProblems('^a(\\/b)*$', '')).toContain('a quantified group');
    expect(regexProblems('^[^x]+$', '')).toContain("[^...]+ (matches '')");
    expect(regexProblems('^\\[|\\]$', 'g')).toContain('an anchor in an alternation');
    expect(regexProblems('[\\s\\/#+?&%]', '')).toEqual([]);
    const bundle = readFileSync(join(DIST, 'akenza-device.js'), 'utf8');
    expect(await espruinoRegexProblems(bundle)).toEqual([]);
    expect(await espruinoRegexProblems('var a = /[^/]+/;')).toHaveLength(2);
    // and the interpreter agrees on the constructs the check lets through
    const r = await evalEspruino(bin, deviceDir(bin), `
      report('re', [/[\\s\\/#+?&%]/.test('a?b'), /[\\s\\/#+?&%]/.test('ab'), /^\\d*$/.test('18a3'), /#[\\s\\S]|[^\\/][+#]|\\+[^\\/]/.test('a/+'),
        /#[\\s\\S]|[^\\/][+#]|\\+[^\\/]/.test('a+/b'), /[^\\t\\n\\r -~]/.test('{"a":1}'), /[^\\t\\n\\r -~]/.test('\\u00e9')]);
      report('broken', [/^[^x]+$/.test(''), /^\\[|\\]$/.test('x]'), /^[0-9]{2}$/.test('12')]);`);
    expectClean(r);
    expect(r.get('re')).toEqual([true, false, false, false, true, false, true]);
    expect(r.get('broken')).toEqual([true, false, false]); // why the check forbids them
  });

  it('loads from Storage (no SyntaxError, no Date.UTC) and reports the variables it takes', async () => {
    const r = await evalEspruino(bin, deviceDir(bin), `
      var m0 = process.memory().usage;
      var akenza = require('akenza-device');
      var m1 = process.memory().usage;
      report('load', { before: m0, after: m1, api: Object.keys(akenza).sort() });`);
    const end = expectClean(r);
    const load = r.get('load');
    // (MqttError: for akenza-ws, whose broken frames the session reports as protocol errors)
    expect(load.api).toEqual(['AkenzaError', 'MqttError', 'createDevice', 'fingerprint', 'generateKeyPair', 'parsePrivateKey', 'parsePublicKey', 'signJwt']);
    expect(load.after - load.before).toBeGreaterThan(100);
    expect(load.after - load.before).toBeLessThan(3400); // an ESP32's whole pool with WiFi up
    figures.loadVariables = load.after - load.before;
    figures.loadPeak = end.peak;
  });

  it('Storage modules: akenza-sign and akenza-keys load only while used (a mint, a key call), and their variables come back when released', async () => {
    const r = await runEspruino(bin, deviceDir(bin), `
      var m = function () { return process.memory().usage; };
      var ours = function () { return Modules.getCached().filter(function (n) { return n.indexOf('akenza-') === 0; }); };
      var m0 = m();
      var akenza = require('akenza-device');
      var loads = { 'akenza-device': { load: m() - m0, cached: ours() } };
      // twice each: a first load also pays for built-ins the interpreter makes at their first use
      // (Int32Array's, ~20 variables, kept for good), which are not the module's
      ${JSON.stringify(ESPRUINO_MODULES.slice(1).concat(ESPRUINO_MODULES.slice(1)))}.forEach(function (name) {
        var b = m(); var mod = require(name); var l = m();
        mod = undefined; Modules.removeCached(name);
        loads[name] = { load: l - b, left: m() - b, firstLeft: loads[name] ? loads[name].left : undefined };
      });
      report('loads', loads);
      var b = m();
      var key = akenza.parsePrivateKey(${PKCS8});
      var held = m() - b; // akenza-keys stays for the rest of this turn (its other calls share it)
      var sampler, tokens = 0, before, after = [];
      setTimeout(function () {
        report('parse', { held: held, kept: m() - b, key: E.getSizeOf(key), cached: ours() });
        sampler = setInterval(__sample, 20); before = m(); __peak = 0;
        mint();
      }, 50); // after akenza-keys' release (a promise reaction: on a busy machine a 0 ms timer can run first)
      function mint() {
        akenza.signJwt({ privateKey: key, deviceId: '${DEVICE}', kid: 'auto' }).then(function (t) {
          tokens++;
          setTimeout(function () {
            after.push(m());
            if (tokens < 3) return mint();
            report('mint', { before: before, peak: __peak, after: after, cached: ours() });
            both();
          }, 10);
        }, function (e) { report('error', e.code + ' ' + e.message); done(); });
      }
      // two mints at once (two keys): they share one loaded akenza-sign
      function both() {
        var key2 = akenza.parsePrivateKey(${SEC1}), left = 2, b = m();
        __peak = 0;
        [key, key2].forEach(function (k) {
          akenza.signJwt({ privateKey: k, deviceId: '${DEVICE}' }).then(function () {
            if (--left) return;
            setTimeout(function () { clearInterval(sampler); report('both', { before: b, peak: __peak, after: m(), cached: ours() }); done(); }, 10);
          }, function (e) { report('error', e.code + ' ' + e.message); done(); });
        });
      }
`, { timeoutMs: 120000 });
    expectClean(r);
    const loads = r.get('loads');
    // the core alone is cached after require; each module's load cost, and what a release leaves
    expect(loads['akenza-device'].cached).toEqual(['akenza-device']);
    expect(loads['akenza-device'].load).toBeLessThan(1450); // 966 at the split (was 1,843 for everything), 1,370 after the device diet turned per-device closures into module functions
    expect(loads['akenza-sign'].load).toBeGreaterThan(100);
    expect(loads['akenza-sign'].load).toBeLessThan(450); // 711 at the split, 576 after the mint diet; key generation only since the mint's stages: 357
    // the mint's stages (targets/espruino/mint.ts), measured at their split: 192, 50, 169, 148
    expect(loads['akenza-nonce'].load).toBeLessThan(250);
    expect(loads['akenza-comb'].load).toBeLessThan(90);
    expect(loads['akenza-r'].load).toBeLessThan(220);
    expect(loads['akenza-s'].load).toBeLessThan(200);
    expect(loads['akenza-keys'].load).toBeGreaterThan(100);
    expect(loads['akenza-keys'].load).toBeLessThan(550); // 437 at the split
    for (const name of ESPRUINO_MODULES.slice(1)) {
      expect(Math.abs(loads[name].left), name).toBeLessThanOrEqual(12); // 3-7 measured: the loop's own locals
      expect(Math.abs(loads[name].firstLeft), name).toBeLessThanOrEqual(40); // 7 (keys) and 27 (sign: Int32Array's built-ins) measured
    }
    // a parse loads akenza-keys for its turn and releases it: what stays is the parsed key
    const parse = r.get('parse');
    expect(parse.cached).toEqual(['akenza-device']);
    expect(parse.held).toBeGreaterThan(loads['akenza-keys'].load - 20);
    expect(parse.kept).toBeLessThan(80);
    // three mints with kid 'auto' (akenza-keys for the kid, akenza-sign per signature): released after each
    const mint = r.get('mint');
    expect(mint.cached).toEqual(['akenza-device']);
    expect(mint.peak - mint.before).toBeGreaterThan(loads['akenza-comb'].load + 150); // a stage and its kernels were loaded
    expect(Math.abs(mint.after[2] - mint.after[1])).toBeLessThanOrEqual(8); // nothing grows per mint
    const both = r.get('both');
    expect(both.cached).toEqual(['akenza-device']);
    // one copy of a stage's module for both jobs: well under twice a single mint's peak
    expect(both.peak - both.before).toBeLessThan(2 * (mint.peak - mint.before) - loads['akenza-nonce'].load / 2);
    expect(both.after - both.before).toBeLessThan(120); // the second key's cache entry and its signer stay in signJwt's cache
    // a module missing from Storage: the call that needs it says which file to upload
    const missing = await evalEspruino(bin, deviceDir(bin), `
      require('Storage').erase('akenza-keys');
      var akenza = require('akenza-device');
      try { akenza.parsePrivateKey(${PKCS8}); report('missing', 'parsed?!'); } catch (e) { report('missing', { code: e.code, akenza: e instanceof akenza.AkenzaError, message: e.message }); }`);
    expectClean(missing);
    expect(missing.get('missing')).toEqual({ code: 'OPTION_INVALID', akenza: true, message: expect.stringContaining('upload dist/espruino/akenza-keys.js as akenza-keys') });
    figures.moduleLoadVariables = Object.fromEntries(ESPRUINO_MODULES.map((n) => [n, loads[n].load]));
    figures.moduleReleaseLeft = Object.fromEntries(ESPRUINO_MODULES.slice(1).map((n) => [n, loads[n].left]));
    figures.mintPeakAboveBefore = mint.peak - mint.before;
    figures.mintAfterAboveBefore = mint.after.map((a: number) => a - mint.before);
    figures.twoMintsAtOncePeakAboveBefore = both.peak - both.before;
  }, 150000);

  it('a bad key is an AkenzaError with its code, in the interpreter (code survives, instanceof holds)', async () => {
    // a PKCS#8 whose stored public point is another key's: caught in the first signing job
    const a = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const b = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const der = a.privateKey.export({ type: 'pkcs8', format: 'der' });
    const otherPoint = b.publicKey.export({ type: 'spki', format: 'der' }).subarray(-65);
    const mismatched = Buffer.concat([der.subarray(0, der.length - 65), otherPoint]);
    const mismatchedPem = '-----BEGIN PRIVATE KEY-----\n' + mismatched.toString('base64').replace(/(.{64})/g, '$1\n') + '\n-----END PRIVATE KEY-----\n';
    const r = await runEspruino(bin, deviceDir(bin), `
      var akenza = require('akenza-device');
      function tryIt(f) { try { f(); return 'no error'; } catch (e) { return { code: e.code, akenza: e instanceof akenza.AkenzaError, error: e instanceof Error, message: e.message }; } }
      report('bad', tryIt(function () { akenza.parsePrivateKey('-----BEGIN PRIVATE KEY-----\\nAAAA\\n-----END PRIVATE KEY-----'); }));
      report('p384', tryIt(function () { akenza.parsePrivateKey(${JSON.stringify(fixture('p384.pkcs8.pem'))}); }));
      report('rsa', tryIt(function () { akenza.parsePrivateKey(${JSON.stringify(fixture('rsa.pkcs8.pem'))}); }));
      report('url', tryIt(function () { akenza.createDevice({ deviceId: 'esp-dev', credentials: { privateKey: ${PKCS8} }, mqtt: { url: 'mqtt://host:1883/x' } }); }));
      report('id', tryIt(function () { akenza.createDevice({ deviceId: 'a/b', credentials: { privateKey: ${PKCS8} } }); }));
      report('aud', tryIt(function () { akenza.createDevice({ deviceId: 'esp-dev', credentials: { privateKey: ${PKCS8} }, mqtt: { url: 'mqtt://127.0.0.1:1' }, audienceBase: 'ftp://x' }); }));
      report('life', tryIt(function () { akenza.createDevice({ deviceId: 'esp-dev', credentials: { privateKey: ${PKCS8} }, mqtt: { url: 'mqtt://127.0.0.1:1' }, tokenLifetimeS: 86341 }); }));
      var b0 = process.memory().usage, e1;
      try { akenza.fingerprint({ kty: 'EC', point: 5 }); } catch (e) { e1 = e; }
      report('native', { cost: process.memory().usage - b0, message: e1.message, stack: String(e1.stack).split('\\n')[0] });
      e1 = undefined;
      akenza.signJwt({ privateKey: ${JSON.stringify(mismatchedPem)}, deviceId: 'esp-dev' }).then(function () { report('mismatch', 'signed?!'); done(); },
        function (e) { report('mismatch', { code: e.code, akenza: e instanceof akenza.AkenzaError, message: e.message }); done(); });`, { timeoutMs: 60000 });
    expectClean(r);
    expect(r.get('bad')).toMatchObject({ code: 'DER_INVALID', akenza: true, error: true });
    expect(r.get('p384')).toMatchObject({ code: 'CURVE_UNSUPPORTED', akenza: true });
    expect(r.get('rsa')).toMatchObject({ code: 'ALG_UNSUPPORTED', akenza: true });
    expect(r.get('url')).toMatchObject({ code: 'OPTION_INVALID', message: expect.stringContaining('mqtt.url') });
    expect(r.get('id')).toMatchObject({ code: 'OPTION_INVALID', message: expect.stringContaining('deviceId') });
    expect(r.get('aud')).toMatchObject({ code: 'OPTION_INVALID', message: expect.stringContaining('audienceBase') });
    // the option's own name, the value set and the largest accepted; the code in `code` only (issue 17)
    expect(r.get('life')).toEqual({ code: 'OPTION_INVALID', akenza: true, error: true, message: 'tokenLifetimeS is 86341 s; at most 86340 s (24 h from iat, set 60 s back)' });
    expect(r.get('mismatch')).toEqual({ code: 'KEY_INVALID', akenza: true, message: expect.stringContaining('does not match') });
    // an interpreter error thrown inside a module (fingerprint runs in akenza-keys): its stack names a short line of it
    expect(r.get('native').stack).toMatch(/^ {4}at \S+ \(akenza-keys:\d+:\d{1,3}\)$/);
    figures.caughtErrorVariables = r.get('native').cost;
  }, 90000);

  describe('signing', () => {
    let run: Promise<RunResult> | null = null;
    /** One run: five ES256 tokens (a SEC1 key, then a PKCS#8 one four times: the first of each
     *  includes parsing and the stored-key check) with the event-loop ticker running. */
    const signRun = () =>
      (run ||= runEspruino(bin, deviceDir(bin), `
        var akenza = require('akenza-device');
        ${TICKER}
        var keys = [${SEC1}, ${PKCS8}, ${PKCS8}, ${PKCS8}, ${PKCS8}], tokens = [], ms = [], slices = [];
        function next(i) {
          if (i === keys.length) { report('tokens', { tokens: tokens, ms: ms, slices: slices }); return done(); }
          tickerStart();
          var t0 = getTime();
          akenza.signJwt({ privateKey: keys[i], deviceId: 'esp-dev', kid: 'auto', lifetimeS: 600 }).then(function (t) {
            ms.push(Math.round((getTime() - t0) * 1000)); slices.push(tickerStop()); tokens.push(t); next(i + 1);
          }, function (e) { report('error', e.code + ' ' + e.message); done(); });
        }
        next(0);`, { timeoutMs: 90000 }));

    it('mints ES256 tokens that node:crypto verifies (kid, aud, lifetime)', async () => {
      const r = await signRun();
      const end = expectClean(r);
      expect(r.get('error')).toBeUndefined();
      const { tokens, ms } = r.get('tokens');
      expect(tokens).toHaveLength(5);
      for (const t of tokens) {
        const d = nodeVerifyJwt(t, fixture('ec.pub.pem'));
        expect(d.header).toEqual({ alg: 'ES256', typ: 'JWT', kid: expectedFingerprints()['ec.pub.pem'] });
        expect(d.claims.aud).toBe('https://akenza.io/devices/esp-dev');
        expect(d.claims.exp - d.claims.iat).toBe(660);
        expect(Math.abs(d.claims.exp - 600 - Date.now() / 1000)).toBeLessThan(120);
      }
      figures.msPerToken = ms; // the first two include parsing and the key check (d*G against the stored point)
      figures.msPerTokenMedianCached = ms.slice(2).sort((a: number, b: number) => a - b)[1];
      figures.cpuMsPerToken = r.get('tokens').slices.map((x: { cpuMs: number }) => x.cpuMs);
      figures.signPeak = end.peak;
    }, 120000);

    it('no signing slice blocks the event loop for more than 50 ms (measured inside the interpreter)', async () => {
      const r = await signRun();
      const { slices } = r.get('tokens');
      figures.signSlices = slices;
      for (const s of slices) {
        expect(s.count).toBeGreaterThan(s.cpuMs / 50); // sliced, not a few big blocks
        // the CPU time of the longest turn; the wall-clock figure is printed (on an idle machine it
        // is the same to within a few ms, on a loaded one it adds the waits for a CPU)
        expect(s.cpuMax, JSON.stringify(slices)).toBeLessThan(50);
      }
    }, 120000);

    it('short of memory, the kernels run from flash (p256-flash.ts, made from p256-ram.ts by the build): tokens node:crypto verifies, a lower peak, turns within 50 ms', async () => {
      // at 3,400 variables (a WiFi ESP32's pool): two tokens with room (the RAM kernels), then ballast
      // leaves 900 variables free (the RAM kernels would leave less than the 600 margin at the k*G's
      // start, with the job and akenza-comb loaded: targets/espruino/comb.ts) and two more: only the
      // flash copies fit
      const small = realEngines()!.espruinoAt[3400];
      const r = await runEspruino(small, deviceDir(small), `
        var akenza = require('akenza-device');
        ${TICKER}
        function m() { process.memory(); return process.memory().usage; }
        var key = akenza.parsePrivateKey(${PKCS8}), B = [], runs = [], pk = 0;
        function samp() { var u = process.memory().usage; if (u > pk) pk = u; }
        function next(i) {
          if (i === 2) { var f = process.memory().free; for (var j = 0; j < f - 900; j++) B.push(j); }
          if (i === 4) { B = null; report('runs', runs); return done(); }
          var before = m(); pk = 0;
          var iv = setInterval(samp, 10);
          tickerStart();
          akenza.signJwt({ privateKey: key, deviceId: 'esp-dev', lifetimeS: 600 }).then(function (t) {
            var s = tickerStop(); clearInterval(iv);
            runs.push({ token: t, peak: pk - before, free: process.memory().total - before, cpuMax: s.cpuMax, cpuMs: s.cpuMs });
            setTimeout(function () { next(i + 1); }, 20);
          }, function (e) { report('error', e.code + ' ' + e.message); done(); });
        }
        setTimeout(function () { next(0); }, 60);`, { timeoutMs: 120000 });
      expectClean(r, undefined, 3400);
      expect(r.get('error')).toBeUndefined();
      const runs = r.get('runs');
      expect(runs).toHaveLength(4);
      for (const x of runs) nodeVerifyJwt(x.token, fixture('ec.pub.pem'));
      expect(runs[2].free).toBeLessThan(1000);
      // the flash copies take fewer variables: the peak is akenza-finish's stage, where the inversion's
      // flash copy takes ~60 fewer than its RAM one (75 fewer measured at the peak)
      expect(runs[3].peak).toBeLessThan(runs[1].peak - 40);
      for (const x of runs) expect(x.cpuMax, JSON.stringify(runs)).toBeLessThan(50);
      figures.flashKernels = runs.map((x: { peak: number; cpuMs: number; cpuMax: number }) => ({ peak: x.peak, cpuMs: x.cpuMs, cpuMax: x.cpuMax }));
    }, 120000);
  });

  it('generateKeyPair: refused without a good source on the Linux build (E.hwRand repeats across starts); with /dev/urandom, two starts give two keys', async () => {
    const script = `
      ${URANDOM}
      var akenza = require('akenza-device');
      report('hwRand', [E.hwRand(), E.hwRand()]);
      try { akenza.generateKeyPair(); report('refused', 'generated?!'); } catch (e) { report('refused', { code: e.code, akenza: e instanceof akenza.AkenzaError, message: e.message }); }
      var kp = akenza.generateKeyPair(urandom);
      report('kp', kp);
      akenza.signJwt({ privateKey: kp.privateKeyPem, deviceId: 'esp-dev', kid: 'auto' }).then(function (t) { report('token', t); done(); }, function (e) { report('token', 'error ' + e.code); done(); });`;
    const [a, b] = await Promise.all([runEspruino(bin, deviceDir(bin), script, { timeoutMs: 90000 }), runEspruino(bin, deviceDir(bin), script, { timeoutMs: 90000 })]);
    for (const r of [a, b]) {
      expectClean(r);
      expect(r.get('refused')).toMatchObject({ code: 'ENTROPY_UNAVAILABLE', akenza: true, message: expect.stringContaining('LINUX') });
      const kp = r.get('kp');
      const priv = createPrivateKey(kp.privateKeyPem);
      expect(priv.asymmetricKeyDetails).toEqual({ namedCurve: 'prime256v1' });
      const spki = createPublicKey(kp.publicKeyPem).export({ type: 'spki', format: 'der' });
      expect(createPublicKey(priv).export({ type: 'spki', format: 'der' }).equals(spki)).toBe(true);
      expect(kp.fingerprint).toBe(createHash('sha256').update(spki).digest('hex'));
      expect(nodeVerifyJwt(r.get('token'), kp.publicKeyPem).header.kid).toBe(kp.fingerprint);
    }
    expect(a.get('hwRand')).toEqual(b.get('hwRand')); // the fixed-seed rand() the SDK refuses to make keys from
    expect(a.get('kp').privateKeyPem).not.toBe(b.get('kp').privateKeyPem);
    expect(a.get('kp').fingerprint).not.toBe(b.get('kp').fingerprint);
  }, 120000);

  it('over mqtt: QoS 1 publishes acked and recorded, a downlink received, 3+ token refreshes with 8 s tokens, nothing lost', async () => {
    const before = cloud.uplinks.length;
    const r = await runEspruino(bin, deviceDir(bin), `
      var akenza = require('akenza-device');
      ${TICKER}
      var dev = akenza.createDevice({ deviceId: 'esp-dev', credentials: { privateKey: ${PKCS8}, kid: 'auto' },
        mqtt: { url: 'mqtt://127.0.0.1:${cloud.mqttPort}' }, tokenLifetimeS: 8 });
      var connects = 0, refreshed = 0, sent = 0, acked = 0, finishing = false;
      dev.on('connected', function () { connects++; report('connected', connects); });
      dev.on('tokenRefreshed', function () { refreshed++; report('refreshed', refreshed); });
      dev.on('downlink', function (d) { report('downlink', { subTopic: d.subTopic, text: d.text }); });
      dev.on('error', function (e) { report('error', e.code + ' ' + e.message); });
      dev.on('disconnected', function (e) { report('disconnected', { reason: e.reason, planned: e.planned }); });
      dev.start();
      tickerStart();
      var timer = setInterval(function () {
        if (refreshed >= 3) return finish();
        var n = ++sent;
        dev.publish({ n: n, engine: 'espruino' }, { topic: 'real' }).then(function () { acked++; if (n === 1) report('acked', n); }, function (e) { report('nack', n + ' ' + e.code); });
      }, 700);
      function finish() {
        if (finishing) return;
        finishing = true;
        clearInterval(timer);
        var wait = setInterval(function () {
          if (acked < sent) return;
          clearInterval(wait);
          var slices = tickerStop();
          var st = dev.stats();
          dev.stop().then(function () { report('summary', { sent: sent, acked: acked, connects: connects, refreshed: refreshed, slices: slices, stats: st }); done(); });
        }, 200);
      }`, {
      timeoutMs: 150000,
      onReport: (k, v) => {
        if (k === 'acked' && v === 1) cloud.sendDownlink(DEVICE, 'hello espruino', { topic: 'cmd' }); // subscribed by now
      },
    });
    const end = expectClean(r);
    expect(r.all('error')).toEqual([]);
    expect(r.all('nack')).toEqual([]);
    expect(r.get('downlink')).toEqual({ subTopic: 'cmd', text: 'hello espruino' });
    const s = r.get('summary');
    expect(s.refreshed).toBeGreaterThanOrEqual(3);
    expect(s.connects).toBeGreaterThanOrEqual(4); // a reconnect per refresh
    expect(s.acked).toBe(s.sent);
    expect(r.all('disconnected').every((d: any) => d.planned)).toBe(true); // only the refreshes
    const ns = cloud.uplinks.slice(before).filter((u) => u.deviceId === DEVICE && u.topic === 'real').map((u) => (u.payload as any).n);
    expect(new Set(ns).size).toBe(s.sent); // every message arrived (a resend after a refresh may repeat one)
    expect(Math.max(...ns)).toBe(s.sent);
    figures.deviceRunPeak = end.peak;
    figures.deviceRunEventLoop = s.slices;
  }, 180000);

  // Delivered messages must be released: each holds ~67 variables here (payload, topic, the
  // publish() promise); when the outbox kept 512 of them, 50 publishes took an ESP32's whole pool.
  it('memory stays flat over 60 QoS 1 publishes (delivered messages are released)', async () => {
    const r = await runEspruino(bin, deviceDir(bin), `
      var akenza = require('akenza-device');
      var dev = akenza.createDevice({ deviceId: 'esp-dev', credentials: { privateKey: ${PKCS8} }, mqtt: { url: 'mqtt://127.0.0.1:${cloud.mqttPort}' } });
      dev.on('connected', function () {
        var before = process.memory().usage, i = 0, acked = 0;
        var iv = setInterval(function () {
          dev.publish({ i: i }, { topic: 'mem' }).then(function () { acked++; });
          if (++i < 60) return;
          clearInterval(iv);
          var wait = setInterval(function () { if (acked < 60) return; clearInterval(wait);
            report('growth', { before: before, after: process.memory().usage }); dev.stop().then(done); }, 200);
        }, 50);
      });
      dev.start();`, { timeoutMs: 90000 });
    expectClean(r);
    const g = r.get('growth');
    figures.growthOver60Publishes = g;
    expect(g.after - g.before).toBeLessThan(600);
  }, 120000);

  // Write backpressure in the interpreter (issue 17, item 1): the socket's unsent bytes are its
  // `dSnd` string and 'drain' says they left; QoS 0 publishes resolve only then.
  it('a burst of QoS 0 publishes waits in the outbox, each resolved only once the socket says its bytes left', async () => {
    const before = cloud.uplinks.length;
    const r = await runEspruino(bin, deviceDir(bin), `
      var akenza = require('akenza-device');
      var dev = akenza.createDevice({ deviceId: 'esp-dev', credentials: { privateKey: ${PKCS8} }, mqtt: { url: 'mqtt://127.0.0.1:${cloud.mqttPort}' } });
      dev.on('error', function (e) { report('error', e.code + ' ' + e.message); });
      dev.on('connected', function () {
        var pad = 'x'; while (pad.length < 200) pad += pad;
        var resolved = 0;
        for (var i = 0; i < 30; i++) dev.publish({ i: i, pad: pad.slice(0, 200) }, { topic: 'burst', qos: 0 }).then(function () { resolved++; }, function (e) { report('nack', e.code); });
        var st = dev.stats();
        report('afterBurst', { queued: st.queued, sent: st.sent.mqtt });
        var wait = setInterval(function () { if (resolved < 30) return; clearInterval(wait);
          var s2 = dev.stats(); report('finished', { queued: s2.queued, sent: s2.sent.mqtt }); dev.stop().then(done); }, 100);
      });
      dev.start();`, { timeoutMs: 60000 });
    expectClean(r);
    expect(r.all('error')).toEqual([]);
    expect(r.all('nack')).toEqual([]);
    expect(r.get('afterBurst')).toEqual({ queued: 30, sent: 0 }); // nothing counts as sent before its bytes left
    expect(r.get('finished')).toEqual({ queued: 0, sent: 30 });
    await new Promise((res) => setTimeout(res, 200));
    expect(cloud.uplinks.slice(before).filter((u) => u.deviceId === DEVICE && u.topic === 'burst').length).toBe(30);
  }, 90000);

  describe('mqtts', () => {
    let rsaCloud: MockCloud;
    beforeAll(async () => {
      rsaCloud = await startMockCloud({ registry: registry([fixture('ec.pub.pem')]), tlsKeyType: 'rsa' });
    }, 60000);
    afterAll(async () => {
      if (rsaCloud) await rsaCloud.close();
    });

    /** endAfter: end once that many disconnects were seen (else at waitMs or the first ack). */
    const tlsScript = (port: number, ca: string | null, waitMs: number, endAfter = 0) => `
      var akenza = require('akenza-device');
      var dev = akenza.createDevice({ deviceId: 'esp-dev', credentials: { privateKey: ${PKCS8} },
        mqtt: { url: 'mqtts://127.0.0.1:${port}'${ca ? ', ca: ' + JSON.stringify(ca) : ''} }, backoff: { baseMs: 300, capMs: 1000 } });
      var events = [];
      dev.on('connected', function () {
        report('connected', 1);
        dev.publish({ tls: true }, { topic: 'tls' }).then(function () { report('acked', 1); end(); });
      });
      dev.on('disconnected', function (e) { events.push(e.reason + ': ' + e.message); if (${endAfter} && events.length >= ${endAfter}) setTimeout(end, 100); });
      dev.on('error', function (e) { report('error', e.code + ' ' + e.message); });
      dev.start();
      var ended = false;
      function end() { if (ended) return; ended = true; dev.stop().then(function () { report('events', events); done(); }); }
      setTimeout(end, ${waitMs});`;

    it('connects to an RSA-certificate server with the CA and publishes (Espruino does not verify it: see the README)', async () => {
      const r = await runEspruino(bin, deviceDir(bin), tlsScript(rsaCloud.mqttsPort, rsaCloud.caPem, 60000), { timeoutMs: 90000 });
      const end = expectClean(r);
      expect(r.get('acked')).toBe(1);
      expect((await rsaCloud.waitForUplink((u) => u.deviceId === DEVICE && u.topic === 'tls', 5000)).payload).toEqual({ tls: true });
      figures.mqttsPeak = end.peak;
    }, 120000);

    it('a wrong CA still connects: Espruino 2v29 never verifies the server (MBEDTLS_SSL_VERIFY_NONE)', async () => {
      const r = await runEspruino(bin, deviceDir(bin), tlsScript(rsaCloud.mqttsPort, fixture('ec.cert.pem'), 60000), { timeoutMs: 90000 });
      expectClean(r);
      expect(r.get('acked')).toBe(1);
    }, 120000);

    it('TLS failures are events, never a crash: an ECDSA-certificate server (no ECDHE-ECDSA in its mbedTLS) and a plain-MQTT port', async () => {
      for (const port of [cloud.mqttsPort, cloud.mqttPort]) {
        // the first token (about 4 s of CPU here, more on a busy machine) comes before the first attempt
        const r = await runEspruino(bin, deviceDir(bin), tlsScript(port, cloud.caPem, 30000, 2), { timeoutMs: 60000 });
        // The interpreter prints its handshake failure as uncaught (not catchable from JS) after the
        // socket's error event; the device has the event and goes on. When the failure surfaces in a
        // promise reaction (a turn's timing: seen once in 5 runs after the faster mint) the
        // interpreter prints it wrapped in "Unhandled promise rejection"s, the same failure.
        expectClean(r, /Uncaught (undefined|(Error: Unhandled promise rejection: )*InternalError: mbedtls_ssl_handshake returned -0x[0-9a-f]+)\r?$/);
        expect(r.get('connected')).toBeUndefined();
        expect(r.get('events').length, JSON.stringify(r.reports)).toBeGreaterThanOrEqual(2); // failed, backed off, retried
        expect(r.all('error')).toEqual([]);
      }
    }, 150000);

    // wss:// runs in the 16,383-variable build: mbedTLS takes its buffers from the variable pool
    // (Espruino's config.h: calloc is jsvMalloc), ~3,000 variables in a handshake, and the 3,400 build
    // segfaults in one (mqtts:// too: the README's Espruino notes)
    it('MQTT over WebSocket (the akenza-ws module): ws:// at 3,400 variables, wss:// (an RSA-certificate server), QoS 1 before and after a refresh', async () => {
      const wsFigures: { [k: string]: unknown } = {};
      for (const [url, c, pool] of [['ws://127.0.0.1:' + cloud.wsPort + '/mqtt', cloud, 3400], ['wss://127.0.0.1:' + rsaCloud.wssPort + '/mqtt', rsaCloud, 16383]] as const) {
        const scheme = url.slice(0, url.indexOf(':'));
        const r = await runEspruino(pool === 3400 ? realEngines()!.espruinoAt[3400] : bin, deviceDir(bin, { 'device.key': fixture('ec.pkcs8.pem'), 'ca.pem': rsaCloud.caPem }), `
          var akenza = require('akenza-device');
          var dev = akenza.createDevice({ deviceId: 'esp-dev', credentials: { privateKey: require('Storage').read('device.key') },
            mqtt: { url: '${url}'${scheme === 'wss' ? ", ca: require('Storage').read('ca.pem')" : ''} } });
          var n = 0;
          dev.on('connected', function () {
            n++;
            if (n === 1) setTimeout(function () {
              report('idle', __sample());
              dev.publish({ over: '${scheme}', n: 1 }, { topic: 'ws' }).then(function () { dev.refresh(); });
            }, 300);
            else dev.publish({ over: '${scheme}', n: 2 }, { topic: 'ws' }).then(function () { dev.stop().then(done); });
          });
          dev.on('error', function (e) { report('error', e.code + ' ' + e.message); });
          dev.on('disconnected', function (e) { if (!e.planned) report('unplanned', e.reason + ': ' + e.message); });
          dev.start();`, { timeoutMs: 90000 });
        const end = expectClean(r, undefined, pool);
        expect(r.all('error')).toEqual([]);
        expect(r.all('unplanned')).toEqual([]);
        const got = c.uplinks.filter((u) => u.deviceId === DEVICE && (u.payload as { over?: string }).over === scheme);
        expect(got.map((u) => (u.payload as { n: number }).n)).toEqual([1, 2]);
        expect(c.authLog.filter((e) => e.clientId === DEVICE && e.code === 0).length).toBeGreaterThanOrEqual(2);
        wsFigures[scheme] = { pool, idle: r.get('idle'), peak: end.peak };
      }
      figures.webSocket = wsFigures;
    }, 200000);
  });

  it('the broker down at start (net.connect throws "Unable to create socket"): the device retries and connects when it is back', async () => {
    const down = await startMockCloud({ registry: registry([fixture('ec.pub.pem')]) });
    try {
      await down.faults.stopListener('mqtt');
      let resumed = false;
      const r = await runEspruino(bin, deviceDir(bin), `
        var akenza = require('akenza-device');
        var probe; try { require('net').connect({ host: '127.0.0.1', port: ${down.mqttPort} }, function () {}).on('error', function () {}); probe = 'no throw'; } catch (e) { probe = String(e.message || e); }
        report('probe', probe);
        var dev = akenza.createDevice({ deviceId: 'esp-dev', credentials: { privateKey: ${PKCS8} },
          mqtt: { url: 'mqtt://127.0.0.1:${down.mqttPort}' }, backoff: { baseMs: 300, capMs: 1500 } });
        var failures = 0;
        dev.on('disconnected', function (e) { failures++; report('disconnected', { n: failures, reason: e.reason, message: e.message }); });
        dev.on('connected', function () {
          report('connected', failures);
          dev.publish({ back: true }, { topic: 'down' }).then(function () { dev.stop().then(done); });
        });
        dev.start();`, {
        timeoutMs: 90000,
        onReport: (k, v) => {
          if (k === 'disconnected' && v.n === 3 && !resumed) {
            resumed = true;
            void down.faults.startListener('mqtt');
          }
        },
      });
      expectClean(r);
      expect(r.get('probe')).toMatch(/Unable to create socket|no throw/);
      figures.connectToClosedPort = r.get('probe');
      expect(r.all('disconnected').length).toBeGreaterThanOrEqual(3);
      expect(r.get('connected')).toBeGreaterThanOrEqual(3);
      expect((await down.waitForUplink((u) => u.topic === 'down', 5000)).payload).toEqual({ back: true });
    } finally {
      await down.close();
    }
  }, 120000);

  it('the persisted outbox (outbox.persist) survives an interpreter restart', async () => {
    const dir = deviceDir(bin);
    // nothing listens on this port: the first start cannot deliver
    const hole = createServer();
    await new Promise<void>((res) => hole.listen(0, '127.0.0.1', () => res()));
    const deadPort = (hole.address() as { port: number }).port;
    await new Promise<void>((res) => (hole as Server).close(() => res()));
    const opts = (port: number) => `{ deviceId: 'esp-dev', credentials: { privateKey: ${PKCS8} }, mqtt: { url: 'mqtt://127.0.0.1:${port}' }, outbox: { persist: 'akenza-outbox' } }`;
    const first = await runEspruino(bin, dir, `
      var akenza = require('akenza-device');
      var a = akenza.createDevice(${opts(deadPort)});
      a.start();
      a.publish({ persisted: 1 }, { topic: 'persist' }).catch(function () {});
      a.publish({ persisted: 2 }, { topic: 'persist' }).catch(function () {});
      setTimeout(function () { a.stop().then(function () { report('stored', require('Storage').read('akenza-outbox')); done(); }); }, 1500);`, { timeoutMs: 60000 });
    expectClean(first);
    const stored = JSON.parse(first.get('stored')).map((m: any) => JSON.parse(Buffer.from(m.p, 'base64').toString('utf8')));
    expect(stored).toEqual([{ persisted: 1 }, { persisted: 2 }]);
    const second = await runEspruino(bin, dir, `
      var akenza = require('akenza-device');
      var b = akenza.createDevice(${opts(cloud.mqttPort)});
      b.on('connected', function () {
        var wait = setInterval(function () { var st = b.stats(); if (st.queued || st.inFlight) return; clearInterval(wait);
          b.stop().then(function () { report('left', require('Storage').read('akenza-outbox') || null); done(); }); }, 200);
      });
      b.start();`, { timeoutMs: 60000 });
    expectClean(second);
    for (const n of [1, 2]) expect((await cloud.waitForUplink((u) => (u.payload as any).persisted === n, 5000)).topic).toBe('persist');
    expect(second.get('left') === null || JSON.parse(second.get('left')).length === 0).toBe(true);
  }, 150000);

  // main.js saved as the boot code (`.bootcde`, as its README uploads it), so its functions stay in
  // flash as on the board, in the interpreter built with a WiFi-connected ESP32's 3,400 variables;
  // the peak is printed.
  describe('examples/espruino-esp32/main.js from .bootcde at 3,400 variables, with stubs for the board parts only (Wifi module, hardware RNG)', () => {
    const POOL = 3400;
    const deviceId = 'esp32-example';
    const main = readFileSync(join(import.meta.dirname, '..', '..', 'examples', 'espruino-esp32', 'main.js'), 'utf8');
    const stubs = {
      // The board's WiFi joins at once; its hardware RNG is /dev/urandom (the Linux build has none the SDK knows).
      Wifi: `exports.connect = function (ssid, o, cb) { exports.joined = { ssid: ssid, hasPassword: !!(o && o.password) }; setTimeout(function () { cb(null); }, 10); };
exports.setSNTP = function () {};`,
      hwrng: `exports.randomBytes = function (n) { var f = E.openFile('/dev/urandom', 'r'); var d = f.read(n); f.close(); return E.toUint8Array(d); };`,
    };
    let dir = '';
    let publicKeyPem = '';

    /** Boots main.js as the board would (the file as it is, from `.bootcde`), until `until` sees a
     *  printed line; then done(). */
    async function boot(until: (line: string) => boolean, timeoutMs: number) {
      const printed: string[] = [];
      const running = startEspruino(realEngines()!.espruinoAt[POOL], dir, '', {
        boot: true,
        timeoutMs,
        onLine: (l) => {
          printed.push(l);
          if (until(l)) running.send('done()'); // typed into the console, which runs it
        },
      });
      const r = await running.result;
      return { r, printed };
    }

    it('first boot: joins WiFi, sets the clock from the HTTP Date header, makes its key with the board RNG, is refused until registered', async () => {
      cloud.setRegistry({ devices: [{ deviceId: DEVICE, credentials: [{ publicKey: fixture('ec.pub.pem') }] }], connectors: [] });
      const config = { ssid: 'test-ssid', password: 'test-password', deviceId, mqttUrl: `mqtt://127.0.0.1:${cloud.mqttPort}`, timeUrl: `http://127.0.0.1:${cloud.httpPort}/`, intervalS: 1 };
      dir = deviceDir(bin, { ...stubs, 'akenza.json': JSON.stringify(config), '.bootcde': main });
      const { r, printed } = await boot((l) => /^mqtt: key refused \(5\)/.test(l), 90000);
      expectClean(r, undefined, POOL);
      figures.examplePeakFirstBoot = r.get('end').peak;
      const all = printed.join('\n');
      expect(all).toMatch(/^WiFi: connected$/m);
      const time = /^time: set to (.*)$/m.exec(all);
      expect(Math.abs(Date.parse(time![1]) - Date.now())).toBeLessThan(60000);
      const kid = /^Register this public key for device esp32-example \(kid ([0-9a-f]{64})\):$/m.exec(all);
      expect(kid).not.toBeNull();
      expect(all).not.toMatch(/PRIVATE KEY/);
      const files = await evalEspruino(bin, dir, `var S = require('Storage'); report('files', { key: S.read('device.key'), pub: S.read('device.pub') });`);
      const f = files.get('files');
      expect(f.key).toMatch(/^-----BEGIN PRIVATE KEY-----/);
      publicKeyPem = f.pub;
      expect(all).toContain(publicKeyPem.trim());
      const spki = createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' });
      expect(kid![1]).toBe(createHash('sha256').update(spki).digest('hex'));
      expect(createPublicKey(createPrivateKey(f.key)).export({ type: 'spki', format: 'der' }).equals(spki)).toBe(true);
      expect(cloud.authLog.some((e) => e.clientId === deviceId && e.code === 5)).toBe(true);
    }, 120000);

    it('next boot: the stored key, once registered, connects; readings arrive at the mock every interval', async () => {
      expect(publicKeyPem).not.toBe('');
      cloud.setRegistry({ devices: [{ deviceId: DEVICE, credentials: [{ publicKey: fixture('ec.pub.pem') }] }, { deviceId, credentials: [{ publicKey: publicKeyPem }] }], connectors: [] });
      const { r, printed } = await boot((l) => /^sent \{"temperature":[\d.]+,"n":2\}$/.test(l), 90000);
      expectClean(r, undefined, POOL);
      figures.examplePeak = r.get('end').peak;
      expect(printed.join('\n')).not.toMatch(/first boot|Register this public key/);
      for (const n of [1, 2]) {
        const u = await cloud.waitForUplink((x) => x.deviceId === deviceId && (x.payload as any).n === n, 5000);
        expect(u.topic).toBe('environment');
        expect(u.payload).toEqual({ temperature: expect.any(Number), n });
      }
    }, 120000);
  });
});

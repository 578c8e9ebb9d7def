// The whole Espruino device path inside an ESP32-sized variable pool (issue 15): the real interpreter
// (2v29, Linux build, 32-bit: ESP32 variable density) built with 3,400 variables (a WiFi-connected
// ESP32's pool) and with 2,500, the modules in Storage as the README says. One run per pool makes
// a key pair, connects over MQTT with a token signed on the device, publishes QoS 1 (all acked),
// takes a downlink and refreshes its token at least 3 times; a second run keeps the
// persisted outbox across a restart. The scenario itself runs from Storage too (a script in RAM
// would hold its own source in variables), and process.memory() is sampled every 200 ms and at
// each event.
import { execFileSync } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockCloud, type MockCloud } from '../../src/mock/index';
import { fixture } from '../helpers';
import { deviceDir, killAll, runEspruino, startEspruino, type RunResult } from './espruino-run';
import { realEngines, skipWithout } from './kit';

/** Guards on variables in use (process.memory().usage, interpreter and harness included) in the full
 *  scenario at 3,400 (BENCHMARKS.md): connected, sampled at the event, 2,164; peak 2,365 with the
 *  mint in stages (2,935-3,023 with it in one module), plus room for what the application queues: it
 *  publishes every 700 ms, and what it publishes while a mint runs offline (a refresh short of memory
 *  mints after its disconnect) waits in the outbox, ~67 variables a message, more of them when a
 *  loaded machine stretches the mint's wall time. */
const CONNECTED_MAX = 2450;
const PEAK_MAX = 2650;
/** The minimal run (require, createDevice, connect, idle, one refresh, no publishes): issue 15's goals,
 *  idle at most 1,700 without the harness's own variables, the peak at most 2,400 with them. */
const IDLE_GOAL = 1700;

/** Variables in use in the bare interpreter (no SDK, no harness), asked the way the harness asks. */
function bareUsage(bin: string): number {
  const dir = mkdtempSync(join(tmpdir(), 'esp-bare-'));
  try {
    const out = execFileSync(bin, ['-e', 'print("@@ bare " + process.memory().usage)'], { cwd: dir, encoding: 'latin1', stdio: ['ignore', 'pipe', 'pipe'], timeout: 20000 });
    const m = /@@ bare (\d+)/.exec(out);
    if (!m) throw new Error('no usage from the bare interpreter: ' + out.slice(-500));
    return Number(m[1]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const PEAK_GOAL = 2400;
/** The fallback scenario at 3,400 (harness included): peak 3,119 sampled every 5 ms in
 *  scripts/espruino/fallback-stages.ts, in the UDP phase. */
const FALLBACK_PEAK_MAX = 3250;

const DEVICE = 'esp-mem';
const PKCS8 = fixture('ec.pkcs8.pem');
let cloud: MockCloud;
const figures: { [k: string]: unknown } = {};

beforeAll(async () => {
  if (skipWithout('espruino')) return;
  cloud = await startMockCloud({ registry: { devices: [{ deviceId: DEVICE, credentials: [{ publicKey: fixture('ec.pub.pem') }] }], connectors: [] } });
}, 120000);

afterAll(async () => {
  killAll();
  if (cloud) await cloud.close();
  if (Object.keys(figures).length) console.log('espruino memory figures: ' + JSON.stringify(figures, null, 1));
});

/** Storage is written by the large interpreter (a write script holds its chunk in variables; the
 *  flash file is the same for every pool size). */
const writer = () => realEngines()!.espruino;

/** The run ended cleanly: no timeout, status 0, no error flags, nothing uncaught, the pool asked for. */
function expectClean(r: RunResult, total: number): { peak: number; usage: number } {
  const end = r.get('end');
  expect(r.timedOut, r.out.slice(-3000)).toBe(false);
  expect(end, r.out.slice(-3000)).toBeDefined();
  // LOW_MEMORY only says the free list ran empty once and a collection ran at that allocation
  // (jsvar.c): while a signature runs turn after turn the idle-time collection (it needs 10 ms idle)
  // does not, so at a full pool's edge that is how garbage is collected. MEMORY (out of it) fails.
  expect(end.flags.filter((f: string) => f !== 'LOW_MEMORY'), r.out.slice(-3000)).toEqual([]);
  expect(r.out).not.toMatch(/Uncaught|OUT OF MEMORY|Execution Interrupted/);
  expect(end.total).toBe(total);
  return end;
}

/** The device path, kept in Storage as module `scenario`; go(publicKeyRegistered) is typed in by the test. */
/** The full scenario; its application publishes every `everyMs` (700 ms at 3,400; every 2 s at 2,500,
 *  where what waits in the outbox during a mint, ~67 variables a message, has less room). */
const SCENARIO = (port: number, everyMs: number) => `
var M = function () { var u = __sample(); return u; };
var base = M();
var akenza = require('akenza-device');
report('load', { base: base, afterRequire: M() });
function urandom(n) { var f = E.openFile('/dev/urandom', 'r'); var d = f.read(n); f.close(); return E.toUint8Array(d); }
var kp = akenza.generateKeyPair(urandom);
report('kp', { publicKeyPem: kp.publicKeyPem, fingerprint: kp.fingerprint });
var pem = kp.privateKeyPem;
kp = undefined;
report('afterKeygen', M());
global.go = function () {
  var dev = akenza.createDevice({ deviceId: '${DEVICE}', credentials: { privateKey: pem, kid: 'auto' },
    mqtt: { url: 'mqtt://127.0.0.1:${port}' }, tokenLifetimeS: 8 });
  report('created', M());
  var connects = 0, refreshed = 0, sent = 0, acked = 0, timer, finishing = false;
  dev.on('connected', function () { connects++; report('connected', { n: connects, usage: M() });
    if (connects === 1) setTimeout(function () { report('idle', M()); }, 300); });
  dev.on('tokenRefreshed', function () { refreshed++; report('refreshed', { n: refreshed, usage: M() }); });
  dev.on('downlink', function (d) { report('downlink', { subTopic: d.subTopic, text: d.text }); });
  dev.on('error', function (e) { report('error', e.code + ' ' + e.message); });
  dev.on('disconnected', function (e) { if (!e.planned) report('unplanned', e.reason); });
  dev.start();
  timer = setInterval(function () {
    if (refreshed >= 3) return finish();
    var n = ++sent;
    dev.publish({ n: n }, { topic: 'mem' }).then(function () { acked++; if (n === 1) report('acked', n); }, function (e) { report('nack', n + ' ' + e.code); });
  }, ${everyMs});
  function finish() {
    if (finishing) return;
    finishing = true;
    clearInterval(timer);
    var wait = setInterval(function () {
      if (acked < sent) return;
      clearInterval(wait);
      dev.stop().then(function () { report('summary', { sent: sent, acked: acked, connects: connects, refreshed: refreshed }); done(); });
    }, 200);
  }
};
`;

describe.skipIf(skipWithout('espruino'))('the Espruino device path in an ESP32-sized pool (real interpreter, 32-bit)', () => {
  for (const total of [3400, 2500]) {
    it(`${total} variables: keygen, sign, connect, QoS 1 publishes acked, a downlink, 3 token refreshes, nothing lost`, async () => {
      const bin = realEngines()!.espruinoAt[total];
      const before = cloud.uplinks.length;
      let downlinkSent = false;
      const running = startEspruino(bin, deviceDir(writer(), { scenario: SCENARIO(cloud.mqttPort, total === 3400 ? 700 : 2000) }), `require('scenario');`, {
        timeoutMs: 240000,
        onReport: (k, v) => {
          if (k === 'kp') {
            // register the key the device just made, then let it start
            cloud.setRegistry({ devices: [{ deviceId: DEVICE, credentials: [{ publicKey: v.publicKeyPem }] }], connectors: [] });
            running.send('go()');
          }
          if (k === 'acked' && !downlinkSent) {
            downlinkSent = true;
            cloud.sendDownlink(DEVICE, 'hello ' + total, { topic: 'cmd' });
          }
        },
      });
      const r = await running.result;
      const end = expectClean(r, total);
      expect(r.all('error')).toEqual([]);
      expect(r.all('nack')).toEqual([]);
      expect(r.all('unplanned')).toEqual([]);
      const kp = r.get('kp');
      expect(createPublicKey(kp.publicKeyPem).asymmetricKeyDetails).toEqual({ namedCurve: 'prime256v1' });
      expect(r.get('downlink')).toEqual({ subTopic: 'cmd', text: 'hello ' + total });
      const s = r.get('summary');
      expect(s.refreshed).toBeGreaterThanOrEqual(3);
      expect(s.acked).toBe(s.sent);
      const ns = cloud.uplinks.slice(before).filter((u) => u.deviceId === DEVICE && u.topic === 'mem').map((u) => (u.payload as { n: number }).n);
      expect(new Set(ns).size).toBe(s.sent); // every message arrived (a resend after a refresh may repeat one)
      const connected = r.get('connected').usage;
      // The test's own variables (this harness: report(), the sampler and its timer, the scenario
      // module) stand for the application's: the interpreter alone, asked the same way, uses `bare`.
      const bare = bareUsage(bin);
      const harness = r.get('load').base - bare;
      const idle = r.get('idle');
      figures[total] = { bare, harness, load: r.get('load'), afterKeygen: r.get('afterKeygen'), created: r.get('created'), idle, idleWithoutHarness: idle - harness, connected, refreshed: r.all('refreshed').map((x: { usage: number }) => x.usage), peak: end.peak, peakWithoutHarness: end.peak - harness, end: end.usage };
      expect(connected).toBeLessThanOrEqual(CONNECTED_MAX);
      expect(end.peak).toBeLessThanOrEqual(PEAK_MAX);
    }, 300000);

    it(`${total} variables: require + createDevice + connected, idle: at most 1,700 in use besides the test's own; a refresh's peak at most 2,400 with them`, async () => {
      // issue 15's goal, as it is worded: nothing but require, createDevice and a connection (the
      // key in Storage, one event handler); the harness's own variables are the application's
      const bin = realEngines()!.espruinoAt[total];
      cloud.setRegistry({ devices: [{ deviceId: DEVICE, credentials: [{ publicKey: fixture('ec.pub.pem') }] }], connectors: [] });
      const r = await runEspruino(bin, deviceDir(writer(), { 'device.key': PKCS8 }), `
        var base = __sample();
        var akenza = require('akenza-device');
        var dev = akenza.createDevice({ deviceId: '${DEVICE}', credentials: { privateKey: require('Storage').read('device.key'), kid: 'auto' }, mqtt: { url: 'mqtt://127.0.0.1:${cloud.mqttPort}' } });
        var n = 0;
        dev.on('connected', function () {
          if (++n === 1) setTimeout(function () { report('idle', { base: base, usage: __sample(), cached: Modules.getCached() }); dev.refresh(); }, 300);
          else setTimeout(function () { report('refreshed', __sample()); dev.stop().then(done); }, 300);
        });
        dev.start();`, { timeoutMs: 60000 });
      const end = expectClean(r, total);
      const { base, usage, cached } = r.get('idle');
      // no fallback list, no WebSocket URL: akenza-fallback and akenza-ws never loaded
      expect((cached as string[]).filter((n) => n.indexOf('akenza-') === 0)).toEqual(['akenza-device']);
      const bare = bareUsage(bin);
      const harness = base - bare;
      figures[total + ' minimal'] = { bare, harness, idle: usage, idleWithoutHarness: usage - harness, afterRefresh: r.get('refreshed'), peak: end.peak, peakWithoutHarness: end.peak - harness };
      expect(harness).toBeGreaterThan(50); // (a measure gone wrong would make the goal below trivial)
      expect(harness).toBeLessThan(200);
      expect(usage - harness).toBeLessThanOrEqual(IDLE_GOAL);
      expect(r.get('refreshed')).toBeLessThan(usage + 60); // the refresh left nothing behind
      expect(end.peak).toBeLessThanOrEqual(PEAK_GOAL);
    }, 90000);

    // The fallback (issue 19): its module and transports are loaded for the outage only, so MQTT up
    // it costs the options alone. In the outage the application publishes one uplink at a time
    // (three per phase); the peak comes in the UDP phase, while MQTT, HTTP and CoAP are retried
    // (BENCHMARKS.md). Only at 3,400: at 2,500 the outage does not fit (README, target table).
    if (total === 3400) it(`${total} variables: the fallback (Storage module akenza-fallback): MQTT stopped -> HTTP -> CoAP -> UDP -> MQTT back, each message once`, async () => {
      const SECRET = 'esp-fb-S3cret';
      const fbCloud = await startMockCloud({ registry: { devices: [{ deviceId: DEVICE, credentials: [{ publicKey: fixture('ec.pub.pem') }] }], connectors: [{ id: 'conn-esp', uplinkSecret: SECRET, devices: [DEVICE] }] } });
      try {
        const scenario = `
var akenza = require('akenza-device');
var base = __sample();
var dev = akenza.createDevice({ deviceId: '${DEVICE}', credentials: { privateKey: require('Storage').read('device.key'), uplinkSecret: '${SECRET}' },
  mqtt: { url: 'mqtt://127.0.0.1:${fbCloud.mqttPort}' },
  fallback: [{ type: 'http', url: 'http://127.0.0.1:${fbCloud.httpPort}', timeoutMs: 1500 },
    { type: 'coap', url: 'coap://127.0.0.1:${fbCloud.coapPort}', ackTimeoutMs: 400, maxRetransmit: 1 },
    { type: 'udp', url: 'udp://127.0.0.1:${fbCloud.udpPort}' }],
  fallbackAfterMs: 300, backoff: { baseMs: 500, capMs: 1000, resetAfterMs: 1000, authFloorMs: 500 }, fallbackBackoff: { baseMs: 1000, capMs: 2000, authFloorMs: 1000 } });
var s = 0, fb = [], connects = 0;
dev.on('fallback', function (e) { fb.push(e.transport); report('fallback', e.transport); });
dev.on('error', function (e) { report('error', e.code + ' ' + e.message); });
dev.on('connected', function () { if (++connects === 1) setTimeout(function () { report('idle', { base: base, usage: __sample(), cached: Modules.getCached() }); }, 300); });
global.burst = function (name) {
  var left = 3;
  function one() {
    var n = s++;
    dev.publish({ s: n, phase: name }, { topic: 'fb' }).then(function () { if (--left) one(); else report('burst', { name: name, usage: __sample(), peak: __peak }); }, function (e) { report('nack', n + ' ' + e.code); });
  }
  one();
};
global.finish = function () { var st = dev.stats(); dev.stop().then(function () { report('summary', { sent: st.sent, fb: fb }); done(); }); };
dev.start();`;
        const bin = realEngines()!.espruinoAt[total];
        const steps: string[] = [];
        const running = startEspruino(bin, deviceDir(writer(), { scenario, 'device.key': PKCS8 }), `setInterval(__sample, 20); require('scenario');`, {
          timeoutMs: 120000,
          onReport: (k, v) => {
            const next = (what: string, act: () => Promise<void>) => act().then(() => { steps.push(what); running.send(what); });
            if (k === 'idle') void next('burst("mqtt")', async () => {});
            else if (k === 'burst' && v.name === 'mqtt') void next('burst("http")', () => fbCloud.faults.stopListener('mqtt'));
            else if (k === 'burst' && v.name === 'http') void next('burst("coap")', () => fbCloud.faults.stopListener('http'));
            else if (k === 'burst' && v.name === 'coap') void next('burst("udp")', () => fbCloud.faults.stopListener('coap'));
            else if (k === 'burst' && v.name === 'udp') void Promise.all((['mqtt', 'http', 'coap'] as const).map((l) => fbCloud.faults.startListener(l))).then(() => steps.push('started'));
            // (the first mint outlasts fallbackAfterMs: fallback is on from start until the first connect)
            else if (k === 'fallback' && v === 'mqtt' && steps[steps.length - 1] === 'started') void next('burst("mqtt again")', async () => {});
            else if (k === 'burst' && v.name === 'mqtt again') running.send('finish()');
          },
        });
        const r = await running.result;
        const end = expectClean(r, total);
        expect(r.all('error')).toEqual([]);
        expect(r.all('nack')).toEqual([]);
        const sum = r.get('summary');
        expect(sum.fb).toEqual(['http', 'mqtt', 'http', 'coap', 'udp', 'mqtt']); // the first pair: during the first mint
        expect(sum.sent).toEqual({ mqtt: 6, http: 3, coap: 3, udp: 3 });
        const got = fbCloud.uplinks.filter((u) => u.deviceId === DEVICE && u.topic === 'fb');
        const by = (phase: string) => got.filter((u) => (u.payload as { phase: string }).phase === phase).map((u) => u.transport);
        expect(by('mqtt')).toEqual(['mqtt', 'mqtt', 'mqtt']);
        expect(by('http')).toEqual(['http', 'http', 'http']);
        expect(by('coap')).toEqual(['coap', 'coap', 'coap']);
        expect(by('mqtt again')).toEqual(['mqtt', 'mqtt', 'mqtt']);
        expect(by('udp').length).toBeLessThanOrEqual(3); // no acknowledgement: at most once, counted
        expect(by('udp').length).toBeGreaterThanOrEqual(2); // (loopback: none expected lost)
        expect(new Set(got.map((u) => (u.payload as { s: number }).s)).size).toBe(got.length); // none twice
        const idle = r.get('idle');
        figures[total + ' fallback'] = { idle: idle.usage, base: idle.base, bursts: r.all('burst'), peak: end.peak, udpArrived: by('udp').length };
        // MQTT up, the module is not loaded, and the device costs about what one without a list does
        // (1,848 here, the minimal run's 1,790 with a smaller harness); guards on today's figures
        expect((idle.cached as string[]).filter((n) => n.indexOf('akenza-') === 0)).toEqual(['akenza-device']);
        expect(idle.usage).toBeLessThanOrEqual(1950);
        expect(end.peak).toBeLessThanOrEqual(FALLBACK_PEAK_MAX);
      } finally {
        await fbCloud.close();
      }
    }, 150000);

    it(`${total} variables: the persisted outbox survives a restart`, async () => {
      const bin = realEngines()!.espruinoAt[total];
      const hole = createServer();
      await new Promise<void>((res) => hole.listen(0, '127.0.0.1', () => res()));
      const deadPort = (hole.address() as { port: number }).port;
      await new Promise<void>((res) => (hole as Server).close(() => res()));
      const opts = (port: number) => `{ deviceId: '${DEVICE}', credentials: { privateKey: require('Storage').read('device.key') }, mqtt: { url: 'mqtt://127.0.0.1:${port}' }, outbox: { persist: 'akenza-outbox' } }`;
      cloud.setRegistry({ devices: [{ deviceId: DEVICE, credentials: [{ publicKey: fixture('ec.pub.pem') }] }], connectors: [] });
      const keyDir = deviceDir(writer(), { 'device.key': PKCS8 });
      const first = await runEspruino(bin, keyDir, `
        var akenza = require('akenza-device');
        var a = akenza.createDevice(${opts(deadPort)});
        a.start();
        a.publish({ kept: ${total}, i: 1 }, { topic: 'persist' }).catch(function () {});
        a.publish({ kept: ${total}, i: 2 }, { topic: 'persist' }).catch(function () {});
        setTimeout(function () { a.stop().then(function () { report('stored', require('Storage').read('akenza-outbox')); done(); }); }, 1500);`, { timeoutMs: 60000 });
      expectClean(first, total);
      expect(JSON.parse(first.get('stored'))).toHaveLength(2);
      const second = await runEspruino(bin, keyDir, `
        var akenza = require('akenza-device');
        var b = akenza.createDevice(${opts(cloud.mqttPort)});
        b.on('connected', function () {
          var wait = setInterval(function () { var st = b.stats(); if (st.queued || st.inFlight) return; clearInterval(wait);
            b.stop().then(function () { report('left', require('Storage').read('akenza-outbox') || null); done(); }); }, 200);
        });
        b.start();`, { timeoutMs: 60000 });
      expectClean(second, total);
      for (const i of [1, 2]) expect((await cloud.waitForUplink((u) => (u.payload as { kept?: number; i?: number }).kept === total && (u.payload as { i: number }).i === i, 5000)).topic).toBe('persist');
      const left = second.get('left');
      expect(left === null || JSON.parse(left).length === 0).toBe(true);
    }, 150000);
  }
});

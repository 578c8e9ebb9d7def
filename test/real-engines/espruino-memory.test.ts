// The whole Espruino device path inside an ESP32-sized variable pool (issue 15): the real interpreter
// (2v29, Linux build, 32-bit: ESP32 variable density) built with 3,400 variables (a WiFi-connected
// ESP32's pool), the modules in Storage as the README says. One run per pool makes
// a key pair, connects over MQTT with a token signed on the device, publishes QoS 1 (all acked),
// takes a downlink and refreshes its token at least 3 times; a second run keeps the
// persisted outbox across a restart. The scenario itself runs from Storage too (a script in RAM
// would hold its own source in variables), and process.memory() is sampled every 200 ms and at
// each event.
import { createPublicKey } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockCloud, type MockCloud } from '../../src/mock/index';
import { fixture } from '../helpers';
import { deviceDir, killAll, runEspruino, startEspruino, type RunResult } from './espruino-run';
import { realEngines, skipWithout } from './kit';

/** Guards on variables in use (process.memory().usage, interpreter and harness included): today's
 *  figures at 3,400 (BENCHMARKS.md: connected, sampled at the event, 2,135-2,240; peak 2,572 with
 *  the mint in stages, 2,935-3,023 before) plus a little, so growth fails here. Issue 15's goals
 *  are lower (1,700 connected, 2,400 peak). */
const CONNECTED_MAX = 2300;
const PEAK_MAX = 2700;

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
const SCENARIO = (port: number) => `
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
  dev.on('connected', function () { connects++; report('connected', { n: connects, usage: M() }); });
  dev.on('tokenRefreshed', function () { refreshed++; report('refreshed', { n: refreshed, usage: M() }); });
  dev.on('downlink', function (d) { report('downlink', { subTopic: d.subTopic, text: d.text }); });
  dev.on('error', function (e) { report('error', e.code + ' ' + e.message); });
  dev.on('disconnected', function (e) { if (!e.planned) report('unplanned', e.reason); });
  dev.start();
  timer = setInterval(function () {
    if (refreshed >= 3) return finish();
    var n = ++sent;
    dev.publish({ n: n }, { topic: 'mem' }).then(function () { acked++; if (n === 1) report('acked', n); }, function (e) { report('nack', n + ' ' + e.code); });
  }, 700);
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
  for (const total of [3400]) {
    it(`${total} variables: keygen, sign, connect, QoS 1 publishes acked, a downlink, 3 token refreshes, nothing lost`, async () => {
      const bin = realEngines()!.espruinoAt[total];
      const before = cloud.uplinks.length;
      let downlinkSent = false;
      const running = startEspruino(bin, deviceDir(writer(), { scenario: SCENARIO(cloud.mqttPort) }), `require('scenario');`, {
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
      figures[total] = { load: r.get('load'), afterKeygen: r.get('afterKeygen'), created: r.get('created'), connected, refreshed: r.all('refreshed').map((x: { usage: number }) => x.usage), peak: end.peak, end: end.usage };
      expect(connected).toBeLessThanOrEqual(CONNECTED_MAX);
      expect(end.peak).toBeLessThanOrEqual(PEAK_MAX);
    }, 300000);

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

// Variables in use along the fallback path in the real Espruino interpreter: idle on MQTT, then
// three uplinks per phase over MQTT, HTTP (MQTT listener stopped), CoAP (HTTP stopped too), UDP
// (CoAP stopped too) and MQTT again, with each phase's peak from a sampler every 5 ms
// (process.memory(): a GC per sample). The harness's own variables are included.
// With `--without`, the same device without its fallback list, to idle only (the list's cost).
// Run: node scripts/build.mjs && node --import tsx scripts/espruino/fallback-stages.ts [pool: 3400|2500|16383] [--without]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { espruinoWith } from './interpreter';
import { startMockCloud } from '../../src/mock/index';
import { deviceDir, killAll, startEspruino } from '../../test/real-engines/espruino-run';

const pool = Number(process.argv[2] || 3400);
const without = process.argv.includes('--without');
const bin = espruinoWith(pool, 'fallback-stages.ts');
const fixtures = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'keys');
const SECRET = 'fb-S3cret';
const cloud = await startMockCloud({ registry: { devices: [{ deviceId: 'd1', credentials: [{ publicKey: readFileSync(join(fixtures, 'ec.pub.pem'), 'utf8') }] }], connectors: [{ id: 'c1', uplinkSecret: SECRET, devices: ['d1'] }] } });
const scenario = `
function gcu(){ process.memory(); return process.memory().usage; }
report('base', gcu());
var akenza = require('akenza-device');
var dev = akenza.createDevice({ deviceId: 'd1', credentials: { privateKey: require('Storage').read('device.key'), uplinkSecret: '${SECRET}' },
  mqtt: { url: 'mqtt://127.0.0.1:${cloud.mqttPort}' },
  ${without ? '' : `fallback: [{ type: 'http', url: 'http://127.0.0.1:${cloud.httpPort}', timeoutMs: 1500 },
    { type: 'coap', url: 'coap://127.0.0.1:${cloud.coapPort}', ackTimeoutMs: 400, maxRetransmit: 1 },
    { type: 'udp', url: 'udp://127.0.0.1:${cloud.udpPort}' }],`}
  fallbackAfterMs: 300, backoff: { baseMs: 500, capMs: 1000, resetAfterMs: 1000, authFloorMs: 500 }, fallbackBackoff: { baseMs: 1000, capMs: 2000, authFloorMs: 1000 } });
report('created', gcu());
var s = 0, connects = 0;
dev.on('error', function (e) { report('error', e.code + ' ' + e.message); });
dev.on('fallback', function (e) { report('fallback', e.transport); });
dev.on('connected', function () { if (++connects === 1) setTimeout(function () { report('idle', gcu()); __peak = 0; }, 300); });
// three uplinks one after another (each published when the one before is delivered)
global.burst = function (name) {
  var left = 3;
  function one() {
    dev.publish({ s: s++, phase: name }, { topic: 'fb' }).then(function () {
      if (--left) return one();
      setTimeout(function () { report('burst', { name: name, after: gcu(), peak: __peak }); __peak = 0; }, 50);
    });
  }
  one();
};
global.finish = function () { dev.stop().then(function () { report('stopped', gcu()); done(); }); };
dev.start();
`;
const dir = deviceDir(bin, { scenario, 'device.key': readFileSync(join(fixtures, 'ec.pkcs8.pem')) });
const steps: string[] = [];
const running = startEspruino(bin, dir, `setInterval(__sample, 5); require('scenario');`, {
  timeoutMs: 120000,
  onReport: (k, v) => {
    const next = (what: string, act: () => Promise<void>) => act().then(() => { steps.push(what); running.send(what); });
    if (k === 'idle' && without) running.send('finish()');
    else if (k === 'idle') void next('burst("mqtt")', async () => {});
    else if (k === 'burst' && v.name === 'mqtt') void next('burst("http")', () => cloud.faults.stopListener('mqtt'));
    else if (k === 'burst' && v.name === 'http') void next('burst("coap")', () => cloud.faults.stopListener('http'));
    else if (k === 'burst' && v.name === 'coap') void next('burst("udp")', () => cloud.faults.stopListener('coap'));
    else if (k === 'burst' && v.name === 'udp') void Promise.all((['mqtt', 'http', 'coap'] as const).map((l) => cloud.faults.startListener(l))).then(() => steps.push('started'));
    else if (k === 'fallback' && v === 'mqtt' && steps[steps.length - 1] === 'started') void next('burst("mqtt again")', async () => {});
    else if (k === 'burst' && v.name === 'mqtt again') running.send('finish()');
  },
});
const r = await running.result;
killAll();
await cloud.close();
for (const [k, v] of r.reports) console.log(k, JSON.stringify(v));
if (/OUT OF MEMORY|Uncaught/.test(r.out) || !r.reports.some(([k]) => k === "end")) {
  console.log(r.out.slice(-2500));
  process.exitCode = 1;
}

// Variables in use at each stage of the device path in the real Espruino interpreter: base, after
// require, after createDevice, at connect, idle, after a publish, and idle after each of two refreshes
// (8 s tokens), with the peak from a sampler every 5 ms (process.memory(): a GC per sample). The test
// harness's own variables are included (its first reading, `base`, minus the bare interpreter's ~47).
// Run: node scripts/build.mjs && node --import tsx scripts/espruino/stages.ts [pool: 3400|2500|16383]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { espruinoWith } from './interpreter';
import { startMockCloud } from '../../src/mock/index';
import { deviceDir, killAll, startEspruino } from '../../test/real-engines/espruino-run';

const pool = Number(process.argv[2] || 3400);
const bin = espruinoWith(pool, 'stages.ts');
const fixtures = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'keys');
const cloud = await startMockCloud({ registry: { devices: [{ deviceId: 'd1', credentials: [{ publicKey: readFileSync(join(fixtures, 'ec.pub.pem'), 'utf8') }] }], connectors: [] } });
// The scenario runs from Storage (a module), so its own source takes no variables.
const scenario = `
function gcu(){ process.memory(); return process.memory().usage; }
report('base', gcu());
var akenza = require('akenza-device');
report('require', gcu());
var dev = akenza.createDevice({ deviceId: 'd1', credentials: { privateKey: require('Storage').read('device.key'), kid: 'auto' },
  mqtt: { url: 'mqtt://127.0.0.1:${cloud.mqttPort}' }, tokenLifetimeS: 8 });
report('created', gcu());
var n = 0;
dev.on('connected', function () { report('connected', __sample()); setTimeout(function(){ report('idle', gcu());
  dev.publish({a:1},{topic:'t'}).then(function(){ report('published', gcu()); }); }, 300); });
dev.on('tokenRefreshed', function () { n++; setTimeout(function(){ report('idleAfterRefresh'+n, gcu()); if (n>=2) dev.stop().then(function(){ report('stopped', gcu()); done(); }); }, 300); });
dev.on('error', function (e) { report('error', e.code + ' ' + e.message); });
dev.start();
`;
const dir = deviceDir(bin, { scenario, 'device.key': readFileSync(join(fixtures, 'ec.pkcs8.pem')) });
const r = await startEspruino(bin, dir, `setInterval(__sample, 5); require('scenario');`, { timeoutMs: 90000 }).result;
killAll();
await cloud.close();
for (const [k, v] of r.reports) console.log(k, JSON.stringify(v));
if (/OUT OF MEMORY|Uncaught/.test(r.out)) {
  console.log(r.out.slice(-1500));
  process.exitCode = 1;
}

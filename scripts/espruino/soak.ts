// Long run of the Espruino device in the real interpreter at an ESP32's pool (issue 15): short-lived
// tokens, so it refreshes (mints a token on the device and reconnects) --refreshes times (default 100)
// while publishing QoS 1 every 2 s; after each refresh the device reports its variables in use
// (process.memory(), after a garbage collection). A leak of a few variables per refresh kills a board
// in days, so the run fails when usage grows: the mean of the last 20 refreshes against the mean of
// refreshes 11-30, and the least-squares slope over all but the first 10 (warm-up). Every message
// must be acknowledged and arrive. Everything stays on 127.0.0.1; the run is bounded in time.
// Run: npm run soak:espruino   (node --import tsx scripts/espruino/soak.ts [--refreshes 100] [--variables 3400])
// Needs the engine kits (npm run engines).
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildEngines, ESPRUINO_BUDGETS, ESPRUINO_VARIABLES, kitsDir } from '../engines/real.mjs';
import { startMockCloud } from '../../src/mock/index';
import { deviceDir, killAll, startEspruino } from '../../test/real-engines/espruino-run';

const { values } = parseArgs({ options: { refreshes: { type: 'string', default: '100' }, variables: { type: 'string', default: '3400' }, lifetime: { type: 'string', default: '8' } } });
const refreshes = Number(values.refreshes);
const variables = Number(values.variables);
const lifetimeS = Number(values.lifetime);
const pools = ESPRUINO_BUDGETS.concat(ESPRUINO_VARIABLES);
if (!(refreshes >= 30) || !pools.includes(variables) || !(lifetimeS >= 5)) {
  console.error('usage: soak.ts [--refreshes N>=30] [--variables ' + pools.join('|') + '] [--lifetime S>=5]');
  process.exit(2);
}
const kits = kitsDir();
if (!kits) {
  console.error('the engine kits are not beside this checkout (set AKENZA_ENGINE_KITS)');
  process.exit(2);
}
const engines = buildEngines(kits, 'ignore');
const bin = variables === ESPRUINO_VARIABLES ? engines.espruino : engines.espruinoAt[variables];
const fixtures = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'keys');
const DEVICE = 'esp-soak';
const cloud = await startMockCloud({ registry: { devices: [{ deviceId: DEVICE, credentials: [{ publicKey: readFileSync(join(fixtures, 'ec.pub.pem'), 'utf8') }] }], connectors: [] } });

// The scenario runs from Storage (a module), so its own source takes no variables.
const scenario = `
var akenza = require('akenza-device');
var dev = akenza.createDevice({ deviceId: '${DEVICE}', credentials: { privateKey: require('Storage').read('device.key'), kid: 'auto' },
  mqtt: { url: 'mqtt://127.0.0.1:${cloud.mqttPort}' }, tokenLifetimeS: ${lifetimeS} });
var refreshed = 0, sent = 0, acked = 0, timer, finishing = false;
dev.on('connected', function () { if (refreshed === 0) report('connected', __sample()); });
dev.on('tokenRefreshed', function () { refreshed++; report('r', [refreshed, __sample(), sent, acked]); if (refreshed >= ${refreshes}) finish(); });
dev.on('error', function (e) { report('error', e.code + ' ' + e.message); });
dev.on('disconnected', function (e) { if (!e.planned) report('unplanned', e.reason); });
dev.start();
timer = setInterval(function () { var n = ++sent; dev.publish({ n: n }, { topic: 'soak' }).then(function () { acked++; }, function (e) { report('nack', n + ' ' + e.code); }); }, 2000);
function finish() {
  if (finishing) return;
  finishing = true;
  clearInterval(timer);
  var wait = setInterval(function () { if (acked < sent) return; clearInterval(wait);
    dev.stop().then(function () { report('summary', { sent: sent, acked: acked, refreshed: refreshed }); done(); }); }, 200);
}
`;
const started = Date.now();
const dir = deviceDir(bin, { scenario, 'device.key': readFileSync(join(fixtures, 'ec.pkcs8.pem')) });
const running = startEspruino(bin, dir, `require('scenario');`, {
  timeoutMs: refreshes * lifetimeS * 3000 + 120000,
  onReport: (k, v) => {
    if (k === 'r' && (v[0] % 10 === 0 || v[0] <= 3)) console.log(`refresh ${v[0]}: ${v[1]} variables in use, ${v[3]}/${v[2]} acked, ${Math.round((Date.now() - started) / 1000)} s`);
    if (k === 'error' || k === 'nack' || k === 'unplanned') console.log(k + ': ' + JSON.stringify(v));
  },
});
const r = await running.result;
killAll();
const uplinks = new Set(cloud.uplinks.filter((u) => u.deviceId === DEVICE && u.topic === 'soak').map((u) => (u.payload as { n: number }).n));
await cloud.close();

const rows: number[][] = r.all('r');
const usage = rows.map((x) => x[1]);
const mean = (a: number[]) => a.reduce((s, x) => s + x, 0) / a.length;
const tail = usage.slice(10);
const xs = tail.map((_, i) => i);
const mx = mean(xs);
const my = mean(tail);
const slope = xs.reduce((s, x, i) => s + (x - mx) * (tail[i] - my), 0) / xs.reduce((s, x) => s + (x - mx) ** 2, 0);
const end = r.get('end');
const summary = r.get('summary');
const result = {
  variables, refreshes: rows.length, lifetimeS, seconds: Math.round((Date.now() - started) / 1000),
  connected: r.get('connected'), peak: end && end.peak, flags: end && end.flags,
  usageFirst10: usage.slice(0, 10), meanRefreshes11to30: Math.round(mean(usage.slice(10, 30))), meanLast20: Math.round(mean(usage.slice(-20))),
  slopeVariablesPerRefresh: Math.round(slope * 1000) / 1000, sent: summary && summary.sent, acked: summary && summary.acked, arrived: uplinks.size,
};
console.log(JSON.stringify(result, null, 1));
const problems: string[] = [];
if (!end || r.timedOut) problems.push('the run did not finish (timed out or crashed): ' + r.out.slice(-1500));
// LOW_MEMORY: the free list ran empty once and a collection ran at that allocation (while a signature
// runs turn after turn the idle-time collection does not); MEMORY (out of it) and the rest fail.
const flags = end ? end.flags.filter((f: string) => f !== 'LOW_MEMORY') : [];
if (flags.length) problems.push('interpreter error flags ' + flags.join(','));
if (/OUT OF MEMORY|Uncaught/.test(r.out)) problems.push('out of memory or an uncaught error');
if (rows.length < refreshes) problems.push('only ' + rows.length + ' refreshes');
if (result.meanLast20 - result.meanRefreshes11to30 > 10) problems.push('usage grew by ' + (result.meanLast20 - result.meanRefreshes11to30) + ' variables');
if (slope * 100 > 10) problems.push('usage grows ' + result.slopeVariablesPerRefresh + ' variables per refresh');
if (!summary || summary.acked !== summary.sent || uplinks.size !== summary.sent) problems.push('messages lost: ' + JSON.stringify({ summary, arrived: uplinks.size }));
if (r.all('error').length || r.all('nack').length || r.all('unplanned').length) problems.push('errors: ' + JSON.stringify([r.all('error'), r.all('nack'), r.all('unplanned')]));
if (problems.length) {
  console.log('FAIL\n  ' + problems.join('\n  '));
  process.exit(1);
}
console.log('ok: no growth over ' + rows.length + ' refreshes');

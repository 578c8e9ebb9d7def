// Variables and CPU time of ES256 mints in the real Espruino interpreter, per stage: three tokens for a
// parsed key (signJwt, no kid), process.memory().usage (after a GC) sampled every 2 ms; with a
// number of variables to leave free, ballast first takes the rest (the kernels' choice: targets/espruino/comb.ts).
// Run: node scripts/build.mjs && node --import tsx scripts/espruino/mint-probe.ts [pool: 16383|3400|2500] [free] [--trace]
// Prints the peak above the usage before each mint, its CPU ms (/proc/self/schedstat; the sampler's
// GCs included), and with --trace the second mint's samples (one a turn: load, signer, job, hash,
// comb, inversions). The tokens are checked with node:crypto.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { espruinoWith } from './interpreter';
import { deviceDir, killAll, startEspruino } from '../../test/real-engines/espruino-run';
import { nodeVerifyJwt } from '../../test/helpers';

const args = process.argv.slice(2).filter((a) => a !== '--trace');
const pool = Number(args[0] || 3400);
const leave = Number(args[1] || 0);
const bin = espruinoWith(pool, 'mint-probe.ts');
const fixtures = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'keys');
const scenario = `
function m() { process.memory(); return process.memory().usage; }
function cpu() { var f = E.openFile('/proc/self/schedstat', 'r'); var s = f.read(80); f.close(); return parseFloat(s.split(' ')[0]) / 1e6; }
var akenza = require('akenza-device');
var key = akenza.parsePrivateKey(require('Storage').read('device.key'));
var B = [], tokens = [], peaks = [], cpus = [], n = 0, pk = 0, iv, TR = new Int16Array(600), TN = 0;
function samp() { var u = process.memory().usage; if (u > pk) pk = u; if (n === 1 && TN < 600) TR[TN++] = u; }
setTimeout(function () {
  if (${leave}) { var f = process.memory().free; for (var i = 0; i < f - ${leave}; i++) B.push(i); }
  report('free', process.memory().free);
  go();
}, 60);
function go() {
  var before = m(), c0 = cpu(); pk = 0;
  iv = setInterval(samp, 2);
  akenza.signJwt({ privateKey: key, deviceId: 'd1', lifetimeS: 600 }).then(function (t) {
    clearInterval(iv); cpus.push(Math.round(cpu() - c0)); tokens.push(t); peaks.push(pk - before);
    if (++n < 3) setTimeout(go, 20);
    else { report('r', { trace: [].slice.call(TR, 0, TN).join(' '), peaks: peaks, cpus: cpus, tokens: tokens }); done(); }
  }, function (e) { report('error', e.code + ' ' + e.message); done(); });
}
`;
const dir = deviceDir(bin, { scenario, 'device.key': readFileSync(join(fixtures, 'ec.pkcs8.pem')) });
const r = await startEspruino(bin, dir, `require('scenario');`, { timeoutMs: 120000 }).result;
killAll();
const reports = new Map(r.reports);
const res = reports.get('r');
console.log('free before the mints', reports.get('free'), reports.get('error') ? 'error ' + reports.get('error') : '');
if (res) {
  if (process.argv.includes('--trace')) console.log('trace (2nd mint)', res.trace);
  for (const t of res.tokens) nodeVerifyJwt(t, readFileSync(join(fixtures, 'ec.pub.pem'), 'utf8'));
  console.log('peak above before', res.peaks, 'cpu ms', res.cpus, '(tokens verified)');
}
console.log('end', JSON.stringify(reports.get('end')));
if (/OUT OF MEMORY|Uncaught/.test(r.out)) console.log(r.out.slice(-1500));

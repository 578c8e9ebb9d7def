// Asserts on what the mock cloud recorded (its --uplinks-out JSON lines) for one device: every reading
// arrived in order on "environment", and exactly the over-limit one raised an alarm. Exit 1 otherwise.
//   node check-uplinks.mjs uplinks.jsonl --device ID
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { device: { type: 'string' } } });
const file = positionals[0];
if (!file || !values.device) {
  console.error('usage: node check-uplinks.mjs UPLINKS.jsonl --device ID');
  process.exit(2);
}
const uplinks = (existsSync(file) ? readFileSync(file, 'utf8') : '').split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((u) => u.deviceId === values.device);
const on = (topic) => uplinks.filter((u) => u.topic === topic).map((u) => u.payload);

const failures = [];
const expect = (ok, what) => {
  console.log((ok ? 'ok   ' : 'FAIL ') + what);
  if (!ok) failures.push(what);
};
const readings = on('environment');
expect(JSON.stringify(readings.map((p) => p.temperature)) === JSON.stringify([21.0, 21.4, 22.1, 27.8, 22.0]), `5 readings in order on "environment" (got ${JSON.stringify(readings.map((p) => p.temperature))})`);
expect(JSON.stringify(readings.map((p) => p.seq)) === '[1,2,3,4,5]', 'sequence numbers 1..5, none lost or repeated');
const alarms = on('alarms');
expect(alarms.length === 1 && alarms[0].temperature === 27.8 && alarms[0].limit === 25, `one alarm, for 27.8 (got ${JSON.stringify(alarms)})`);
expect(uplinks.every((u) => u.auth === 'jwt'), 'every uplink authenticated with the device JWT');
if (failures.length) {
  console.error(failures.length + ' check(s) failed');
  process.exit(1);
}
console.log('all uplink checks passed');

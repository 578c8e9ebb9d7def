// MQTT client benchmark: QoS 0 / QoS 1 publish throughput of the device next to MQTT.js against the
// same mosquitto in the same run, and the offline gap of a token refresh next to a bare reconnect.
import { readFileSync } from 'node:fs';
import mqtt from 'mqtt';
import { createDevice, type Device, type DeviceEventName } from '../../targets/node/index';
import { startMosquitto } from './mosquitto';

const key = readFileSync(new URL('../../test/fixtures/keys/ec.pkcs8.pem', import.meta.url), 'utf8');
const N = 20000;
const payload = new Uint8Array(64).fill(0x41);
const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[xs.length >> 1];

const broker = await startMosquitto();
const url = 'mqtt://127.0.0.1:' + broker.port;

const once = (d: Device, ev: DeviceEventName) => new Promise<any>((r) => {
  const f = (a: unknown) => (d.off(ev, f), r(a));
  d.on(ev, f);
});

const device = createDevice({ deviceId: 'bench-dev', credentials: { privateKey: key }, mqtt: { url }, outbox: { maxMessages: N + 10, maxBytes: 64 * (N + 10) } });
const up = once(device, 'connected');
device.start();
await up;
const client = await mqtt.connectAsync(url, { clientId: 'bench-mqttjs', protocolVersion: 4, clean: true });
// MQTT.js adds a 'drain' listener per pending publishAsync; 20,000 at once is the point of the test.
(client as unknown as { stream: { setMaxListeners(n: number): void } }).stream.setMaxListeners(0);

async function deviceRun(qos: 0 | 1): Promise<number> {
  const t0 = performance.now();
  const ps: Promise<void>[] = [];
  for (let i = 0; i < N; i++) ps.push(device.publish(payload, { qos }));
  ps.push(device.publish(payload, { qos: 1 })); // a final QoS 1 ack means the broker took everything before it
  await Promise.all(ps);
  return (N / (performance.now() - t0)) * 1000;
}
async function mqttjsRun(qos: 0 | 1): Promise<number> {
  const t0 = performance.now();
  const ps: Promise<unknown>[] = [];
  for (let i = 0; i < N; i++) ps.push(client.publishAsync('/up/device/id/bench-mqttjs', Buffer.from(payload), { qos }));
  ps.push(client.publishAsync('/up/device/id/bench-mqttjs', Buffer.from(payload), { qos: 1 }));
  await Promise.all(ps);
  return (N / (performance.now() - t0)) * 1000;
}

const rows: string[] = ['| what | akenza-device msgs/s | MQTT.js msgs/s | ratio |', '|---|---:|---:|---:|'];
for (const qos of [0, 1] as const) {
  const a: number[] = [];
  const b: number[] = [];
  for (let r = 0; r < 5; r++) {
    a.push(await deviceRun(qos));
    b.push(await mqttjsRun(qos));
  }
  rows.push(`| QoS ${qos}, ${N} x 64 B, median of 5 | ${median(a).toFixed(0)} | ${median(b).toFixed(0)} | ${(median(a) / median(b)).toFixed(2)}x |`);
}

// Refresh gap: from the old connection's close to the new CONNACK, token already minted.
const gaps: number[] = [];
for (let i = 0; i < 21; i++) {
  const down = once(device, 'disconnected');
  const back = once(device, 'connected');
  device.refresh();
  await down;
  const t0 = performance.now();
  await back;
  gaps.push(performance.now() - t0);
}
// A bare reconnect: MQTT.js opening a fresh connection to the same broker.
const reconnects: number[] = [];
for (let i = 0; i < 21; i++) {
  const t0 = performance.now();
  const c = await mqtt.connectAsync(url, { clientId: 'bench-reconnect', protocolVersion: 4, clean: true, reconnectPeriod: 0 });
  reconnects.push(performance.now() - t0);
  await c.endAsync();
}
rows.push('');
rows.push('| refresh | median ms |');
rows.push('|---|---:|');
rows.push(`| device refresh gap (old socket closed to new CONNACK), 21 refreshes | ${median(gaps).toFixed(2)} |`);
rows.push(`| MQTT.js fresh connect to the same broker (one reconnect), 21 times | ${median(reconnects).toFixed(2)} |`);
console.log(rows.join('\n'));

await client.endAsync();
await device.stop();
await broker.stop();

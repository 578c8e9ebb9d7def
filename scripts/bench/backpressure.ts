// Write backpressure's cost: QoS 0 / QoS 1 publish throughput of the device before and after the
// change (two source trees) next to MQTT.js, against one mosquitto, alternating in one run.
// Usage: node --import tsx scripts/bench/backpressure.ts <base tree> (a checkout of the commit
// before, node_modules linked); this tree is "after".
import mqtt from 'mqtt';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { startMosquitto } from './mosquitto';

const baseRoot = resolve(process.argv[2] || '/tmp/base17');
const here = new URL('../..', import.meta.url).pathname;
const key = readFileSync(new URL('../../test/fixtures/keys/ec.pkcs8.pem', import.meta.url), 'utf8');
const N = 20000;
const ROUNDS = 7;
const payload = new Uint8Array(64).fill(0x41);
const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[xs.length >> 1];

type Dev = { start(): Promise<unknown>; publish(p: Uint8Array, o: { qos: 0 | 1 }): Promise<void>; stop(): Promise<void>; on(e: string, f: () => void): void };
const broker = await startMosquitto();
const url = 'mqtt://127.0.0.1:' + broker.port;

async function device(root: string, id: string): Promise<Dev> {
  const m = (await import(resolve(root, 'targets/node/index.ts'))) as { createDevice(o: unknown): Dev };
  const d = m.createDevice({ deviceId: id, credentials: { privateKey: key }, mqtt: { url }, outbox: { maxMessages: N + 10, maxBytes: 64 * (N + 10) } });
  const up = new Promise<void>((r) => d.on('connected', r));
  d.start();
  await up;
  return d;
}
const before = await device(baseRoot, 'bench-before');
const after = await device(here, 'bench-after');
const client = await mqtt.connectAsync(url, { clientId: 'bench-mqttjs', protocolVersion: 4, clean: true });
(client as unknown as { stream: { setMaxListeners(n: number): void } }).stream.setMaxListeners(0);

async function deviceRun(d: Dev, qos: 0 | 1): Promise<number> {
  const t0 = performance.now();
  const ps: Promise<void>[] = [];
  for (let i = 0; i < N; i++) ps.push(d.publish(payload, { qos }));
  ps.push(d.publish(payload, { qos: 1 })); // a final QoS 1 ack: the broker took everything before it
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

const rows = ['| QoS | before msgs/s | after msgs/s | MQTT.js msgs/s | before / MQTT.js | after / MQTT.js | after / before |', '|---|---:|---:|---:|---:|---:|---:|'];
for (const qos of [0, 1] as const) {
  const a: number[] = [];
  const b: number[] = [];
  const m: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    a.push(await deviceRun(before, qos));
    b.push(await deviceRun(after, qos));
    m.push(await mqttjsRun(qos));
  }
  const [ma, mb, mm] = [median(a), median(b), median(m)];
  rows.push(`| ${qos} | ${ma.toFixed(0)} | ${mb.toFixed(0)} | ${mm.toFixed(0)} | ${(ma / mm).toFixed(2)}x | ${(mb / mm).toFixed(2)}x | ${(mb / ma).toFixed(2)}x |`);
}
console.log(`${N} publishes of 64 B per round, ${ROUNDS} rounds (before, after, MQTT.js in turn), medians; load ${(await import('node:os')).loadavg().map((x) => x.toFixed(2)).join(' ')}`);
console.log(rows.join('\n'));
await client.endAsync();
await before.stop();
await after.stop();
await broker.stop();

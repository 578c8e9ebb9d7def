// MQTT codec micro-benchmark against mqtt-packet, same process, same packets:
// `node --import tsx scripts/bench/mqtt.ts` (numbers go to BENCHMARKS-mqtt.md).
import mqttPacket from 'mqtt-packet';
import { createParser, encode, type Packet } from '../../src/mqtt/codec';

const N = Number(process.argv[2] || 200000);
const payload = new TextEncoder().encode(JSON.stringify({ temperature: 21.5, humidity: 40, battery: 3.71, seq: 123456 }));
const pkts: Packet[] = [];
for (let i = 0; i < N; i++)
  pkts.push({ cmd: 'publish', topic: '/up/device/id/a1b2c3d4e5f60718', payload, qos: 1, retain: false, dup: false, messageId: 1 + (i % 65535) });
const mpPkts = pkts.map((p) => ({ ...p, payload: Buffer.from(payload) }));

function time(label: string, fn: () => number): void {
  fn(); // warm-up
  const t0 = performance.now();
  const n = fn();
  const ms = performance.now() - t0;
  console.log(`${label.padEnd(44)} ${Math.round((n / ms) * 1000).toLocaleString('en-US').padStart(11)} packets/s`);
}

function chunks(buf: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < buf.length; i += size) out.push(buf.subarray(i, i + size));
  return out;
}

console.log(`node ${process.version}, ${N} PUBLISH QoS 1, ${payload.length}-byte payload, 30-byte topic`);
time('encode: akenza-device', () => {
  for (const p of pkts) encode(p);
  return N;
});
time('encode: mqtt-packet generate', () => {
  for (const p of mpPkts) mqttPacket.generate(p as never);
  return N;
});
const stream = Buffer.concat(pkts.map((p) => encode(p)));
for (const size of [16384, 1460, 1]) {
  const cs = chunks(stream, size);
  const limit = size === 1 ? Math.floor(cs.length / 20) : cs.length; // 1-byte feeding: a 5% slice
  const count = size === 1 ? N / 20 : N;
  time(`parse ${size}-byte chunks: akenza-device`, () => {
    let n = 0;
    const p = createParser({ onPacket: () => n++, onError: (e) => { throw e; } });
    for (let i = 0; i < limit; i++) p.push(cs[i]);
    return size === 1 ? count : n;
  });
  time(`parse ${size}-byte chunks: mqtt-packet`, () => {
    let n = 0;
    const p = mqttPacket.parser({ protocolVersion: 4 });
    p.on('packet', () => n++);
    p.on('error', (e: Error) => { throw e; });
    for (let i = 0; i < limit; i++) p.parse(cs[i] as Buffer);
    return size === 1 ? count : n;
  });
}

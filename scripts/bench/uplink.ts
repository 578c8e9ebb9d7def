// Secret-based uplinks against the mock cloud on loopback: `node --import tsx scripts/bench/uplink.ts [n]`.
// Sequential sends (one at a time, as the device's fallback does) per transport, then the device
// draining a queue over HTTP; plus the minified size of each transport. Numbers go to BENCHMARKS-uplink.md.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { startMockCloud } from '../../src/mock/index';
import type { Platform } from '../../src/platform';
import { createCoapUplink } from '../../src/uplink/coap/uplink';
import type { UplinkResult, UplinkTransport } from '../../src/uplink/common';
import { createHttpUplink } from '../../src/uplink/http';
import { createUdpUplink } from '../../src/uplink/udp';
import { createDevice } from '../../targets/node/index';
import { nodePlatform } from '../../targets/node/platform';

const n = Number(process.argv[2] || 2000);
const fx = (f: string) => readFileSync(new URL('../../test/fixtures/keys/' + f, import.meta.url), 'utf8');
const cloud = await startMockCloud({
  registry: { devices: [{ deviceId: 'bench', credentials: [{ publicKey: fx('ec.pub.pem') }] }], connectors: [{ id: 'c', uplinkSecret: 'bench-secret', devices: ['bench'] }] },
  maxUplinks: 100000,
});
const payload = new Uint8Array(Buffer.from(JSON.stringify({ temperature: 21.5, humidity: 40, battery: 3.7 })));
const socketPlatform: Platform = { ...nodePlatform, http: undefined };

async function run(name: string, t: UplinkTransport, transport: string) {
  const before = cloud.uplinks.filter((u) => u.transport === transport).length;
  for (let i = 0; i < 50; i++) await new Promise<UplinkResult>((r) => t.send({ deviceId: 'bench', topic: 'warm', payload }, r));
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const r = await new Promise<UplinkResult>((res) => t.send({ deviceId: 'bench', topic: 'b', payload }, res));
    if (r.outcome !== 'ok') throw new Error(name + ': ' + r.message);
  }
  const ms = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 200));
  const got = cloud.uplinks.filter((u) => u.transport === transport).length - before - 50;
  t.close();
  console.log(`| ${name} | ${n} | ${(ms / n).toFixed(3)} | ${Math.round(n / (ms / 1000))} | ${got} |`);
}

console.log('| transport (sequential, loopback) | uplinks | ms/uplink | uplinks/s | recorded by the mock |');
console.log('|---|---|---|---|---|');
await run('HTTP, platform.http (node:http, keep-alive agent)', createHttpUplink(nodePlatform, { url: 'http://127.0.0.1:' + cloud.httpPort, secret: 'bench-secret' }), 'http');
await run('HTTP, core HTTP/1.1 client over connect (one connection per uplink)', createHttpUplink(socketPlatform, { url: 'http://127.0.0.1:' + cloud.httpPort, secret: 'bench-secret' }), 'http');
await run('CoAP CON POST (piggy-backed 2.01)', createCoapUplink(nodePlatform, { url: 'coap://127.0.0.1:' + cloud.coapPort, secret: 'bench-secret' }), 'coap');
await run('UDP (no acknowledgement; "ok" = handed to the socket)', createUdpUplink(nodePlatform, { url: 'udp://127.0.0.1:' + cloud.udpPort, secret: 'bench-secret' }), 'udp');

// The device draining a queue of n uplinks over HTTP after MQTT is unreachable past the threshold.
const device = createDevice({
  deviceId: 'bench', credentials: { privateKey: fx('ec.pkcs8.pem'), uplinkSecret: 'bench-secret' },
  mqtt: { url: 'mqtt://127.0.0.1:1' }, fallback: [{ type: 'http', url: 'http://127.0.0.1:' + cloud.httpPort }], fallbackAfterMs: 100, outbox: { maxMessages: n + 10 },
});
device.start();
const ps: Promise<void>[] = [];
for (let i = 0; i < n; i++) ps.push(device.publish({ i }, { topic: 'drain' }));
const on = new Promise<number>((r) => device.on('fallback', () => r(performance.now())));
const t0 = await on;
await Promise.all(ps);
const ms = performance.now() - t0;
await device.stop();
console.log(`\ndevice fallback drain: ${n} queued uplinks over HTTP in ${ms.toFixed(0)} ms (${(ms / n).toFixed(3)} ms/uplink), sent ${JSON.stringify(device.stats().sent)}`);

console.log('\n| minified (esbuild, es2020, shared utf8/bytes/platform helpers included) | bytes |');
console.log('|---|---|');
for (const [name, entry] of [
  ['HTTP uplink + HTTP/1.1 client', "export { createHttpUplink } from './src/uplink/http';"],
  ['CoAP uplink + codec + client', "export { createCoapUplink } from './src/uplink/coap/uplink';"],
  ['UDP uplink', "export { createUdpUplink } from './src/uplink/udp';"],
  ['all three (allUplinks)', "export { allUplinks } from './src/uplink/index';"],
  ['createDevice (with fallback logic, no transports)', "export { createDevice } from './src/device/device';"],
]) {
  const out = await build({ stdin: { contents: entry, resolveDir: new URL('../..', import.meta.url).pathname, loader: 'ts' }, bundle: true, write: false, minify: true, format: 'esm', target: 'es2020', logLevel: 'silent' });
  console.log(`| ${name} | ${out.outputFiles[0].contents.length} |`);
}
await cloud.close();

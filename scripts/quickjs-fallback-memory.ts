// Memory the QuickJS bundle uses (the runtime's memory_used_size, bytes) for a connected device with
// and without a fallback list, and along an outage: MQTT listener stopped -> HTTP -> HTTP stopped ->
// CoAP -> CoAP stopped -> UDP, three uplinks one after another per phase, sampled every 10 ms.
// Run: node scripts/build.mjs && node --import tsx scripts/quickjs-fallback-memory.ts
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startMockCloud } from '../src/mock/index';
import { createHarness, type Harness } from '../test/engines/quickjs-harness';

const root = join(import.meta.dirname, '..');
const bundle = readFileSync(join(root, 'dist', 'quickjs', 'akenza-device.mjs'), 'utf8');
const key = readFileSync(join(root, 'test', 'fixtures', 'keys', 'ec.pkcs8.pem'), 'utf8');
const pub = readFileSync(join(root, 'test', 'fixtures', 'keys', 'ec.pub.pem'), 'utf8');
const SECRET = 'qjs-mem-S3cret';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function used(h: Harness): number {
  const m = h.rt.computeMemoryUsage();
  const v = h.vm.dump(m) as { memory_used_size: number };
  m.dispose();
  return v.memory_used_size;
}

async function run(withList: boolean) {
  const cloud = await startMockCloud({ registry: { devices: [{ deviceId: 'q1', credentials: [{ publicKey: pub }] }], connectors: [{ id: 'c1', uplinkSecret: SECRET, devices: ['q1'] }] } });
  const h = await createHarness({ memoryLimitBytes: 16 * 1024 * 1024, modules: { 'akenza-device': bundle } });
  const list = withList
    ? `fallback: [{ type: 'http', url: 'http://127.0.0.1:${cloud.httpPort}', timeoutMs: 1000 }, { type: 'coap', url: 'coap://127.0.0.1:${cloud.coapPort}', ackTimeoutMs: 200, maxRetransmit: 1 }, { type: 'udp', url: 'udp://127.0.0.1:${cloud.udpPort}' }], fallbackAfterMs: 300,`
    : '';
  h.run(`
    import { createDevice } from 'akenza-device';
    const device = createDevice({ deviceId: 'q1', credentials: { privateKey: ${JSON.stringify(key)}, uplinkSecret: '${SECRET}' },
      mqtt: { url: 'mqtt://127.0.0.1:${cloud.mqttPort}' }, ${list}
      backoff: { baseMs: 500, capMs: 1000, resetAfterMs: 1000, authFloorMs: 500 }, fallbackBackoff: { baseMs: 1000, capMs: 2000, authFloorMs: 1000 } }, host);
    device.on('connected', () => report({ connected: true }));
    device.on('fallback', (e) => report({ fallback: e.transport }));
    globalThis.pub = (s) => device.publish({ s }, { topic: 'm' }).then(() => report({ acked: s }), (e) => report({ nack: s, code: e.code }));
    globalThis.dev = device;
    device.start();
  `, 'mem.mjs');
  await h.waitForReport((v) => v.connected, 10000);
  await sleep(300);
  const out: { [k: string]: number } = { idle: used(h) };
  if (withList) {
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, used(h))), 10);
    let seq = 0;
    const phase = async (name: string) => {
      peak = 0;
      for (let i = 0; i < 3; i++) {
        const s = seq++;
        h.run(`pub(${s});`, 'pub.mjs');
        await h.waitForReport((v) => v.acked === s || v.nack === s, 15000);
      }
      await sleep(50);
      out[name + ' after'] = used(h);
      out[name + ' peak'] = peak;
    };
    await cloud.faults.stopListener('mqtt');
    await h.waitForReport((v) => v.fallback === 'http', 10000);
    await phase('http');
    await cloud.faults.stopListener('http');
    await phase('coap');
    await cloud.faults.stopListener('coap');
    await phase('udp');
    clearInterval(sampler);
  }
  h.run(`dev.stop().then(() => report({ stopped: true }));`, 'stop.mjs');
  await h.waitForReport((v) => v.stopped, 5000);
  h.dispose();
  await cloud.close();
  return out;
}

console.log('without a fallback list', JSON.stringify(await run(false)));
console.log('with fallback: [http, coap, udp]', JSON.stringify(await run(true)));

// The fallback inside QuickJS (the quickjs bundle, the host's TCP and UDP bridged to Node): MQTT up ->
// the mock's MQTT listener stopped -> uplinks over HTTP (HTTP/1.1 over the host's connect) -> HTTP
// stopped too -> CoAP (host UDP) -> CoAP stopped too -> raw UDP -> all started again -> back to
// MQTT. Every message arrives exactly once (UDP: at most once, counted), on the transport the
// device reported, and the uplink secret appears in no event.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockCloud, type MockCloud } from '../../src/mock/index';
import { fixture } from '../helpers';
import { createHarness, type Harness } from './quickjs-harness';

const bundle = readFileSync(join(import.meta.dirname, '..', '..', 'dist', 'quickjs', 'akenza-device.mjs'), 'utf8');
const SECRET = 'qjs-fb-S3cret';
let cloud: MockCloud;
let h: Harness;

beforeAll(async () => {
  cloud = await startMockCloud({
    registry: { devices: [{ deviceId: 'qjs-fb', credentials: [{ publicKey: fixture('ec.pub.pem') }] }], connectors: [{ id: 'conn-qjs', uplinkSecret: SECRET, devices: ['qjs-fb'] }] },
  });
  h = await createHarness({ memoryLimitBytes: 16 * 1024 * 1024, modules: { 'akenza-device': bundle } });
});
afterAll(async () => {
  h.dispose();
  await cloud.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('quickjs bundle: the fallback in QuickJS', () => {
  it('MQTT stopped -> HTTP -> CoAP -> UDP -> MQTT back: each message once, on the transport reported', async () => {
    h.run(`
      import { createDevice } from 'akenza-device';
      const device = createDevice({
        deviceId: 'qjs-fb',
        credentials: { privateKey: ${JSON.stringify(fixture('ec.pkcs8.pem'))}, uplinkSecret: '${SECRET}' },
        mqtt: { url: 'mqtt://127.0.0.1:${cloud.mqttPort}' },
        fallback: [
          { type: 'http', url: 'http://127.0.0.1:${cloud.httpPort}', timeoutMs: 1000 },
          { type: 'coap', url: 'coap://127.0.0.1:${cloud.coapPort}', ackTimeoutMs: 200, maxRetransmit: 1 },
          { type: 'udp', url: 'udp://127.0.0.1:${cloud.udpPort}' },
        ],
        fallbackAfterMs: 300,
        backoff: { baseMs: 50, capMs: 200, resetAfterMs: 500, authFloorMs: 400 },
        fallbackBackoff: { baseMs: 100, capMs: 400, authFloorMs: 1000 },
      }, host);
      for (const n of ['connected', 'disconnected', 'fallback', 'sent', 'transportError', 'error']) device.on(n, (a) => report({ event: n, arg: a }));
      globalThis.pub = (s) => device.publish({ s }, { topic: 'seq' }).then(() => report({ acked: s }), (e) => report({ nack: s, code: e.code }));
      globalThis.fbDevice = device;
      device.start();
    `, 'fb-device.mjs');
    await h.waitForReport((v) => v.event === 'connected', 10000);
    let seq = 0;
    const phases: [string, number, number][] = [];
    const phase = async (name: string, n: number) => {
      const from = seq;
      for (let i = 0; i < n; i++) {
        h.run(`pub(${seq++});`, 'pub.mjs');
        await sleep(30);
      }
      for (let s = from; s < seq; s++) await h.waitForReport((v) => v.acked === s || v.nack === s, 15000);
      phases.push([name, from, seq]);
    };
    await phase('mqtt', 5);
    await cloud.faults.stopListener('mqtt');
    await h.waitForReport((v) => v.event === 'disconnected', 10000);
    await phase('http', 5);
    await cloud.faults.stopListener('http');
    await phase('coap', 5);
    await cloud.faults.stopListener('coap');
    await phase('udp', 5);
    const back = h.waitForReport((v) => v.event === 'fallback' && v.arg.active === false, 20000);
    await Promise.all([cloud.faults.startListener('mqtt'), cloud.faults.startListener('http'), cloud.faults.startListener('coap')]);
    await back;
    await phase('mqtt again', 5);
    h.run(`fbDevice.stop().then(() => report({ stopped: true }));`, 'stop.mjs');
    await h.waitForReport((v) => v.stopped, 5000);

    expect(h.reports.filter((r) => 'nack' in r)).toEqual([]);
    const got = cloud.uplinks.filter((u) => u.deviceId === 'qjs-fb' && u.topic === 'seq');
    const bySeq = new Map<number, string[]>();
    for (const u of got) bySeq.set((u.payload as { s: number }).s, [...(bySeq.get((u.payload as { s: number }).s) || []), u.transport]);
    const sent = h.reports.filter((r) => r.event === 'sent').map((r) => r.arg.transport);
    const expected: { [phase: string]: string } = { mqtt: 'mqtt', http: 'http', coap: 'coap', udp: 'udp', 'mqtt again': 'mqtt' };
    for (const [name, from, to] of phases) for (let s = from; s < to; s++) {
      // UDP has no acknowledgement: at most once, and the device said it sent it over UDP
      if (name === 'udp') expect((bySeq.get(s) || []).length, name + ' seq ' + s).toBeLessThanOrEqual(1);
      else expect(bySeq.get(s), name + ' seq ' + s).toEqual([expected[name]]);
    }
    const udpArrived = got.filter((u) => u.transport === 'udp').length;
    expect(udpArrived).toBeGreaterThanOrEqual(4); // loopback: none expected lost; counted, at most 5
    expect(sent.filter((t) => t === 'udp').length).toBe(5);
    expect(sent.filter((t) => t === 'http').length).toBe(5);
    expect(sent.filter((t) => t === 'coap').length).toBe(5);
    expect(h.reports.filter((r) => r.event === 'fallback').map((r) => r.arg.transport)).toEqual(['http', 'coap', 'udp', 'mqtt']);
    for (const r of h.reports) expect(JSON.stringify(r)).not.toContain(SECRET);
    console.log('quickjs fallback: arrived by transport', JSON.stringify(Object.fromEntries(['mqtt', 'http', 'coap', 'udp'].map((t) => [t, got.filter((u) => u.transport === t).length]))));
  }, 120000);
});

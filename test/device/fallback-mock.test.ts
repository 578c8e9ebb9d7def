// Fallback against the mock cloud over loopback sockets: MQTT broker stopped mid-stream -> uplinks
// continue over HTTP -> HTTP stopped too -> CoAP -> MQTT restarted -> back to MQTT. Every message
// arrives exactly once, on the transport the device said carried it; the secret shows nowhere.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockCloud, type MockCloud, type Uplink } from '../../src/mock/index';
import { createDevice } from '../../targets/node/index';
import { fixture } from '../helpers';
import { waitFor } from './wait-event';

const SECRET = 'fb-S3cret-77';
let cloud: MockCloud;
const logLines: string[] = [];
beforeAll(async () => {
  cloud = await startMockCloud({
    registry: { devices: [{ deviceId: 'dev-fb', credentials: [{ publicKey: fixture('ec.pub.pem') }] }], connectors: [{ id: 'conn-fb', uplinkSecret: SECRET, devices: ['dev-fb'] }] },
    log: (l) => logLines.push(l),
  });
});
afterAll(() => cloud.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function makeDevice() {
  return createDevice({
    deviceId: 'dev-fb',
    credentials: { privateKey: fixture('ec.pkcs8.pem'), uplinkSecret: SECRET },
    mqtt: { url: 'mqtt://127.0.0.1:' + cloud.mqttPort },
    fallback: [
      { type: 'http', url: 'http://127.0.0.1:' + cloud.httpPort, timeoutMs: 2000 },
      { type: 'coap', url: 'coap://127.0.0.1:' + cloud.coapPort, ackTimeoutMs: 200, maxRetransmit: 2 },
    ],
    fallbackAfterMs: 300,
    backoff: { baseMs: 50, capMs: 200, resetAfterMs: 500, authFloorMs: 400 },
    fallbackBackoff: { baseMs: 100, capMs: 400, authFloorMs: 1000 },
    outbox: { maxMessages: 5000 },
  });
}

describe('fallback against the mock cloud', () => {
  it('MQTT stopped -> HTTP -> HTTP stopped -> CoAP -> MQTT back: each message exactly once, on the transport reported', async () => {
    const device = makeDevice();
    const events: { name: string; arg: any }[] = [];
    for (const n of ['connected', 'disconnected', 'fallback', 'sent', 'transportError', 'authRejected', 'error'] as const) device.on(n, (arg) => {
      events.push({ name: n, arg });
      if (process.env.FB_DEBUG && n !== 'sent') console.log(Date.now() % 100000, n, JSON.stringify(arg));
    });
    const connected = waitFor(device, 'connected');
    device.start();
    await connected;
    const mine = (u: Uplink) => u.deviceId === 'dev-fb' && u.topic === 'seq';
    let seq = 0;
    const burst = async (n: number, gapMs: number) => {
      const ps: Promise<void>[] = [];
      for (let i = 0; i < n; i++) {
        const s = seq++;
        ps.push(device.publish({ s }, { topic: 'seq' }));
        if (gapMs) await sleep(gapMs);
      }
      await Promise.all(ps);
    };
    const phases: [string, number, number][] = [];
    const phase = async (name: string, n: number, gapMs: number) => {
      const from = seq;
      await burst(n, gapMs);
      phases.push([name, from, seq]);
    };

    await phase('mqtt', 20, 0);
    // Stopped between two messages: one published while the device still believes in the dead
    // connection is written to MQTT and therefore stays MQTT-only (the stream test covers that).
    const down = waitFor(device, 'disconnected');
    await cloud.faults.stopListener('mqtt');
    await down;
    await phase('http', 20, 20); // queued, then (after 300 ms down) drained over HTTP, then sent as they come
    expect(device.stats().fallback).toBe('http');
    await cloud.faults.stopListener('http');
    await phase('coap', 20, 20);
    expect(device.stats().fallback).toBe('coap');
    const back = waitFor(device, 'fallback', (a) => a.active === false);
    await cloud.faults.startListener('mqtt');
    await cloud.faults.startListener('http');
    await back;
    await phase('mqtt again', 20, 0);
    await device.stop();

    const got = cloud.uplinks.filter(mine);
    const count = new Map<number, Uplink[]>();
    for (const u of got) count.set((u.payload as any).s, [...(count.get((u.payload as any).s) || []), u]);
    for (let s = 0; s < seq; s++) expect(count.get(s)?.length, 'seq ' + s).toBe(1);
    expect(got.length).toBe(seq);
    const expected: { [phase: string]: string } = { mqtt: 'mqtt', http: 'http', coap: 'coap', 'mqtt again': 'mqtt' };
    for (const [name, from, to] of phases) for (let s = from; s < to; s++) expect(count.get(s)![0].transport, name + ' seq ' + s).toBe(expected[name]);
    // the device's own account matches the mock's
    expect(device.stats().sent).toEqual({ mqtt: 40, http: 20, coap: 20 });
    const sentEvents = events.filter((e) => e.name === 'sent');
    expect(sentEvents.map((e) => e.arg.transport)).toEqual(got.map((u) => u.transport));
    expect(events.filter((e) => e.name === 'fallback').map((e) => [e.arg.active, e.arg.transport])).toEqual([[true, 'http'], [true, 'coap'], [false, 'mqtt']]);
    expect(events.filter((e) => e.name === 'transportError').every((e) => e.arg.transport === 'http')).toBe(true);
    expect(got.filter((u) => u.transport === 'http').every((u) => u.secretVia === 'header')).toBe(true);
    for (const e of events) expect(JSON.stringify(e.arg)).not.toContain(SECRET);
    for (const l of logLines) expect(l).not.toContain(SECRET);
    console.log('fallback phases', JSON.stringify(phases), 'events', events.filter((e) => e.name !== 'sent').map((e) => e.name + ':' + (e.arg.transport || e.arg.reason || '')).join(' '));
  }, 60_000);

  it('a steady QoS 1 stream across an MQTT outage: nothing lost, nothing on two transports', async () => {
    const device = makeDevice();
    const connected = waitFor(device, 'connected');
    device.start();
    await connected;
    const before = cloud.uplinks.length;
    const results: Promise<string>[] = [];
    let stop = false;
    const publisher = (async () => {
      for (let i = 0; !stop; i++) {
        results.push(device.publish({ k: i }, { topic: 'stream2' }).then(() => 'ok', (e) => e.code));
        await sleep(3);
      }
    })();
    await sleep(150);
    await cloud.faults.stopListener('mqtt'); // with messages in flight
    await waitFor(device, 'fallback', (a) => a.active);
    await sleep(300);
    await cloud.faults.startListener('mqtt');
    await waitFor(device, 'fallback', (a) => !a.active);
    await sleep(150);
    stop = true;
    await publisher;
    const outcome = await Promise.all(results);
    await device.stop();
    const seen = new Map<number, Set<string>>();
    const times = new Map<number, number>();
    for (const u of cloud.uplinks.slice(before)) {
      if (u.topic !== 'stream2') continue;
      const k = (u.payload as any).k;
      seen.set(k, (seen.get(k) || new Set()).add(u.transport));
      times.set(k, (times.get(k) || 0) + 1);
    }
    const ok = outcome.filter((o) => o === 'ok').length;
    const crossTransport = [...seen.values()].filter((s) => s.size > 1).length;
    const mqttResends = [...times.values()].filter((n) => n > 1).length;
    const byTransport: { [t: string]: number } = {};
    for (const s of seen.values()) for (const t of s) byTransport[t] = (byTransport[t] || 0) + 1;
    console.log(`stream over an outage: ${outcome.length} published, ${ok} delivered, by transport ${JSON.stringify(byTransport)}, ${mqttResends} QoS 1 resends on MQTT, ${crossTransport} on two transports`);
    expect(ok).toBe(outcome.length);
    expect(seen.size).toBe(outcome.length);
    expect(crossTransport).toBe(0);
    expect(byTransport.http).toBeGreaterThan(0);
    expect(byTransport.mqtt).toBeGreaterThan(0);
  }, 60_000);

  it('options are checked up front: bad URLs, unknown types, a missing secret', () => {
    // the code in `code`, the message saying which option
    const refused = (message: RegExp) => expect.objectContaining({ code: 'OPTION_INVALID', message: expect.stringMatching(message) });
    const base = { deviceId: 'dev-fb', credentials: { privateKey: fixture('ec.pkcs8.pem'), uplinkSecret: SECRET }, mqtt: { url: 'mqtt://127.0.0.1:1' } };
    expect(() => createDevice({ ...base, fallback: [{ type: 'http', url: 'ftp://x' }] })).toThrow(refused(/http url/));
    expect(() => createDevice({ ...base, fallback: [{ type: 'coap', url: 'coap://h?x=1' }] })).toThrow(refused(/coap url/));
    expect(() => createDevice({ ...base, fallback: [{ type: 'udp', url: 'udp://h' }] })).toThrow(refused(/udp url/));
    expect(() => createDevice({ ...base, fallback: [{ type: 'smtp' as 'udp', url: 'x' }] })).toThrow(/no smtp uplink/);
    // ports outside 1..65535 are refused now, not by a socket that throws on the first send
    for (const url of ['udp://h:70000', 'udp://h:0', 'udp://h:65536']) expect(() => createDevice({ ...base, fallback: [{ type: 'udp', url }] }), url).toThrow(refused(/port 1-65535/));
    expect(() => createDevice({ ...base, fallback: [{ type: 'coap', url: 'coap://h:99999' }] })).toThrow(refused(/coap url/));
    expect(() => createDevice({ ...base, fallback: [{ type: 'http', url: 'http://h:0/x' }] })).toThrow(refused(/http url/));
    expect(() => createDevice({ ...base, mqtt: { url: 'mqtt://h:65536' } })).toThrow(refused(/mqtt.url/));
    expect(() => createDevice({ ...base, fallback: [{ type: 'udp', url: 'udp://h:65535' }] })).not.toThrow();
    expect(() => createDevice({ ...base, credentials: { privateKey: fixture('ec.pkcs8.pem') }, fallback: [{ type: 'http' }] })).toThrow(/needs an uplink secret/);
    // a per-entry secret is enough, and the defaults need no URL for http/coap
    expect(() => createDevice({ ...base, credentials: { privateKey: fixture('ec.pkcs8.pem') }, fallback: [{ type: 'http', secret: 's' }, { type: 'coap', secret: 's' }] })).not.toThrow();
  });
});

// Broker sessions: topic ACL, duplicate clientId, token expiry under a clock offset, QoS 2, keepalive,
// malformed input, and each fault injection, over real sockets with a raw mqtt-packet client.
import { connect as netConnect } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMockCloud, type MockCloud } from '../../src/mock/index';
import { connectRaw, rawClient, twoDevices, type RawClient } from './helpers';

const { registry, token } = twoDevices();
let cloud: MockCloud;
const open: RawClient[] = [];
async function jwtClient(id: 'dev-a' | 'dev-b', extra: { keepalive?: number; claims?: { [k: string]: unknown } } = {}): Promise<RawClient> {
  const r = await connectRaw(cloud.mqttPort, { clientId: id, password: token(id, extra.claims), keepalive: extra.keepalive });
  expect(r.code).toBe(0);
  open.push(r.client);
  return r.client;
}
const lastDisconnect = () => new Promise<{ reason: string; clientId: string }>((res) => cloud.on('disconnect', res as never));

beforeAll(async () => {
  cloud = await startMockCloud({ registry });
});
afterAll(() => cloud.close());
beforeEach(() => {
  for (const c of open.splice(0)) c.end();
  cloud.faults.reset();
});

describe('topic ACL', () => {
  it('a device publishes to its own uplink tree (QoS 0 and 1) and gets PUBACK', async () => {
    const c = await jwtClient('dev-a');
    c.send({ cmd: 'publish', topic: '/up/device/id/dev-a', payload: Buffer.from('{"n":1}'), qos: 0, dup: false, retain: false });
    c.send({ cmd: 'publish', topic: '/up/device/id/dev-a/env/temp', payload: Buffer.from('{"n":2}'), qos: 1, messageId: 7, dup: false, retain: false });
    expect(await c.next('puback')).toMatchObject({ messageId: 7 });
    const u = await cloud.waitForUplink((x) => x.deviceId === 'dev-a' && (x.payload as { n: number }).n === 2, 2000);
    expect(u).toMatchObject({ transport: 'mqtt', topic: 'env/temp', qos: 1, auth: 'jwt', json: true });
    expect((await cloud.waitForUplink((x) => (x.payload as { n: number }).n === 1)).topic).toBe('default');
  });

  it("publishing to another device's uplink topic disconnects", async () => {
    const c = await jwtClient('dev-a');
    const d = lastDisconnect();
    c.send({ cmd: 'publish', topic: '/up/device/id/dev-b', payload: Buffer.from('{}'), qos: 1, messageId: 1, dup: false, retain: false });
    await c.closed;
    expect((await d).reason).toMatch(/outside its own uplink/);
    expect(cloud.uplinks.some((u) => u.deviceId === 'dev-b')).toBe(false);
  });

  it('publishing to a downlink topic or a prefix-sharing topic disconnects', async () => {
    for (const topic of ['/down/device/id/dev-a', '/up/device/id/dev-aX', 'up/device/id/dev-a']) {
      const c = await jwtClient('dev-a');
      c.send({ cmd: 'publish', topic, payload: Buffer.from('{}'), qos: 0, dup: false, retain: false });
      await c.closed;
    }
  });

  it("subscribing to another device's downlinks, or to a wildcard above its own, disconnects", async () => {
    for (const topic of ['/down/device/id/dev-b/#', '/down/device/id/+', '#', '/down/device/id/dev-a+', '/up/device/id/dev-a']) {
      const c = await jwtClient('dev-a');
      c.send({ cmd: 'subscribe', messageId: 3, subscriptions: [{ topic, qos: 0 }] });
      await c.closed;
      expect(c.packets.some((p) => p.cmd === 'suback')).toBe(false);
    }
  });

  it('subscribing below its own downlink tree works and downlinks arrive; QoS 2 filters get 0x80', async () => {
    const c = await jwtClient('dev-a');
    c.send({ cmd: 'subscribe', messageId: 3, subscriptions: [{ topic: '/down/device/id/dev-a/#', qos: 1 }, { topic: '/down/device/id/dev-a/x', qos: 2 }] });
    expect(await c.next('suback')).toMatchObject({ messageId: 3, granted: [1, 0x80] });
    expect(cloud.sendDownlink('dev-a', { set: 1 }, { qos: 1, topic: 'cfg' })).toBe(1);
    const p = (await c.next('publish')) as { topic: string; payload: Buffer; qos: number };
    expect(p.topic).toBe('/down/device/id/dev-a/cfg');
    expect(JSON.parse(p.payload.toString())).toEqual({ set: 1 });
    expect(p.qos).toBe(1);
    expect(cloud.sendDownlink('dev-b', 'x')).toBe(0);
  });

  it('QoS 2 PUBLISH disconnects and is not recorded', async () => {
    const c = await jwtClient('dev-a');
    const before = cloud.uplinks.length;
    c.send({ cmd: 'publish', topic: '/up/device/id/dev-a', payload: Buffer.from('{"q":2}'), qos: 2, messageId: 9, dup: false, retain: false });
    await c.closed;
    expect(cloud.uplinks.length).toBe(before);
  });

  it('uplink-secret sessions use /up/{secret}/id/{device} (with or without the leading slash), and the secret is redacted', async () => {
    const r = await connectRaw(cloud.mqttPort, { clientId: 'anything', username: 'conn-1', password: 's3cr3t' });
    expect(r.code).toBe(0);
    open.push(r.client);
    r.client.send({ cmd: 'publish', topic: '/up/s3cr3t/id/dev-b', payload: Buffer.from('{"s":1}'), qos: 1, messageId: 1, dup: false, retain: false });
    r.client.send({ cmd: 'publish', topic: 'up/s3cr3t/id/dev-a/t1', payload: Buffer.from('{"s":2}'), qos: 1, messageId: 2, dup: false, retain: false });
    await r.client.next('puback');
    await r.client.next('puback');
    const u1 = await cloud.waitForUplink((u) => (u.payload as { s: number }).s === 1);
    const u2 = await cloud.waitForUplink((u) => (u.payload as { s: number }).s === 2);
    expect(u1).toMatchObject({ deviceId: 'dev-b', auth: 'secret', mqttTopic: '/up/***/id/dev-b', topic: 'default' });
    expect(u2).toMatchObject({ deviceId: 'dev-a', topic: 't1' });
    expect(JSON.stringify(cloud.authLog)).not.toContain('s3cr3t');
    r.client.send({ cmd: 'subscribe', messageId: 4, subscriptions: [{ topic: '/down/s3cr3t/id/dev-b/#', qos: 0 }] });
    await r.client.next('suback');
    expect(cloud.sendDownlink('dev-b', 'hello')).toBe(1);
    expect(((await r.client.next('publish')) as { topic: string }).topic).toBe('/down/s3cr3t/id/dev-b');
    r.client.send({ cmd: 'publish', topic: '/up/s3cr3t/id/dev-c', payload: Buffer.from('{}'), qos: 0, dup: false, retain: false });
    await r.client.closed; // dev-c is not in the connector
  });

  it('a wrong secret is CONNACK 4', async () => {
    const r = await connectRaw(cloud.mqttPort, { clientId: 'x', username: 'conn-1', password: 'nope' });
    expect(r.code).toBe(4);
    r.client.end();
    expect(cloud.authLog[cloud.authLog.length - 1]).toMatchObject({ code: 4, method: 'secret', username: 'conn-1' });
    expect(JSON.stringify(cloud.authLog)).not.toContain('nope');
  });
});

describe('sessions', () => {
  it('a second connection with the same clientId closes the first', async () => {
    const first = await jwtClient('dev-a');
    const second = await jwtClient('dev-a');
    await first.closed;
    expect(second.isClosed()).toBe(false);
    expect(cloud.sessions().filter((s) => s.clientId === 'dev-a').length).toBe(1);
  });

  it('a connection is closed once exp + skew passes on the mock clock', async () => {
    const c = await jwtClient('dev-a', { claims: { exp: Math.floor(Date.now() / 1000) + 120 } });
    const d = lastDisconnect();
    cloud.setClockOffset((120 + 600) * 1000 - 200); // 200 ms before exp + skew
    expect(c.isClosed()).toBe(false);
    await c.closed;
    expect((await d).reason).toMatch(/token expired/);
    // And a token that is past exp + skew by the mock clock is refused outright.
    const r = await connectRaw(cloud.mqttPort, { clientId: 'dev-a', password: token('dev-a', { exp: Math.floor(Date.now() / 1000) + 120 }) });
    expect(r.code).toBe(5);
    r.client.end();
  });

  it('keepalive: nothing for 1.5 x keepalive closes; PINGREQ gets PINGRESP', async () => {
    const c = await jwtClient('dev-a', { keepalive: 1 });
    c.send({ cmd: 'pingreq' });
    await c.next('pingresp');
    const t0 = Date.now();
    await c.closed;
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1400);
  });

  it('malformed packets and garbage close the connection; the broker keeps serving', async () => {
    const garbage = [
      Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff]), // reserved packet type, bad length
      Buffer.from('GET / HTTP/1.1\r\n\r\n'),
      Buffer.from([0x10, 0x02, 0x00, 0x04]), // CONNECT cut short: the parser refuses its protocol name
      Buffer.from([0x30, 0x03, 0x00, 0x01, 0x61]), // PUBLISH before CONNECT
    ];
    for (const g of garbage.slice(0, 3)) {
      const c = await rawClient(cloud.mqttPort);
      c.writeRaw(g);
      await c.closed;
    }
    const c3 = await rawClient(cloud.mqttPort);
    c3.writeRaw(garbage[3]);
    await c3.closed;
    // After CONNECT, a reserved flag combination (SUBSCRIBE must have flags 0010).
    const c4 = await jwtClient('dev-b');
    c4.writeRaw(Buffer.from([0x80, 0x06, 0x00, 0x01, 0x00, 0x01, 0x61, 0x00]));
    await c4.closed;
    // A raw socket that just closes, and one that sends a huge length.
    const s = netConnect(cloud.mqttPort, '127.0.0.1');
    await new Promise((r) => s.on('connect', r));
    s.end(Buffer.from([0x10, 0xff, 0xff, 0xff, 0x7f]));
    const ok = await jwtClient('dev-a');
    ok.send({ cmd: 'pingreq' });
    await ok.next('pingresp');
  });

  it('MQTT 5 CONNECT is refused with return code 1', async () => {
    const c = await rawClient(cloud.mqttPort);
    c.send({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 5, clean: true, keepalive: 60, clientId: 'dev-a', username: 'u', password: Buffer.from(token('dev-a')) });
    expect(await c.next('connack')).toMatchObject({ returnCode: 1 });
    await c.closed;
  });

  it('a connection that sends no CONNECT is closed after connectTimeoutMs', async () => {
    const c2 = await startMockCloud({ registry, connectTimeoutMs: 300 });
    try {
      const c = await rawClient(c2.mqttPort);
      await c.closed;
    } finally {
      await c2.close();
    }
  });
});

describe('faults', () => {
  it('refuse the next N connects with code 5, then accept again', async () => {
    cloud.faults.refuseNextConnects(2, 5);
    for (let i = 0; i < 2; i++) {
      const r = await connectRaw(cloud.mqttPort, { clientId: 'dev-a', password: token('dev-a') });
      expect(r.code).toBe(5);
      r.client.end();
    }
    expect(cloud.authLog.slice(-2).map((e) => e.method)).toEqual(['fault', 'fault']);
    await jwtClient('dev-a');
  });

  it('refuse with another code (3, server unavailable)', async () => {
    cloud.faults.refuseNextConnects(1, 3);
    const r = await connectRaw(cloud.mqttPort, { clientId: 'dev-a', password: token('dev-a') });
    expect(r.code).toBe(3);
    r.client.end();
  });

  it('withheld PUBACKs: the uplink is recorded but not acknowledged until switched back', async () => {
    const c = await jwtClient('dev-a');
    cloud.faults.withholdPubacks = true;
    c.send({ cmd: 'publish', topic: '/up/device/id/dev-a', payload: Buffer.from('{"w":1}'), qos: 1, messageId: 11, dup: false, retain: false });
    await cloud.waitForUplink((u) => (u.payload as { w?: number }).w === 1);
    c.send({ cmd: 'pingreq' });
    await c.next('pingresp'); // the broker answered later packets, so the PUBACK was not just slow
    expect(c.packets.some((p) => p.cmd === 'puback')).toBe(false);
    cloud.faults.withholdPubacks = false;
    c.send({ cmd: 'publish', topic: '/up/device/id/dev-a', payload: Buffer.from('{"w":2}'), qos: 1, messageId: 12, dup: true, retain: false });
    expect(await c.next('puback')).toMatchObject({ messageId: 12 });
  });

  it('latency delays broker responses', async () => {
    cloud.faults.latencyMs = 300;
    const c = await rawClient(cloud.mqttPort);
    open.push(c);
    const t0 = Date.now();
    c.send({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, keepalive: 60, clientId: 'dev-a', username: 'u', password: Buffer.from(token('dev-a')) });
    await c.next('connack');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
  });

  it("drop one device's connections, then all", async () => {
    const a = await jwtClient('dev-a');
    const b = await jwtClient('dev-b');
    expect(cloud.faults.dropConnections('dev-a')).toBe(1);
    await a.closed;
    expect(b.isClosed()).toBe(false);
    expect(cloud.faults.dropConnections()).toBe(1);
    await b.closed;
  });

  it('stop and start the MQTT listener on the same port', async () => {
    const a = await jwtClient('dev-a');
    const port = cloud.mqttPort;
    await cloud.faults.stopListener('mqtt');
    await a.closed;
    await expect(rawClient(port)).rejects.toThrow(/ECONNREFUSED/);
    await cloud.faults.startListener('mqtt');
    expect(cloud.mqttPort).toBe(port);
    await jwtClient('dev-a');
  });

  it('stop and start the HTTP listener on the same port', async () => {
    const port = cloud.httpPort;
    await cloud.faults.stopListener('http');
    await expect(fetch('http://127.0.0.1:' + port + '/v3/capture', { method: 'POST' })).rejects.toThrow();
    await cloud.faults.startListener('http');
    expect(cloud.httpPort).toBe(port);
    const r = await fetch('http://127.0.0.1:' + port + '/v3/capture?deviceId=dev-a', { method: 'POST', headers: { secret: 's3cr3t' }, body: '{}' });
    expect(r.status).toBe(200);
  });
});

describe('close', () => {
  it('is idempotent and frees the ports', async () => {
    const c2 = await startMockCloud({ registry });
    const port = c2.mqttPort;
    const httpPort = c2.httpPort;
    await Promise.all([c2.close(), c2.close()]);
    await c2.close();
    await expect(rawClient(port)).rejects.toThrow(/ECONNREFUSED/);
    const c3 = await startMockCloud({ registry, ports: { mqtt: port, http: httpPort } });
    expect(c3.mqttPort).toBe(port);
    await c3.close();
  });
});

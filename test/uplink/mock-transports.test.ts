// Each secret-based transport against the mock cloud over loopback sockets: HTTP (node:http and
// the socket client), CoAP, UDP, and MQTT with the uplink secret through the device. Uplinks land
// with the right device and topic; wrong secrets are refused and reported; the secret never shows
// in a URL, a mock log line or a device event.
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseUdpDatagram, startMockCloud, type MockCloud } from '../../src/mock/index';
import type { HttpRequest, Platform } from '../../src/platform';
import { createCoapUplink } from '../../src/uplink/coap/uplink';
import type { UplinkRequest, UplinkResult, UplinkTransport } from '../../src/uplink/common';
import { createHttpUplink } from '../../src/uplink/http';
import { createUdpUplink, frameUdpUplink } from '../../src/uplink/udp';
import { createDevice, type Device, type DeviceEventName } from '../../targets/node/index';
import { nodePlatform } from '../../targets/node/platform';

const SECRET = 'uplink-S3CR3T-42';
const registry = {
  devices: [{ deviceId: 'dev-s' }, { deviceId: 'dev-t' }, { deviceId: 'dev-alone' }],
  connectors: [{ id: 'conn-1', uplinkSecret: SECRET, devices: ['dev-s', 'dev-t'] }],
};
let cloud: MockCloud;
let lenient: MockCloud;
const logLines: string[] = [];
/** Every URL and request line the SDK produced in these tests. */
const urls: string[] = [];

const recordingPlatform: Platform = {
  ...nodePlatform,
  http: (r: HttpRequest, cb) => {
    urls.push(r.url);
    nodePlatform.http!(r, cb);
  },
};
/** No platform.http: the HTTP/1.1 client over connect(), with the request line recorded. */
const socketPlatform: Platform = {
  ...nodePlatform,
  http: undefined,
  connect: (o) => {
    const s = nodePlatform.connect(o);
    return { write: (b) => (urls.push(Buffer.from(b).toString('latin1').split('\r\n')[0]), s.write(b)), close: () => s.close() };
  },
};

beforeAll(async () => {
  cloud = await startMockCloud({ registry, log: (l) => logLines.push(l) });
  lenient = await startMockCloud({ registry, allowSecretInQuery: true, log: (l) => logLines.push(l) });
});
afterAll(async () => {
  await cloud.close();
  await lenient.close();
});

const send = (t: UplinkTransport, r: Partial<UplinkRequest> & { body: unknown }) =>
  new Promise<UplinkResult>((resolve) => t.send({ deviceId: 'dev-s', payload: new Uint8Array(Buffer.from(typeof r.body === 'string' ? r.body : JSON.stringify(r.body))), ...r }, resolve));

describe('HTTP uplink', () => {
  for (const [name, platform] of [['platform.http (node:http)', recordingPlatform], ['HTTP/1.1 over platform.connect', socketPlatform]] as const) {
    it(`${name}: delivered with the secret in a header; wrong secret, unknown device, bad body, server down`, async () => {
      const http = createHttpUplink(platform, { url: 'http://127.0.0.1:' + cloud.httpPort, secret: SECRET });
      const ok = await send(http, { topic: 'env/' + name, timestamp: '2027-01-01T10:00:00Z', body: { t: 1 } });
      expect(ok).toMatchObject({ outcome: 'ok', status: 200 });
      const u = await cloud.waitForUplink((x) => x.topic === 'env/' + name);
      expect(u).toMatchObject({ transport: 'http', deviceId: 'dev-s', payload: { t: 1 }, auth: 'secret', secretVia: 'header', timestamp: '2027-01-01T10:00:00.000Z' });
      expect(await send(http, { topic: 'arr', body: [1, 2] })).toMatchObject({ outcome: 'ok' });

      const wrong = createHttpUplink(platform, { url: 'http://127.0.0.1:' + cloud.httpPort + '/v3/capture', secret: 'not-the-secret' });
      const before = cloud.authLog.length;
      const refused = await send(wrong, { body: { t: 2 } });
      expect(refused).toMatchObject({ outcome: 'auth', status: 401 });
      const line = urls[urls.length - 1]; // the request the mock refused: the secret went in a header
      expect(line).toContain('deviceId=dev-s');
      expect(line).not.toContain('not-the-secret');
      expect(cloud.authLog.slice(before)).toMatchObject([{ transport: 'http', code: 401, deviceId: 'dev-s', method: 'secret' }]);

      expect(await send(http, { deviceId: 'dev-alone', body: { t: 3 } })).toMatchObject({ outcome: 'rejected', status: 404 });
      expect(await send(http, { body: '{"broken' })).toMatchObject({ outcome: 'rejected', status: 400 });
      const deadPort = createHttpUplink(platform, { url: 'http://127.0.0.1:1', secret: SECRET, timeoutMs: 2000 });
      const down = await send(deadPort, { body: { t: 4 } });
      expect(down.outcome).toBe('retry');
      expect(down.message).not.toContain(SECRET);
    });
  }

  it('secretInQuery is an opt-in: a mock that refuses it says so (401), one that allows it records secretVia query', async () => {
    const strict = createHttpUplink(recordingPlatform, { url: 'http://127.0.0.1:' + cloud.httpPort, secret: SECRET, secretInQuery: true });
    expect(await send(strict, { topic: 'secretInQuery-test', body: { q: 1 } })).toMatchObject({ outcome: 'auth', status: 401 });
    const ok = createHttpUplink(recordingPlatform, { url: 'http://127.0.0.1:' + lenient.httpPort, secret: SECRET, secretInQuery: true });
    expect(await send(ok, { topic: 'secretInQuery-test', body: { q: 2 } })).toMatchObject({ outcome: 'ok' });
    expect(await lenient.waitForUplink((u) => u.topic === 'secretInQuery-test')).toMatchObject({ secretVia: 'query', deviceId: 'dev-s' });
    // without the opt-in the URL never holds it
    expect(urls.filter((u) => u.includes(SECRET)).every((u) => u.includes('secretInQuery-test'))).toBe(true);
  });

  it('an error from below that quotes the URL (secretInQuery) reaches the result redacted, under one HTTP prefix', async () => {
    const quoting: Platform = { ...nodePlatform, http: (r, cb) => void setTimeout(() => cb(new Error('connect ECONNREFUSED ' + r.url)), 0) };
    const t = createHttpUplink(quoting, { url: 'http://h.test', secret: 'a b+c/d', secretInQuery: true });
    const r = await send(t, { body: {} });
    expect(r).toEqual({ outcome: 'retry', message: 'HTTP: connect ECONNREFUSED http://h.test/v3/capture?deviceId=dev-s&secret=***' });
    // the MQTT port does not speak HTTP: the socket client's own error (closed, or no head in time)
    const sock = createHttpUplink({ ...nodePlatform, http: undefined }, { url: 'http://127.0.0.1:' + cloud.mqttPort, secret: SECRET, timeoutMs: 1000 });
    const notHttp = await send(sock, { body: {} });
    expect(notHttp.outcome).toBe('retry');
    expect(notHttp.message).toMatch(/^HTTP: (connection closed before the response head|no response within 1000 ms|bad status line)$/);
  });
});

describe('CoAP uplink', () => {
  it('2.01 recorded for the right device and topic; wrong secret 4.01 (auth); unknown device 4.04 (rejected); no server: retry', async () => {
    const coap = createCoapUplink(nodePlatform, { url: 'coap://127.0.0.1:' + cloud.coapPort, secret: SECRET });
    expect(await send(coap, { topic: 'coap/t', timestamp: '2027-01-01T11:00:00Z', body: { c: 1 } })).toMatchObject({ outcome: 'ok', status: '2.01' });
    expect(await cloud.waitForUplink((x) => x.topic === 'coap/t')).toMatchObject({ transport: 'coap', deviceId: 'dev-s', payload: { c: 1 }, auth: 'secret', timestamp: '2027-01-01T11:00:00.000Z' });
    const before = cloud.authLog.length;
    const wrong = createCoapUplink(nodePlatform, { url: 'coap://127.0.0.1:' + cloud.coapPort, secret: 'nope' });
    expect(await send(wrong, { body: { c: 2 } })).toMatchObject({ outcome: 'auth', status: '4.01' });
    expect(cloud.authLog.slice(before)).toMatchObject([{ transport: 'coap', code: 401, deviceId: 'dev-s' }]);
    expect(await send(coap, { deviceId: 'dev-alone', body: { c: 3 } })).toMatchObject({ outcome: 'rejected', status: '4.04' });
    coap.close();
    wrong.close();
    await cloud.faults.stopListener('coap');
    try {
      const fast = createCoapUplink(nodePlatform, { url: 'coap://127.0.0.1:' + cloud.coapPort, secret: SECRET, ackTimeoutMs: 20, maxRetransmit: 2 });
      const r = await send(fast, { body: { c: 4 } });
      expect(r.outcome).toBe('retry');
      expect(r.message).toMatch(/no answer after 3 transmissions/);
      fast.close();
    } finally {
      await cloud.faults.startListener('coap');
    }
  });
});

describe('UDP uplink', () => {
  it('the framing parses with the mock parser, including characters that need escaping', () => {
    const r = { deviceId: 'dev-s', topic: 'a b/c&d=e+f%', timestamp: '2027-01-01T00:00:00Z', payload: new Uint8Array(Buffer.from('{"u":"\n"}')) };
    const f = parseUdpDatagram(frameUdpUplink(r, 'se cr&et=+'))!;
    expect({ ...f, body: Buffer.from(f.body).toString() }).toEqual({ deviceId: 'dev-s', secret: 'se cr&et=+', topic: 'a b/c&d=e+f%', timestamp: '2027-01-01T00:00:00Z', body: '{"u":"\n"}' });
    const plain = parseUdpDatagram(frameUdpUplink({ deviceId: 'd', payload: new Uint8Array([0x5b, 0x5d]) }, 's'))!;
    expect([plain.topic, plain.timestamp, Buffer.from(plain.body).toString()]).toEqual([null, null, '[]']);
  });
  it('one datagram per uplink, recorded by the mock; a wrong secret is refused there (UDP cannot tell the sender)', async () => {
    const udp = createUdpUplink(nodePlatform, { url: 'udp://127.0.0.1:' + cloud.udpPort, secret: SECRET });
    expect(await send(udp, { topic: 'udp/t', body: { u: 1 } })).toMatchObject({ outcome: 'ok' });
    expect(await cloud.waitForUplink((x) => x.topic === 'udp/t')).toMatchObject({ transport: 'udp', deviceId: 'dev-s', payload: { u: 1 }, auth: 'secret' });
    const wrong = createUdpUplink(nodePlatform, { url: 'udp://127.0.0.1:' + cloud.udpPort, secret: 'nope' });
    const refusal = new Promise((res) => cloud.on('authRejected', res));
    expect(await send(wrong, { topic: 'udp/wrong', body: { u: 2 } })).toMatchObject({ outcome: 'ok' }); // "sent": nothing comes back
    expect(await refusal).toMatchObject({ transport: 'udp', code: 401, deviceId: 'dev-s' });
    udp.close();
    udp.close();
    wrong.close();
  });
});

describe('MQTT with the uplink secret (device and session code shared with JWT mode)', () => {
  const waitFor = (d: Device, ev: DeviceEventName) => new Promise<any>((res) => d.on(ev, res));
  it('username = connector id, password = secret: uplinks recorded for the device and topic, the secret redacted', async () => {
    const events: string[] = [];
    const device = createDevice({ deviceId: 'dev-t', credentials: { uplinkSecret: SECRET, connectorId: 'conn-1' }, mqtt: { url: 'mqtt://127.0.0.1:' + cloud.mqttPort } });
    for (const e of ['connected', 'disconnected', 'sent', 'error', 'authRejected'] as const) device.on(e, (a) => events.push(e + ' ' + JSON.stringify(a)));
    const connected = waitFor(device, 'connected');
    device.start();
    await connected;
    await device.publish({ m: 1 }, { topic: 'mq/t' });
    await device.publish({ m: 0 }, { qos: 0 });
    expect(await cloud.waitForUplink((x) => x.topic === 'mq/t')).toMatchObject({ transport: 'mqtt', deviceId: 'dev-t', auth: 'secret', payload: { m: 1 }, mqttTopic: '/up/***/id/dev-t/mq/t', qos: 1 });
    expect(await cloud.waitForUplink((x) => x.deviceId === 'dev-t' && x.topic === 'default')).toMatchObject({ payload: { m: 0 }, qos: 0 });
    expect(cloud.authLog.filter((e) => e.clientId === 'dev-t').map((e) => [e.code, e.username, e.method])).toEqual([[0, 'conn-1', 'secret']]);
    expect(events.filter((e) => e.startsWith('sent'))).toEqual(['sent {"transport":"mqtt","topic":"mq/t","bytes":7}', 'sent {"transport":"mqtt","topic":"","bytes":7}']);
    await device.stop();
    for (const e of events) expect(e).not.toContain(SECRET);
  });

  it('a wrong secret: CONNACK 4 from the mock, reported as authRejected with the code; never connected', async () => {
    const device = createDevice({ deviceId: 'dev-t', credentials: { uplinkSecret: 'wrong-secret', connectorId: 'conn-1' }, mqtt: { url: 'mqtt://127.0.0.1:' + cloud.mqttPort }, backoff: { baseMs: 10, capMs: 50, authFloorMs: 100 } });
    let connected = false;
    device.on('connected', () => (connected = true));
    const events: string[] = [];
    device.on('disconnected', (a) => events.push(JSON.stringify(a)));
    const before = cloud.authLog.length;
    const rejected = waitFor(device, 'authRejected');
    device.start();
    expect(await rejected).toMatchObject({ transport: 'mqtt', returnCode: 4, attempts: 1 });
    await device.stop();
    expect(connected).toBe(false);
    // (the mock reads clientId = a registered deviceId plus a password that is not the connector's
    // secret as a JWT attempt, so its log says 'jwt'; the code is 4 either way)
    expect(cloud.authLog.slice(before).filter((e) => e.username === 'conn-1')[0]).toMatchObject({ code: 4, clientId: 'dev-t' });
    expect(events[0]).toContain('"returnCode":4');
    for (const e of events) expect(e).not.toContain('wrong-secret');
  });
});

it('no URL or request line the SDK produced, and no mock log line, holds the secret (except the secretInQuery opt-in)', async () => {
  // Its own traffic with the right secret (accepted and refused), so it holds run alone or in any order.
  const urlsBefore = urls.length;
  const logsBefore = logLines.length;
  for (const p of [recordingPlatform, socketPlatform]) {
    const http = createHttpUplink(p, { url: 'http://127.0.0.1:' + cloud.httpPort, secret: SECRET });
    expect(await send(http, { topic: 'scan', body: { z: 1 } })).toMatchObject({ outcome: 'ok' });
    expect(await send(http, { deviceId: 'dev-alone', topic: 'scan', body: { z: 2 } })).toMatchObject({ outcome: 'rejected' });
  }
  const coap = createCoapUplink(nodePlatform, { url: 'coap://127.0.0.1:' + cloud.coapPort, secret: SECRET });
  expect(await send(coap, { deviceId: 'dev-alone', topic: 'scan', body: { z: 3 } })).toMatchObject({ outcome: 'rejected' });
  coap.close();
  const udp = createUdpUplink(nodePlatform, { url: 'udp://127.0.0.1:' + cloud.udpPort, secret: SECRET });
  const refusal = new Promise((res) => cloud.on('authRejected', (e: { transport: string }) => e.transport === 'udp' && res(e)));
  await send(udp, { deviceId: 'dev-alone', topic: 'scan', body: { z: 4 } });
  await refusal;
  udp.close();
  const device = createDevice({ deviceId: 'dev-t', credentials: { uplinkSecret: SECRET, connectorId: 'conn-1' }, mqtt: { url: 'mqtt://127.0.0.1:' + cloud.mqttPort } });
  const connected = new Promise((res) => device.on('connected', res));
  device.start();
  await connected;
  await device.publish({ z: 5 }, { topic: 'scan' });
  await device.stop();
  expect(urls.length - urlsBefore).toBe(4);
  expect(logLines.length - logsBefore).toBeGreaterThanOrEqual(3); // refusals and the MQTT session
  for (const u of urls) if (!u.includes('secretInQuery-test')) expect(u).not.toContain(SECRET);
  for (const l of logLines) expect(l).not.toContain(SECRET);
});

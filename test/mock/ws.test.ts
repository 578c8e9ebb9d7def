// MQTT over WebSocket (issue 16, item 15): MQTT.js over ws:// and wss:// (verifying the mock CA) at
// /mqtt authenticates with a device JWT, publishes, gets a downlink; a bad token is refused (CONNACK 5)
// and an ACL breach closes the connection, as over TCP; the sessions say which listener they came by;
// stopping the ws listener drops only its sessions; other paths and plain requests are refused.
import { request as httpRequest } from 'node:http';
import { connect as netConnect } from 'node:net';
import mqtt from 'mqtt';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockCloud, type AuthLogEntry, type MockCloud } from '../../src/mock/index';
import { flipSignature, twoDevices } from './helpers';
import { until } from './procs';

const { registry, token } = twoDevices();
let cloud: MockCloud;
const lines: string[] = [];

beforeAll(async () => {
  cloud = await startMockCloud({ registry, log: (l) => lines.push(l) });
});
afterAll(() => cloud.close());

type Scheme = 'ws' | 'wss';
const url = (s: Scheme) => s + '://localhost:' + (s === 'ws' ? cloud.wsPort : cloud.wssPort) + '/mqtt';

function connect(s: Scheme, clientId: string, password: string): Promise<mqtt.MqttClient> {
  const c = mqtt.connect(url(s), { ca: s === 'wss' ? cloud.caPem : undefined, rejectUnauthorized: true, clientId, username: 'any', password, reconnectPeriod: 0, protocolVersion: 4, connectTimeout: 10_000 });
  return new Promise((resolve, reject) => {
    c.once('connect', () => resolve(c));
    c.once('error', (e) => {
      c.end(true);
      reject(e);
    });
  });
}

/** The `ws` client's error message, or 'open' when the WebSocket opens. */
function wsError(u: string, ca?: string, protocol = 'mqtt'): Promise<string> {
  return new Promise((resolve) => {
    const w = new WebSocket(u, protocol, { ca });
    w.once('open', () => {
      w.terminate();
      resolve('open');
    });
    w.once('error', (e) => {
      w.terminate();
      resolve(e.message);
    });
  });
}

describe('MQTT over WebSocket', () => {
  for (const s of ['ws', 'wss'] as Scheme[]) {
    it(s + ': MQTT.js authenticates with a JWT, publishes QoS 1, receives a downlink', async () => {
      const c = await connect(s, 'dev-a', token('dev-a'));
      try {
        const info = cloud.sessions().find((x) => x.clientId === 'dev-a')!;
        expect(info).toMatchObject({ transport: s === 'ws' ? 'mqtt' : 'mqtts', websocket: s, auth: 'jwt', deviceIds: ['dev-a'] });
        await c.subscribeAsync('/down/device/id/dev-a/#', { qos: 1 });
        const got = new Promise<[string, Buffer]>((res) => c.once('message', (t, p) => res([t, p])));
        await c.publishAsync('/up/device/id/dev-a/ws', JSON.stringify({ via: s }), { qos: 1 });
        const u = await cloud.waitForUplink((x) => x.topic === 'ws' && (x.payload as { via: string }).via === s);
        expect(u).toMatchObject({ deviceId: 'dev-a', auth: 'jwt', qos: 1 });
        expect(cloud.sendDownlink('dev-a', { led: s }, { topic: 'cmd', qos: 1 })).toBe(1);
        const [topic, payload] = await got;
        expect(topic).toBe('/down/device/id/dev-a/cmd');
        expect(JSON.parse(payload.toString())).toEqual({ led: s });
      } finally {
        await c.endAsync();
      }
      await until(() => lines.includes(s + ': disconnected "dev-a": client sent DISCONNECT'), 'the disconnect line');
      expect(lines).toContain(s + ': connected "dev-a" (jwt)');
    });

    it(s + ': a bad token is refused with CONNACK 5, as over TCP', async () => {
      const refused = new Promise<AuthLogEntry>((res) => {
        const fn = (e: AuthLogEntry) => {
          cloud.off('authRejected', fn);
          res(e);
        };
        cloud.on('authRejected', fn);
      });
      const err = await connect(s, 'dev-b', flipSignature(token('dev-b'))).then(
        () => null,
        (e: Error & { code?: number }) => e,
      );
      expect(err).not.toBeNull();
      expect(err!.code).toBe(5);
      const e = await refused;
      expect(e).toMatchObject({ clientId: 'dev-b', code: 5 });
      expect(e.reason).toMatch(/signature does not verify/);
    });
  }

  it('a PUBLISH outside the device topics closes the ws connection (same ACL)', async () => {
    const c = await connect('ws', 'dev-a', token('dev-a'));
    const closed = new Promise<void>((res) => c.once('close', () => res()));
    c.publish('/up/device/id/dev-b/steal', '{}', { qos: 0 });
    await closed;
    c.end(true);
    await until(() => lines.some((l) => /^ws: disconnected "dev-a": PUBLISH outside its own uplink topics/.test(l)), 'the ACL close line');
  });

  it('stopping the ws listener drops ws sessions only; it listens again on the same port', async () => {
    const port = cloud.wsPort;
    const overWs = await connect('ws', 'dev-a', token('dev-a'));
    const overTcp = mqtt.connect({ host: '127.0.0.1', port: cloud.mqttPort, clientId: 'dev-b', username: 'any', password: token('dev-b'), reconnectPeriod: 0, protocolVersion: 4 });
    await new Promise((res, rej) => {
      overTcp.once('connect', res);
      overTcp.once('error', rej);
    });
    try {
      const wsClosed = new Promise<void>((res) => overWs.once('close', () => res()));
      await cloud.faults.stopListener('ws');
      await wsClosed;
      expect(cloud.sessions().map((x) => x.clientId)).toEqual(['dev-b']);
      expect(lines).toContain('ws: disconnected "dev-a": fault injection: ws listener stopped');
      await cloud.faults.startListener('ws');
      expect(cloud.wsPort).toBe(port);
      const again = await connect('ws', 'dev-a', token('dev-a'));
      await again.endAsync();
    } finally {
      overWs.end(true);
      await overTcp.endAsync();
    }
  });

  it('plain HTTP on the ws port: 426 at /mqtt, 404 elsewhere; a WebSocket at another path is refused', async () => {
    const r = await fetch('http://127.0.0.1:' + cloud.wsPort + '/mqtt');
    expect(r.status).toBe(426);
    expect((await fetch('http://127.0.0.1:' + cloud.wsPort + '/')).status).toBe(404);
    expect(await wsError('ws://127.0.0.1:' + cloud.wsPort + '/other')).toMatch(/Unexpected server response: 404/);
    // A client offering only subprotocols other than MQTT's is refused too (ws: no subprotocol chosen).
    expect(await wsError('ws://127.0.0.1:' + cloud.wsPort + '/mqtt', undefined, 'chat')).toMatch(/no subprotocol|Unexpected server response/i);
    // An upgrade without Sec-WebSocket-Key (fetch cannot send these headers).
    const bad = await new Promise<number>((resolve, reject) => {
      const req = httpRequest('http://127.0.0.1:' + cloud.wsPort + '/mqtt', { headers: { connection: 'Upgrade', upgrade: 'websocket' } });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('upgrade', () => reject(new Error('upgraded')));
      req.on('error', reject);
      req.end();
    });
    expect(bad).toBe(400);
    for (const l of [
      'ws: refused GET /mqtt from 127.0.0.1 (426): not a WebSocket upgrade',
      'ws: refused GET / from 127.0.0.1 (404): not found: MQTT over WebSocket is served at /mqtt',
      'ws: refused GET /other from 127.0.0.1 (404): not found: MQTT over WebSocket is served at /mqtt',
      'ws: refused GET /mqtt from 127.0.0.1 (400): Missing or invalid Sec-WebSocket-Key header',
    ]) expect(lines).toContain(l);
  });

  it('a failed TLS handshake on mqtts and wss is logged with the peer address', async () => {
    for (const [name, port] of [['mqtts', cloud.mqttsPort], ['wss', cloud.wssPort]] as const) {
      // Plain text to a TLS port: the handshake fails on the server's side every time.
      await new Promise<void>((resolve) => {
        const sock = netConnect(port, '127.0.0.1', () => sock.write('GET / HTTP/1.0\r\n\r\n'));
        sock.on('error', () => undefined);
        sock.on('close', () => resolve());
      });
      await until(() => lines.some((l) => l.startsWith(name + ': TLS handshake with 127.0.0.1 failed: ')), name + ' TLS failure line');
    }
  });

  it('wss verifies: a client trusting another CA is refused', async () => {
    // Any CA but this mock's: another mock's.
    const rsa = await startMockCloud({ registry, tlsKeyType: 'rsa' });
    try {
      expect(await wsError(url('wss'), rsa.caPem)).toMatch(/certificate/i);
      // The same client with this mock's CA gets through (the refusal above is the CA's doing).
      expect(await wsError(url('wss'), cloud.caPem)).toBe('open');
    } finally {
      await rsa.close();
    }
  });
});

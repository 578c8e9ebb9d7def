// MQTT over WebSocket (ws:// and wss://, path /mqtt, subprotocol mqtt) from the Node device to the mock
// cloud over real loopback sockets: with the `ws` package's client (the Node platform's webSocket) and
// with the core's own RFC 6455 framing over node:net/tls (what targets without a WebSocket client run).
// Each connects, publishes QoS 1 before and after a token refresh (nothing lost, the mock accepting
// each token), and takes a downlink; MQTT.js over wss is an independent client of the same endpoint.
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDevice as createCoreDevice } from '../../src/device/device';
import { wsConnect } from '../../src/mqtt/websocket';
import { startMockCloud, type MockCloud } from '../../src/mock/index';
import { nodePlatform, signJwt } from '../../targets/node/index';
import { fixture } from '../helpers';
import { waitFor } from './wait-event';

let cloud: MockCloud;
beforeAll(async () => {
  cloud = await startMockCloud({ registry: { devices: [{ deviceId: 'dev-ws', credentials: [{ publicKey: fixture('ec.pub.pem') }] }], connectors: [] } });
});
afterAll(async () => {
  await cloud.close();
});


const clients = {
  // the Node platform: the `ws` package (a devDependency here)
  'ws package': nodePlatform,
  // the core's framing over node:net/tls, as on a target with sockets but no WebSocket client
  'RFC 6455 framing of the core': { ...nodePlatform, webSocket: (o, path) => wsConnect(nodePlatform, o, path) } as typeof nodePlatform,
};

describe('MQTT over WebSocket to the mock cloud', () => {
  it('mqtt.url: ws and wss with their default ports and path, IPv6, and what is refused', async () => {
    const seen: unknown[] = [];
    const platform = { ...nodePlatform, webSocket: (o: any, path: string) => {
      seen.push([o.host, o.port, !!o.tls, path]);
      return { write() {}, close() {} };
    } } as typeof nodePlatform;
    const make = (url: string) => createCoreDevice(platform, { deviceId: 'dev-ws', credentials: { privateKey: fixture('ec.pkcs8.pem') }, mqtt: { url } });
    for (const url of ['ws://h', 'wss://h', 'wss://h:8443/mqtt', 'ws://[::1]:9001/a/b?x=1', 'wss://mqtt.akenza.io:443/mqtt']) {
      const d = make(url);
      d.start();
      await new Promise((r) => setTimeout(r, 50));
      await d.stop();
    }
    expect(seen).toEqual([['h', 80, false, '/mqtt'], ['h', 443, true, '/mqtt'], ['h', 8443, true, '/mqtt'], ['::1', 9001, false, '/a/b?x=1'], ['mqtt.akenza.io', 443, true, '/mqtt']]);
    for (const url of ['ws://', 'ws://h:0/mqtt', 'ws://h/a b', 'ws://h/#x', 'mqtt://h/mqtt', 'http://h/mqtt', 'ws://u@h/mqtt']) expect(() => make(url), url).toThrow(/mqtt.url must look like/);
  });

  it('without a webSocket in the platform a WebSocket URL is refused at createDevice, naming it', () => {
    expect(() => createCoreDevice({ ...nodePlatform, webSocket: undefined }, { deviceId: 'dev-ws', credentials: { privateKey: fixture('ec.pkcs8.pem') }, mqtt: { url: 'wss://localhost/mqtt' } }))
      .toThrow(/MQTT over WebSocket \(\/mqtt\) is not in this bundle/);
  });

  for (const [name, platform] of Object.entries(clients)) {
    for (const scheme of ['ws', 'wss'] as const) {
      it(`${name}, ${scheme}://: QoS 1 before and after a refresh, a downlink, every message once`, async () => {
        const port = scheme === 'ws' ? cloud.wsPort : cloud.wssPort;
        const device = createCoreDevice(platform, {
          deviceId: 'dev-ws', credentials: { privateKey: fixture('ec.pkcs8.pem') },
          mqtt: { url: scheme + '://localhost:' + port + '/mqtt', ca: cloud.caPem },
        });
        const tag = name + ' ' + scheme;
        const accepted = () => cloud.authLog.filter((e) => e.clientId === 'dev-ws' && e.code === 0).length;
        const before = accepted();
        const connected = waitFor(device, 'connected');
        device.start();
        await connected;
        const sessions = cloud.sessions().filter((s) => s.clientId === 'dev-ws');
        expect(sessions.map((s) => s.websocket)).toEqual([scheme]);
        await Promise.all([1, 2, 3].map((i) => device.publish({ tag, i })));
        const down = waitFor(device, 'downlink');
        cloud.sendDownlink('dev-ws', { led: tag }, { topic: 'cmd' });
        expect(await down).toMatchObject({ subTopic: 'cmd', text: JSON.stringify({ led: tag }) });
        const refreshed = waitFor(device, 'tokenRefreshed');
        const again = new Promise<void>((res) => refreshed.then(() => waitFor(device, 'connected').then(() => res())));
        device.refresh();
        await refreshed;
        await again;
        expect(accepted() - before).toBe(2); // the first token and the refreshed one, both over this endpoint
        await Promise.all([4, 5, 6].map((i) => device.publish({ tag, i })));
        await device.stop();
        const got = cloud.uplinks.filter((u) => (u.payload as { tag?: string }).tag === tag);
        expect(got.map((u) => (u.payload as { i: number }).i).sort()).toEqual([1, 2, 3, 4, 5, 6]);
        expect(new Set(got.map((u) => u.transport))).toEqual(new Set([scheme === 'ws' ? 'mqtt' : 'mqtts']));
      });
    }
  }

  it('MQTT.js over wss (the CA checked) is served by the same endpoint beside the device', async () => {
    const token = await signJwt({ privateKey: fixture('ec.pkcs8.pem'), deviceId: 'dev-ws' });
    const c = mqtt.connect('wss://localhost:' + cloud.wssPort + '/mqtt', { ca: cloud.caPem, rejectUnauthorized: true, clientId: 'dev-ws', username: 'dev-ws', password: token, reconnectPeriod: 0, protocolVersion: 4 });
    await new Promise<void>((res, rej) => {
      c.once('connect', () => res());
      c.once('error', rej);
    });
    await new Promise<void>((res, rej) => c.publish('/up/device/id/dev-ws/js', '{"from":"mqtt.js"}', { qos: 1 }, (e) => (e ? rej(e) : res())));
    expect((await cloud.waitForUplink((u) => u.topic === 'js', 5000)).payload).toEqual({ from: 'mqtt.js' });
    await new Promise<void>((res) => c.end(false, {}, () => res()));
  });

  it('a wrong path is refused by the server (404): a socket error, then backoff, never a crash', async () => {
    for (const platform of Object.values(clients)) {
      const device = createCoreDevice(platform, {
        deviceId: 'dev-ws', credentials: { privateKey: fixture('ec.pkcs8.pem') },
        mqtt: { url: 'ws://localhost:' + cloud.wsPort + '/nope' }, backoff: { baseMs: 50, capMs: 100 },
      });
      const disc = waitFor(device, 'disconnected');
      device.start();
      const d = await disc;
      expect(d.reason).toBe('socket-error');
      expect(d.message).toMatch(/404/);
      await device.stop();
    }
  });
});

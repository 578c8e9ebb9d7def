// The quickjs bundle inside QuickJS: the host bridges sockets to Node; the device mints an ES256
// token inside the VM, connects to the mock cloud over TCP, publishes QoS 1, receives a downlink,
// and survives a forced token refresh.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockCloud, type MockCloud } from '../../src/mock/index';
import { expectedFingerprints, fixture, nodeVerifyJwt } from '../helpers';
import { createHarness, type Harness } from './quickjs-harness';

const bundle = readFileSync(join(import.meta.dirname, '..', '..', 'dist', 'quickjs', 'akenza-device.mjs'), 'utf8');
let cloud: MockCloud;
let h: Harness;

beforeAll(async () => {
  cloud = await startMockCloud({ registry: { devices: [{ deviceId: 'qjs-dev', credentials: [{ publicKey: fixture('ec.pub.pem') }] }], connectors: [] } });
  h = await createHarness({ memoryLimitBytes: 16 * 1024 * 1024, modules: { 'akenza-device': bundle } });
});
afterAll(async () => {
  h.dispose();
  await cloud.close();
});

describe('quickjs bundle in QuickJS', () => {
  it('mints an ES256 token inside the VM that node:crypto verifies', async () => {
    h.run(`
      import { signJwt, fingerprint } from 'akenza-device';
      signJwt({ privateKey: ${JSON.stringify(fixture('ec.pkcs8.pem'))}, deviceId: 'qjs-dev', kid: 'auto' })
        .then((t) => report({ token: t }), (e) => report({ error: String(e) }));
      report({ fingerprint: fingerprint(${JSON.stringify(fixture('ec.cert.pem'))}) });
    `, 'mint.mjs');
    const { token } = await h.waitForReport((v) => 'token' in v || 'error' in v, 10000);
    const d = nodeVerifyJwt(token, fixture('ec.pub.pem'));
    expect(d.header.kid).toBe(expectedFingerprints()['ec.pub.pem']);
    expect(d.claims.aud).toBe('https://akenza.io/devices/qjs-dev');
    expect(h.reports.find((r) => 'fingerprint' in r).fingerprint).toBe(expectedFingerprints()['ec.cert.pem']);
  });

  it('connects to the mock cloud, publishes QoS 1, receives a downlink, survives a forced refresh', async () => {
    h.run(`
      import { createDevice } from 'akenza-device';
      let connects = 0;
      const device = createDevice({
        deviceId: 'qjs-dev',
        credentials: { privateKey: ${JSON.stringify(fixture('ec.pkcs8.pem'))}, kid: 'auto' },
        mqtt: { url: 'mqtt://127.0.0.1:${cloud.mqttPort}' },
      }, host);
      device.on('connected', () => report({ event: 'connected', n: ++connects }));
      device.on('downlink', (d) => report({ event: 'downlink', subTopic: d.subTopic, text: d.text }));
      device.on('tokenRefreshed', (e) => report({ event: 'refreshed', exp: e.exp }));
      device.on('error', (e) => report({ event: 'error', message: String(e && e.message) }));
      globalThis.device = device;
      device.start();
    `, 'device.mjs');
    await h.waitForReport((v) => v.event === 'connected' && v.n === 1, 10000);
    h.run(`device.publish({ engine: 'quickjs', n: 1 }, { topic: 'engines' }).then(() => report({ event: 'acked', n: 1 }));`, 'pub1.mjs');
    await h.waitForReport((v) => v.event === 'acked' && v.n === 1, 10000);
    const up = await cloud.waitForUplink((u) => u.deviceId === 'qjs-dev', 5000);
    expect(up).toMatchObject({ transport: 'mqtt', topic: 'engines', payload: { engine: 'quickjs', n: 1 } });
    cloud.sendDownlink('qjs-dev', 'hello quickjs', { topic: 'cmd' });
    expect(await h.waitForReport((v) => v.event === 'downlink', 5000)).toMatchObject({ subTopic: 'cmd', text: 'hello quickjs' });
    h.run(`device.refresh();`, 'refresh.mjs');
    await h.waitForReport((v) => v.event === 'connected' && v.n === 2, 10000);
    h.run(`device.publish({ engine: 'quickjs', n: 2 }, { topic: 'engines' }).then(() => report({ event: 'acked', n: 2 }));`, 'pub2.mjs');
    await h.waitForReport((v) => v.event === 'acked' && v.n === 2, 10000);
    expect(h.reports.filter((r) => r.event === 'error')).toEqual([]);
    const accepted = cloud.authLog.filter((e) => e.clientId === 'qjs-dev' && e.code === 0);
    expect(accepted.length).toBe(2);
    h.run(`device.stop().then(() => report({ event: 'stopped' }));`, 'stop.mjs');
    await h.waitForReport((v) => v.event === 'stopped', 5000);
  });

  it('MQTT over WebSocket (ws://, the SDK RFC 6455 framing over the host connect): QoS 1 before and after a refresh', async () => {
    h.run(`
      import { createDevice } from 'akenza-device';
      let n = 0;
      const wsDevice = createDevice({
        deviceId: 'qjs-dev',
        credentials: { privateKey: ${JSON.stringify(fixture('ec.pkcs8.pem'))} },
        mqtt: { url: 'ws://127.0.0.1:${cloud.wsPort}/mqtt' },
      }, host);
      wsDevice.on('connected', () => report({ event: 'ws-connected', n: ++n }));
      wsDevice.on('error', (e) => report({ event: 'error', message: String(e && e.message) }));
      globalThis.wsDevice = wsDevice;
      wsDevice.start();
    `, 'ws-device.mjs');
    await h.waitForReport((v) => v.event === 'ws-connected' && v.n === 1, 10000);
    expect(cloud.sessions().filter((s) => s.clientId === 'qjs-dev').map((s) => s.websocket)).toEqual(['ws']);
    h.run(`wsDevice.publish({ over: 'ws', n: 1 }, { topic: 'engines' }).then(() => report({ event: 'ws-acked', n: 1 }));`, 'ws-pub1.mjs');
    await h.waitForReport((v) => v.event === 'ws-acked' && v.n === 1, 10000);
    h.run(`wsDevice.refresh();`, 'ws-refresh.mjs');
    await h.waitForReport((v) => v.event === 'ws-connected' && v.n === 2, 10000);
    h.run(`wsDevice.publish({ over: 'ws', n: 2 }, { topic: 'engines' }).then(() => report({ event: 'ws-acked', n: 2 }));`, 'ws-pub2.mjs');
    await h.waitForReport((v) => v.event === 'ws-acked' && v.n === 2, 10000);
    const got = cloud.uplinks.filter((u) => (u.payload as { over?: string }).over === 'ws');
    expect(got.map((u) => [u.transport, (u.payload as { n: number }).n])).toEqual([['mqtt', 1], ['mqtt', 2]]);
    expect(h.reports.filter((r) => r.event === 'error')).toEqual([]);
    h.run(`wsDevice.stop().then(() => report({ event: 'ws-stopped' }));`, 'ws-stop.mjs');
    await h.waitForReport((v) => v.event === 'ws-stopped', 5000);
  });
});

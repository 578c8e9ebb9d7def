// The Node device against the mock cloud over real loopback sockets: TLS, publish, downlink,
// natural and forced refreshes, broker kills, CONNACK 5 handling; nothing acknowledged is lost.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockCloud, type MockCloud } from '../../src/mock/index';
import { createDevice } from '../../targets/node/index';
import { fixture } from '../helpers';
import { waitFor } from './wait-event';

let cloud: MockCloud;
const registry = {
  devices: [
    { deviceId: 'dev-es', credentials: [{ publicKey: fixture('ec.pub.pem') }] },
    { deviceId: 'dev-rs', credentials: [{ publicKey: fixture('rsa.cert.pem') }] },
  ],
  connectors: [],
};

beforeAll(async () => {
  cloud = await startMockCloud({ registry });
});
afterAll(async () => {
  await cloud.close();
});


const fastBackoff = { baseMs: 20, capMs: 200, resetAfterMs: 500, authFloorMs: 400 };

describe('device against the mock cloud', () => {
  it('ES256 over TLS: publishes QoS 1, gets a downlink, refreshes before expiry with a new token', async () => {
    const device = createDevice({
      deviceId: 'dev-es', credentials: { privateKey: fixture('ec.pkcs8.pem') },
      tokenLifetimeS: 4, mqtt: { url: 'mqtts://localhost:' + cloud.mqttsPort, ca: cloud.caPem },
    });
    const connected = waitFor(device, 'connected');
    device.start();
    await connected;
    await device.publish({ temp: 21.5 }, { topic: 'env' });
    const u = await cloud.waitForUplink((x) => x.deviceId === 'dev-es', 5000);
    expect(u).toMatchObject({ transport: 'mqtts', topic: 'env', payload: { temp: 21.5 } });
    const down = waitFor(device, 'downlink');
    cloud.sendDownlink('dev-es', { led: 'on' }, { topic: 'cmd' });
    expect(await down).toMatchObject({ subTopic: 'cmd', text: '{"led":"on"}' });
    // 4 s tokens: refresh 3.2-3.6 s after minting, with a token the mock accepts.
    const refreshed = await waitFor(device, 'tokenRefreshed', undefined, 8000);
    await waitFor(device, 'connected');
    expect(refreshed.exp).toBeGreaterThan(refreshed.previousExp);
    const accepted = cloud.authLog.filter((e) => e.clientId === 'dev-es' && e.code === 0);
    expect(accepted.length).toBeGreaterThanOrEqual(2);
    await device.publish({ msg: 'after refresh' });
    expect((await cloud.waitForUplink((x) => (x.payload as any).msg === 'after refresh', 5000)).deviceId).toBe('dev-es');
    await device.stop();
  });

  it('RS256 with a certificate credential (SHA-1 kid) over plain MQTT', async () => {
    const kid = (await import('../../src/keys')).fingerprint(fixture('rsa.cert.pem'));
    const device = createDevice({ deviceId: 'dev-rs', credentials: { privateKey: fixture('rsa.pkcs1.pem'), kid }, mqtt: { url: 'mqtt://127.0.0.1:' + cloud.mqttPort } });
    const connected = waitFor(device, 'connected');
    device.start();
    await connected;
    await device.publish([1, 2, 3]);
    expect((await cloud.waitForUplink((x) => x.deviceId === 'dev-rs', 5000)).payload).toEqual([1, 2, 3]);
    await device.stop();
  });

  it('CONNACK 5: re-mints once, then backs off at least the auth floor', async () => {
    const device = createDevice({ deviceId: 'dev-es', credentials: { privateKey: fixture('ec.pkcs8.pem') }, mqtt: { url: 'mqtt://127.0.0.1:' + cloud.mqttPort }, backoff: fastBackoff });
    const before = cloud.authLog.length;
    cloud.faults.refuseNextConnects(3, 5);
    const rejected: number[] = [];
    device.on('authRejected', (e) => rejected.push(e.transport === 'mqtt' ? e.returnCode : -1));
    const connected = waitFor(device, 'connected', undefined, 10000);
    device.start();
    await connected;
    const log = cloud.authLog.slice(before).filter((e) => e.clientId === 'dev-es');
    expect(log.map((e) => e.code)).toEqual([5, 5, 5, 0]);
    expect(rejected).toEqual([5, 5, 5]);
    expect(log[2].time - log[1].time).toBeGreaterThanOrEqual(fastBackoff.authFloorMs - 5);
    expect(log[3].time - log[2].time).toBeGreaterThanOrEqual(fastBackoff.authFloorMs - 5);
    await device.stop();
  });

  it('100 forced refreshes and 50 broker kills under a steady QoS 1 stream lose no acknowledged message', async () => {
    const device = createDevice({
      deviceId: 'dev-es', credentials: { privateKey: fixture('ec.pkcs8.pem') },
      mqtt: { url: 'mqtt://127.0.0.1:' + cloud.mqttPort }, backoff: fastBackoff, outbox: { maxMessages: 2000 },
      refresh: { drainTimeoutMs: 200 },
    });
    const tokens = new Set<string>();
    let connects = 0;
    device.on('connected', () => connects++);
    const first = waitFor(device, 'connected');
    device.start();
    await first;
    const seen = new Map<number, number>();
    const onUplink = (u: any) => {
      if (u.deviceId === 'dev-es' && u.topic === 'stream') seen.set(u.payload.seq, (seen.get(u.payload.seq) || 0) + 1);
    };
    cloud.on('uplink', onUplink);
    let stop = false;
    const results: Promise<string>[] = [];
    const publisher = (async () => {
      for (let i = 0; !stop; i++) {
        results.push(device.publish({ seq: i }, { topic: 'stream' }).then(() => 'acked', (e) => e.code));
        await new Promise((r) => setTimeout(r, 2)); // a steady stream of about 400 messages/s
      }
    })();
    for (let k = 0; k < 150; k++) {
      const back = waitFor(device, 'connected', undefined, 15000);
      if (k % 3 === 2) {
        if (k % 2) cloud.faults.dropConnections('dev-es');
        else {
          await cloud.faults.stopListener('mqtt');
          await new Promise((r) => setTimeout(r, 30));
          await cloud.faults.startListener('mqtt');
        }
      } else device.refresh();
      await back;
      for (const s of cloud.sessions()) if (s.clientId === 'dev-es' && s.exp) tokens.add(String(s.exp));
    }
    stop = true;
    await publisher;
    const outcome = await Promise.all(results);
    cloud.off('uplink', onUplink);
    const acked = outcome.map((o, i) => [o, i] as const).filter(([o]) => o === 'acked').map(([, i]) => i);
    const lost = acked.filter((i) => !seen.has(i));
    const dropped = outcome.filter((o) => o === 'MESSAGE_DROPPED').length;
    const duplicates = [...seen.values()].filter((n) => n > 1).length;
    console.log(`stream: ${outcome.length} published, ${acked.length} acked, ${dropped} dropped by the bound, ${duplicates} delivered twice (QoS 1 resend), ${connects} connects`);
    expect(outcome.length).toBeGreaterThan(1000);
    expect(lost).toEqual([]);
    expect(acked.length + dropped).toBe(outcome.length);
    expect(dropped).toBe(device.stats().dropped); // every loss beyond the bound is counted
    expect(connects).toBeGreaterThanOrEqual(151);
    expect(device.stats().refreshes).toBe(100);
    await device.stop();
  }, 120_000);
});

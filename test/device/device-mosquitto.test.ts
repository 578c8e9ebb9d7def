// Protocol conformance against a third-party broker: mosquitto (Debian package) started by the test,
// with mosquitto_sub/mosquitto_pub as independent peers; a broker restart mid-stream loses nothing acked.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endProcess, startMosquitto, type Mosquitto } from '../../scripts/bench/mosquitto';
import { createDevice, type Device, type DeviceEventName } from '../../targets/node/index';
import { fixture } from '../helpers';

let mosquitto: Mosquitto;
let port = 0;
beforeAll(async () => {
  mosquitto = await startMosquitto();
  port = mosquitto.port;
});
afterAll(() => mosquitto.stop());

const waitFor = (device: Device, event: DeviceEventName) => new Promise<any>((resolve) => device.on(event, resolve));

describe('device against mosquitto', () => {
  it('QoS 1 uplinks reach mosquitto_sub, mosquitto_pub downlinks reach the device, and a broker kill mid-stream is survived', async () => {
    // Every mosquitto_sub started here is ended by this test: one left running outlives the test
    // run and holds CI's output open.
    const subs: ChildProcess[] = [];
    const subscribe = () => {
      const sub = spawn('mosquitto_sub', ['-h', '127.0.0.1', '-p', String(port), '-t', '/up/device/id/mq-dev/#', '-q', '1', '-v']);
      subs.push(sub);
      const out = { text: '', sub };
      sub.stdout.on('data', (b) => (out.text += b));
      return out;
    };
    try {
      const before = subscribe();
      await new Promise((r) => setTimeout(r, 300));
      const device = createDevice({
        deviceId: 'mq-dev', credentials: { privateKey: fixture('ec.pkcs8.pem') }, mqtt: { url: 'mqtt://127.0.0.1:' + port },
        backoff: { baseMs: 50, capMs: 300 },
      });
      const connected = waitFor(device, 'connected');
      device.start();
      await connected;
      await device.publish({ n: 1 }, { topic: 'a' });
      const down = waitFor(device, 'downlink');
      spawnSync('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(port), '-t', '/down/device/id/mq-dev/cmd', '-q', '1', '-m', 'hello']);
      expect(await down).toMatchObject({ subTopic: 'cmd', text: 'hello' });
      // Kill the broker mid-stream and bring it back; the device reconnects on its own and flushes
      // what it queued meanwhile. mosquitto_sub would reconnect too, so the first one is ended with the
      // broker and a second one listens after the restart.
      const acks: Promise<void>[] = [];
      let after = before;
      for (let i = 0; i < 200; i++) {
        if (i === 100) {
          await mosquitto.stop();
          await endProcess(before.sub);
          await mosquitto.start();
          after = subscribe();
          await new Promise((r) => setTimeout(r, 500));
        }
        acks.push(device.publish({ seq: i }, { topic: 'b' }));
        await new Promise((r) => setTimeout(r, 2));
      }
      await Promise.all(acks);
      const deadline = Date.now() + 5000;
      while (Date.now() < deadline && !after.text.includes('{"seq":199}')) await new Promise((r) => setTimeout(r, 50));
      await device.stop();
      expect(before.text).toContain('/up/device/id/mq-dev/a {"n":1}');
      const seqs = (t: string) => [...t.matchAll(/\{"seq":(\d+)\}/g)].map((m) => Number(m[1]));
      expect(seqs(before.text)).toEqual(Array.from({ length: 100 }, (_, i) => i));
      expect(seqs(after.text)).toEqual(Array.from({ length: 100 }, (_, i) => i + 100));
    } finally {
      await Promise.all(subs.map((sub) => endProcess(sub)));
    }
  });
});

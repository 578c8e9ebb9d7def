// Write backpressure in virtual time against a scripted peer that stops reading: the bytes held
// (outbox and socket) stay bounded, QoS 0 counts as sent only once its bytes left, a link full for
// a keepalive is closed, and the device recovers when the peer reads again (issue 17, item 1).
import { describe, expect, it } from 'vitest';
import { createDevice } from '../../src/device/device';
import type { Packet } from '../../src/mqtt/packets';
import { fixture } from '../helpers';
import { createScriptedPlatform, recordingBroker } from './scripted-platform';

const KB = new Uint8Array(1024).fill(0x41);
/** The default mqtt.maxUnsentBytes, plus one 1 KB PUBLISH (the write that crosses the bound) and a PINGREQ. */
const SOCKET_BOUND = 4096 + 1024 + 64 + 2;

function setup(outbox = { maxMessages: 50, maxBytes: 40 * 1024 }) {
  const { broker, state } = recordingBroker();
  const sp = createScriptedPlatform(broker, Date.UTC(2027, 0, 1));
  sp.setRandom(() => 0.5);
  const disconnects: string[] = [];
  const device = createDevice(sp.platform, {
    deviceId: 'dev-bp', credentials: { privateKey: fixture('ec.pkcs8.pem') }, mqtt: { url: 'mqtt://broker.test:1883', keepaliveS: 60 }, outbox,
    onDisconnected: (e) => disconnects.push(e.reason),
  });
  return { sp, state, device, disconnects };
}

/** publish() calls whose promise has not settled, and their payload bytes: what the outbox holds. */
function tracker() {
  const pending = new Map<number, number>();
  let id = 0;
  return {
    add(p: Promise<void>, bytes: number) {
      const k = id++;
      pending.set(k, bytes);
      const done = () => pending.delete(k);
      p.then(done, done);
    },
    count: () => pending.size,
    bytes: () => [...pending.values()].reduce((a, b) => a + b, 0),
  };
}

describe('write backpressure (scripted peer that stops reading)', () => {
  it('QoS 0 into a peer that stops reading for 30 s: outbox and socket stay bounded, nothing reported sent, all delivered once it reads again', async () => {
    const { sp, state, device, disconnects } = setup();
    device.start();
    await sp.advance(10);
    const conn = state.conns[0];
    conn.reading(false);
    const t = tracker();
    for (let i = 0; i < 2000; i++) t.add(device.publish(KB, { qos: 0 }), KB.length);
    let maxUnsent = 0;
    let maxQueued = 0;
    let maxQueuedBytes = 0;
    for (let s = 0; s < 30; s++) {
      await sp.advance(1000);
      maxUnsent = Math.max(maxUnsent, conn.unsent());
      maxQueued = Math.max(maxQueued, t.count());
      maxQueuedBytes = Math.max(maxQueuedBytes, t.bytes());
      expect(device.stats().sent.mqtt).toBe(0); // no byte has left: none is sent
    }
    expect(maxUnsent).toBeLessThanOrEqual(SOCKET_BOUND);
    expect(maxQueued).toBeLessThanOrEqual(50); // the outbox bound (the rest were dropped and counted)
    expect(maxQueuedBytes).toBeLessThanOrEqual(40 * 1024);
    expect(device.stats().queued).toBeLessThanOrEqual(50);
    expect(device.stats().dropped).toBe(2000 - device.stats().queued);
    expect(disconnects).toEqual([]);
    conn.reading(true);
    await sp.advance(1000);
    expect(device.stats().queued).toBe(0);
    expect(t.count()).toBe(0);
    expect(device.stats().sent.mqtt).toBe(2000 - device.stats().dropped);
    // The broker also gets the few written before the peer stopped and then dropped by the outbox
    // bound (the oldest go first; as for a QoS 1 message in flight, dropped does not mean unsent).
    expect(state.published.length).toBeGreaterThanOrEqual(device.stats().sent.mqtt);
    expect(state.published.length).toBeLessThanOrEqual(device.stats().sent.mqtt + Math.ceil(SOCKET_BOUND / 1024));
    await device.stop();
  });

  it('a peer that never reads again: the link is closed within a keepalive and a half (PINGREQ unanswered, or full for a keepalive), the next connection delivers what waited', async () => {
    const { sp, state, device, disconnects } = setup();
    device.start();
    await sp.advance(10);
    state.conns[0].reading(false);
    const t = tracker();
    for (let i = 0; i < 20; i++) t.add(device.publish(KB, { qos: 0 }), KB.length);
    await sp.advance(59000);
    expect(disconnects).toEqual([]);
    expect(state.conns[0].unsent()).toBeLessThanOrEqual(SOCKET_BOUND);
    await sp.advance(31000);
    expect(disconnects.length).toBe(1); // nothing came in either: the PINGREQ rule closed it first
    expect(['keepalive-timeout', 'write-stalled']).toContain(disconnects[0]);
    await sp.advance(5000); // the backoff, then a new connection (read, this time)
    expect(state.conns.length).toBe(2);
    expect(t.count()).toBe(0);
    expect(device.stats().sent.mqtt).toBe(20);
    await device.stop();
  });

  it('a peer that floods QoS 1 and never reads: unsent PUBACKs stay bounded, reading pauses, the link is closed after a keepalive', async () => {
    const { sp, state, device, disconnects } = setup();
    let downlinks = 0;
    device.on('downlink', () => downlinks++);
    device.start();
    await sp.advance(10);
    const conn = state.conns[0];
    conn.reading(false);
    let mid = 1;
    const flood = (n: number) => {
      for (let i = 0; i < n; i++) {
        const p: Packet = { cmd: 'publish', topic: '/down/device/id/dev-bp/x', payload: KB, qos: 1, retain: false, dup: false, messageId: mid };
        mid = (mid % 65535) + 1;
        conn.send(p);
      }
    };
    flood(5000);
    let maxUnsent = 0;
    for (let s = 0; s < 30; s++) {
      flood(100); // data keeps arriving: the link looks alive
      await sp.advance(1000);
      maxUnsent = Math.max(maxUnsent, conn.unsent());
    }
    expect(maxUnsent).toBeLessThanOrEqual(4096 + 64);
    expect(downlinks).toBeLessThan(2000); // reading paused: the rest wait at the peer, not in the device
    expect(disconnects).toEqual([]);
    for (let s = 0; s < 40 && !disconnects.length; s++) {
      flood(100);
      await sp.advance(1000);
    }
    expect(disconnects).toEqual(['write-stalled']);
    await device.stop();
  });
});

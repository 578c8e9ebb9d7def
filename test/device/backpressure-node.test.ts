// Write backpressure over real Node sockets: a TCP peer that accepts the device, then stops reading
// (QoS 0 stream) or floods QoS 1 without reading (PUBACKs pile up). What the device holds (socket
// unsent bytes, outbox) stays bounded, QoS 0 counts as sent only once the kernel took it, reading
// pauses while PUBACKs cannot be written, and the device recovers (issue 17, item 1).
import { createServer, type Server, type Socket as NetSocket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createDevice, type Device } from '../../src/device/device';
import { encode } from '../../src/mqtt/encode';
import { createParser } from '../../src/mqtt/parser';
import type { Packet } from '../../src/mqtt/packets';
import type { Platform, Socket } from '../../src/platform';
import { nodePlatform } from '../../targets/node/platform';
import { fixture } from '../helpers';

const KB = new Uint8Array(1024).fill(0x41);
const BOUND = 4096; // mqtt.maxUnsentBytes default

/** A broker that answers CONNECT/SUBSCRIBE/PINGREQ, counts PUBLISHes, and can stop reading. */
function peer() {
  const socks: NetSocket[] = [];
  let published = 0;
  const server: Server = createServer((sock) => {
    socks.push(sock);
    const parser = createParser({
      maxPacketSize: 1 << 20,
      onPacket: (p: Packet) => {
        if (p.cmd === 'connect') sock.write(encode({ cmd: 'connack', sessionPresent: false, returnCode: 0 }));
        else if (p.cmd === 'subscribe') sock.write(encode({ cmd: 'suback', messageId: p.messageId, granted: [1] }));
        else if (p.cmd === 'pingreq') sock.write(encode({ cmd: 'pingresp' }));
        else if (p.cmd === 'publish') {
          published++;
          if (p.qos === 1) sock.write(encode({ cmd: 'puback', messageId: p.messageId as number }));
        }
      },
      onError: () => sock.destroy(),
    });
    sock.on('data', (b) => parser.push(new Uint8Array(b.buffer, b.byteOffset, b.length)));
    sock.on('error', () => undefined);
  });
  return { server, socks, published: () => published };
}

/** The Node platform with the device's socket kept, to read its unsent() from the outside. */
function watched() {
  const sockets: Socket[] = [];
  const platform: Platform = { ...nodePlatform, connect: (o) => sockets[sockets.push(nodePlatform.connect(o)) - 1] };
  return { platform, last: () => sockets[sockets.length - 1], count: () => sockets.length };
}

/** Lets Node run until `f` holds (checked once per event-loop turn), at most `turns` turns. */
async function until(f: () => boolean, turns = 200000): Promise<boolean> {
  for (let i = 0; i < turns; i++) {
    if (f()) return true;
    await new Promise<void>((r) => setImmediate(r));
  }
  return f();
}
/** Event-loop turns (with a 1 ms pause each) in which `read()` did not change: the device has stopped making progress. */
async function settle(read: () => number, turns = 50): Promise<void> {
  let last = read();
  for (let same = 0; same < turns; ) {
    await new Promise<void>((r) => setTimeout(r, 1));
    const v = read();
    same = v === last ? same + 1 : 0;
    last = v;
  }
}

let device: Device | null = null;
let srv: Server | null = null;
afterEach(async () => {
  if (device) await device.stop();
  device = null;
  if (srv) srv.close();
  srv = null;
});

describe('write backpressure over real sockets', () => {
  it('QoS 0 into a peer that stops reading: the socket holds at most the bound, the outbox its limits, only bytes the kernel took count as sent; all goes once it reads', async () => {
    const p = peer();
    srv = p.server;
    await new Promise<void>((r) => p.server.listen(0, '127.0.0.1', r));
    const port = (p.server.address() as { port: number }).port;
    const w = watched();
    const d = createDevice(w.platform, { deviceId: 'dev-n', credentials: { privateKey: fixture('ec.pkcs8.pem') }, mqtt: { url: 'mqtt://127.0.0.1:' + port }, outbox: { maxMessages: 200, maxBytes: 200 * 1024 } });
    device = d;
    await d.start();
    await until(() => p.socks.length === 1);
    p.socks[0].pause(); // stops reading: the kernel buffers fill, then Node's
    const N = 30000;
    let settled = 0;
    const ps: Promise<void>[] = [];
    let maxUnsent = 0;
    // 100 per event-loop turn: the device writes between them, so the kernel's buffers fill first
    for (let i = 0; i < N; i++) {
      ps.push(d.publish(KB, { qos: 0 }).then(() => void settled++, () => void settled++));
      if (i % 100 === 99) await new Promise<void>((r) => setImmediate(r));
      maxUnsent = Math.max(maxUnsent, (w.last().unsent || (() => Infinity))());
    }
    await settle(() => {
      maxUnsent = Math.max(maxUnsent, (w.last().unsent || (() => Infinity))());
      return d.stats().sent.mqtt;
    });
    const s = d.stats();
    // Sent: what the kernel took (its buffers, a few MB at most), not the 30 MB published.
    expect(s.sent.mqtt * 1024).toBeLessThan(16 * 1024 * 1024);
    expect(maxUnsent).toBeLessThanOrEqual(BOUND + 1100);
    expect(s.queued).toBeLessThanOrEqual(200);
    expect(s.sent.mqtt + s.dropped + s.queued).toBe(N);
    expect(settled).toBe(N - s.queued);
    const sentBefore = s.sent.mqtt;
    p.socks[0].resume();
    expect(await until(() => d.stats().queued === 0)).toBe(true);
    await Promise.all(ps);
    expect(d.stats().sent.mqtt).toBeGreaterThan(sentBefore);
    expect(await until(() => p.published() >= d.stats().sent.mqtt)).toBe(true);
  }, 60000);

  it('a peer flooding QoS 1 without reading: unsent PUBACKs stay bounded (reading pauses), and the full link is closed after a keepalive', async () => {
    const p = peer();
    srv = p.server;
    await new Promise<void>((r) => p.server.listen(0, '127.0.0.1', r));
    const port = (p.server.address() as { port: number }).port;
    const w = watched();
    const reasons: string[] = [];
    let downlinks = 0;
    const d = createDevice(w.platform, {
      deviceId: 'dev-f', credentials: { privateKey: fixture('ec.pkcs8.pem') }, mqtt: { url: 'mqtt://127.0.0.1:' + port, keepaliveS: 1 },
      onDisconnected: (e) => reasons.push(e.reason), onDownlink: () => downlinks++,
    });
    device = d;
    await d.start();
    await until(() => p.socks.length === 1);
    const sock = p.socks[0];
    sock.pause();
    // Small publishes, so their PUBACKs (4 bytes each) fill the kernel buffers while the peer's
    // own writes still fit in memory: 3,000,000 x 32 B = 96 MB offered, written as it drains.
    const pkt = Buffer.from(encode({ cmd: 'publish', topic: '/down/device/id/dev-f/x', payload: new Uint8Array(2), qos: 1, retain: false, dup: false, messageId: 1 }));
    const chunk = Buffer.concat(Array.from({ length: 4096 }, () => pkt));
    let offered = 0;
    let maxUnsent = 0;
    const pumpFlood = () => {
      while (!sock.destroyed && offered < 3000000 && sock.write(chunk)) offered += 4096;
    };
    sock.on('drain', () => ((offered += 4096), pumpFlood()));
    pumpFlood();
    const closed = await until(() => {
      if (w.count() === 1) maxUnsent = Math.max(maxUnsent, (w.last().unsent || (() => Infinity))());
      return reasons.length > 0;
    }, 2000000);
    expect(closed).toBe(true);
    expect(reasons[0]).toBe('write-stalled');
    // Node's part of the unsent PUBACKs: the bound plus one read's worth (a 64 KB chunk of 2,000 publishes)
    expect(maxUnsent).toBeLessThanOrEqual(BOUND + 64 * 1024 / 8);
    expect(downlinks).toBeLessThan(offered); // the rest waited in the kernel, not in the device
  }, 120000);
});

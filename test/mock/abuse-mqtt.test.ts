// Issue 16 (the mock cloud under attack), MQTT findings, each against startMockCloud over real sockets:
// an empty SUBSCRIBE, a throwing handler, the packet size on the declared length, session takeover by
// an uplink secret, huge identifiers in the auth log, giant uplinks, control characters in the log and
// the secret in sessions(). Every bound is asserted on counted bytes or entries.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runMock } from '../../src/cli/mock';
import { captureIo } from '../helpers';
import mqttPacket from 'mqtt-packet';
import { startMockCloud, type MockCloud } from '../../src/mock/index';
import { authEntryChars } from '../../src/mock/auth-log';
import { uplinkWeight } from '../../src/mock/uplinks';
import { connectRaw, rawClient, twoDevices, type RawClient } from './helpers';

const { registry, token } = twoDevices();
// conn-1 holds dev-a only; conn-2 holds dev-b.
registry.connectors = [
  { id: 'conn-1', uplinkSecret: 's3cr3t', devices: ['dev-a'] },
  { id: 'conn-2', uplinkSecret: 'other-secret', devices: ['dev-b'] },
];
const MAX_PACKET = 4096;
let cloud: MockCloud;
/** Default packet limit (256 KB), for the large CONNECTs and PUBLISHes of findings 3 and 4. */
let roomy: MockCloud;
const lines: string[] = [];
const open: RawClient[] = [];

beforeAll(async () => {
  cloud = await startMockCloud({ registry, maxPacketBytes: MAX_PACKET, log: (l) => lines.push(l) });
  roomy = await startMockCloud({ registry, maxUplinkBytes: 1024 * 1024 });
});
afterAll(() => Promise.all([cloud.close(), roomy.close()]));
afterEach(() => {
  for (const c of open.splice(0)) c.end();
});

async function jwt(id: 'dev-a' | 'dev-b', on = cloud): Promise<RawClient> {
  const r = await connectRaw(on.mqttPort, { clientId: id, password: token(id) });
  expect(r.code).toBe(0);
  open.push(r.client);
  return r.client;
}
const nextDisconnect = (clientId: string) =>
  new Promise<string>((res) => {
    const fn = (s: { clientId: string; reason?: string }) => {
      if (s.clientId !== clientId) return;
      cloud.off('disconnect', fn);
      res(s.reason || '');
    };
    cloud.on('disconnect', fn);
  });
/** The broker still serves: a fresh JWT connect gets CONNACK 0 and a QoS 1 PUBACK. */
async function stillServes(): Promise<void> {
  const c = await jwt('dev-a');
  c.send({ cmd: 'publish', topic: '/up/device/id/dev-a/alive', payload: Buffer.from('{"ok":1}'), qos: 1, messageId: 9, dup: false, retain: false });
  expect((await c.next('puback')).cmd).toBe('puback');
  c.end();
}

describe('finding 1: one packet must not end the process', () => {
  it('an empty SUBSCRIBE (82 02 00 02) closes that connection (MQTT 3.1.1 section 3.8.3); the broker keeps serving', async () => {
    const c = await jwt('dev-b');
    const why = nextDisconnect('dev-b');
    c.writeRaw(Buffer.from([0x82, 0x02, 0x00, 0x02]));
    await c.closed;
    expect(await why).toMatch(/SUBSCRIBE with no topic filter/);
    expect(c.packets.filter((p) => p.cmd === 'suback')).toHaveLength(0);
    await stillServes();
  });

  it('an empty UNSUBSCRIBE closes that connection too', async () => {
    const c = await jwt('dev-b');
    const why = nextDisconnect('dev-b');
    c.writeRaw(Buffer.from([0xa2, 0x02, 0x00, 0x03]));
    await c.closed;
    expect(await why).toMatch(/UNSUBSCRIBE with no topic filter/);
    await stillServes();
  });

  it('a handler that throws (here: an uplink listener) closes only that connection, and is logged', async () => {
    const boom = () => {
      throw new Error('listener exploded');
    };
    cloud.on('uplink', boom);
    try {
      const c = await jwt('dev-b');
      const why = nextDisconnect('dev-b');
      c.send({ cmd: 'publish', topic: '/up/device/id/dev-b/x', payload: Buffer.from('{}'), qos: 1, messageId: 1, dup: false, retain: false });
      await c.closed;
      expect(await why).toMatch(/^internal error: listener exploded/);
      expect(lines.some((l) => /mqtt: internal error on the session of "dev-b", connection closed: listener exploded/.test(l))).toBe(true);
    } finally {
      cloud.off('uplink', boom);
    }
    await stillServes();
  });
});

describe('finding 1, listeners: a throwing disconnect listener', () => {
  it('is caught in the socket close callback and logged; the broker keeps serving', async () => {
    const boom = () => {
      throw new Error('disconnect listener exploded');
    };
    cloud.on('disconnect', boom);
    try {
      const c = await jwt('dev-b');
      c.end();
      await c.closed;
      const want = 'mqtt: internal error on the session of "dev-b", connection closed: disconnect listener exploded';
      for (let i = 0; i < 200 && !lines.includes(want); i++) await new Promise((r) => setTimeout(r, 5));
      expect(lines).toContain(want);
    } finally {
      cloud.off('disconnect', boom);
    }
    await stillServes();
  });
});

describe('finding 5: the packet size is checked on the declared remaining length', () => {
  /** A PUBLISH of exactly `total` bytes on the wire. */
  function publishOf(total: number, id: number): Buffer {
    const topic = '/up/device/id/dev-a/size';
    for (let payload = total - 40; payload < total; payload++) {
      const b = mqttPacket.generate({ cmd: 'publish', topic, payload: Buffer.alloc(payload, 0x61), qos: 1, messageId: id, dup: false, retain: false });
      if (b.length === total) return b;
    }
    throw new Error('no packet of ' + total + ' bytes');
  }
  async function sendSplit(bytes: Buffer, pattern: number[]): Promise<{ acked: boolean; reason: string }> {
    const c = await jwt('dev-a');
    const why = nextDisconnect('dev-a');
    let reason = '';
    why.then((r) => (reason = r));
    let pos = 0;
    for (let k = 0; pos < bytes.length; k++) {
      const n = pattern[k % pattern.length];
      c.writeRaw(bytes.subarray(pos, pos + n));
      pos += n;
      if (k < 8) await new Promise((r) => setImmediate(r)); // separate TCP segments for the header bytes
    }
    const acked = await Promise.race([c.next('puback', 3000).then(() => true, () => false), c.closed.then(() => false)]);
    if (!acked) await why;
    c.end();
    return { acked, reason };
  }
  const patterns = [[1 << 20], [1], [2, 3], [7], [1000], [MAX_PACKET - 1], [MAX_PACKET], [MAX_PACKET + 1], [5, MAX_PACKET]];

  it('one byte over the limit is refused for every split; no uplink is recorded', async () => {
    const over = publishOf(MAX_PACKET + 1, 7);
    const before = cloud.uplinks.length;
    for (const p of patterns) {
      const r = await sendSplit(over, p);
      expect({ pattern: p, acked: r.acked }).toEqual({ pattern: p, acked: false });
      expect(r.reason).toBe('packet larger than ' + MAX_PACKET + ' bytes (' + (MAX_PACKET + 1) + ' declared)');
    }
    expect(cloud.uplinks.length - before).toBe(0);
  });

  it('exactly the limit is accepted for every split', async () => {
    const at = publishOf(MAX_PACKET, 8);
    for (const p of patterns) expect((await sendSplit(at, p)).acked).toBe(true);
  });

  it('a header declaring 256 MB closes the connection before any body byte is sent', async () => {
    const c = await jwt('dev-a');
    c.writeRaw(Buffer.from([0x32, 0xff, 0xff, 0xff, 0x7f])); // PUBLISH QoS 1, remaining length 268435455
    await c.closed; // with only these 5 bytes sent
    expect(c.isClosed()).toBe(true);
  });
});

describe('finding 6: an uplink secret cannot take over another session', () => {
  it("conn-1's secret with clientId dev-b (a device conn-1 does not hold) is CONNACK 5; dev-b's JWT session stays", async () => {
    const b = await jwt('dev-b');
    const r = await connectRaw(cloud.mqttPort, { clientId: 'dev-b', username: 'conn-1', password: 's3cr3t' });
    open.push(r.client);
    expect(r.code).toBe(5);
    expect(cloud.authLog.at(-1)).toMatchObject({ code: 5, method: 'secret', reason: 'clientId "dev-b" is a device connector "conn-1" does not hold' });
    expect(b.isClosed()).toBe(false);
    expect(cloud.sessions().filter((s) => s.clientId === 'dev-b')).toMatchObject([{ auth: 'jwt' }]);
  });

  it("a held device's JWT session is not displaced by its connector's secret either", async () => {
    const a = await jwt('dev-a');
    const r = await connectRaw(cloud.mqttPort, { clientId: 'dev-a', username: 'conn-1', password: 's3cr3t' });
    open.push(r.client);
    expect(r.code).toBe(5);
    expect(cloud.authLog.at(-1)!.reason).toMatch(/clientId "dev-a" is in use by a session of another device or connector/);
    expect(a.isClosed()).toBe(false);
  });

  it('any other clientId is allowed, and only the same connector may take it over', async () => {
    const first = await connectRaw(cloud.mqttPort, { clientId: 'gateway-7', username: 'conn-1', password: 's3cr3t' });
    open.push(first.client);
    expect(first.code).toBe(0);
    const other = await connectRaw(cloud.mqttPort, { clientId: 'gateway-7', username: 'conn-2', password: 'other-secret' });
    open.push(other.client);
    expect(other.code).toBe(5);
    expect(first.client.isClosed()).toBe(false);
    const again = await connectRaw(cloud.mqttPort, { clientId: 'gateway-7', username: 'conn-1', password: 's3cr3t' });
    open.push(again.client);
    expect(again.code).toBe(0);
    await first.client.closed; // the reconnect of the same connector replaced it
  });
});

describe('finding 4: huge identifiers in refused logins', () => {
  it('a 65,000-character clientId and username are clipped to 128 characters in the auth log and its reason', async () => {
    const huge = 'x'.repeat(65000);
    const before = roomy.authLog.length;
    for (let i = 0; i < 20; i++) {
      const r = await connectRaw(roomy.mqttPort, { clientId: huge + i, username: huge, password: 'a.b.c' });
      expect(r.code).toBe(4);
      r.client.end();
      const jr = await connectRaw(roomy.mqttPort, { clientId: huge + i, username: huge, password: token('dev-a') });
      expect(jr.code).toBe(5);
      jr.client.end();
    }
    const added = roomy.authLog.slice(before);
    expect(added).toHaveLength(40);
    for (const e of added) {
      expect(e.clientId!.length).toBeLessThanOrEqual(128 + 20);
      expect(e.username!.length).toBeLessThanOrEqual(128 + 20);
      expect(e.reason.length).toBeLessThanOrEqual(512 + 20);
      expect(authEntryChars(e)).toBeLessThan(1200);
    }
    expect(added[1].reason).toMatch(/^device "x{128}\.\.\.\(65001 chars\)" is not registered$/);
  });
});

describe('finding 3: giant uplinks', () => {
  it('stored uplinks are bounded by bytes (maxUplinkBytes), and a large JSON payload keeps no parsed tree', async () => {
    const c = await jwt('dev-a', roomy);
    const body = Buffer.from('[' + new Array(1300).fill('[]').join(',') + ']'); // 3.9 KB: its parsed tree is kept
    for (let i = 0; i < 400; i++) c.send({ cmd: 'publish', topic: '/up/device/id/dev-a/big', payload: body, qos: 1, messageId: i + 1, dup: false, retain: false });
    while (c.packets.filter((p) => p.cmd === 'puback').length < 400) await new Promise((r) => setTimeout(r, 10));
    // 400 x 3.9 KB = 1.56 MB of payloads (parsed: ~20 MB of heap) against a 1 MB bound.
    const bigs = roomy.uplinks.filter((u) => u.topic === 'big');
    expect(bigs.length).toBeGreaterThan(0);
    expect(bigs.length).toBeLessThan(400);
    expect(bigs.reduce((n, u) => n + u.raw.length, 0)).toBeLessThanOrEqual(1024 * 1024);
    // The whole record, kept trees counted at 25x the bytes, stays under the bound (plus the newest entry).
    const weight = roomy.uplinks.reduce((n, u) => n + uplinkWeight(u), 0);
    expect(weight).toBeLessThanOrEqual(1024 * 1024 + uplinkWeight(bigs.at(-1)!));
    // Over 4 KiB the tree is not kept: payload is a getter parsing the bytes again.
    const large = Buffer.from('[' + new Array(30000).fill('[]').join(',') + ']');
    c.send({ cmd: 'publish', topic: '/up/device/id/dev-a/larger', payload: large, qos: 0, dup: false, retain: false });
    const u = await roomy.waitForUplink((x) => x.topic === 'larger');
    expect(u.json).toBe(true);
    expect(typeof Object.getOwnPropertyDescriptor(u, 'payload')!.get).toBe('function');
    expect((u.payload as unknown[]).length).toBe(30000);
  });
});

describe('finding 8: what a device chooses never reaches the log raw', () => {
  it('ANSI escapes, newlines and fake lines in a topic are escaped; one event is one line', async () => {
    const c = await jwt('dev-a');
    const why = nextDisconnect('dev-a');
    const from = lines.length;
    c.send({ cmd: 'publish', topic: '/up/device/id/dev-b/\x1b[31mRED\nmqtt: connected "dev-b"\u009b2J\u2028x', payload: Buffer.from('{}'), qos: 0, dup: false, retain: false });
    await why;
    const added = lines.slice(from);
    expect(added.length).toBeGreaterThan(0);
    for (const l of added) expect(l).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
    expect(added.join('\n')).toContain('\\x1b[31mRED\\x0amqtt: connected "dev-b"\\x9b2J\\u2028x');
  });

  it('HTTP refusals with U+009B in the deviceId are escaped', async () => {
    const from = lines.length;
    const r = await fetch('http://127.0.0.1:' + cloud.httpPort + '/v3/capture?deviceId=' + encodeURIComponent('d\u009b31m\u2028\nfake') + '&topic=x', { method: 'POST', headers: { secret: 'nope' }, body: '{}' });
    expect(r.status).toBe(401);
    const added = lines.slice(from);
    expect(added.length).toBe(1);
    expect(added[0]).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
  });

  it('an HTTP topic with DEL or a C1 control (U+009B) is refused like C0 (400), and not recorded', async () => {
    for (const t of ['a\u009b31m', 'a\u007fb', 'a\u0085b']) {
      const r = await fetch('http://127.0.0.1:' + cloud.httpPort + '/v3/capture?deviceId=dev-a&topic=' + encodeURIComponent(t), { method: 'POST', headers: { secret: 's3cr3t' }, body: '{}' });
      expect(r.status).toBe(400);
    }
    expect(cloud.uplinks.some((u) => /[\u007f-\u009f]/.test(u.topic))).toBe(false);
  });

  it('sessions() and the disconnect event show the uplink secret in subscriptions as ***', async () => {
    const r = await connectRaw(cloud.mqttPort, { clientId: 'sub-gw', username: 'conn-1', password: 's3cr3t' });
    open.push(r.client);
    expect(r.code).toBe(0);
    r.client.send({ cmd: 'subscribe', messageId: 3, subscriptions: [{ topic: '/down/s3cr3t/id/dev-a/#', qos: 1 }] });
    await r.client.next('suback');
    const s = cloud.sessions().find((x) => x.clientId === 'sub-gw')!;
    expect(s.subscriptions).toEqual(['/down/***/id/dev-a/#']);
    const ev = new Promise<{ subscriptions: string[] }>((res) => cloud.on('disconnect', res as never));
    r.client.end();
    expect((await ev).subscriptions).toEqual(['/down/***/id/dev-a/#']);
    expect(JSON.stringify(cloud.sessions())).not.toContain('s3cr3t');
  });
});

it('the broker survived all of the above', async () => {
  const c = await rawClient(cloud.mqttPort);
  c.end();
  await stillServes();
});

describe('finding 8 in the CLI: `akenza-device mock` prints uplinks escaped', () => {
  it('a device topic with ESC, CR/LF and U+009B stays on one escaped line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'akenza-abuse-'));
    const reg = join(dir, 'reg.json');
    writeFileSync(reg, JSON.stringify(registry));
    const c = captureIo();
    const ports = ['--mqtt-port', '0', '--mqtts-port', '0', '--ws-port', '0', '--wss-port', '0', '--http-port', '0', '--coap-port', '0', '--udp-port', '0', '--admin-port', '0'];
    await runMock(['--registry', reg, ...ports], c.io, async (m) => {
      const r = await connectRaw(m.mqttPort, { clientId: 'dev-a', password: token('dev-a') });
      expect(r.code).toBe(0);
      r.client.send({ cmd: 'publish', topic: '/up/device/id/dev-a/\x1b[31mRED\r\nmqtt: connected "dev-b"\u009b2J', payload: Buffer.from('{"t":"\u2028\u009b"}'), qos: 1, messageId: 1, dup: false, retain: false });
      await r.client.next('puback');
      r.client.end();
    });
    const up = c.out.filter((l) => l.includes('uplink mqtt dev-a'));
    expect(up).toHaveLength(1);
    expect(up[0]).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
    expect(up[0]).toContain('topic=\\x1b[31mRED\\x0d\\x0amqtt: connected "dev-b"\\x9b2J');
    expect(c.out.join('\n')).not.toMatch(/^mqtt: connected "dev-b"/m);
  });
});

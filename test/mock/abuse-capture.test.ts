// Issue 16 (the mock cloud under attack), CoAP/HTTP/UDP findings against startMockCloud over real
// sockets: what a flood of refused CoAP exchanges and Block1 datagrams leave behind (counted entries and
// bytes of the deduplication records), and byte-bounded uplink and auth records for every transport.
import { createSocket, type Socket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockCloud, type MockCloud } from '../../src/mock/index';
import { authEntryChars } from '../../src/mock/auth-log';
import { coapExchangeCaches, MAX_EXCHANGE_BYTES, MAX_EXCHANGES } from '../../src/mock/coap-capture';
import { uplinkWeight } from '../../src/mock/uplinks';
import { formatUdpDatagram } from '../../src/mock/udp-framing';
import { CON, encodeCoap, NON, OPT, parseCoap, stringOption, uintOption, type CoapMessage, type CoapOption } from '../../src/uplink/coap/codec';
import { twoDevices } from './helpers';

const { registry } = twoDevices();
let cloud: MockCloud;
let sock: Socket;
const replies: CoapMessage[] = [];
const waiters = new Map<number, () => void>();

beforeAll(async () => {
  cloud = await startMockCloud({ registry, maxUplinkBytes: 512 * 1024 });
  sock = createSocket('udp4');
  sock.on('message', (m) => {
    const r = parseCoap(new Uint8Array(m));
    if (typeof r === 'string') return;
    replies.push(r);
    const w = waiters.get(r.messageId);
    if (w) w();
  });
  await new Promise<void>((res) => sock.bind(0, '127.0.0.1', () => res()));
});
afterAll(async () => {
  sock.close();
  await cloud.close();
});

function request(mid: number, query: string[], payload: Uint8Array, extra: CoapOption[] = [], type = CON): Uint8Array {
  return encodeCoap({
    type,
    code: 2,
    messageId: mid,
    token: new Uint8Array([mid >> 8, mid & 255]),
    options: [stringOption(OPT.uriPath, 'v3'), stringOption(OPT.uriPath, 'capture'), uintOption(OPT.contentFormat, 50), ...query.map((q) => stringOption(OPT.uriQuery, q)), ...extra],
    payload,
  });
}
const send = (b: Uint8Array, port = cloud.coapPort) => new Promise<void>((res) => sock.send(b, port, '127.0.0.1', () => res()));
async function replyTo(mid: number, timeoutMs = 3000): Promise<CoapMessage> {
  const find = () => replies.find((x) => x.messageId === mid);
  if (!find()) {
    await new Promise<void>((res, rej) => {
      const t = setTimeout(() => rej(new Error('no CoAP reply to ' + mid)), timeoutMs);
      waiters.set(mid, () => {
        clearTimeout(t);
        waiters.delete(mid);
        res();
      });
    });
  }
  const r = find()!;
  replies.splice(replies.indexOf(r), 1);
  return r;
}
const code = (m: CoapMessage) => (m.code >> 5) + '.' + String(m.code & 31).padStart(2, '0');
const retained = () => {
  let entries = 0;
  let bytes = 0;
  for (const c of coapExchangeCaches) {
    entries += c.map.size;
    bytes += c.bytes;
  }
  return { entries, bytes };
};

describe('finding 2: CoAP exchanges are not kept with their payloads', () => {
  it('2,000 CON POSTs of 60 KB with a wrong secret: each gets 4.01, the records stay within their count and byte bounds', async () => {
    const body = new Uint8Array(60 * 1024).fill(0x20);
    body[0] = 0x7b;
    body[body.length - 1] = 0x7d;
    for (let i = 0; i < 2000; i++) {
      await send(request(i + 1, ['deviceId=dev-a', 'secret=wrong'], body));
      expect(code(await replyTo(i + 1))).toBe('4.01'); // one in flight: loopback drops 60 KB datagrams beyond its buffer
    }
    const r = retained();
    // Nothing of the 120 MB sent is kept: at most MAX_EXCHANGES replies of a few dozen bytes.
    expect(r.entries).toBeLessThanOrEqual(MAX_EXCHANGES);
    expect(r.bytes).toBeLessThanOrEqual(MAX_EXCHANGES * 100);
    expect(r.bytes).toBeLessThanOrEqual(MAX_EXCHANGE_BYTES);
    // And the auth record keeps one small entry per refusal.
    const coapRefusals = cloud.authLog.filter((e) => e.transport === 'coap');
    expect(coapRefusals.length).toBeGreaterThan(0);
    for (const e of coapRefusals) expect(authEntryChars(e)).toBeLessThan(200);
  });

  it('Block1 num=2^20-1 (a 1 GiB announcement) and num=0,more=1 are refused with 4.02 in one datagram, nothing buffered', async () => {
    const before = retained();
    const block = (num: number, more: boolean, szx = 6) => uintOption(27, (num << 4) | (more ? 8 : 0) | szx);
    const chunk = new Uint8Array(1024).fill(0x61);
    await send(request(40001, ['deviceId=dev-a', 'secret=s3cr3t'], chunk, [block(2 ** 20 - 1, true)]));
    await send(request(40002, ['deviceId=dev-a', 'secret=s3cr3t'], chunk, [block(0, true)]));
    for (const mid of [40001, 40002]) {
      const r = await replyTo(mid);
      expect(code(r)).toBe('4.02');
      expect(Buffer.from(r.payload).toString()).toMatch(/block-wise transfer \(RFC 7959\) is not offered/);
    }
    const after = retained();
    expect(after.bytes - before.bytes).toBeLessThanOrEqual(2 * 200);
  });

  it('still a CoAP server: a retransmitted CON gets the same reply and is recorded once; NON gets a NON reply; a ping gets RST', async () => {
    const n = cloud.uplinks.length;
    const req = request(50001, ['deviceId=dev-a', 'secret=s3cr3t', 'topic=coap-dedup'], new Uint8Array(Buffer.from('{"d":1}')));
    await send(req);
    const first = await replyTo(50001);
    expect(code(first)).toBe('2.01');
    await send(req);
    const again = await replyTo(50001);
    expect(Buffer.from(again.payload).equals(Buffer.from(first.payload))).toBe(true);
    expect(cloud.uplinks.length - n).toBe(1);
    await send(request(50002, ['deviceId=dev-a', 'secret=s3cr3t'], new Uint8Array(Buffer.from('[1]')), [], NON));
    await new Promise((r) => setTimeout(r, 50));
    expect(replies.some((r) => r.type === NON && code(r) === '2.01')).toBe(true);
    await send(new Uint8Array([0x40, 0x00, 0xc4, 0x51]));
    const rst = await replyTo(0xc451);
    expect(rst.type).toBe(3);
  });
});

describe('finding 3: uplinks of every transport are bounded by bytes', () => {
  it('HTTP, CoAP and UDP uplinks of 50 KB: the record keeps at most maxUplinkBytes', async () => {
    const body = JSON.stringify({ pad: 'x'.repeat(50 * 1024) });
    for (let i = 0; i < 12; i++) {
      const r = await fetch('http://127.0.0.1:' + cloud.httpPort + '/v3/capture?deviceId=dev-a&topic=h', { method: 'POST', headers: { secret: 's3cr3t' }, body });
      expect(r.status).toBe(200);
      await send(request(60000 + i, ['deviceId=dev-a', 'secret=s3cr3t', 'topic=c'], new Uint8Array(Buffer.from(body))));
      await replyTo(60000 + i);
      await new Promise<void>((res) => sock.send(formatUdpDatagram({ deviceId: 'dev-b', secret: 's3cr3t', topic: 'u' }, body), cloud.udpPort, '127.0.0.1', () => res()));
    }
    await cloud.waitForUplink((u) => u.transport === 'udp' && cloud.uplinks.filter((x) => x.transport === 'udp').length >= 1);
    await new Promise((r) => setTimeout(r, 50));
    // 36 x 50 KB = 1.8 MB sent; the record holds at most 512 KB (plus the newest entry).
    const weight = cloud.uplinks.reduce((n, u) => n + uplinkWeight(u), 0);
    expect(weight).toBeLessThanOrEqual(512 * 1024 + 52 * 1024);
    expect(cloud.uplinks.reduce((n, u) => n + u.raw.length, 0)).toBeLessThanOrEqual(512 * 1024 + 52 * 1024);
    expect(new Set(cloud.uplinks.map((u) => u.transport)).size).toBeGreaterThan(0);
    const last = cloud.uplinks.at(-1)!;
    expect((last.payload as { pad: string }).pad.length).toBe(50 * 1024); // read on demand from the bytes
  });

  it('UDP refusals with a 65 KB deviceId keep 128 characters of it', async () => {
    const before = cloud.authLog.length;
    const id = 'u'.repeat(65000);
    for (let i = 0; i < 10; i++) {
      await new Promise<void>((res) => sock.send(formatUdpDatagram({ deviceId: id, secret: 'wrong' }, '{}'), cloud.udpPort, '127.0.0.1', () => res()));
      while (cloud.authLog.length < before + i + 1) await new Promise((r) => setTimeout(r, 2));
    }
    const added = cloud.authLog.slice(before);
    expect(added.length).toBe(10);
    for (const e of added) {
      expect(e.deviceId).toBe('u'.repeat(128) + '...(65000 chars)');
      expect(authEntryChars(e)).toBeLessThan(400);
    }
  });
});

describe('finding 1 for capture: a throwing listener', () => {
  it('an uplink listener that throws on an HTTP, CoAP or UDP uplink is caught (HTTP: 500); the mock keeps serving', async () => {
    const boom = () => {
      throw new Error('capture listener exploded');
    };
    cloud.on('uplink', boom);
    try {
      const r = await fetch('http://127.0.0.1:' + cloud.httpPort + '/v3/capture?deviceId=dev-a&topic=boom', { method: 'POST', headers: { secret: 's3cr3t' }, body: '{}' });
      expect(r.status).toBe(500);
      await send(request(61000, ['deviceId=dev-a', 'secret=s3cr3t'], new Uint8Array(Buffer.from('{}'))));
      await new Promise<void>((res) => sock.send(formatUdpDatagram({ deviceId: 'dev-a', secret: 's3cr3t' }, '{}'), cloud.udpPort, '127.0.0.1', () => res()));
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      cloud.off('uplink', boom);
    }
    const ok = await fetch('http://127.0.0.1:' + cloud.httpPort + '/v3/capture?deviceId=dev-a&topic=after', { method: 'POST', headers: { secret: 's3cr3t' }, body: '{}' });
    expect(ok.status).toBe(200);
  });
});

describe('an HTTP request target that is not a URL path', () => {
  it("'GET //' gets 400 and one log line; the mock (with a log, as the CLI runs it) keeps serving", async () => {
    const { connect } = await import('node:net');
    const lines: string[] = [];
    const logged = await startMockCloud({ registry, log: (l) => lines.push(l) });
    try {
      const raw = (text: string) => new Promise<string>((resolve, reject) => {
        let got = '';
        const s = connect(logged.httpPort, '127.0.0.1', () => s.write(text));
        s.on('data', (d) => (got += d));
        s.on('end', () => resolve(got));
        s.on('error', reject);
      });
      const reply = await raw('GET // HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      expect(reply.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
      const r = await fetch('http://127.0.0.1:' + logged.httpPort + '/v3/capture?deviceId=dev-b&topic=after', { method: 'POST', headers: { secret: 's3cr3t' }, body: '{"ok":1}' });
      expect(r.status).toBe(200);
      expect(lines.filter((l) => l.indexOf('http: refused GET //') === 0)).toHaveLength(1);
    } finally {
      await logged.close();
    }
  });
});

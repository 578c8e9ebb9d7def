// The console's bounds, without a browser: the feed ring by count and by bytes, the device table
// (only registered devices, marks capped), SSE batches (events past a batch counted as skipped), the
// stream count (503 past it), and a stream that stops reading is dropped once its unsent bytes pass
// the bound while a reading one keeps getting news and the admin API keeps answering.
import { connect as netConnect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startMockCloud, type MockCloud } from '../../src/mock/index';
import { Registry } from '../../src/mock/registry';
import { DeviceTable, MAX_MARKS } from '../../src/mock/console/devices';
import { Feed, feedEventBytes } from '../../src/mock/console/feed';
import { payloadPreview, PREVIEW_CHARS } from '../../src/mock/console/describe';
import { ConsoleState } from '../../src/mock/console/state';
import { generateKeyPair } from '../../targets/node/index';

const key = generateKeyPair();
const registryJson = { devices: [{ deviceId: 'dev-a', credentials: [{ publicKey: key.publicKeyPem }] }], connectors: [] };
const ev = (text: string) => ({ time: 1, kind: 'uplink' as const, device: 'd', transport: 'mqtt', text, ok: true });

describe('the feed ring', () => {
  it('keeps the newest maxEvents, in order, with increasing seqs', () => {
    const f = new Feed(5, 1e9);
    for (let i = 0; i < 12; i++) f.add(ev('e' + i));
    expect(f.size).toBe(5);
    expect(f.list().map((e) => e.text)).toEqual(['e7', 'e8', 'e9', 'e10', 'e11']);
    expect(f.list(2).map((e) => e.seq)).toEqual([11, 12]);
    expect(f.list(undefined, 10).map((e) => e.text)).toEqual(['e10', 'e11']);
    expect(f.lastSeq).toBe(12);
  });

  it('keeps its counted bytes under maxBytes, dropping the oldest, and counts exactly what it holds', () => {
    const f = new Feed(1000, 10000);
    for (let i = 0; i < 300; i++) f.add(ev('x'.repeat(i % 50) + i));
    expect(f.bytes).toBeLessThanOrEqual(10000);
    expect(f.bytes).toBe(f.list().reduce((n, e) => n + feedEventBytes(e), 0));
    expect(f.list().pop()!.text).toMatch(/299$/);
    // One event larger than the bound is still kept (alone): the newest is never dropped.
    f.add(ev('y'.repeat(20000)));
    expect(f.size).toBe(1);
  });
});

describe('the device table', () => {
  const reg = () => Registry.fromJson(registryJson, 'test');

  it('keeps records for registered devices only, whatever ids refused logins use', () => {
    const t = new DeviceTable(reg);
    for (let i = 0; i < 1000; i++) t.refused('made-up-' + i, 'unknown device', i);
    t.refused('dev-a', 'bad signature', 5);
    expect(t.rows().map((r) => r.deviceId)).toEqual(['dev-a']);
    expect(t.marks('made-up-1')).toEqual([]);
    expect(t.marks('dev-a')).toEqual([{ t: 5, k: 'refused', note: 'bad signature' }]);
  });

  it('sends rows whose only change is last seen only when asked for all, connects and ends always', () => {
    const t = new DeviceTable(reg);
    t.takeDirty(100);
    t.uplink('dev-a', 'mqtt', 1);
    expect(t.takeDirty(100, false)).toEqual([]);
    expect(t.takeDirty(100, true).map((r) => r.lastSeen)).toEqual([1]);
    t.uplink('dev-a', 'mqtt', 2);
    t.connect({ clientId: 'dev-a', deviceIds: ['dev-a'], transport: 'mqtt', auth: 'jwt' }, 3);
    expect(t.takeDirty(100, false).map((r) => r.connected)).toEqual([true]);
    expect(t.takeDirty(100, true)).toEqual([]); // sent once
  });

  it('caps the marks per device, tells a refresh from a reconnect, and merges fallback uplinks into periods', () => {
    const t = new DeviceTable(reg);
    const s = (exp: number) => ({ clientId: 'dev-a', deviceIds: ['dev-a'], transport: 'mqtt', auth: 'jwt' as const, exp, iat: exp - 660, kid: 'k' });
    expect(t.connect(s(1000), 0)).toBe('connect');
    t.disconnect(s(1000), 'client sent DISCONNECT', 10);
    expect(t.connect(s(2000), 20)).toBe('refresh');
    t.disconnect(s(2000), 'socket error', 30);
    expect(t.connect(s(2000), 40)).toBe('connect');
    expect(t.marks('dev-a').map((m) => m.k)).toEqual(['connect', 'disconnect', 'refresh', 'disconnect', 'reconnect']);
    // exp 2000 s, lifetime 660 - 60 = 600 s: refresh due with 15 % (90 s) left.
    expect(t.row('dev-a').refreshAt).toBe(1910 * 1000);
    t.disconnect(s(2000), 'socket error', 50);
    t.uplink('dev-a', 'http', 100);
    t.uplink('dev-a', 'coap', 200);
    t.uplink('dev-a', 'http', 200 + 61000);
    const fb = t.marks('dev-a').filter((m) => m.k === 'fallback');
    expect(fb).toEqual([{ t: 100, k: 'fallback', t2: 200, note: 'http' }, { t: 61200, k: 'fallback', t2: 61200, note: 'http' }]);
    for (let i = 0; i < 3 * MAX_MARKS; i++) t.refused('dev-a', 'r' + i, 1e6 + i);
    const marks = t.marks('dev-a');
    expect(marks).toHaveLength(MAX_MARKS);
    expect(marks[marks.length - 1].note).toBe('r' + (3 * MAX_MARKS - 1));
  });
});

describe('payload previews', () => {
  it('are clipped, with control characters escaped; bytes that are not UTF-8 show as hex', () => {
    expect(payloadPreview(Buffer.from('{"a":1}'))).toBe('{"a":1}');
    const long = payloadPreview(Buffer.from('z'.repeat(300000)));
    expect(long).toBe('z'.repeat(PREVIEW_CHARS) + '... (300000 bytes)');
    expect(payloadPreview(Buffer.from('a\x1b[2Jb\nc'))).toBe('a\\x1b[2Jb\\x0ac');
    expect(payloadPreview(Buffer.from([0xff, 0x00, 0x01]))).toBe('hex ff0001');
    // A multi-byte character cut at the preview's edge is still text.
    expect(payloadPreview(Buffer.from('é'.repeat(1000)))).toMatch(/^é+\.\.\. \(2000 bytes\)$/);
    expect(payloadPreview(new Uint8Array(0))).toBe('(empty)');
  });
});

describe('SSE batches', () => {
  it('send at most batchEvents events a period and count the rest as skipped', () => {
    const reg = Registry.fromJson(registryJson, 'test');
    const c = new ConsoleState(() => reg, () => 1000, { batchEvents: 10 });
    const sent: string[] = [];
    for (let i = 0; i < 25; i++) c.onDownlink('dev-a', undefined, Buffer.from('n' + i), 0);
    // The hub's batch function, as a tick would call it.
    const batch = (c as unknown as { batch(): string | null }).batch.bind(c);
    const b = JSON.parse(batch()!);
    expect(b.events).toHaveLength(10);
    expect(b.skipped).toBe(15);
    expect(b.events[9].text).toMatch(/^\(default topic\) {2}n24 /);
    expect(batch()).toBeNull(); // nothing new
    c.onDownlink('dev-a', undefined, Buffer.from('late'), 0);
    sent.push(batch()!);
    expect(JSON.parse(sent[0]).events.map((e: { text: string }) => e.text.split('  ')[1])).toEqual(['late']);
    expect(c.stats().skipped).toBe(15);
  });
});

interface Stream {
  socket: Socket;
  text: () => string;
  status: Promise<number>;
}

/** A raw GET of the event stream; `read: false` never reads (a stalled tab). */
function openStream(cloud: MockCloud, read = true): Stream {
  const socket = netConnect({ host: '127.0.0.1', port: cloud.adminPort });
  let buf = '';
  let gotStatus: (n: number) => void = () => undefined;
  const status = new Promise<number>((r) => (gotStatus = r));
  socket.write('GET /console/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ' + cloud.adminToken + '\r\n\r\n');
  if (read) {
    socket.on('data', (b: Buffer) => {
      buf += b.toString('latin1');
      const m = /^HTTP\/1\.1 (\d+)/.exec(buf);
      if (m) gotStatus(Number(m[1]));
    });
  } else {
    socket.once('data', (b: Buffer) => {
      const m = /^HTTP\/1\.1 (\d+)/.exec(b.toString('latin1'));
      if (m) gotStatus(Number(m[1]));
      socket.pause(); // and never again resumed: the kernel buffers fill, then the server's
    });
  }
  socket.on('error', () => undefined);
  return { socket, text: () => buf, status };
}

const until = async (what: string, ok: () => boolean, timeoutMs = 10000) => {
  const end = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > end) throw new Error('timed out waiting for ' + what);
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('the console event stream', () => {
  let cloud: MockCloud | undefined;
  const open: Socket[] = [];
  afterEach(async () => {
    for (const s of open.splice(0)) s.destroy();
    if (cloud) await cloud.close();
    cloud = undefined;
  });

  it('refuses streams past maxClients with 503, and takes a new one once one closes', async () => {
    cloud = await startMockCloud({ registry: registryJson, admin: { console: { maxClients: 2 } } });
    const a = openStream(cloud);
    const b = openStream(cloud);
    open.push(a.socket, b.socket);
    expect(await a.status).toBe(200);
    expect(await b.status).toBe(200);
    const c = openStream(cloud);
    open.push(c.socket);
    expect(await c.status).toBe(503);
    a.socket.destroy();
    await new Promise((r) => setTimeout(r, 50)); // the server sees the close
    const d = openStream(cloud);
    open.push(d.socket);
    expect(await d.status).toBe(200);
    await until('the snapshot on the new stream', () => /data: \{"type":"snapshot"/.test(d.text()));
  });

  it('drops a stream that stops reading once its unsent bytes pass maxQueuedBytes; a reading one keeps getting news', async () => {
    const lines: string[] = [];
    cloud = await startMockCloud({ registry: registryJson, admin: { console: { maxQueuedBytes: 64 * 1024, intervalMs: 10, batchEvents: 1000, feedEvents: 2000 } }, log: (l) => lines.push(l) });
    const c = cloud;
    const slow = openStream(c, false);
    const good = openStream(c);
    open.push(slow.socket, good.socket);
    expect(await slow.status).toBe(200);
    expect(await good.status).toBe(200);
    const payload = Buffer.from('p'.repeat(90));
    // News until the stalled stream is dropped: ~250 KB a batch, past any socket buffers.
    await until('the stalled stream to be dropped', () => {
      for (let i = 0; i < 1000; i++) c.sendDownlink('dev-a', payload);
      return lines.some((l) => /console: dropped an event stream .* bytes unread \(more than 65536\)/.test(l));
    }, 30000);
    const state = async () => (await (await fetch(c.consoleUrl + 'console/state', { headers: { authorization: 'Bearer ' + c.adminToken } })).json()) as { stats: { streams: number } };
    expect((await state()).stats.streams).toBe(1); // the reading one
    const seen = good.text().length;
    c.sendDownlink('dev-a', 'after-the-drop');
    await until('news on the reading stream', () => good.text().slice(seen).includes('after-the-drop'));
    const r = await fetch('http://127.0.0.1:' + c.adminPort + '/admin/devices', { headers: { authorization: 'Bearer ' + c.adminToken } });
    expect(r.status).toBe(200);
  });
});

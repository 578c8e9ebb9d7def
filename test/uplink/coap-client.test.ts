// The CoAP client: retransmission schedule on a virtual clock (initial timeout in [2 s, 3 s],
// doubled, 4 retransmits, then failure), lost ACKs, piggy-backed and separate responses,
// duplicates, RST; and interop over real sockets with the `coap` library's server.
import { createServer } from 'coap';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCoapClient } from '../../src/uplink/coap/client';
import { ACK, CON, encodeCoap, JSON_FORMAT, NON, OPT, parseCoap, POST, RST, stringOption, uintOption, type CoapMessage } from '../../src/uplink/coap/codec';
import { nodePlatform } from '../../targets/node/platform';
import { createScriptedPlatform, recordingBroker, type Datagram } from '../device/scripted-platform';

const none = new Uint8Array(0);
const req = { host: 'coap.test', port: 5683, code: POST, options: [stringOption(OPT.uriPath, 'x')], payload: new Uint8Array([0x7b, 0x7d]) };

function setup(rand: number | null = 0.5, opts = {}) {
  const sp = createScriptedPlatform(recordingBroker().broker);
  if (rand !== null) sp.setRandom(() => rand);
  const client = createCoapClient(sp.platform, opts);
  const results: { err: Error | null; res?: CoapMessage; at: number }[] = [];
  const send = () => client.request(req, (err, res) => results.push({ err, res, at: sp.elapsed() }));
  return { sp, client, results, send };
}
const parsed = (d: Datagram) => parseCoap(d.bytes) as CoapMessage;
const answer = (d: Datagram, m: Partial<CoapMessage>) => {
  const r = parsed(d);
  d.reply(encodeCoap({ type: ACK, code: 65, messageId: r.messageId, token: r.token, options: [], payload: none, ...m }));
};

describe('CoAP retransmission (virtual time)', () => {
  for (const rand of [0, 0.37, 0.999]) {
    it(`no answer: 1 + 4 transmissions at doubling intervals within [2, 3] s x 2^n, then a timeout (random ${rand})`, async () => {
      const { sp, results, send } = setup(rand);
      send();
      await sp.advance(200_000);
      const at = sp.datagrams.map((d) => d.at);
      expect(at.length).toBe(5);
      const t0 = 2000 * (1 + 0.5 * rand);
      for (let n = 0; n < 4; n++) {
        const gap = at[n + 1] - at[n];
        expect(gap).toBeGreaterThanOrEqual(2000 * 2 ** n);
        expect(gap).toBeLessThanOrEqual(3000 * 2 ** n);
        expect(gap).toBeCloseTo(t0 * 2 ** n, 2);
      }
      // the same message (same id and token) each time
      expect(new Set(sp.datagrams.map((d) => Buffer.from(d.bytes).toString('hex'))).size).toBe(1);
      expect(results.length).toBe(1);
      expect(results[0].err!.message).toMatch(/no answer after 5 transmissions/);
      expect(results[0].at).toBeCloseTo(at[0] + 31 * t0, 2); // MAX_TRANSMIT_WAIT at this initial timeout
    });
  }

  it('a lost ACK: the retransmission is answered (piggy-backed), stray ACKs and wrong tokens are ignored', async () => {
    const { sp, results, send } = setup();
    let n = 0;
    sp.setUdpPeer((d) => {
      if (n++ === 0) return; // the first answer is lost
      const m = parsed(d);
      d.reply(encodeCoap({ type: ACK, code: 65, messageId: (m.messageId + 1) & 0xffff, token: m.token, options: [], payload: none })); // wrong id
      answer(d, { token: new Uint8Array([9, 9, 9, 9]) }); // right id, wrong token: not ours
      answer(d, { payload: new Uint8Array([0x7b, 0x7d]) });
      answer(d, {}); // a duplicate: ignored
    });
    send();
    await sp.advance(10_000);
    expect(sp.datagrams.length).toBe(2);
    expect(results.length).toBe(1);
    expect(results[0].err).toBeNull();
    expect(results[0].res!.code).toBe(65);
    expect(results[0].res!.payload).toEqual(new Uint8Array([0x7b, 0x7d]));
    await sp.advance(100_000);
    expect(sp.datagrams.length).toBe(2); // nothing more sent
  });

  it('separate response: empty ACK stops retransmission, the CON response is ACKed (and its duplicate too), delivered once', async () => {
    const { sp, results, send } = setup();
    const peer: Datagram[] = [];
    sp.setUdpPeer((d) => {
      peer.push(d);
      const m = parsed(d);
      if (m.type === CON) d.reply(encodeCoap({ type: ACK, code: 0, messageId: m.messageId, token: none, options: [], payload: none }));
    });
    send();
    await sp.advance(20_000); // well past several ACK timeouts: no retransmission after the empty ACK
    expect(sp.datagrams.length).toBe(1);
    const r = parsed(peer[0]);
    const response = encodeCoap({ type: CON, code: 65, messageId: 0x7001, token: r.token, options: [uintOption(OPT.contentFormat, JSON_FORMAT)], payload: new Uint8Array([0x5b, 0x5d]) });
    peer[0].reply(response);
    await sp.advance(10);
    peer[0].reply(response); // our ACK was "lost": the server sends it again
    await sp.advance(10);
    expect(results.length).toBe(1);
    expect(results[0].res!.payload).toEqual(new Uint8Array([0x5b, 0x5d]));
    const acks = sp.datagrams.slice(1).map(parsed);
    expect(acks.map((a) => [a.type, a.code, a.messageId, a.token.length])).toEqual([[ACK, 0, 0x7001, 0], [ACK, 0, 0x7001, 0]]);
  });

  it('a separate response whose empty ACK was lost, a NON response, an RST, a stray CON', async () => {
    const { sp, results, send } = setup(null);
    let mode = 'con-first';
    sp.setUdpPeer((d) => {
      const m = parsed(d);
      if (m.type !== CON) return;
      if (mode === 'con-first') d.reply(encodeCoap({ type: CON, code: 65, messageId: 0x42, token: m.token, options: [], payload: none }));
      if (mode === 'non') d.reply(encodeCoap({ type: NON, code: 68, messageId: 0x43, token: m.token, options: [], payload: none }));
      if (mode === 'rst') d.reply(encodeCoap({ type: RST, code: 0, messageId: m.messageId, token: none, options: [], payload: none }));
    });
    send();
    await sp.advance(10);
    expect(results.map((r) => r.res && r.res.code)).toEqual([65]);
    mode = 'non';
    send();
    await sp.advance(10);
    expect(results[1].res!.code).toBe(68);
    const sentBefore = sp.datagrams.length;
    mode = 'rst';
    send();
    await sp.advance(10);
    expect(results[2].err!.message).toMatch(/reset/);
    // only the CON response got an ACK; the NON got none
    expect(sp.datagrams.slice(0, sentBefore).map(parsed).filter((m) => m.type === ACK).map((m) => m.messageId)).toEqual([0x42]);
    // a CON nobody asked for gets an RST
    mode = 'none';
    send();
    await sp.advance(10);
    const last = sp.datagrams[sp.datagrams.length - 1];
    last.reply(encodeCoap({ type: CON, code: 69, messageId: 0x99, token: new Uint8Array([1, 2, 3, 4, 5]), options: [], payload: none }));
    await sp.advance(10);
    const rst = parsed(sp.datagrams[sp.datagrams.length - 1]);
    expect([rst.type, rst.messageId]).toEqual([RST, 0x99]);
  });

  it('a socket that throws fails the request asynchronously and leaves nothing pending; too big fails with EMSGSIZE unsent', async () => {
    const { sp, client, results, send } = setup(null, { maxDatagramBytes: 64 });
    let throwing = true;
    const udp = sp.platform.udp!;
    sp.platform.udp = (o) => {
      const s = udp(o);
      return { send: (b, h, p) => (throwing ? (() => { throw new RangeError('Port should be > 0 and < 65536'); })() : s.send(b, h, p)), close: () => s.close() };
    };
    let inside = true;
    client.request(req, (err) => results.push({ err, at: inside ? -1 : sp.elapsed() }));
    inside = false;
    await sp.advance(60_000);
    expect(results.map((r) => [r.at, r.err && r.err.message])).toEqual([[0, 'Port should be > 0 and < 65536']]); // once, not from inside, no retransmission timer left
    throwing = false;
    client.request({ ...req, payload: new Uint8Array(100).fill(0x20) }, (err) => results.push({ err, at: sp.elapsed() }));
    await sp.advance(10);
    expect([(results[1].err as { code?: string }).code, results[1].err!.message]).toEqual(['EMSGSIZE', expect.stringMatching(/exceeds 64/)]);
    expect(sp.datagrams).toEqual([]);
    sp.setUdpPeer((d) => answer(d, {}));
    send();
    await sp.advance(10);
    expect(results[2].res!.code).toBe(65);
  });

  it('an error after the empty ACK says so (acked): the server has the request', async () => {
    const { sp, results, send } = setup(0.5, { responseTimeoutMs: 5000 });
    let ack = false;
    sp.setUdpPeer((d) => ack && answer(d, { code: 0, token: none }));
    send();
    await sp.advance(100_000);
    ack = true;
    send();
    await sp.advance(5100);
    expect(results.map((r) => [(r.err as { acked?: boolean }).acked, r.err!.message])).toEqual([
      [false, 'CoAP: no answer after 5 transmissions'],
      [true, 'CoAP: no separate response within 5000 ms'],
    ]);
  });

  it('message ids increase and tokens differ between requests', async () => {
    const { sp, send } = setup(null);
    send();
    send();
    send();
    await sp.advance(10);
    const ms = sp.datagrams.map(parsed);
    expect(ms[1].messageId).toBe((ms[0].messageId + 1) & 0xffff);
    expect(ms[2].messageId).toBe((ms[0].messageId + 2) & 0xffff);
    expect(new Set(ms.map((m) => Buffer.from(m.token).toString('hex'))).size).toBe(3);
  });
});

describe('CoAP client against the coap library server (real sockets)', () => {
  let server: ReturnType<typeof createServer>;
  let port = 0;
  const seen: { url: string; payload: string; format: unknown; method: string }[] = [];
  beforeAll(async () => {
    server = createServer({ type: 'udp4' }, (rq, res) => {
      seen.push({ url: rq.url, payload: rq.payload.toString(), format: rq.headers['Content-Format'], method: rq.method });
      const slow = rq.url.includes('slow');
      setTimeout(() => {
        res.code = '2.01';
        res.setOption('Content-Format', 'application/json');
        res.end(JSON.stringify({ ok: rq.url }));
      }, slow ? 300 : 0); // over 50 ms: the library sends an empty ACK, then a separate CON response
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server as unknown as { _sock: { address(): { port: number } } })._sock.address().port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const call = (client: ReturnType<typeof createCoapClient>, path: string) =>
    new Promise<CoapMessage>((resolve, reject) =>
      client.request({ host: '127.0.0.1', port, code: POST, options: [stringOption(OPT.uriPath, path), uintOption(OPT.contentFormat, JSON_FORMAT), stringOption(OPT.uriQuery, 'a=1'), stringOption(OPT.uriQuery, 'b=x y')], payload: Buffer.from('{"v":1}') },
        (e, r) => (e ? reject(e) : resolve(r!))));

  it('piggy-backed and separate responses', async () => {
    const client = createCoapClient(nodePlatform, {});
    const fast = await call(client, 'fast');
    expect(fast.type).toBe(ACK);
    expect(fast.code).toBe(65);
    expect(JSON.parse(Buffer.from(fast.payload).toString())).toEqual({ ok: '/fast?a=1&b=x y' });
    const slow = await call(client, 'slow');
    expect(slow.type).toBe(CON); // a separate response, which the client acknowledged
    expect(JSON.parse(Buffer.from(slow.payload).toString())).toEqual({ ok: '/slow?a=1&b=x y' });
    expect(seen.map((s) => [s.method, s.payload, s.format])).toEqual([['POST', '{"v":1}', 'application/json'], ['POST', '{"v":1}', 'application/json']]);
    client.close();
    client.close();
  });
});

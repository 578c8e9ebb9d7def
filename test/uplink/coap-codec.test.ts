// The CoAP codec (RFC 7252 section 3): commented byte fixtures parsed, encoded and mirrored, every
// option nibble form, format errors named, a cross-check against the coap-packet library, and fuzzing.
import * as coapPacket from 'coap-packet';
import { describe, expect, it } from 'vitest';
import { ACK, codeString, CON, encodeCoap, optionUint, parseCoap, uintOption, type CoapMessage } from '../../src/uplink/coap/codec';
import { ascii, hex } from '../mqtt/gen';
import { CoapGen, fuzzCoap } from './coap-gen';
import { prng } from '../mqtt/gen';

const none = new Uint8Array(0);
const msg = (m: Partial<CoapMessage>): CoapMessage => ({ type: CON, code: 0, messageId: 0, token: none, options: [], payload: none, ...m });

const FIXTURES: { name: string; bytes: string; m: CoapMessage }[] = [
  {
    name: 'empty ACK',
    bytes: `60 // ver 1, type ACK (2), TKL 0
            00 // code 0.00
            12 34 // message id`,
    m: msg({ type: ACK, messageId: 0x1234 }),
  },
  {
    name: 'CON POST /v3/capture?a=b, Content-Format 50, JSON payload',
    bytes: `42 // ver 1, CON, TKL 2
            02 // 0.02 POST
            00 01 // message id 1
            aa bb // token
            b2 76 33 // delta 11 (Uri-Path), length 2: "v3"
            07 63 61 70 74 75 72 65 // delta 0 (Uri-Path), length 7: "capture"
            11 32 // delta 1 (Content-Format 12), length 1: 50
            33 61 3d 62 // delta 3 (Uri-Query 15), length 3: "a=b"
            ff 7b 7d // payload marker, "{}"`,
    m: msg({ code: 2, messageId: 1, token: new Uint8Array([0xaa, 0xbb]), payload: ascii('{}'), options: [
      { number: 11, value: ascii('v3') }, { number: 11, value: ascii('capture') }, { number: 12, value: new Uint8Array([50]) }, { number: 15, value: ascii('a=b') }] }),
  },
  {
    name: 'piggy-backed 2.01 with an 8-byte token',
    bytes: `68 // ver 1, ACK, TKL 8
            41 // 2.01 Created
            12 34 01 02 03 04 05 06 07 08
            c1 32 // delta 12 (Content-Format), length 1: 50
            ff 7b 7d`,
    m: msg({ type: ACK, code: 65, messageId: 0x1234, token: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]), options: [{ number: 12, value: new Uint8Array([50]) }], payload: ascii('{}') }),
  },
  {
    name: 'delta 13 form (Size1 = 60)',
    bytes: `40 01 00 09 // CON GET mid 9
            d1 2f 05 // delta nibble 13 + 47 = 60, length 1: 5`,
    m: msg({ code: 1, messageId: 9, options: [{ number: 60, value: new Uint8Array([5]) }] }),
  },
  {
    name: 'delta 14 form (option 1000, empty)',
    bytes: `50 01 00 0a // NON GET mid 10
            e0 02 db // delta nibble 14 + 0x02db (731) + 269 = 1000, length 0`,
    m: msg({ type: 1, code: 1, messageId: 10, options: [{ number: 1000, value: none }] }),
  },
  {
    name: 'length 13 form (20-byte Uri-Host) and length 14 form (300-byte Uri-Query)',
    bytes: `40 02 00 0b
            3d 07 ${'61 '.repeat(20)} // delta 3 (Uri-Host), length nibble 13 + 7 = 20
            ce 00 1f ${'62 '.repeat(300)} // delta 12 (15 Uri-Query), length nibble 14 + 31 + 269 = 300`,
    m: msg({ code: 2, messageId: 11, options: [{ number: 3, value: ascii('a'.repeat(20)) }, { number: 15, value: ascii('b'.repeat(300)) }] }),
  },
];

describe('CoAP codec fixtures', () => {
  for (const f of FIXTURES) {
    it(f.name, () => {
      const b = hex(f.bytes);
      expect(parseCoap(b)).toEqual(f.m);
      expect(encodeCoap(f.m)).toEqual(b);
      // mirror: coap-packet reads our bytes the same way
      const p = coapPacket.parse(Buffer.from(b));
      expect(p.messageId).toBe(f.m.messageId);
      expect(p.options.map((o) => Buffer.from(o.value).toString('hex'))).toEqual(f.m.options.map((o) => Buffer.from(o.value).toString('hex')));
      expect(Buffer.from(p.payload).toString('hex')).toBe(Buffer.from(f.m.payload).toString('hex'));
    });
  }

  it('the encoder sorts options by number and keeps the order of repeated ones', () => {
    const m = msg({ code: 2, options: [{ number: 15, value: ascii('q') }, { number: 11, value: ascii('a') }, { number: 11, value: ascii('b') }] });
    const back = parseCoap(encodeCoap(m)) as CoapMessage;
    expect(back.options.map((o) => [o.number, String.fromCharCode(o.value[0])])).toEqual([[11, 'a'], [11, 'b'], [15, 'q']]);
  });

  it('uint options are minimal and codes print as c.dd', () => {
    expect(uintOption(12, 0).value).toEqual(none);
    expect(uintOption(12, 50).value).toEqual(new Uint8Array([50]));
    expect(uintOption(7, 5683).value).toEqual(new Uint8Array([0x16, 0x33]));
    expect(optionUint(new Uint8Array([1, 0, 0]))).toBe(65536);
    expect([codeString(2), codeString(65), codeString(129), codeString(160)]).toEqual(['0.02', '2.01', '4.01', '5.00']);
  });

  it('format errors are named, never thrown', () => {
    const cases: [string, RegExp][] = [
      ['40 01 00', /shorter/],
      ['80 01 00 01', /version/],
      ['49 01 00 01 01 02 03 04 05 06 07 08 09', /token length/],
      ['42 01 00 01 aa', /truncated token/],
      ['60 00 12 34 ff', /empty message/],
      ['61 00 12 34 aa', /empty message/],
      ['40 01 00 01 ff', /empty payload/],
      ['40 01 00 01 f1 00', /reserved/],
      ['40 01 00 01 1f', /reserved/],
      ['40 01 00 01 d0', /truncated option delta/],
      ['40 01 00 01 e0 01', /truncated option delta/],
      ['40 01 00 01 0d', /truncated option length/],
      ['40 01 00 01 0e 00', /truncated option length/],
      ['40 01 00 01 b5 61 62', /truncated option value/],
      ['40 01 00 01 e0 ff ff e0 00 01', /above 65535/],
    ];
    for (const [h, re] of cases) {
      const r = parseCoap(hex(h));
      expect(typeof r, h).toBe('string');
      expect(r, h).toMatch(re);
    }
  });
});

describe('CoAP codec against coap-packet', () => {
  it('500 random messages: ours -> coap-packet and coap-packet -> ours agree', () => {
    const g = new CoapGen(prng(7252));
    let checked = 0;
    for (let i = 0; i < 500; i++) {
      const m = g.message();
      if (m.code === 0) continue;
      const b = encodeCoap(m);
      const p = coapPacket.parse(Buffer.from(b));
      expect(p.messageId).toBe(m.messageId);
      expect(Buffer.from(p.token).toString('hex')).toBe(Buffer.from(m.token).toString('hex'));
      expect(p.options.length).toBe(m.options.length);
      expect(Buffer.from(p.payload).toString('hex')).toBe(Buffer.from(m.payload).toString('hex'));
      expect(p.confirmable).toBe(m.type === 0);
      expect(p.ack).toBe(m.type === 2);
      expect(p.reset).toBe(m.type === 3);
      // and back: coap-packet's bytes parse to our message
      const again = (coapPacket.generate as (p: unknown, max: number) => Buffer)(p, 65536);
      expect(parseCoap(new Uint8Array(again))).toEqual(m);
      checked++;
    }
    expect(checked).toBeGreaterThan(400);
  });
});

const COUNT = Number(process.env.COAP_FUZZ_COUNT || 20000);
it(`CoAP fuzz: ${COUNT} random and mutated inputs, zero exceptions, accepted ones re-encode byte for byte`, () => {
  const r = fuzzCoap(COUNT, Number(process.env.COAP_SEED || 0xc0a9));
  console.log('coap fuzz', JSON.stringify({ ...r, failures: r.failures.length }));
  expect(r.failures).toEqual([]);
  expect(r.exceptions).toBe(0);
  expect(r.inputs).toBe(COUNT);
  expect(r.parsed).toBeGreaterThan(COUNT / 5);
  expect(Object.values(r.rejected).reduce((a, b) => a + b, 0)).toBeGreaterThan(COUNT / 5);
});

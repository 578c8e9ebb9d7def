// MQTT 3.1.1 codec: every commented fixture parsed, generated and mirrored; remaining-length
// forms (1 to 4 bytes); refusals of malformed input and of packets encode() cannot express.
import { describe, expect, it } from 'vitest';
import { createParser, encode, MqttError, type Packet } from '../../src/mqtt/codec';
import { parseAll } from './parse-all';
import { FIXTURES, MALFORMED } from './fixtures';
import { cat, hex, toHex } from './gen';

describe('fixtures', () => {
  for (const f of FIXTURES) {
    describe(f.name, () => {
      it('parse: bytes -> object', () => {
        const r = parseAll([f.bytes]);
        expect(r.errors).toEqual([]);
        expect(r.packets).toEqual([f.packet]);
      });
      it('generate: object -> bytes', () => {
        expect(toHex(encode(f.packet))).toBe(toHex(f.bytes));
      });
      it('mirror: parse(generate(x)) equals x', () => {
        const r = parseAll([encode(f.packet)]);
        expect(r.packets).toEqual([f.packet]);
      });
    });
  }

  it('a string password is sent as its UTF-8 bytes', () => {
    const bytes = encode({ cmd: 'connect', clientId: 'c', keepalive: 1, clean: true, username: 'u', password: 'pä' });
    const r = parseAll([bytes]);
    expect(r.packets[0]).toMatchObject({ password: new Uint8Array([0x70, 0xc3, 0xa4]) });
  });

  it('all fixtures back to back in one chunk', () => {
    const r = parseAll([cat(...FIXTURES.map((f) => f.bytes))]);
    expect(r.errors).toEqual([]);
    expect(r.packets).toEqual(FIXTURES.map((f) => f.packet));
  });
});

describe('remaining length', () => {
  const cases: [number, string][] = [
    [0, '00'],
    [127, '7f'],
    [128, '80 01'],
    [16383, 'ff 7f'],
    [16384, '80 80 01'],
    [2097151, 'ff ff 7f'],
    [2097152, '80 80 80 01'],
  ];
  for (const [n, h] of cases) {
    it(`${n} -> ${h}`, () => {
      // PUBLISH to "t" (3 bytes) with a payload filling the rest; PINGREQ for 0
      const p: Packet = n ? { cmd: 'publish', topic: 't', payload: new Uint8Array(n - 3), qos: 0, retain: false, dup: false } : { cmd: 'pingreq' };
      const bytes = encode(p);
      expect(toHex(bytes.subarray(1, 1 + hex(h).length))).toBe(toHex(hex(h)));
      expect(bytes.length).toBe(1 + hex(h).length + n);
      const r = parseAll([bytes], { maxPacketSize: bytes.length });
      expect(r.errors).toEqual([]);
      expect(r.packets).toHaveLength(1);
      // compare payloads as Buffers: vitest's element-wise equality takes seconds on 2 MB
      const got = r.packets[0] as { payload?: Uint8Array };
      expect({ ...got, payload: 0 }).toEqual({ ...p, payload: 0 });
      if (n) expect(Buffer.from(got.payload!).equals(Buffer.from((p as { payload: Uint8Array }).payload))).toBe(true);
    });
  }

  it('the 4-byte maximum ff ff ff 7f (268,435,455) is accepted as a length', () => {
    const r = parseAll([hex('30 ff ff ff 7f')], { maxPacketSize: 268435455 + 5 });
    expect(r.errors).toEqual([]); // waiting for the body
    expect(r.packets).toEqual([]);
  });

  it('a 5th length byte is malformed', () => {
    const r = parseAll([hex('30 ff ff ff ff 01')], { maxPacketSize: 1e9 });
    expect(r.errors.map((e) => e.code)).toEqual(['MQTT_MALFORMED']);
  });
});

describe('maxPacketSize', () => {
  it('is the whole packet, fixed header included', () => {
    const bytes = encode({ cmd: 'publish', topic: 't', payload: new Uint8Array(100), qos: 0, retain: false, dup: false });
    expect(parseAll([bytes], { maxPacketSize: bytes.length }).packets).toHaveLength(1);
    const r = parseAll([bytes], { maxPacketSize: bytes.length - 1 });
    expect(r.errors.map((e) => e.code)).toEqual(['MQTT_TOO_LARGE']);
  });

  it('refuses as soon as the length is known, before any body byte arrives', () => {
    const r = parseAll([hex('30'), hex('80'), hex('80'), hex('01')], { maxPacketSize: 1000 });
    // 0x80 0x80 0x01 = 16384: over 1000 after the third length byte; 0x80 0x80 alone could still be 0
    expect(r.errors.map((e) => e.code)).toEqual(['MQTT_TOO_LARGE']);
    const early = parseAll([hex('30 ff')], { maxPacketSize: 100 }); // at least 127 + 3 bytes already
    expect(early.errors.map((e) => e.code)).toEqual(['MQTT_TOO_LARGE']);
  });

  it('defaults to 1 MiB', () => {
    const r = parseAll([hex('30 ff ff 3f')]); // 1,048,575 + 4 header bytes
    expect(r.errors.map((e) => e.code)).toEqual(['MQTT_TOO_LARGE']);
    expect(parseAll([hex('30 fb ff 3f')]).errors).toEqual([]); // 1,048,571 + 4 = 1 MiB
  });
});

describe('malformed input is reported once, never thrown', () => {
  for (const [name, h] of MALFORMED) {
    it(name, () => {
      const bytes = hex(h);
      const r = parseAll([bytes, encode({ cmd: 'pingreq' })]); // bytes after the failure are ignored
      expect(r.packets).toEqual([]);
      expect(r.errors).toHaveLength(1);
      expect(r.errors[0]).toBeInstanceOf(MqttError);
      expect(r.errors[0].code).toBe('MQTT_MALFORMED');
      expect(r.errors[0].message).not.toMatch(/internal/);
    });
  }

  it('an empty client id without clean session is well-formed (the server answers CONNACK 2)', () => {
    // encode() refuses to send it (3.1.3-7), but a broker must be able to read it (3.1.3-8)
    const r = parseAll([hex('10 0c 00 04 4d 51 54 54 04 00 00 3c 00 00 // flags 0, client id ""')]);
    expect(r.errors).toEqual([]);
    expect(r.packets).toEqual([{ cmd: 'connect', clientId: '', keepalive: 60, clean: false }]);
  });

  it('a packet before the bad one is still delivered', () => {
    const r = parseAll([cat(hex('d0 00'), hex('00 00'), hex('d0 00'))]);
    expect(r.packets).toEqual([{ cmd: 'pingresp' }]);
    expect(r.errors).toHaveLength(1);
  });
});

describe('parser lifecycle', () => {
  it('close() stops delivery, also from inside onPacket', () => {
    const got: Packet[] = [];
    const parser = createParser({
      onPacket: (p) => {
        got.push(p);
        parser.close();
      },
      onError: () => {
        throw new Error('unexpected');
      },
    });
    parser.push(hex('d0 00 d0 00'));
    parser.push(hex('d0 00'));
    parser.close();
    expect(got).toHaveLength(1);
  });

  it('an exception from onPacket propagates and leaves the parser failed', () => {
    let n = 0;
    const parser = createParser({
      onPacket: () => {
        n++;
        throw new Error('boom');
      },
      onError: () => {},
    });
    expect(() => parser.push(hex('d0 00 d0 00'))).toThrow('boom');
    parser.push(hex('d0 00'));
    expect(n).toBe(1);
  });

  it('does not keep the pushed chunk: reusing the caller buffer changes nothing', () => {
    const buf = hex('30 05 00 01 74 68 69'); // "t", "hi"
    const r = parseAll([buf.subarray(0, 4)]);
    const parser = createParser({ onPacket: (p) => r.packets.push(p), onError: (e) => r.errors.push(e) });
    const chunk = buf.slice(0, 4);
    parser.push(chunk);
    chunk.fill(0);
    parser.push(buf.subarray(4));
    expect(r.packets).toEqual([{ cmd: 'publish', topic: 't', payload: new Uint8Array([0x68, 0x69]), qos: 0, retain: false, dup: false }]);
  });
});

describe('encode refuses what MQTT 3.1.1 cannot express', () => {
  const pub = { cmd: 'publish', topic: 't', payload: new Uint8Array(1), qos: 1, retain: false, dup: false, messageId: 1 } as const;
  const bad: [string, unknown, string?][] = [
    ['PUBLISH topic with +', { ...pub, topic: 'a/+' }],
    ['PUBLISH topic with #', { ...pub, topic: '#' }],
    ['PUBLISH empty topic', { ...pub, topic: '' }],
    ['PUBLISH topic with U+0000', { ...pub, topic: 'a\0' }],
    ['PUBLISH QoS 3', { ...pub, qos: 3 }],
    ['PUBLISH QoS 1 without messageId', { ...pub, messageId: undefined }],
    ['PUBLISH messageId 0', { ...pub, messageId: 0 }],
    ['PUBLISH messageId 65536', { ...pub, messageId: 65536 }],
    ['PUBLISH messageId 1.5', { ...pub, messageId: 1.5 }],
    ['PUBLISH dup at QoS 0', { ...pub, qos: 0, dup: true }],
    ['PUBLISH string payload', { ...pub, payload: 'x' }],
    ['PUBLISH topic over 65535 bytes', { ...pub, topic: 'ä'.repeat(32768) }],
    ['PUBACK messageId 0', { cmd: 'puback', messageId: 0 }],
    ['SUBSCRIBE no subscriptions', { cmd: 'subscribe', messageId: 1, subscriptions: [] }],
    ['SUBSCRIBE filter a#', { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'a#', qos: 0 }] }],
    ['SUBSCRIBE filter #/a', { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: '#/a', qos: 0 }] }],
    ['SUBSCRIBE filter a+/b', { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'a+/b', qos: 0 }] }],
    ['SUBSCRIBE empty filter', { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: '', qos: 0 }] }],
    ['SUBSCRIBE QoS 3', { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'a', qos: 3 }] }],
    ['SUBACK code 3', { cmd: 'suback', messageId: 1, granted: [3] }],
    ['UNSUBSCRIBE no filters', { cmd: 'unsubscribe', messageId: 1, unsubscriptions: [] }],
    ['CONNECT password without username', { cmd: 'connect', clientId: 'c', keepalive: 0, clean: true, password: 'p' }],
    ['CONNECT empty clientId without clean', { cmd: 'connect', clientId: '', keepalive: 0, clean: false }],
    ['CONNECT keepalive 65536', { cmd: 'connect', clientId: 'c', keepalive: 65536, clean: true }],
    ['CONNECT will topic with wildcard', { cmd: 'connect', clientId: 'c', keepalive: 0, clean: true, will: { topic: 'a/#', payload: new Uint8Array(0), qos: 0, retain: false } }],
    ['CONNECT password over 65535 bytes', { cmd: 'connect', clientId: 'c', keepalive: 0, clean: true, username: 'u', password: new Uint8Array(65536) }],
    ['CONNACK return code 256', { cmd: 'connack', sessionPresent: false, returnCode: 256 }],
    ['unknown cmd', { cmd: 'auth' }],
  ];
  for (const [name, p] of bad) {
    it(name, () => {
      let err: unknown;
      try {
        encode(p as Packet);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(MqttError);
      expect((err as MqttError).code).toBe('MQTT_INVALID');
    });
  }

  it('valid filters pass', () => {
    for (const f of ['#', '+', 'a/#', '+/+', '/+/', 'a/+/b/#', '/down/device/id/x/#', 'a//b']) {
      expect(() => encode({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: f, qos: 1 }] })).not.toThrow();
    }
  });
});

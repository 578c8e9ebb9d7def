// Conformance against mqtt-packet (protocolVersion 4): random valid packets encoded by us must
// parse in mqtt-packet to the same fields, and mqtt-packet's generate() output must parse in
// ours to the packet it was made from. Count: MQTT_PROPERTY_COUNT (default 5,000 each way).
import mqttPacket from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { createParser, encode, type Packet } from '../../src/mqtt/codec';
import { Gen, normalize, prng, toMqttPacket } from './gen';

const COUNT = Number(process.env.MQTT_PROPERTY_COUNT || 5000);
const SEED = Number(process.env.MQTT_SEED || 0x5eed);

describe(`mqtt-packet round trips (${COUNT} random packets each way, seed ${SEED})`, () => {
  it('ours encode -> mqtt-packet parse', () => {
    const g = new Gen(prng(SEED));
    const sent: Packet[] = [];
    const got: unknown[] = [];
    const errors: Error[] = [];
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    parser.on('packet', (p: unknown) => got.push(p));
    parser.on('error', (e: Error) => errors.push(e));
    const counts: Record<string, number> = {};
    for (let i = 0; i < COUNT; i++) {
      const p = g.packet();
      counts[p.cmd] = (counts[p.cmd] || 0) + 1;
      sent.push(p);
      parser.parse(Buffer.from(encode(p)));
      expect(errors).toEqual([]);
      expect(got).toHaveLength(i + 1);
      expect(normalize(got[i])).toEqual(normalize(p));
    }
    expect(Object.keys(counts)).toHaveLength(14); // every packet type was exercised
  });

  it('mqtt-packet generate -> ours parse', () => {
    const g = new Gen(prng(SEED + 1));
    const got: Packet[] = [];
    const errors: Error[] = [];
    const parser = createParser({ maxPacketSize: 1 << 20, onPacket: (p) => got.push(p), onError: (e) => errors.push(e) });
    for (let i = 0; i < COUNT; i++) {
      const p = g.packet();
      const bytes = mqttPacket.generate(toMqttPacket(p));
      // and the bytes are the same as ours (both minimal encodings of the same fields)
      expect(Buffer.from(encode(p)).equals(bytes)).toBe(true);
      parser.push(new Uint8Array(bytes));
      expect(errors).toEqual([]);
      expect(got).toHaveLength(i + 1);
      expect(normalize(got[i])).toEqual(normalize(p));
    }
  });
});

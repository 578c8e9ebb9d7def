// Test helper: feed chunks to a fresh parser, collect what it reports.
import { expect } from 'vitest';
import { createParser, type MqttError, type Packet, type ParserOptions } from '../../src/mqtt/codec';

/** Feeds chunks to a fresh parser; returns the packets and errors it reported. */
export function parseAll(chunks: Uint8Array[], opts: Partial<ParserOptions> = {}) {
  const packets: Packet[] = [];
  const errors: MqttError[] = [];
  const parser = createParser({
    ...opts,
    onPacket: (p) => {
      expect(errors).toHaveLength(0); // nothing after a failure
      packets.push(p);
    },
    onError: (e) => errors.push(e),
  });
  for (const c of chunks) parser.push(c);
  return { packets, errors, parser };
}


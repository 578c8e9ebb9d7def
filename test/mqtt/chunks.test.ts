// Any chunking gives the same packets: every split point of each fixture (and of the fixtures
// back to back), 1-byte feeding, random chunkings, and a cost check for many tiny chunks.
import { describe, expect, it } from 'vitest';
import { createParser, encode, type Packet } from '../../src/mqtt/codec';
import { parseAll } from './parse-all';
import { FIXTURES } from './fixtures';
import { cat, Gen, normalize, prng } from './gen';

const small = FIXTURES.filter((f) => f.bytes.length < 1000);

describe('split chunks', () => {
  for (const f of small) {
    it(`${f.name}: every split point into 2 and 3 chunks`, () => {
      const b = f.bytes;
      for (let i = 0; i <= b.length; i++) {
        const r = parseAll([b.subarray(0, i), b.subarray(i)]);
        expect(r.errors).toEqual([]);
        expect(r.packets).toEqual([f.packet]);
      }
      const step = Math.max(1, Math.floor(b.length / 40)); // keep the 600-byte CONNECT quick
      for (let i = 0; i <= b.length; i += step) {
        for (let j = i; j <= b.length; j += step) {
          const r = parseAll([b.subarray(0, i), b.subarray(i, j), b.subarray(j)]);
          expect(r.packets).toEqual([f.packet]);
        }
      }
    });
  }

  it('all fixtures back to back, split at every point', () => {
    const all = cat(...small.map((f) => f.bytes));
    const want = small.map((f) => f.packet);
    for (let i = 0; i <= all.length; i++) {
      const r = parseAll([all.subarray(0, i), all.subarray(i)]);
      expect(r.errors).toEqual([]);
      expect(r.packets).toEqual(want);
    }
  });

  it('every fixture, large ones included, fed 1 byte at a time', () => {
    const all = cat(...FIXTURES.map((f) => f.bytes));
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < all.length; i++) chunks.push(all.subarray(i, i + 1));
    const r = parseAll(chunks);
    expect(r.errors).toEqual([]);
    expect(r.packets).toEqual(FIXTURES.map((f) => f.packet));
  });

  it('random packets, random chunkings (incl. empty chunks)', () => {
    const g = new Gen(prng(7));
    for (let round = 0; round < 200; round++) {
      const ps: Packet[] = [];
      for (let n = 1 + g.int(8); n > 0; n--) ps.push(g.packet());
      const all = cat(...ps.map(encode));
      const chunks: Uint8Array[] = [];
      for (let i = 0; i < all.length; ) {
        const k = g.int(g.bool() ? 4 : 200);
        chunks.push(all.subarray(i, i + k));
        i += k;
      }
      const r = parseAll(chunks);
      expect(r.errors).toEqual([]);
      expect(r.packets.map(normalize)).toEqual(ps.map(normalize)); // string passwords come back as bytes
    }
  });

  it('many tiny chunks cost linear time (no re-concatenation)', () => {
    // a 1 MB payload fed 16 bytes at a time: O(n^2) buffering would copy ~32 GB here
    const p: Packet = { cmd: 'publish', topic: 't', payload: new Uint8Array(1 << 20).fill(7), qos: 0, retain: false, dup: false };
    const bytes = encode(p);
    let got: Packet | undefined;
    const parser = createParser({ maxPacketSize: 2 << 20, onPacket: (x) => (got = x), onError: (e) => { throw e; } });
    const t0 = performance.now();
    for (let i = 0; i < bytes.length; i += 16) parser.push(bytes.subarray(i, i + 16));
    const ms = performance.now() - t0;
    expect(got && (got as { payload: Uint8Array }).payload.length).toBe(1 << 20);
    expect(ms).toBeLessThan(2000);
  });
});

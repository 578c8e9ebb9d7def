// Fuzzing the MQTT parser: random bytes and mutations of valid packets (bit flips, truncation,
// tampered remaining lengths, spliced bytes, concatenations), each fed in random chunks.
// Checked for every input: push() never throws, onError fires at most once and with a codec
// error (never an 'internal' one), nothing is delivered after it; and valid concatenations
// come back exactly. Shared by test/mqtt/fuzz.test.ts and scripts/mqtt/fuzz.ts (no vitest here).
import { createParser, encode, MqttError, type Packet } from '../../src/mqtt/codec';
import { cat, Gen, normalize, prng } from './gen';

export interface FuzzReport {
  inputs: number;
  bytes: number;
  packets: number;
  errors: Record<string, number>;
  /** Inputs by kind of mutation. */
  kinds: Record<string, number>;
  /** Everything that broke a rule (empty when the parser is sound). */
  failures: string[];
  /** Uncaught exceptions out of push(). */
  exceptions: number;
  slowestInputMs: number;
  ms: number;
}

const KINDS = ['random', 'random-header', 'bitflip', 'truncate', 'length', 'splice', 'concat', 'concat-mutated'] as const;

export function fuzz(count: number, seed: number): FuzzReport {
  const g = new Gen(prng(seed));
  // a pool of valid packets to mutate (made once: generation costs more than parsing)
  const pool: { p: Packet; b: Uint8Array }[] = [];
  for (let i = 0; i < 3000; i++) {
    const p = g.packet();
    pool.push({ p, b: encode(p) });
  }
  const rep: FuzzReport = { inputs: 0, bytes: 0, packets: 0, errors: {}, kinds: {}, failures: [], exceptions: 0, slowestInputMs: 0, ms: 0 };
  const t0 = performance.now();
  const fail = (msg: string, input: Uint8Array) => {
    if (rep.failures.length < 20) rep.failures.push(msg + ' input=' + Buffer.from(input.subarray(0, 200)).toString('hex'));
  };
  const small = () => pool[g.int(pool.length)].b.length < 4096 ? pool[g.int(pool.length)] : pool[0];

  for (let n = 0; n < count; n++) {
    const kind = KINDS[g.int(KINDS.length)];
    let input: Uint8Array;
    let expect: Packet[] | null = null;
    const src = small();
    switch (kind) {
      case 'random':
        input = g.bytes(g.int(64));
        break;
      case 'random-header': {
        // a plausible first byte and short length, then random bytes
        const t = 1 + g.int(14);
        const flags = t === 3 ? g.int(16) : t === 6 || t === 8 || t === 10 ? 2 : 0;
        const len = g.int(40);
        input = cat(new Uint8Array([(t << 4) | flags, len]), g.bytes(g.rnd() < 0.7 ? len : g.int(60)));
        break;
      }
      case 'bitflip': {
        input = src.b.slice();
        for (let k = 1 + g.int(3); k > 0; k--) input[g.int(input.length)] ^= 1 << g.int(8);
        break;
      }
      case 'truncate':
        input = src.b.subarray(0, g.int(src.b.length));
        break;
      case 'length': {
        // replace the remaining length with another value / form (1..5 bytes, maybe all continuation)
        let at = 1;
        while (at < src.b.length && src.b[at] & 0x80) at++;
        const nl = 1 + g.int(5);
        const lb = g.bytes(nl);
        if (g.bool()) lb[nl - 1] &= 0x7f;
        input = cat(src.b.subarray(0, 1), lb, src.b.subarray(at + 1));
        break;
      }
      case 'splice': {
        // insert or delete a few bytes somewhere
        const at = g.int(src.b.length + 1);
        input = g.bool()
          ? cat(src.b.subarray(0, at), g.bytes(1 + g.int(4)), src.b.subarray(at))
          : cat(src.b.subarray(0, at), src.b.subarray(Math.min(src.b.length, at + 1 + g.int(4))));
        break;
      }
      default: {
        const parts: { p: Packet; b: Uint8Array }[] = [];
        for (let k = 2 + g.int(4); k > 0; k--) parts.push(small());
        input = cat(...parts.map((x) => x.b));
        if (kind === 'concat') expect = parts.map((x) => x.p);
        else for (let k = 1 + g.int(3); k > 0; k--) input[g.int(input.length)] ^= 1 << g.int(8);
      }
    }
    rep.kinds[kind] = (rep.kinds[kind] || 0) + 1;

    const got: Packet[] = [];
    let err: unknown = null;
    let errs = 0;
    let late = false;
    const parser = createParser({
      maxPacketSize: expect || g.rnd() < 0.7 ? undefined : 1 + g.int(300),
      onPacket: (p) => {
        if (errs) late = true;
        got.push(p);
      },
      onError: (e) => {
        errs++;
        err = e;
      },
    });
    const s = performance.now();
    try {
      for (let i = 0; i < input.length; ) {
        const k = g.rnd() < 0.3 ? 1 : 1 + g.int(input.length);
        parser.push(input.subarray(i, i + k));
        i += k;
      }
      if (!input.length) parser.push(input);
    } catch (e) {
      rep.exceptions++;
      fail('push threw ' + e, input);
    }
    const dt = performance.now() - s;
    if (dt > rep.slowestInputMs) rep.slowestInputMs = dt;
    rep.inputs++;
    rep.bytes += input.length;
    rep.packets += got.length;
    if (errs > 1) fail('onError called ' + errs + ' times', input);
    if (late) fail('packet after error', input);
    if (err) {
      const e = err as MqttError;
      if (!(e instanceof MqttError) || (e.code !== 'MQTT_MALFORMED' && e.code !== 'MQTT_TOO_LARGE') || /internal/.test(e.message))
        fail('bad error ' + String(e), input);
      else rep.errors[e.code] = (rep.errors[e.code] || 0) + 1;
    }
    if (expect) {
      const a = JSON.stringify(got.map(normalize), (_k, v) => (v instanceof Uint8Array ? Array.from(v) : v));
      const b = JSON.stringify(expect.map(normalize), (_k, v) => (v instanceof Uint8Array ? Array.from(v) : v));
      if (errs || a !== b) fail('valid concatenation not parsed back', input);
    }
    // every packet the parser accepts must be one encode() can produce again, identically
    // (one exception: an empty client id without clean session is well-formed, the server answers
    // it with CONNACK 2 (3.1.3-8), while a client must not send it (3.1.3-7))
    for (const p of got) {
      if (p.cmd === 'connect' && !p.clientId && !p.clean) continue;
      try {
        encode(p);
      } catch (e) {
        fail('accepted a packet encode() refuses: ' + String(e), input);
      }
    }
  }
  rep.ms = performance.now() - t0;
  return rep;
}

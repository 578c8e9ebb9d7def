// Random CoAP messages, mutations and the fuzz loop for the codec (shared by the test and
// scripts/uplink/fuzz-coap.ts; no vitest here).
import { encodeCoap, parseCoap, type CoapMessage } from '../../src/uplink/coap/codec';
import { prng } from '../mqtt/gen';

export class CoapGen {
  constructor(readonly rnd: () => number) {}
  int(n: number) {
    return Math.floor(this.rnd() * n);
  }
  bytes(n: number) {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = this.int(256);
    return b;
  }
  /** A valid message: option numbers and lengths chosen to hit every nibble form. */
  message(): CoapMessage {
    const empty = this.int(10) === 0;
    if (empty) return { type: this.int(4), code: 0, messageId: this.int(65536), token: new Uint8Array(0), options: [], payload: new Uint8Array(0) };
    const options = [];
    const n = this.int(7);
    let num = 0;
    for (let i = 0; i < n; i++) {
      const form = this.int(4);
      num += form === 0 ? 0 : form === 1 ? this.int(13) : form === 2 ? 13 + this.int(256) : 269 + this.int(2000);
      if (num > 65535) break;
      const lf = this.int(6);
      const len = lf < 3 ? this.int(13) : lf < 5 ? 13 + this.int(256) : 269 + this.int(300);
      options.push({ number: num, value: this.bytes(len) });
    }
    const code = 1 + this.int(255);
    return { type: this.int(4), code, messageId: this.int(65536), token: this.bytes(this.int(9)), options, payload: this.int(2) ? this.bytes(1 + this.int(100)) : new Uint8Array(0) };
  }
}

export interface CoapFuzzReport {
  inputs: number;
  parsed: number;
  rejected: { [reason: string]: number };
  exceptions: number;
  failures: string[];
}

const hexOf = (b: Uint8Array) => Buffer.from(b.subarray(0, 120)).toString('hex');

/** parseCoap on random and mutated inputs: never throws; whatever it accepts re-encodes to the same bytes. */
export function fuzzCoap(count: number, seed: number): CoapFuzzReport {
  const g = new CoapGen(prng(seed));
  const pool: Uint8Array[] = [];
  for (let i = 0; i < 500; i++) pool.push(encodeCoap(g.message()));
  const rep: CoapFuzzReport = { inputs: 0, parsed: 0, rejected: {}, exceptions: 0, failures: [] };
  for (let n = 0; n < count; n++) {
    const src = pool[g.int(pool.length)];
    let input: Uint8Array;
    const kind = g.int(6);
    if (kind === 0) input = g.bytes(g.int(40));
    else if (kind === 1) {
      input = src.slice();
      for (let k = 1 + g.int(3); k > 0; k--) input[g.int(input.length)] ^= 1 << g.int(8);
    } else if (kind === 2) input = src.slice(0, g.int(src.length + 1));
    else if (kind === 3) {
      const at = g.int(src.length + 1);
      const ins = g.bytes(1 + g.int(4));
      input = new Uint8Array([...src.subarray(0, at), ...ins, ...src.subarray(at)]);
    } else if (kind === 4) {
      // a plausible header, then random option bytes
      input = new Uint8Array([0x40 | g.int(64), g.int(256), g.int(256), g.int(256), ...g.bytes(g.int(30))]);
    } else input = src;
    rep.inputs++;
    try {
      const m = parseCoap(input);
      if (typeof m === 'string') rep.rejected[m] = (rep.rejected[m] || 0) + 1;
      else {
        rep.parsed++;
        const again = encodeCoap(m);
        if (Buffer.compare(Buffer.from(again), Buffer.from(input)) !== 0 && rep.failures.length < 10) rep.failures.push('re-encode differs: ' + hexOf(input));
        if (kind === 5 && rep.failures.length < 10 && again.length !== src.length) rep.failures.push('valid message not accepted: ' + hexOf(src));
      }
      if (kind === 5 && typeof m === 'string' && rep.failures.length < 10) rep.failures.push('valid message rejected (' + m + '): ' + hexOf(src));
    } catch (e) {
      rep.exceptions++;
      if (rep.failures.length < 10) rep.failures.push('threw ' + (e as Error).message + ': ' + hexOf(input));
    }
  }
  return rep;
}

// Build-time stand-in for src/utf8.ts in the Espruino bundle: text that is printable ASCII (plus
// tab, CR, LF), as JSON, topics and tokens nearly always are, is its own UTF-8, so it goes through
// Espruino's native conversions; anything else takes src/utf8.ts's loops. Those loops cost about
// 0.2 ms a character when the module runs from Storage: a JWT's 240 characters took 48 ms.
import { utf8Decode as decodeAny, utf8Encode as encodeAny } from '../../src/utf8';
import { binaryString } from './binary';

const OTHER = /[^\t\n\r -~]/; // a character outside printable ASCII, tab, CR and LF

export function utf8Encode(s: string): Uint8Array {
  return OTHER.test(s) ? encodeAny(s) : E.toUint8Array(s);
}

export function utf8Decode(b: Uint8Array): string {
  const s = binaryString(b);
  return OTHER.test(s) ? decodeAny(b) : s;
}

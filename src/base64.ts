// Base64 (RFC 4648 section 4) and base64url (section 5, unpadded, as JWS uses it), strict decoding.
import { fail, PEM_INVALID } from './errors';

const STD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const URL_SAFE = STD.slice(0, 62) + '-_';

// Char codes collected in an array and turned into a string in chunks: several times faster than
// string concatenation per character in V8, and still fine on small engines. Chunks are small
// because each code is an argument on the engine's stack: Moddable XS's default stack is 384
// slots, and a 342-argument call (an RS256 signature) overflowed it and aborted the VM.
function encode(b: Uint8Array, alphabet: string, pad: boolean): string {
  const out: number[] = new Array(Math.ceil(b.length / 3) * 4);
  let o = 0;
  let i = 0;
  for (; i + 2 < b.length; i += 3) {
    const n = (b[i] << 16) | (b[i + 1] << 8) | b[i + 2];
    out[o++] = alphabet.charCodeAt(n >> 18);
    out[o++] = alphabet.charCodeAt((n >> 12) & 63);
    out[o++] = alphabet.charCodeAt((n >> 6) & 63);
    out[o++] = alphabet.charCodeAt(n & 63);
  }
  const rest = b.length - i;
  if (rest > 0) {
    const n = (b[i] << 16) | (rest === 2 ? b[i + 1] << 8 : 0);
    out[o++] = alphabet.charCodeAt(n >> 18);
    out[o++] = alphabet.charCodeAt((n >> 12) & 63);
    if (rest === 2) out[o++] = alphabet.charCodeAt((n >> 6) & 63);
    else if (pad) out[o++] = 61; // '='
    if (pad) out[o++] = 61;
  }
  out.length = o;
  return codesToString(out);
}

export function codesToString(codes: number[]): string {
  let s = '';
  for (let i = 0; i < codes.length; i += 32) s += String.fromCharCode.apply(null, codes.slice(i, i + 32));
  return s;
}

function decode(s: string, alphabet: string, what: string): Uint8Array {
  const len = s.length;
  if (len % 4 === 1) fail(PEM_INVALID, what + ': impossible length');
  const out = new Uint8Array(Math.floor((len * 3) / 4));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < len; i++) {
    const v = alphabet.indexOf(s[i]);
    if (v < 0) fail(PEM_INVALID, what + ': invalid character at ' + i);
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 255;
    }
  }
  // Non-canonical trailing bits would let two strings decode to the same bytes.
  if (bits > 0 && (acc & ((1 << bits) - 1)) !== 0) fail(PEM_INVALID, what + ': non-zero padding bits');
  return out.subarray(0, o);
}

export function base64urlEncode(b: Uint8Array): string {
  return encode(b, URL_SAFE, false);
}

/** Unpadded base64url only: padding or `+/` in a JWS segment is malformed. */
export function base64urlDecode(s: string): Uint8Array {
  return decode(s, URL_SAFE, 'base64url');
}

export function base64Encode(b: Uint8Array): string {
  return encode(b, STD, true);
}

export function base64Decode(s: string): Uint8Array {
  const body = s.replace(/=+$/, '');
  if (s.length % 4 !== 0 || s.length - body.length > 2) fail(PEM_INVALID, 'base64: bad padding');
  return decode(body, STD, 'base64');
}

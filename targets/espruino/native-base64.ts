// Build-time stand-in for src/base64.ts in the Espruino bundle: Espruino's native btoa/atob over
// binary strings (binary.ts / E.toUint8Array), as strict as src/base64.ts on input (alphabet,
// padding, and canonical: the text must re-encode to itself, so no two texts decode alike).
import { fail, PEM_INVALID } from '../../src/errors';
import { binaryString } from './binary';

declare function btoa(binary: string): string;
declare function atob(text: string): string;

export function base64Encode(b: Uint8Array): string {
  return btoa(binaryString(b));
}

/** Unpadded base64url (RFC 4648 section 5), as JWS uses it. */
export function base64urlEncode(b: Uint8Array): string {
  return base64Encode(b).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function base64Decode(s: string): Uint8Array {
  // The padding counted apart: Espruino's regexes have no {n,m} (and end at a bare '/' in a class).
  // A regex, not a loop over the characters: a loop costs ~0.2 ms a character there.
  let n = s.length;
  while (n > 0 && s.charCodeAt(n - 1) === 61) n--; // '='
  if (s.length % 4 || s.length - n > 2 || !/^[A-Za-z0-9+\/]*$/.test(s.slice(0, n))) fail(PEM_INVALID, 'base64: invalid character or padding');
  const bin = atob(s);
  if (btoa(bin) !== s) fail(PEM_INVALID, 'base64: non-zero padding bits');
  return E.toUint8Array(bin);
}

// Byte helpers over plain Uint8Array: concat, compare, hex. No Buffer, no TextEncoder.
import { fail, KEY_INVALID, OPTION_INVALID } from './errors';

export function concatBytes(parts: Uint8Array[]): Uint8Array {
  let len = 0;
  for (let i = 0; i < parts.length; i++) len += parts[i].length;
  const out = new Uint8Array(len);
  let off = 0;
  for (let i = 0; i < parts.length; i++) {
    out.set(parts[i], off);
    off += parts[i].length;
  }
  return out;
}

/** Constant-time for equal lengths: no early exit on the first difference. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

const HEX = '0123456789abcdef';

export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i] >> 4] + HEX[bytes[i] & 15];
  return s;
}

export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) fail(OPTION_INVALID, 'not a hex string');
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
  return out;
}

/** Strips leading zero bytes (DER integers carry a sign byte; keys want the magnitude). */
export function stripLeadingZeros(bytes: Uint8Array): Uint8Array {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  return bytes.subarray(i);
}

/** Left-pads (or checks) a big-endian magnitude to exactly `len` bytes. */
export function padStart(bytes: Uint8Array, len: number): Uint8Array {
  const b = stripLeadingZeros(bytes);
  if (b.length > len) fail(KEY_INVALID, 'integer longer than ' + len + ' bytes');
  const out = new Uint8Array(len);
  out.set(b, len - b.length);
  return out;
}

/** Number of significant bits in a big-endian magnitude. */
export function bitLength(bytes: Uint8Array): number {
  const b = stripLeadingZeros(bytes);
  if (b.length === 1 && b[0] === 0) return 0;
  let top = b[0];
  let bits = 0;
  while (top) {
    bits++;
    top >>= 1;
  }
  return (b.length - 1) * 8 + bits;
}

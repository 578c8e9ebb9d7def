// Shared helpers for 11 x 24-bit limb integers (little-endian Int32Array): bytes, compare, select.
// Everything here is branch-free on the limb values, so it can touch secrets.

export const LIMBS = 11;

export function newFe(): Int32Array {
  return new Int32Array(LIMBS);
}

export function copyFe(o: Int32Array, a: Int32Array): void {
  for (let i = 0; i < LIMBS; i++) o[i] = a[i];
}

/** Reads a 32-byte big-endian integer at `off` into limbs (value < 2^256). */
export function limbsFromBytes(o: Int32Array, b: Uint8Array, off: number): void {
  // limb i holds bits 24i..24i+23, i.e. bytes 31-3i (low) .. 29-3i (high) counted from `off`
  for (let i = 0; i < 10; i++) {
    const j = off + 31 - 3 * i;
    o[i] = b[j] | (b[j - 1] << 8) | (b[j - 2] << 16);
  }
  o[10] = b[off + 1] | (b[off] << 8);
}

/** Writes limbs (value < 2^256, normalised limbs) as 32 big-endian bytes at `off`. */
export function limbsToBytes(a: Int32Array, out: Uint8Array, off: number): void {
  for (let i = 0; i < 10; i++) {
    const j = off + 31 - 3 * i;
    out[j] = a[i] & 255;
    out[j - 1] = (a[i] >> 8) & 255;
    out[j - 2] = (a[i] >> 16) & 255;
  }
  out[off + 1] = a[10] & 255;
  out[off] = (a[10] >> 8) & 255;
}

/** -1 if a < m else 0, for normalised limbs (constant time: a borrow chain, no early exit). */
export function ltMask(a: Int32Array, m: Int32Array): number {
  let c = 0;
  for (let i = 0; i < LIMBS; i++) c = (a[i] - m[i] + c) >> 24;
  return c;
}

/** o = a - m if a >= m else a (constant time). Brings [0, 2m) into [0, m). */
export function condSub(o: Int32Array, a: Int32Array, m: Int32Array): void {
  const keep = ltMask(a, m);
  let c = 0;
  for (let i = 0; i < LIMBS; i++) {
    const t = a[i] - m[i] + c;
    c = t >> 24;
    o[i] = (a[i] & keep) | (t & 16777215 & ~keep);
  }
}

/** -1 if every limb is zero, else 0 (constant time). */
export function zeroMask(a: Int32Array): number {
  let acc = 0;
  for (let i = 0; i < LIMBS; i++) acc |= a[i];
  return (acc - 1) >> 31; // acc < 2^24, so acc - 1 is negative only for acc = 0
}

/** o = mask ? a : o, for mask -1 or 0 (constant time). */
export function cmov(o: Int32Array, a: Int32Array, mask: number): void {
  for (let i = 0; i < LIMBS; i++) o[i] ^= (o[i] ^ a[i]) & mask;
}

/** Limbs from a list of numbers (the modules' constants are `new Int32Array([...])`: no function to hold). */
export function feFrom(v: number[]): Int32Array {
  const o = new Int32Array(LIMBS);
  for (let i = 0; i < LIMBS; i++) o[i] = v[i];
  return o;
}

/** Bytes from a hex string (module constants only; no validation). */
export function fromHexBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
  return out;
}

// Minimal ASN.1 DER reader and writer: just what keys and certificates need (X.690, definite lengths only).
import { concatBytes, equalBytes } from './bytes';
import { fail } from './errors';

export const TAG_INTEGER = 0x02;
export const TAG_BIT_STRING = 0x03;
export const TAG_OCTET_STRING = 0x04;
export const TAG_NULL = 0x05;
export const TAG_OID = 0x06;
export const TAG_SEQUENCE = 0x30;

/** One TLV: `value` is the content, `raw` the whole encoding (header included). */
export interface Der {
  tag: number;
  value: Uint8Array;
  raw: Uint8Array;
}

/** DER_INVALID naming the field: `what: problem`. */
export function derFail(what: string, problem: string): never {
  return fail('DER_INVALID', what + ': ' + problem);
}

/** Reads one TLV at `off`; returns it and the offset after it. */
export function readTlv(buf: Uint8Array, off: number, what: string): { node: Der; end: number } {
  if (off + 2 > buf.length) derFail(what, 'truncated');
  const tag = buf[off];
  if ((tag & 0x1f) === 0x1f) derFail(what, 'multi-byte tags are not used here');
  let len = buf[off + 1];
  let p = off + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0) derFail(what, 'indefinite length is not DER');
    if (n > 3) derFail(what, 'length too large');
    if (p + n > buf.length) derFail(what, 'truncated');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[p + i];
    if (len < 0x80 || buf[p] === 0) derFail(what, 'non-minimal length');
    p += n;
  }
  const end = p + len;
  if (end > buf.length) derFail(what, 'truncated (needs ' + (end - buf.length) + ' more bytes)');
  return { node: { tag, value: buf.subarray(p, end), raw: buf.subarray(off, end) }, end };
}

/** Parses exactly one TLV spanning all of `buf`. */
export function parseDer(buf: Uint8Array, what: string): Der {
  const r = readTlv(buf, 0, what);
  if (r.end !== buf.length) derFail(what, buf.length - r.end + ' trailing bytes');
  return r.node;
}

/** The children of a constructed node (SEQUENCE or context tag). */
export function children(node: Der, what: string): Der[] {
  if (!(node.tag & 0x20)) derFail(what, 'expected a constructed value');
  const out: Der[] = [];
  let off = 0;
  while (off < node.value.length) {
    const r = readTlv(node.value, off, what);
    out.push(r.node);
    off = r.end;
  }
  return out;
}

export function expectTag(node: Der | undefined, tag: number, what: string): Der {
  if (!node) return derFail(what, 'missing');
  if (node.tag !== tag) derFail(what, 'expected tag 0x' + tag.toString(16) + ', got 0x' + node.tag.toString(16));
  return node;
}

/** A SEQUENCE's children, checking the tag. */
export function sequence(node: Der | undefined, what: string): Der[] {
  return children(expectTag(node, TAG_SEQUENCE, what), what);
}

/** A non-negative INTEGER's magnitude (leading sign byte stripped). */
export function uint(node: Der | undefined, what: string): Uint8Array {
  const v = expectTag(node, TAG_INTEGER, what).value;
  if (v.length === 0) derFail(what, 'empty integer');
  if (v[0] & 0x80) derFail(what, 'negative integer');
  if (v.length > 1 && v[0] === 0 && !(v[1] & 0x80)) derFail(what, 'non-minimal integer');
  return v[0] === 0 && v.length > 1 ? v.subarray(1) : v;
}

/** Small INTEGER (version fields) as a number. */
export function smallInt(node: Der | undefined, what: string): number {
  const v = uint(node, what);
  if (v.length > 4) derFail(what, 'integer too large');
  let n = 0;
  for (let i = 0; i < v.length; i++) n = n * 256 + v[i];
  return n;
}

/** BIT STRING content without its unused-bits byte (must be 0 for keys). */
export function bitString(node: Der | undefined, what: string): Uint8Array {
  const v = expectTag(node, TAG_BIT_STRING, what).value;
  if (v.length < 1 || v[0] !== 0) derFail(what, 'bit string with unused bits');
  return v.subarray(1);
}

/** OID in dotted form. */
export function oid(node: Der | undefined, what: string): string {
  const v = expectTag(node, TAG_OID, what).value;
  if (v.length === 0) derFail(what, 'empty OID');
  const parts: number[] = [];
  let n = 0;
  for (let i = 0; i < v.length; i++) {
    n = n * 128 + (v[i] & 0x7f);
    if (!(v[i] & 0x80)) {
      parts.push(n);
      n = 0;
    } else if (i === v.length - 1) derFail(what, 'truncated OID');
  }
  const first = parts[0] < 80 ? Math.floor(parts[0] / 40) : 2;
  return [first, parts[0] - first * 40].concat(parts.slice(1)).join('.');
}

// ---- writer ----

function lengthBytes(len: number): number[] {
  if (len < 0x80) return [len];
  const out: number[] = [];
  while (len > 0) {
    out.unshift(len & 255);
    len = Math.floor(len / 256);
  }
  return [0x80 | out.length].concat(out);
}

export function tlv(tag: number, value: Uint8Array): Uint8Array {
  return concatBytes([new Uint8Array([tag].concat(lengthBytes(value.length))), value]);
}

export function derSequence(items: Uint8Array[]): Uint8Array {
  return tlv(TAG_SEQUENCE, concatBytes(items));
}

/** INTEGER from an unsigned big-endian magnitude (adds the sign byte when needed). */
export function derUint(mag: Uint8Array): Uint8Array {
  let i = 0;
  while (i < mag.length - 1 && mag[i] === 0) i++;
  const m = mag.subarray(i);
  return tlv(TAG_INTEGER, m[0] & 0x80 ? concatBytes([new Uint8Array([0]), m]) : m);
}

export function derBitString(content: Uint8Array): Uint8Array {
  return tlv(TAG_BIT_STRING, concatBytes([new Uint8Array([0]), content]));
}

export function derOid(dotted: string): Uint8Array {
  const p = dotted.split('.').map(Number);
  const arcs = [p[0] * 40 + p[1]].concat(p.slice(2));
  const out: number[] = [];
  for (let i = 0; i < arcs.length; i++) {
    let n = arcs[i];
    const chunk = [n & 0x7f];
    n = Math.floor(n / 128);
    while (n > 0) {
      chunk.unshift(0x80 | (n & 0x7f));
      n = Math.floor(n / 128);
    }
    for (let k = 0; k < chunk.length; k++) out.push(chunk[k]);
  }
  return tlv(TAG_OID, new Uint8Array(out));
}

export const DER_NULL = /* @__PURE__ */ new Uint8Array([TAG_NULL, 0]);

export function sameDer(a: Der, b: Uint8Array): boolean {
  return equalBytes(a.raw, b);
}

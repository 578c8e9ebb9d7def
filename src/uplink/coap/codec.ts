// CoAP message format (RFC 7252 section 3): the 4-byte header (Ver, Type, Token Length, Code,
// Message ID), the token, options in delta/length encoding (4-bit nibbles, 13 = one extra byte
// minus 13, 14 = two extra bytes minus 269, 15 reserved), then 0xFF and the payload.
// parseCoap never throws: a malformed datagram comes back as a string naming the problem.
import { utf8Encode } from '../../utf8';

export const CON = 0;
export const NON = 1;
export const ACK = 2;
export const RST = 3;

/** Option numbers (RFC 7252 section 5.10). */
export const OPT = { ifMatch: 1, uriHost: 3, etag: 4, ifNoneMatch: 5, uriPort: 7, locationPath: 8, uriPath: 11, contentFormat: 12, maxAge: 14, uriQuery: 15, accept: 17, locationQuery: 20, proxyUri: 35, proxyScheme: 39, size1: 60 };

/** Method and response codes as class << 5 | detail: POST = 0.02, Created = 2.01. */
export const POST = 2;
export const JSON_FORMAT = 50;

export interface CoapOption {
  number: number;
  value: Uint8Array;
}

export interface CoapMessage {
  type: number;
  code: number;
  messageId: number;
  token: Uint8Array;
  /** In ascending option-number order (the encoder sorts; the parser yields wire order, which is ascending). */
  options: CoapOption[];
  payload: Uint8Array;
}

/** '2.01' for 65. */
export const codeString = (code: number): string => (code >> 5) + '.' + ((code & 31) < 10 ? '0' : '') + (code & 31);

/** An option value as the shortest big-endian unsigned integer (0 is the empty string). */
export function uintOption(number: number, v: number): CoapOption {
  const b: number[] = [];
  for (; v > 0; v = Math.floor(v / 256)) b.unshift(v & 255);
  return { number, value: new Uint8Array(b) };
}

export const stringOption = (number: number, s: string): CoapOption => ({ number, value: utf8Encode(s) });

export function optionUint(v: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < v.length; i++) n = n * 256 + v[i];
  return n;
}

/** Nibble and extension bytes for an option delta or length. */
const ext = (n: number): number[] => (n < 13 ? [n] : n < 269 ? [13, n - 13] : [14, (n - 269) >> 8, (n - 269) & 255]);

export function encodeCoap(m: CoapMessage): Uint8Array {
  if (m.token.length > 8) throw new Error('CoAP: token longer than 8 bytes');
  const opts = m.options.map((o, i) => ({ o, i }));
  opts.sort((a, b) => a.o.number - b.o.number || a.i - b.i);
  const out: number[] = [0x40 | ((m.type & 3) << 4) | m.token.length, m.code & 255, (m.messageId >> 8) & 255, m.messageId & 255];
  for (let i = 0; i < m.token.length; i++) out.push(m.token[i]);
  let prev = 0;
  for (let k = 0; k < opts.length; k++) {
    const o = opts[k].o;
    if (o.number > 65535 || o.value.length > 65535 + 269) throw new Error('CoAP: option out of range');
    const d = ext(o.number - prev);
    const l = ext(o.value.length);
    out.push((d[0] << 4) | l[0]);
    for (let i = 1; i < d.length; i++) out.push(d[i]);
    for (let i = 1; i < l.length; i++) out.push(l[i]);
    for (let i = 0; i < o.value.length; i++) out.push(o.value[i]);
    prev = o.number;
  }
  const head = new Uint8Array(out);
  if (!m.payload.length) return head;
  const all = new Uint8Array(head.length + 1 + m.payload.length);
  all.set(head, 0);
  all[head.length] = 0xff;
  all.set(m.payload, head.length + 1);
  return all;
}

/** The message in `b`, or a string naming why it is not a valid CoAP message (a format error). */
export function parseCoap(b: Uint8Array): CoapMessage | string {
  if (b.length < 4) return 'shorter than the 4-byte header';
  if (b[0] >> 6 !== 1) return 'version is not 1';
  const tkl = b[0] & 15;
  if (tkl > 8) return 'token length 9-15 is reserved';
  const code = b[1];
  if (code === 0 && (tkl !== 0 || b.length !== 4)) return 'an empty message has bytes after the header';
  if (b.length < 4 + tkl) return 'truncated token';
  const m: CoapMessage = { type: (b[0] >> 4) & 3, code, messageId: (b[2] << 8) | b[3], token: b.slice(4, 4 + tkl), options: [], payload: new Uint8Array(0) };
  let pos = 4 + tkl;
  let number = 0;
  while (pos < b.length) {
    const first = b[pos++];
    if (first === 0xff) {
      if (pos === b.length) return 'payload marker with an empty payload';
      m.payload = b.slice(pos);
      return m;
    }
    let delta = first >> 4;
    let len = first & 15;
    if (delta === 15 || len === 15) return 'reserved option nibble 15';
    // extended delta first, then extended length (section 3.1)
    if (delta === 13) {
      if (pos >= b.length) return 'truncated option delta';
      delta = 13 + b[pos++];
    } else if (delta === 14) {
      if (pos + 1 >= b.length) return 'truncated option delta';
      delta = 269 + ((b[pos] << 8) | b[pos + 1]);
      pos += 2;
    }
    if (len === 13) {
      if (pos >= b.length) return 'truncated option length';
      len = 13 + b[pos++];
    } else if (len === 14) {
      if (pos + 1 >= b.length) return 'truncated option length';
      len = 269 + ((b[pos] << 8) | b[pos + 1]);
      pos += 2;
    }
    number += delta;
    if (number > 65535) return 'option number above 65535';
    if (pos + len > b.length) return 'truncated option value';
    m.options.push({ number, value: b.slice(pos, pos + len) });
    pos += len;
  }
  return m;
}

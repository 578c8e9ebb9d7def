// MQTT 3.1.1 packet bodies (variable header + payload, OASIS Standard 2014 chapter 3), laid out
// once for both directions: walk() visits a packet's fields in wire order and, per field,
// either reads it from the body bytes into the packet object (parse) or takes it from the
// object into the output pieces (encode). One layout, so parser and encoder cannot disagree;
// the checks (strings 1.5.3, topic names and filters 4.7, packet ids 2.3.1, QoS, connect flags
// 3.1.2) are shared and fail with 'MQTT_MALFORMED' when parsing, 'MQTT_INVALID' when encoding.
import { utf8Decode, utf8Encode } from '../utf8';
import { MqttError } from './errors';

/** Encoded body pieces: single bytes, ASCII strings (written as they are), byte arrays. */
export type Part = number | string | Uint8Array;

// Walk state (a walk is synchronous and never re-entered).
let R: boolean; // true: parse, false: encode
let B: Uint8Array; // parse: the body
let P: number; // parse: cursor in B
let out: Part[]; // encode: the pieces
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = any;
const L: Obj = {}; // scratch slot for length prefixes

function bad(what: unknown): never {
  throw new MqttError(R ? 'MQTT_MALFORMED' : 'MQTT_INVALID', 'bad ' + what);
}

/** Claims n body bytes (parse); returns where they start. */
function take(n: number): number {
  if (P + n > B.length) bad('length');
  return (P += n) - n;
}

/** One byte, 0..255, o[k]. */
function u8(o: Obj, k: string | number): number {
  let v = o[k];
  if (R) o[k] = v = B[take(1)];
  else {
    if ((v & 255) !== v) bad(k);
    out.push(v);
  }
  return v;
}

/** Two bytes big-endian, 0..65535 (1..65535 with `id`: packet identifiers, 2.3.1), o[k]. */
function u16(o: Obj, k: string, id?: 1): number {
  let v = o[k];
  if (R) {
    v = take(2);
    o[k] = v = (B[v] << 8) | B[v + 1];
  } else {
    if ((v & 0xffff) !== v) bad(k);
    out.push(v >> 8, v & 255);
  }
  if (id && !v) bad(k);
  return v;
}

/** Binary data with a 2-byte length (1.5.6), o[k]; a string goes out as its UTF-8. An ASCII
 *  string (a JWT) stays a string until the final copy: utf8Encode builds a number[], which on
 *  Espruino costs a ~14-byte variable per byte (a 600-byte token: ~8 KB of a ~40 KB heap). */
function bin(o: Obj, k: string | number): void {
  let v = o[k];
  if (R) {
    u16(L, 'length');
    o[k] = B.subarray(take(L.length), P);
  } else {
    if (typeof v == 'string') {
      let i = 0;
      while (v.charCodeAt(i) < 128) i++; // NaN past the end
      if (i < v.length) v = utf8Encode(v);
    }
    if ((typeof v != 'string' && !(v instanceof Uint8Array)) || v.length > 65535) bad(k);
    L.length = v.length;
    u16(L, 'length');
    out.push(v);
  }
}

/** UTF-8 string (1.5.3), well-formed and without U+0000, o[k]; with `wrong`, a topic name or
 *  filter (4.7): at least one character, `wrong` not matching. Callers pass `wrong` as a literal
 *  made at the call, never a module constant: Moddable's preload puts a module-level RegExp in ROM,
 *  and running it later crashed the real XS (test/build/preload.test.ts). Topic names: no wildcard
 *  (4.7.3); filters: '+' fills a whole level, '#' a whole level and the last ('\/' in a class: a
 *  bare '/' ends the regex in Espruino). */
function str(o: Obj, k: string | number, wrong?: RegExp): void {
  let s = o[k];
  if (!R && typeof s != 'string') bad(k);
  bin(o, k);
  if (R)
    try {
      o[k] = s = utf8Decode(o[k]);
    } catch (e) {
      bad('UTF-8');
    }
  if (s.indexOf('\0') >= 0 || (wrong && (!s || wrong.test(s)))) bad(k);
}

function qos(q: number): number {
  if (q !== 0 && q !== 1 && q !== 2) bad('qos');
  return q;
}

/**
 * Walks the body of a packet of type t (1..14) with fixed-header flags f. Parse: `src` is the
 * body, fields are set on `p`, which must then be complete. Encode: `src` collects the pieces.
 * Returns the fixed-header flags (PUBLISH computes them; the rest keep f).
 */
export function walk(t: number, f: number, p: Obj, src: Uint8Array | Part[]): number {
  let i: number;
  let x: Obj;
  R = src instanceof Uint8Array;
  if (R) {
    B = src as Uint8Array;
    P = 0;
  } else out = src as Part[];

  if (t == 1) {
    // CONNECT (3.1): protocol name "MQTT", level 4, connect flags, keepalive, client id,
    // will topic + payload, username, password (the flags say which are present)
    x = { n: 'MQTT', l: 4 };
    str(x, 'n');
    u8(x, 'l');
    if (x.n != 'MQTT' || x.l != 4) bad('protocol');
    const w = p.will;
    x = {
      c: R ? 0 : (p.username != null ? 128 : 0) | (p.password != null ? 64 : 0) | (p.clean ? 2 : 0) |
        (w ? (w.retain ? 32 : 0) | (qos(w.qos) << 3) | 4 : 0),
    };
    const c = u8(x, 'c');
    // reserved bit 0; will QoS/retain without will; password without username (3.1.2.3-3.1.2.9);
    // an empty client id needs clean session (3.1.3-7; a server answers it with CONNACK 2)
    if (c & 1 || (!(c & 4) && c & 56) || (!(c & 128) && c & 64) || (!R && !p.clientId && !p.clean)) bad('connect flags');
    if (R) p.clean = !!(c & 2);
    u16(p, 'keepalive');
    str(p, 'clientId');
    if (c & 4) {
      x = R ? (p.will = { qos: qos((c >> 3) & 3), retain: !!(c & 32) }) : w;
      str(x, 'topic', /[+#]/);
      bin(x, 'payload');
    }
    if (c & 128) str(p, 'username');
    if (c & 64) bin(p, 'password');
  } else if (t == 2) {
    // CONNACK (3.2): acknowledge flags (bit 0: session present), return code
    x = { a: p.sessionPresent ? 1 : 0 };
    if (u8(x, 'a') & 254) bad('flags');
    if (R) p.sessionPresent = !!x.a;
    u8(p, 'returnCode');
  } else if (t == 3) {
    // PUBLISH (3.3): flags DUP|QoS|RETAIN; topic, packet id when QoS > 0, payload = the rest
    if (R) {
      p.qos = (f >> 1) & 3;
      p.retain = !!(f & 1);
      p.dup = !!(f & 8);
    }
    x = qos(p.qos);
    if (p.dup && !x) bad('dup'); // 3.3.1-2
    str(p, 'topic', /[+#]/);
    if (x) u16(p, 'messageId', 1);
    if (R) {
      p.payload = B.subarray(P);
      P = B.length;
    } else {
      if (!(p.payload instanceof Uint8Array)) bad('payload');
      out.push(p.payload);
    }
    f = (p.dup ? 8 : 0) | (x << 1) | (p.retain ? 1 : 0);
  } else {
    // packet id first, but for PINGREQ, PINGRESP, DISCONNECT (empty)
    if (t < 12) u16(p, 'messageId', 1);
    if (t > 7 && t < 11) {
      // SUBSCRIBE: (filter, QoS)+ / SUBACK: (QoS or 0x80)+ / UNSUBSCRIBE: filter+, at least one
      const k = t == 8 ? 'subscriptions' : t == 9 ? 'granted' : 'unsubscriptions';
      const a = R ? (p[k] = []) : p[k],
        filter = /#[^]|[^\/][+#]|\+[^\/]/; // [^]: any character, a newline too
      if (!R && !a.length) bad(k);
      for (i = 0; R ? !i || P < B.length : i < a.length; i++) {
        if (t == 8) {
          x = R ? (a[i] = {}) : a[i];
          str(x, 'topic', filter);
          qos(u8(x, 'qos'));
        } else if (t == 9) {
          if (u8(a, i) != 128) qos(a[i]);
        } else str(a, i, filter);
      }
    }
  }
  if (R && P != B.length) bad('length');
  return f;
}

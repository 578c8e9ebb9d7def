// Test helpers for the MQTT codec: commented hex fixtures, a seeded PRNG, random valid packets,
// and conversion to/from mqtt-packet's object shape. Node-only (tests and scripts).
import type { Packet, QoS } from '../../src/mqtt/codec';
import { utf8Encode } from '../../src/utf8';

/** Hex with `//` comments and whitespace, e.g. "10 // CONNECT\n 0a // length 10". */
export function hex(src: string): Uint8Array {
  const h = src.replace(/\/\/[^\n]*/g, '').replace(/\s+/g, '');
  if (!/^([0-9a-f]{2})*$/i.test(h)) throw new Error('bad fixture hex: ' + h);
  const out = new Uint8Array(h.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(h.substr(i * 2, 2), 16);
  return out;
}

export function ascii(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

export function cat(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  n = 0;
  for (const p of parts) {
    out.set(p, n);
    n += p.length;
  }
  return out;
}

export function toHex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/** mulberry32: small, seedable, good enough to drive tests. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Gen {
  constructor(readonly rnd: () => number) {}
  int(n: number): number {
    return Math.floor(this.rnd() * n);
  }
  bool(): boolean {
    return this.rnd() < 0.5;
  }
  pick<T>(a: readonly T[]): T {
    return a[this.int(a.length)];
  }
  bytes(n: number): Uint8Array {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = this.int(256);
    return b;
  }
  /** Small lengths mostly, now and then a few hundred / a few thousand. */
  len(): number {
    const r = this.rnd();
    return r < 0.7 ? this.int(12) : r < 0.95 ? this.int(300) : this.int(20000);
  }
  /** A well-formed string without U+0000 (and, with noWild, without '+' and '#'), mixing 1- to 4-byte UTF-8. */
  str(n: number, noWild = false): string {
    let s = '';
    while (s.length < n) {
      const r = this.rnd();
      let c: number;
      if (r < 0.6) c = 1 + this.int(127);
      else if (r < 0.75) c = 0x80 + this.int(0x780);
      else if (r < 0.9) {
        c = 0x800 + this.int(0x10000 - 0x800);
        if (c >= 0xd800 && c < 0xe000) c = 0xe000;
      } else c = 0x10000 + this.int(0x100000);
      if (noWild && (c === 0x2b || c === 0x23)) continue;
      s += String.fromCodePoint(c);
    }
    return s;
  }
  topic(): string {
    const levels = 1 + this.int(4);
    const out: string[] = [];
    for (let i = 0; i < levels; i++) out.push(this.str(this.int(6), true));
    const t = out.join('/');
    return t || 'x';
  }
  filter(): string {
    const levels = 1 + this.int(4);
    const out: string[] = [];
    for (let i = 0; i < levels; i++) {
      const r = this.rnd();
      out.push(r < 0.15 ? '+' : r < 0.25 && i === levels - 1 ? '#' : this.str(this.int(6), true));
    }
    return out.join('/') || '#';
  }
  qos(): QoS {
    return this.int(3) as QoS;
  }
  id(): number {
    return this.rnd() < 0.1 ? this.pick([1, 65535, 256, 255]) : 1 + this.int(65535);
  }

  /** A random packet that MQTT 3.1.1 allows (so encode() must accept it). */
  packet(): Packet {
    const t = 1 + this.int(14);
    switch (t) {
      case 1: {
        const clean = this.bool();
        const p: Packet = {
          cmd: 'connect',
          clientId: clean && this.rnd() < 0.1 ? '' : this.str(1 + this.int(23)),
          keepalive: this.rnd() < 0.1 ? this.pick([0, 65535]) : this.int(65536),
          clean,
        };
        if (this.bool()) p.will = { topic: this.topic(), payload: this.bytes(this.len()), qos: this.qos(), retain: this.bool() };
        if (this.bool()) {
          p.username = this.str(this.int(20));
          if (this.bool()) p.password = this.rnd() < 0.3 ? this.str(this.int(700)) : this.bytes(this.len());
        }
        return p;
      }
      case 2:
        return { cmd: 'connack', sessionPresent: this.bool(), returnCode: this.rnd() < 0.8 ? this.int(6) : this.int(256) };
      case 3: {
        const qos = this.qos();
        const p: Packet = { cmd: 'publish', topic: this.topic(), payload: this.bytes(this.len()), qos, retain: this.bool(), dup: qos > 0 && this.bool() };
        if (qos) p.messageId = this.id();
        return p;
      }
      case 8: {
        const subscriptions = [];
        for (let n = 1 + this.int(4); n > 0; n--) subscriptions.push({ topic: this.filter(), qos: this.qos() });
        return { cmd: 'subscribe', messageId: this.id(), subscriptions };
      }
      case 9: {
        const granted = [];
        for (let n = 1 + this.int(6); n > 0; n--) granted.push(this.pick([0, 1, 2, 128]));
        return { cmd: 'suback', messageId: this.id(), granted };
      }
      case 10: {
        const unsubscriptions = [];
        for (let n = 1 + this.int(4); n > 0; n--) unsubscriptions.push(this.filter());
        return { cmd: 'unsubscribe', messageId: this.id(), unsubscriptions };
      }
      case 12:
        return { cmd: 'pingreq' };
      case 13:
        return { cmd: 'pingresp' };
      case 14:
        return { cmd: 'disconnect' };
      default:
        return { cmd: (['puback', 'pubrec', 'pubrel', 'pubcomp'] as const)[t - 4] ?? 'unsuback', messageId: this.id() };
    }
  }
}

/** Our packet -> the object mqtt-packet's generate() takes. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function toMqttPacket(p: Packet): any {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const o: any = { ...p };
  const buf = (b: Uint8Array | string) => (typeof b === 'string' ? Buffer.from(b, 'utf8') : Buffer.from(b));
  if (p.cmd === 'connect') {
    o.protocolId = 'MQTT';
    o.protocolVersion = 4;
    if (p.will) o.will = { ...p.will, payload: buf(p.will.payload) };
    if (p.password !== undefined) o.password = buf(p.password);
  }
  if (p.cmd === 'publish') o.payload = buf(p.payload);
  return o;
}

const FIELDS: Record<string, string[]> = {
  connect: ['clientId', 'keepalive', 'clean', 'will', 'username', 'password'],
  connack: ['sessionPresent', 'returnCode'],
  publish: ['topic', 'payload', 'qos', 'retain', 'dup', 'messageId'],
  subscribe: ['messageId', 'subscriptions'],
  suback: ['messageId', 'granted'],
  unsubscribe: ['messageId', 'unsubscriptions'],
};

function plain(v: unknown): unknown {
  if (v instanceof Uint8Array) return new Uint8Array(v); // Buffer -> Uint8Array
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const k of Object.keys(v)) o[k] = plain((v as Record<string, unknown>)[k]);
    return o;
  }
  return v;
}

/** mqtt-packet's parsed object (or ours) -> our shape, with plain Uint8Arrays and string passwords as bytes. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function normalize(p: any): Record<string, unknown> {
  const o: Record<string, unknown> = { cmd: p.cmd };
  const fields = FIELDS[p.cmd] ?? (/^ping|^disconnect/.test(p.cmd) ? [] : ['messageId']);
  for (const f of fields) {
    let v = p[f];
    if (v === undefined || v === null) continue;
    if (f === 'messageId' && p.cmd === 'publish' && !p.qos) continue;
    if (f === 'password' && typeof v === 'string') v = utf8Encode(v);
    if (f === 'will') v = { topic: v.topic, payload: v.payload, qos: v.qos, retain: v.retain };
    if (f === 'subscriptions') v = v.map((s: { topic: string; qos: number }) => ({ topic: s.topic, qos: s.qos }));
    o[f] = plain(v);
  }
  return o;
}

// The record of accepted uplinks: payload decoding (JSON when it parses, bytes otherwise), a list
// bounded by count and by bytes, waitForUplink, and the JSON-lines form the CLI writes. Payloads over
// EAGER_PARSE_BYTES keep only their bytes: a 249 KB `[[],[],...]` parses to ~3.3 MB of heap.
import { randomUUID } from 'node:crypto';

export type Transport = 'mqtt' | 'mqtts' | 'http' | 'coap' | 'udp';

export interface Uplink {
  /** A uuid, the same one HTTP/CoAP return as `id`. */
  id: string;
  deviceId: string;
  transport: Transport;
  /** The data topic: the MQTT sub-topic below the device's uplink topic, or the `topic` query; 'default' when none. */
  topic: string;
  /** Parsed JSON when the bytes are JSON, else the raw bytes. Over 4 KiB of bytes it is parsed again on each read (the mock keeps only `raw`). */
  payload: unknown;
  /** True when `payload` is parsed JSON (over 4 KiB of MQTT bytes, found out at the first read). */
  json: boolean;
  raw: Uint8Array;
  /** Mock clock, milliseconds since the epoch. */
  time: number;
  /** The uplink's timestamp (ISO): the `timestamp` query when given, else the receive time. */
  timestamp: string;
  auth: 'jwt' | 'secret';
  /** MQTT only: the topic it was published on (an uplink secret in it is replaced by ***), and its QoS. */
  mqttTopic?: string;
  qos?: 0 | 1;
  /** HTTP only: where the secret came from (never the secret itself). */
  secretVia?: 'header' | 'query';
}

export const DEFAULT_TOPIC = 'default';
/** Default byte bound of the uplink record (see uplinkWeight). */
export const DEFAULT_MAX_UPLINK_BYTES = 64 * 1024 * 1024;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Payloads up to this many bytes keep their parsed tree; larger ones are parsed on each read of `payload`. */
export const EAGER_PARSE_BYTES = 4096;
/** Heap a parsed JSON tree may take per payload byte (`[{},{},...]` on 64-bit V8 is about 21): what a kept tree costs in the byte bound. */
export const PARSED_BYTES_PER_BYTE = 24;
/** Fixed share per recorded uplink (object, id, strings) in the byte bound. */
const UPLINK_OVERHEAD_BYTES = 256;

/** JSON when the bytes are strict UTF-8 JSON; otherwise the bytes as they came. */
export function decodePayload(raw: Uint8Array): { payload: unknown; json: boolean } {
  if (raw.length > 0 && (raw[0] === 0x7b || raw[0] === 0x5b || raw[0] === 0x22 || raw[0] <= 0x39 || raw[0] >= 0x61)) {
    try {
      const text = strictUtf8.decode(raw);
      return { payload: JSON.parse(text), json: true };
    } catch {
      /* not JSON: keep the bytes */
    }
  }
  return { payload: raw, json: false };
}

// The last time formatted: a QoS 1 stream records many uplinks within one millisecond.
let isoOf = { time: NaN, iso: '' };
function isoTime(time: number): string {
  if (time !== isoOf.time) isoOf = { time, iso: new Date(time).toISOString() };
  return isoOf.iso;
}

export function makeUplink(fields: Omit<Uplink, 'id' | 'payload' | 'json' | 'timestamp'> & { timestamp?: string; payload?: unknown }): Uplink {
  const raw = fields.raw;
  if (fields.payload === undefined && raw.length > EAGER_PARSE_BYTES) {
    // Large MQTT payloads are not parsed on arrival (a 249 KB `[[],...]` costs ~10 ms and 3.3 MB):
    // `json` is settled at its first read (and kept: a boolean), `payload` parses at every read.
    const u = { id: randomUUID(), ...fields, timestamp: fields.timestamp || isoTime(fields.time) } as Uplink;
    let json: boolean | undefined;
    Object.defineProperty(u, 'json', {
      enumerable: true,
      configurable: true,
      get: () => (json === undefined ? (json = decodePayload(raw).json) : json),
      set(v: boolean) {
        Object.defineProperty(u, 'json', { value: v, enumerable: true, configurable: true, writable: true });
      },
    });
    Object.defineProperty(u, 'payload', {
      enumerable: true,
      configurable: true,
      get: () => decodePayload(raw).payload,
      set(v: unknown) {
        Object.defineProperty(u, 'payload', { value: v, enumerable: true, configurable: true, writable: true });
      },
    });
    return u;
  }
  const dec = fields.payload !== undefined ? { payload: fields.payload, json: true } : decodePayload(raw);
  const u: Uplink = { id: randomUUID(), ...fields, payload: dec.payload, json: dec.json, timestamp: fields.timestamp || isoTime(fields.time) };
  if (dec.json && raw.length > EAGER_PARSE_BYTES) {
    // The tree is dropped (HTTP/CoAP/UDP parse the body to check it is an object or array); reads parse the bytes anew.
    Object.defineProperty(u, 'payload', {
      enumerable: true,
      configurable: true,
      get: () => JSON.parse(strictUtf8.decode(raw)),
      set(v: unknown) {
        Object.defineProperty(u, 'payload', { value: v, enumerable: true, configurable: true, writable: true });
      },
    });
  }
  return u;
}

/** What an uplink counts against the byte bound: its bytes, a kept parsed tree at PARSED_BYTES_PER_BYTE, a fixed share. */
export function uplinkWeight(u: Uplink): number {
  const keptTree = u.raw.length <= EAGER_PARSE_BYTES && u.json; // length first: a large payload's json getter would parse
  return UPLINK_OVERHEAD_BYTES + u.raw.length * (keptTree ? 1 + PARSED_BYTES_PER_BYTE : 1);
}

/** One JSON line: bytes payloads become {"base64": ...}; `raw` is left out. */
export function uplinkToJsonLine(u: Uplink): string {
  const { raw: _raw, ...rest } = u;
  const out: { [k: string]: unknown } = { ...rest, time: new Date(u.time).toISOString() };
  if (!u.json) out.payload = { base64: Buffer.from(u.raw).toString('base64') };
  return JSON.stringify(out);
}

/** Selects uplinks for waitForUplink. @inline */
export type UplinkPredicate = (u: Uplink) => boolean;

export class UplinkLog {
  readonly list: Uplink[] = [];
  /** uplinkWeight() summed over `list`. */
  bytes = 0;
  // Each entry's weight as taken when it was added (a user may change `json` on the live entries),
  // and the list length the sum was taken over (a user may also empty or splice the live list).
  private readonly weights = new WeakMap<Uplink, number>();
  private counted = 0;
  private waiters: { pred: UplinkPredicate; done: (u: Uplink | Error) => void }[] = [];
  constructor(
    private readonly max: number,
    private readonly maxBytes = DEFAULT_MAX_UPLINK_BYTES,
  ) {}

  private weightOf(u: Uplink): number {
    const w = this.weights.get(u);
    return w === undefined ? uplinkWeight(u) : w;
  }

  add(u: Uplink): void {
    if (this.list.length !== this.counted) this.bytes = this.list.reduce((n, x) => n + this.weightOf(x), 0);
    const weight = uplinkWeight(u);
    this.weights.set(u, weight);
    this.list.push(u);
    this.bytes += weight;
    // Trimmed in chunks (splicing one off the front per uplink would be O(n) per message): down to
    // `max` entries, and to 90 % of the byte bound (the newest uplink always stays).
    if (this.list.length > this.max + Math.ceil(this.max / 10) || this.bytes > this.maxBytes) {
      let drop = Math.max(0, this.list.length - this.max);
      let bytes = this.bytes;
      for (let i = 0; i < drop; i++) bytes -= this.weightOf(this.list[i]);
      while (drop < this.list.length - 1 && bytes > this.maxBytes * 0.9) bytes -= this.weightOf(this.list[drop++]);
      this.list.splice(0, drop);
      this.bytes = bytes;
    }
    this.counted = this.list.length;
    if (this.waiters.length === 0) return;
    const ready = this.waiters.filter((w) => w.pred(u));
    if (ready.length) {
      this.waiters = this.waiters.filter((w) => !ready.includes(w));
      for (const w of ready) w.done(u);
    }
  }

  /** The first recorded uplink matching `pred` (already recorded ones count), or a rejection after `timeoutMs`. */
  wait(pred: UplinkPredicate = () => true, timeoutMs = 5000): Promise<Uplink> {
    const seen = this.list.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const w = {
        pred,
        done: (u: Uplink | Error) => {
          clearTimeout(timer);
          if (u instanceof Error) reject(u);
          else resolve(u);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        reject(new Error('waitForUplink: no matching uplink within ' + timeoutMs + ' ms (' + this.list.length + ' recorded)'));
      }, timeoutMs);
      this.waiters.push(w);
    });
  }

  /** Rejects every pending wait (on close). */
  cancelAll(reason: string): void {
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w.done(new Error(reason));
  }
}

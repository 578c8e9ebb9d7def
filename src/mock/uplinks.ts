// The record of accepted uplinks: payload decoding (JSON when it parses, bytes otherwise), a bounded
// list, waitForUplink, and the JSON-lines form the CLI writes.
import { randomUUID } from 'node:crypto';

export type Transport = 'mqtt' | 'mqtts' | 'http' | 'coap' | 'udp';

export interface Uplink {
  /** A uuid, the same one HTTP/CoAP return as `id`. */
  id: string;
  deviceId: string;
  transport: Transport;
  /** The data topic: the MQTT sub-topic below the device's uplink topic, or the `topic` query; 'default' when none. */
  topic: string;
  /** Parsed JSON when the bytes are JSON, else the raw bytes. */
  payload: unknown;
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

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

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
  const dec = fields.payload !== undefined ? { payload: fields.payload, json: true } : decodePayload(fields.raw);
  return { id: randomUUID(), ...fields, payload: dec.payload, json: dec.json, timestamp: fields.timestamp || isoTime(fields.time) };
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
  private waiters: { pred: UplinkPredicate; done: (u: Uplink | Error) => void }[] = [];
  constructor(private readonly max: number) {}

  add(u: Uplink): void {
    this.list.push(u);
    // Trimmed in chunks (splicing one off the front per uplink would be O(n) per message).
    if (this.list.length > this.max + Math.ceil(this.max / 10)) this.list.splice(0, this.list.length - this.max);
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

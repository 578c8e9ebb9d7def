// Optional outbox persistence through the platform's key-value storage: what publish() accepted
// survives a reboot. One JSON string per device: [{s: sub-topic, p: base64 payload, q: qos, t?, j?, m?}]
// (m: written to MQTT unacknowledged, so it stays MQTT-only after the restart too).
import { base64Decode, base64Encode } from '../base64';
import type { KeyValueStore } from '../platform';
import type { Message } from './outbox';

export interface Stored {
  sub: string;
  payload: Uint8Array;
  qos: 0 | 1;
  ts?: string;
  json?: boolean;
  /** Written to MQTT and not acknowledged: may have arrived, so resent over MQTT only (with DUP). */
  sent?: boolean;
}

export function saveOutbox(store: KeyValueStore, key: string, msgs: Message[]): void {
  if (!msgs.length) return store.remove(key);
  const out: { s: string; p: string; q: number; t?: string; j?: number; m?: number }[] = [];
  for (let i = 0; i < msgs.length; i++) {
    const m = msgs[i];
    const r: { s: string; p: string; q: number; t?: string; j?: number; m?: number } = { s: m.sub || '', p: base64Encode(m.payload), q: m.qos };
    if (m.ts) r.t = m.ts;
    if (m.json) r.j = 1;
    if (m.sent) r.m = 1;
    out.push(r);
  }
  store.set(key, JSON.stringify(out));
}

/** What a previous run left; a corrupt record set is discarded (and reported by the caller) rather than fatal. */
export function loadOutbox(store: KeyValueStore, key: string): Stored[] {
  const text = store.get(key);
  if (!text) return [];
  const raw = JSON.parse(text);
  const out: Stored[] = [];
  for (let i = 0; i < raw.length; i++) {
    const r = raw[i];
    out.push({ sub: String(r.s), payload: base64Decode(r.p), qos: r.q === 0 ? 0 : 1, ts: r.t, json: !!r.j, sent: !!r.m });
  }
  return out;
}

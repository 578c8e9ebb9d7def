// The secret-uplink check shared by HTTP, CoAP and UDP capture: secret -> connector, device in the
// connector, topic/timestamp form, JSON object-or-array body. Transport code only maps the outcome.
import { clip } from './sanitize';
import { DEFAULT_TOPIC } from './uplinks';
import type { Registry } from './registry';

export interface CaptureQuery {
  deviceId?: string | null;
  secret?: string | null;
  topic?: string | null;
  timestamp?: string | null;
  /** Where the transport takes the device id from, for the refusal when it is missing (default `query parameter`). */
  deviceIdFrom?: string;
}

export type CaptureFailure = { ok: false; status: 400 | 401 | 404; error: string };
export type CaptureResult =
  | { ok: true; deviceId: string; connectorId: string; topic: string; payload: unknown; timestamp?: string }
  | CaptureFailure;

const fail = (status: 400 | 401 | 404, error: string): CaptureFailure => ({ ok: false, status, error });

export function checkCapture(reg: Registry, q: CaptureQuery, body: Uint8Array): CaptureResult {
  if (!q.secret) return fail(401, 'missing uplink secret');
  if (!q.deviceId) return fail(400, 'missing deviceId ' + (q.deviceIdFrom || 'query parameter'));
  const conn = reg.connectorBySecret(q.secret);
  if (!conn) return fail(401, 'wrong uplink secret');
  if (!reg.device(q.deviceId)) return fail(404, 'unknown device ' + JSON.stringify(clip(q.deviceId)));
  if (!conn.devices.has(q.deviceId)) return fail(404, 'device ' + JSON.stringify(clip(q.deviceId)) + ' is not assigned to this connector');
  const topic = q.topic === undefined || q.topic === null || q.topic === '' ? DEFAULT_TOPIC : q.topic;
  if (topic.length > 256 || /[\u0000-\u001f\u007f-\u009f#+]/.test(topic)) return fail(400, 'topic must be at most 256 characters without control characters, # or +');
  let timestamp: string | undefined;
  if (q.timestamp !== undefined && q.timestamp !== null) {
    const t = /^\d{4}-\d\d-\d\d(T[\d:.]+(Z|[+-]\d\d:?\d\d)?)?$/.test(q.timestamp) ? Date.parse(q.timestamp) : NaN;
    if (!Number.isFinite(t)) return fail(400, 'timestamp must be ISO-8601, e.g. 2026-01-01T12:00:00Z');
    timestamp = new Date(t).toISOString();
  }
  let payload: unknown;
  try {
    payload = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch {
    return fail(400, 'body is not valid JSON');
  }
  if (!payload || typeof payload !== 'object') return fail(400, 'body must be a JSON object or array');
  return { ok: true, deviceId: q.deviceId, connectorId: conn.id, topic, payload, timestamp };
}

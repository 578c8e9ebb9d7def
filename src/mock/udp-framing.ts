// The raw-UDP uplink framing (the default of docs/protocol.md, "UDP uplinks"): one datagram = the query string
// `deviceId=..&secret=..&topic=..`, a newline, then the JSON payload. Kept alone so it can change.

/** A parsed raw-UDP datagram: its query fields and the body. @inline */
export interface UdpFrame {
  deviceId: string | null;
  secret: string | null;
  topic: string | null;
  timestamp: string | null;
  body: Uint8Array;
}

/** Splits a datagram at its first '\n'; null when there is no newline (not this framing). */
export function parseUdpDatagram(d: Uint8Array): UdpFrame | null {
  const nl = d.indexOf(0x0a);
  if (nl < 0) return null;
  let head = Buffer.from(d.subarray(0, nl)).toString('utf8');
  if (head.endsWith('\r')) head = head.slice(0, -1);
  if (head.startsWith('?')) head = head.slice(1);
  const q = new URLSearchParams(head);
  return { deviceId: q.get('deviceId'), secret: q.get('secret'), topic: q.get('topic'), timestamp: q.get('timestamp'), body: d.subarray(nl + 1) };
}

/** The datagram a device sends (the inverse of parseUdpDatagram; used by tests and the simulator). */
export function formatUdpDatagram(q: { deviceId: string; secret: string; topic?: string }, payload: Uint8Array | string): Uint8Array {
  const p = new URLSearchParams({ deviceId: q.deviceId, secret: q.secret });
  if (q.topic) p.set('topic', q.topic);
  return new Uint8Array(Buffer.concat([Buffer.from(p.toString() + '\n'), Buffer.from(payload)]));
}

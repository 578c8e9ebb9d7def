// CoAP uplinks (RFC 7252, served by the `coap` library): POST /v3/capture?deviceId=..&secret=..&topic=..
// with Content-Format application/json (50); 2.01 with the HTTP success JSON, 4.xx with {"error"}.
import type { Socket } from 'node:dgram';
import { createServer, type IncomingMessage, type OutgoingMessage } from 'coap';
import { checkCapture } from './capture';
import type { CaptureHost } from './capture-host';
import { makeUplink } from './uplinks';

const STATUS: { [http: number]: string } = { 400: '4.00', 401: '4.01', 404: '4.04' };

function reply(host: CaptureHost, res: OutgoingMessage, code: string, body: object): void {
  const send = () => {
    res.code = code;
    res.setOption('Content-Format', 'application/json');
    res.end(JSON.stringify(body));
  };
  if (host.faults.latencyMs > 0) setTimeout(send, host.faults.latencyMs);
  else send();
}

export function handleCoap(host: CaptureHost, req: IncomingMessage, res: OutgoingMessage): void {
  const [path, query] = (req.url || '/').split('?');
  if (path !== '/v3/capture') return reply(host, res, '4.04', { error: 'not found: only POST /v3/capture is served' });
  if (req.method !== 'POST') return reply(host, res, '4.05', { error: 'method ' + req.method + ' not allowed; use POST' });
  const fmt = req.headers['Content-Format'];
  if (fmt !== undefined && fmt !== 'application/json' && fmt !== 50) return reply(host, res, '4.15', { error: 'Content-Format must be application/json (50)' });
  if (req.payload.length > host.bodyLimit) return reply(host, res, '4.13', { error: 'body larger than ' + host.bodyLimit + ' bytes' });
  const q = new URLSearchParams(query || '');
  const raw = new Uint8Array(req.payload);
  const r = checkCapture(host.registry(), { deviceId: q.get('deviceId'), secret: q.get('secret'), topic: q.get('topic'), timestamp: q.get('timestamp') }, raw);
  if (!r.ok) {
    if (r.status !== 400) host.authLog({ time: host.now(), transport: 'coap', code: r.status, reason: r.error, deviceId: q.get('deviceId') || undefined, method: 'secret' });
    return reply(host, res, STATUS[r.status], { error: r.error });
  }
  const u = makeUplink({ deviceId: r.deviceId, transport: 'coap', topic: r.topic, raw: raw.slice(), payload: r.payload, time: host.now(), timestamp: r.timestamp, auth: 'secret' });
  host.uplink(u);
  reply(host, res, '2.01', { id: u.id, timestamp: u.timestamp, message: 'uplink received' });
}

/** Serves CoAP on an already-bound UDP socket; returns the cleanup for stop(). */
export function attachCoap(host: CaptureHost): (sock: Socket) => () => void {
  return (sock) => {
    const server = createServer({ type: 'udp4' }, (req, res) => {
      try {
        handleCoap(host, req, res);
      } catch (e) {
        host.log('coap: internal error: ' + (e as Error).message);
      }
    });
    server.listen(sock);
    return () => {
      server.close();
    };
  };
}

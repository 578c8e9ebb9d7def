// HTTP uplinks: POST /v3/capture?deviceId=..&topic=..[&timestamp=..] with the connector's secret in the
// `secret` or `x-uplink-secret` header (query `secret` only when allowed); JSON object or array body.
// The device id comes from the `deviceId` query parameter or the `x-device-id` header; given both,
// they must agree (docs/protocol.md, HTTP).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { checkCapture } from './capture';
import type { CaptureHost } from './capture-host';
import { makeUplink } from './uplinks';
import { readBoundedBody } from './http-body';

function reply(host: CaptureHost, res: ServerResponse, status: number, body: object, headers: { [k: string]: string } = {}): void {
  const send = () => {
    if (res.destroyed) return;
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
    res.end(text);
  };
  if (host.faults.latencyMs > 0) setTimeout(send, host.faults.latencyMs);
  else send();
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Where the refusal for a missing device id says to put it. */
export const DEVICE_ID_FROM = '(query parameter deviceId or header x-device-id)';

/**
 * The uplink's device id: the `deviceId` query parameter or the `x-device-id` header (an empty value
 * counts as absent). Both given and different, or the header given twice: a 400 reason instead.
 */
export function httpDeviceId(req: IncomingMessage, url: URL): { deviceId: string | null } | { error: string } {
  const fromQuery = url.searchParams.get('deviceId') || null;
  const values = (req.headersDistinct && req.headersDistinct['x-device-id']) || [];
  if (values.length > 1) return { error: 'x-device-id header given more than once' };
  const fromHeader = values[0] || null;
  if (fromQuery && fromHeader && fromQuery !== fromHeader) return { error: 'deviceId query parameter and x-device-id header differ' };
  return { deviceId: fromQuery || fromHeader };
}

export function handleCapture(host: CaptureHost, req: IncomingMessage, res: ServerResponse): void {
  let url: URL;
  try {
    url = new URL(req.url || '/', 'http://mock');
  } catch {
    return reply(host, res, 400, { error: 'request target is not a valid URL path' });
  }
  if (url.pathname !== '/v3/capture') return reply(host, res, 404, { error: 'not found: only POST /v3/capture is served' });
  if (req.method !== 'POST') return reply(host, res, 405, { error: 'method ' + req.method + ' not allowed; use POST' }, { allow: 'POST' });
  // The body callback runs outside makeHttpServer's try: a throw there (an uplink or authRejected listener) is caught here.
  readBoundedBody(req, host.bodyLimit, (err, body) => {
    if (err) return reply(host, res, 413, { error: err }, { connection: 'close' });
    try {
      finish(body);
    } catch (e) {
      host.log('http: internal error: ' + (e as Error).message);
      if (!res.headersSent) reply(host, res, 500, { error: 'internal error' });
    }
  });
  const finish = (body: Buffer) => {
    const q = url.searchParams;
    const id = httpDeviceId(req, url);
    if ('error' in id) return reply(host, res, 400, { error: id.error });
    const deviceId = id.deviceId;
    const fromHeader = header(req, 'secret') || header(req, 'x-uplink-secret');
    const fromQuery = q.get('secret');
    let secretVia: 'header' | 'query' | undefined = fromHeader ? 'header' : undefined;
    let secret = fromHeader;
    if (!secret && fromQuery) {
      if (!host.allowSecretInQuery) {
        const reason = 'secret in the query string is not accepted (send the "secret" header, or start the mock with allowSecretInQuery)';
        host.authLog({ time: host.now(), transport: 'http', code: 401, reason, deviceId: deviceId || undefined, method: 'secret' });
        return reply(host, res, 401, { error: reason });
      }
      secret = fromQuery;
      secretVia = 'query';
    }
    const raw = new Uint8Array(body);
    const r = checkCapture(host.registry(), { deviceId, deviceIdFrom: DEVICE_ID_FROM, secret, topic: q.get('topic'), timestamp: q.get('timestamp') }, raw);
    if (!r.ok) {
      if (r.status !== 400) host.authLog({ time: host.now(), transport: 'http', code: r.status, reason: r.error, deviceId: deviceId || undefined, method: 'secret' });
      return reply(host, res, r.status, { error: r.error });
    }
    const u = makeUplink({ deviceId: r.deviceId, transport: 'http', topic: r.topic, raw, payload: r.payload, time: host.now(), timestamp: r.timestamp, auth: 'secret', secretVia });
    host.uplink(u);
    reply(host, res, 200, { id: u.id, timestamp: u.timestamp, message: 'uplink received' });
  };
}

export function makeHttpServer(host: CaptureHost): Server {
  const server = createServer((req, res) => {
    try {
      handleCapture(host, req, res);
    } catch (e) {
      host.log('http: internal error: ' + (e as Error).message);
      if (!res.headersSent) reply(host, res, 500, { error: 'internal error' });
    }
  });
  server.keepAliveTimeout = 5000;
  return server;
}

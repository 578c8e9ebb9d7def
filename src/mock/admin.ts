// The mock's admin HTTP API (its own port, localhost by default), for the `downlink` command and
// scripts: every request needs `Authorization: Bearer TOKEN` (compared in constant time); bodies are
// bounded; every refusal is logged. Routes:
//   POST /admin/downlink  {"deviceId", "topic"?, "qos"? 0|1, "payload"? string|JSON, "payloadBase64"?}
//                         -> {"delivered": sessions that got it}
//   GET  /admin/devices   -> {"devices": [{deviceId, kids, connected, sessions}], "connectors": [{id, devices}]}
//   GET  /admin/uplinks?deviceId=ID&limit=N -> {"uplinks": [the JSON-lines form, newest last]}
// The web console's routes (GET /, the event stream, ...: console/routes.ts) are served on the same port.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readBoundedBody } from './http-body';
import { sameSecret } from './same-secret';

/** What the admin API reads and does. */
export interface AdminHost {
  token: string;
  /** Largest request body. */
  bodyLimit: number;
  log(line: string): void;
  /** Sends; returns how many sessions got it; throws for a bad topic. */
  downlink(deviceId: string, payload: Buffer, topic: string | undefined, qos: 0 | 1): number;
  devices(): unknown;
  /** The newest `limit` uplinks (of one device when given), as plain JSON objects. */
  uplinks(deviceId: string | undefined, limit: number): unknown[];
  /** The console's routes: true when it took the request (it does its own auth). */
  console?: (req: IncomingMessage, res: ServerResponse, path: string) => boolean;
  /** Told of every refused admin request (the console's feed shows them). */
  refused?: (what: string, status: number, why: string) => void;
}

/** Equal strings, in time independent of where they differ (both hashed to 32 bytes first). */
export const tokenMatches = sameSecret;

function send(res: ServerResponse, status: number, body: object, headers: { [k: string]: string } = {}): void {
  if (res.destroyed || res.headersSent) return;
  const text = JSON.stringify(body) + '\n';
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store', ...headers });
  res.end(text);
}

/** The downlink request's fields, or the reason it is refused. */
export function parseDownlink(body: Buffer): { deviceId: string; topic?: string; qos: 0 | 1; payload: Buffer } | string {
  let j: unknown;
  try {
    j = JSON.parse(body.toString('utf8'));
  } catch {
    return 'body is not valid JSON';
  }
  if (!j || typeof j !== 'object' || Array.isArray(j)) return 'body must be a JSON object {"deviceId", "payload", "topic"?, "qos"?}';
  const o = j as { [k: string]: unknown };
  if (typeof o.deviceId !== 'string' || !o.deviceId) return 'deviceId must be a non-empty string';
  if (o.topic !== undefined && typeof o.topic !== 'string') return 'topic must be a string';
  if (o.qos !== undefined && o.qos !== 0 && o.qos !== 1) return 'qos must be 0 or 1';
  if (o.payload !== undefined && o.payloadBase64 !== undefined) return 'give payload or payloadBase64, not both';
  let payload: Buffer;
  if (o.payloadBase64 !== undefined) {
    if (typeof o.payloadBase64 !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(o.payloadBase64)) return 'payloadBase64 must be base64';
    payload = Buffer.from(o.payloadBase64, 'base64');
  } else if (typeof o.payload === 'string') payload = Buffer.from(o.payload, 'utf8');
  else if (o.payload === undefined) payload = Buffer.alloc(0);
  else payload = Buffer.from(JSON.stringify(o.payload), 'utf8');
  return { deviceId: o.deviceId, topic: o.topic === undefined || o.topic === '' ? undefined : (o.topic as string), qos: o.qos === 1 ? 1 : 0, payload };
}

/** The admin HTTP server (not listening). */
export function makeAdminServer(h: AdminHost): Server {
  const server = createServer((req, res) => {
    const path = (req.url || '/').split('?')[0];
    const who = req.method + ' ' + path.slice(0, 100) + ' from ' + (req.socket.remoteAddress || '?');
    const refuse = (status: number, error: string, headers: { [k: string]: string } = {}) => {
      h.log('admin: refused ' + who + ' (' + status + '): ' + error);
      if (h.refused) h.refused(req.method + ' ' + path.slice(0, 100), status, error);
      // A body over the bound is not read to its end: the connection goes once the reply is out.
      if (status === 413) res.once('finish', () => req.destroy());
      send(res, status, { error }, headers);
    };
    if (h.console && h.console(req, res, path)) return;
    const auth = req.headers.authorization;
    const m = typeof auth === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(auth) : null;
    if (!m || !tokenMatches(m[1], h.token)) {
      req.resume();
      return refuse(401, m ? 'wrong admin token' : 'missing admin token (Authorization: Bearer TOKEN)', { 'www-authenticate': 'Bearer realm="akenza-device mock"' });
    }
    try {
      if (path === '/admin/downlink') {
        if (req.method !== 'POST') {
          req.resume();
          return refuse(405, 'use POST', { allow: 'POST' });
        }
        return readBoundedBody(req, h.bodyLimit, (err, body) => {
          if (err) return refuse(413, err, { connection: 'close' });
          const d = parseDownlink(body);
          if (typeof d === 'string') return refuse(400, d);
          let delivered: number;
          try {
            delivered = h.downlink(d.deviceId, d.payload, d.topic, d.qos);
          } catch (e) {
            return refuse(400, (e as Error).message);
          }
          send(res, 200, { delivered });
        });
      }
      req.resume();
      if (path === '/admin/devices' || path === '/admin/uplinks') {
        if (req.method !== 'GET') return refuse(405, 'use GET', { allow: 'GET' });
        if (path === '/admin/devices') return send(res, 200, h.devices() as object);
        const q = new URL(req.url || '/', 'http://admin').searchParams;
        const limit = q.get('limit') === null ? 100 : Number(q.get('limit'));
        if (!Number.isInteger(limit) || limit < 1 || limit > 10000) return refuse(400, 'limit must be 1..10000');
        return send(res, 200, { uplinks: h.uplinks(q.get('deviceId') || undefined, limit) });
      }
      refuse(404, 'not found: POST /admin/downlink, GET /admin/devices, GET /admin/uplinks');
    } catch (e) {
      h.log('admin: internal error: ' + (e as Error).message);
      send(res, 500, { error: 'internal error' });
    }
  });
  server.headersTimeout = 10000;
  server.requestTimeout = 30000;
  return server;
}

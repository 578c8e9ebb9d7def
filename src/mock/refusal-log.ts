// One log line per HTTP and CoAP refusal (any 4.xx/5.xx reply: bad credentials, 400 bodies, 404 paths,
// 405, 413, 4.02, 4.15 ...), taken from the replies themselves so every refusal is printed once,
// whatever handler produced it: HTTP by wrapping the response, CoAP by reading the datagrams the
// endpoint sends back and pairing them (address, port, token) with the request they answer.
import type { Socket as UdpSocket } from 'node:dgram';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { codeString, OPT, parseCoap } from '../uplink/coap/codec';
import { httpDeviceId } from './http-capture';
import { clip } from './sanitize';


/** The `error` of a JSON reply body, else the start of the text. */
function errorOf(body: unknown): string {
  if (body === undefined || body === null) return '';
  const text = typeof body === 'string' ? body : Buffer.isBuffer(body) || body instanceof Uint8Array ? Buffer.from(body).toString('utf8') : '';
  try {
    const j = JSON.parse(text) as { error?: unknown };
    if (j && typeof j.error === 'string') return j.error;
  } catch {
    /* not JSON */
  }
  return text.slice(0, 200).trim();
}

const subject = (deviceId: string | null, what: string) => (deviceId ? 'device ' + JSON.stringify(clip(deviceId)) : what);

/** Logs every HTTP reply of 400 or more: `http: refused device "ID" (401): reason [from ADDR]` (nothing without `log`). */
export function logHttpRefusals(server: Server, log: ((line: string) => void) | undefined): void {
  if (!log) return;
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    let body: unknown;
    const end = res.end;
    res.end = function (this: ServerResponse, ...args: unknown[]) {
      if (typeof args[0] !== 'function') body = args[0];
      return (end as (...a: unknown[]) => ServerResponse).apply(this, args);
    } as typeof res.end;
    res.once('finish', () => {
      if (res.statusCode < 400) return;
      let deviceId: string | null = null;
      let path = clip(req.url || '/');
      try {
        const url = new URL(req.url || '/', 'http://mock');
        const id = httpDeviceId(req, url);
        deviceId = 'error' in id ? url.searchParams.get('deviceId') : id.deviceId;
        path = clip(url.pathname);
      } catch {
        /* an unparsable target ('//'): logged as sent */
      }
      log('http: refused ' + subject(deviceId, req.method + ' ' + path) + ' (' + res.statusCode + '): ' + errorOf(body) + ' [from ' + req.socket.remoteAddress + ']');
    });
  });
}

/** Most requests awaiting a reply that are remembered (a flood of unanswered ones cannot grow it). */
const MAX_PENDING = 1000;

/** Logs every CoAP reply of class 4 or 5 on `sock`: `coap: refused device "ID" (4.01): reason [from ADDR]` (nothing without `log`). Call before the endpoint attaches. */
export function logCoapRefusals(sock: UdpSocket, log: ((line: string) => void) | undefined): void {
  if (!log) return;
  const pending = new Map<string, string | null>();
  const keyOf = (address: string, port: number, token: Uint8Array) => address + ' ' + port + ' ' + Buffer.from(token).toString('hex');
  sock.on('message', (msg: Buffer, from) => {
    const m = parseCoap(new Uint8Array(msg.buffer, msg.byteOffset, msg.length));
    if (typeof m === 'string' || m.code === 0 || m.code >> 5 !== 0) return;
    const query = new URLSearchParams(m.options.filter((o) => o.number === OPT.uriQuery).map((o) => Buffer.from(o.value).toString('utf8')).join('&'));
    if (pending.size >= MAX_PENDING) pending.delete(pending.keys().next().value as string);
    pending.set(keyOf(from.address, from.port, m.token), query.get('deviceId'));
  });
  const send = sock.send;
  sock.send = function (this: UdpSocket, ...args: unknown[]) {
    try {
      // send(msg, port, address, cb) or the older send(msg, offset, length, port, address, cb).
      const old = typeof args[1] === 'number' && typeof args[2] === 'number';
      const msg = args[0];
      const port = args[old ? 3 : 1];
      const address = args[old ? 4 : 2];
      if (msg instanceof Uint8Array && typeof port === 'number' && typeof address === 'string') {
        const m = parseCoap(msg);
        if (typeof m !== 'string' && m.code >> 5 !== 0) {
          const k = keyOf(address, port, m.token);
          const deviceId = pending.has(k) ? pending.get(k)! : null;
          pending.delete(k);
          if (m.code >> 5 >= 4) log('coap: refused ' + subject(deviceId, 'a request') + ' (' + codeString(m.code) + '): ' + errorOf(m.payload) + ' [from ' + address + ']');
        }
      }
    } catch {
      /* logging never stops a reply */
    }
    return (send as (...a: unknown[]) => void).apply(this, args);
  } as typeof sock.send;
}

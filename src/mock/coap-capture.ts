// CoAP uplinks (RFC 7252): POST /v3/capture?deviceId=..&secret=..&topic=.. with Content-Format
// application/json (50); 2.01 with the HTTP success JSON, 4.xx with {"error"}; a CON request gets a
// piggybacked ACK, a NON one a NON response.
//
// Served with the project's own codec (src/uplink/coap/codec.ts), not the `coap` library: that library
// keeps every exchange (the request with its payload) in a cache before the handler checks the secret,
// and allocates a buffer for the size a Block1 option announces (num 2^20-1: 1 GiB per datagram). Here a
// datagram is parsed, answered and dropped; block-wise transfer (RFC 7959) is not offered (4.02, as for
// any critical option the server does not know), and what is kept per peer is only the deduplication
// record of RFC 7252 section 4.5: the reply bytes of the last MAX_EXCHANGES requests, bounded by count,
// bytes and EXCHANGE_LIFETIME.
import type { RemoteInfo, Socket } from 'node:dgram';
import { ACK, CON, encodeCoap, JSON_FORMAT, NON, OPT, optionUint, parseCoap, RST, uintOption, type CoapMessage } from '../uplink/coap/codec';
import { checkCapture } from './capture';
import type { CaptureHost } from './capture-host';
import { makeUplink } from './uplinks';

const POST = 2;
/** Response codes, class << 5 | detail. */
const CODE = { created: 65, badRequest: 128, unauthorized: 129, badOption: 130, notFound: 132, methodNotAllowed: 133, tooLarge: 141, unsupportedFormat: 143 };
const BY_STATUS: { [http: number]: number } = { 400: CODE.badRequest, 401: CODE.unauthorized, 404: CODE.notFound };
/** Critical (odd) options the endpoint understands; any other critical option in a request is 4.02 (section 5.4.1). */
const KNOWN_CRITICAL = new Set([OPT.ifMatch, OPT.uriHost, OPT.ifNoneMatch, OPT.uriPort, OPT.uriPath, OPT.uriQuery, OPT.accept]);
const BLOCK2 = 23;
const BLOCK1 = 27;

/** Deduplication records kept (each holds one reply, a few hundred bytes at most). */
export const MAX_EXCHANGES = 1000;
/** And at most this many reply bytes in them. */
export const MAX_EXCHANGE_BYTES = 512 * 1024;
/** EXCHANGE_LIFETIME (RFC 7252 section 4.8.2): how long a retransmission gets the same reply. */
const EXCHANGE_LIFETIME_MS = 247_000;

interface Exchange {
  at: number;
  /** The reply once sent; null while a delayed reply (latencyMs) is pending: duplicates are then ignored. */
  reply: Uint8Array | null;
}

/** The deduplication records of one CoAP endpoint: counted entries and reply bytes, both bounded. */
export class ExchangeCache {
  readonly map = new Map<string, Exchange>();
  bytes = 0;

  get(key: string, now: number): Exchange | undefined {
    const e = this.map.get(key);
    if (e && now - e.at > EXCHANGE_LIFETIME_MS) {
      this.delete(key, e);
      return undefined;
    }
    return e;
  }

  start(key: string, now: number): Exchange {
    const e: Exchange = { at: now, reply: null };
    this.map.set(key, e);
    this.evict(now);
    return e;
  }

  settle(key: string, e: Exchange, reply: Uint8Array): void {
    if (this.map.get(key) !== e) return; // evicted meanwhile: nothing to keep
    e.reply = reply;
    this.bytes += reply.length;
    this.evict(e.at);
  }

  private delete(key: string, e: Exchange): void {
    this.map.delete(key);
    if (e.reply) this.bytes -= e.reply.length;
  }

  /** Oldest first (Map order is insertion order): past the lifetime, or over the count or byte bound. */
  private evict(now: number): void {
    for (const [key, e] of this.map) {
      if (now - e.at <= EXCHANGE_LIFETIME_MS && this.map.size <= MAX_EXCHANGES && this.bytes <= MAX_EXCHANGE_BYTES) break;
      this.delete(key, e);
    }
  }
}

/** Live endpoints' caches, for tests and the soak script to count what is retained. */
export const coapExchangeCaches = new Set<ExchangeCache>();

interface Reply {
  code: number;
  body: object;
  size1?: number;
}

/** The reply to one request (no socket involved; uplinks are recorded through `host`). */
export function handleCoapRequest(host: CaptureHost, m: CoapMessage): Reply {
  for (const o of m.options) {
    if (o.number === BLOCK1 || o.number === BLOCK2) return { code: CODE.badOption, body: { error: 'block-wise transfer (RFC 7959) is not offered: send the body in one datagram of at most ' + host.bodyLimit + ' bytes' } };
    if (o.number & 1 && !KNOWN_CRITICAL.has(o.number)) return { code: CODE.badOption, body: { error: 'critical option ' + o.number + ' is not supported' } };
  }
  const path = m.options.filter((o) => o.number === OPT.uriPath).map((o) => Buffer.from(o.value).toString('utf8'));
  if (path.join('/') !== 'v3/capture') return { code: CODE.notFound, body: { error: 'not found: only POST /v3/capture is served' } };
  if (m.code !== POST) return { code: CODE.methodNotAllowed, body: { error: 'method ' + (m.code >> 5) + '.0' + (m.code & 31) + ' not allowed; use POST' } };
  const fmt = m.options.find((o) => o.number === OPT.contentFormat);
  if (fmt && (fmt.value.length > 2 || optionUint(fmt.value) !== JSON_FORMAT)) return { code: CODE.unsupportedFormat, body: { error: 'Content-Format must be application/json (50)' } };
  if (m.payload.length > host.bodyLimit) return { code: CODE.tooLarge, body: { error: 'body larger than ' + host.bodyLimit + ' bytes' }, size1: host.bodyLimit };
  const query = m.options.filter((o) => o.number === OPT.uriQuery).map((o) => Buffer.from(o.value).toString('utf8'));
  const q = new URLSearchParams(query.join('&'));
  const raw = m.payload;
  const r = checkCapture(host.registry(), { deviceId: q.get('deviceId'), secret: q.get('secret'), topic: q.get('topic'), timestamp: q.get('timestamp') }, raw);
  if (!r.ok) {
    if (r.status !== 400) host.authLog({ time: host.now(), transport: 'coap', code: r.status, reason: r.error, deviceId: q.get('deviceId') || undefined, method: 'secret' });
    return { code: BY_STATUS[r.status], body: { error: r.error } };
  }
  const u = makeUplink({ deviceId: r.deviceId, transport: 'coap', topic: r.topic, raw: raw.slice(), payload: r.payload, time: host.now(), timestamp: r.timestamp, auth: 'secret' });
  host.uplink(u);
  return { code: CODE.created, body: { id: u.id, timestamp: u.timestamp, message: 'uplink received' } };
}

/** Serves CoAP on an already-bound UDP socket; returns the cleanup for stop(). */
export function attachCoap(host: CaptureHost): (sock: Socket) => () => void {
  return (sock) => {
    const cache = new ExchangeCache();
    coapExchangeCaches.add(cache);
    let nextId = Math.floor(Math.random() * 65536);
    const timers = new Set<NodeJS.Timeout>();
    const send = (b: Uint8Array, to: RemoteInfo) => sock.send(b, to.port, to.address, () => undefined);

    const onMessage = (msg: Buffer, from: RemoteInfo) => {
      const m = parseCoap(new Uint8Array(msg.buffer, msg.byteOffset, msg.length));
      if (typeof m === 'string') return; // not CoAP (section 4.2: a malformed message is silently ignored)
      if (m.type === ACK || m.type === RST) return; // the mock sends no CON of its own
      if (m.code === 0) {
        // CoAP ping: an empty CON is answered with RST (section 4.3)
        if (m.type === CON) send(encodeCoap({ type: RST, code: 0, messageId: m.messageId, token: new Uint8Array(0), options: [], payload: new Uint8Array(0) }), from);
        return;
      }
      if (m.code >> 5 !== 0) return; // a response sent to the server: ignored
      const key = from.address + ' ' + from.port + ' ' + m.messageId;
      const now = Date.now();
      const seen = cache.get(key, now);
      if (seen) {
        if (seen.reply) send(seen.reply, from); // a retransmission: the same reply again, nothing recorded twice
        return;
      }
      const ex = cache.start(key, now);
      const r = handleCoapRequest(host, m);
      const options = [uintOption(OPT.contentFormat, JSON_FORMAT)];
      if (r.size1 !== undefined) options.push(uintOption(OPT.size1, r.size1));
      const con = m.type === CON;
      const out = encodeCoap({ type: con ? ACK : NON, code: r.code, messageId: con ? m.messageId : (nextId = (nextId + 1) & 0xffff), token: m.token, options, payload: Buffer.from(JSON.stringify(r.body)) });
      const deliver = () => {
        cache.settle(key, ex, out);
        send(out, from);
      };
      if (host.faults.latencyMs > 0) {
        const t = setTimeout(() => {
          timers.delete(t);
          deliver();
        }, host.faults.latencyMs);
        timers.add(t);
      } else deliver();
    };

    sock.on('message', (msg, from) => {
      try {
        onMessage(msg, from);
      } catch (e) {
        host.log('coap: internal error: ' + (e as Error).message);
      }
    });
    return () => {
      for (const t of timers) clearTimeout(t);
      coapExchangeCaches.delete(cache);
    };
  };
}

// A CoAP client for confirmable requests (RFC 7252 sections 4 and 5): retransmission with
// exponential back-off (initial timeout ACK_TIMEOUT x random [1, ACK_RANDOM_FACTOR], doubled after
// each of up to MAX_RETRANSMIT resends), message-id matching for ACK/RST, token matching for
// responses, piggy-backed and separate responses (a CON response is acknowledged with an empty
// ACK, its duplicates too, and delivered once), RST for CON messages nobody asked for.
// Timers and randomness come from the platform, so a virtual clock can check the schedule.
import { equalBytes } from '../../bytes';
import { random, type Platform, type UdpSocket } from '../../platform';
import { ACK, CON, encodeCoap, parseCoap, RST, type CoapMessage, type CoapOption } from './codec';

export interface CoapClientOptions {
  /** ACK_TIMEOUT, ms. Default 2000. */
  ackTimeoutMs?: number;
  /** ACK_RANDOM_FACTOR. Default 1.5. */
  ackRandomFactor?: number;
  /** MAX_RETRANSMIT. Default 4. */
  maxRetransmit?: number;
  /** How long to wait for a separate response after an empty ACK. Default 93 s (MAX_TRANSMIT_WAIT). */
  responseTimeoutMs?: number;
}

export interface CoapRequest {
  host: string;
  port: number;
  code: number;
  options: CoapOption[];
  payload: Uint8Array;
}

export interface CoapClient {
  /** Sends a CON request; `cb` once with the response or an error (timeout, reset, socket). */
  request(r: CoapRequest, cb: (err: Error | null, res?: CoapMessage) => void): void;
  /** Idempotent; pending requests fail. */
  close(): void;
}

interface Exchange {
  mid: number;
  token: Uint8Array;
  bytes: Uint8Array;
  host: string;
  port: number;
  tries: number;
  timeoutMs: number;
  timer: unknown;
  acked: boolean;
  cb: (err: Error | null, res?: CoapMessage) => void;
}

export function createCoapClient(platform: Platform, o: CoapClientOptions): CoapClient {
  const ackTimeout = o.ackTimeoutMs || 2000;
  const factor = o.ackRandomFactor || 1.5;
  const maxRetransmit = o.maxRetransmit === undefined ? 4 : o.maxRetransmit;
  const responseTimeout = o.responseTimeoutMs || 93000;
  let sock: UdpSocket | null = null;
  let mid = Math.floor(random(platform) * 65536);
  let pending: Exchange[] = [];
  /** Message ids of CON responses already acknowledged (a duplicate is acked again, not delivered). */
  let seen: number[] = [];

  const finish = (x: Exchange, err: Error | null, res?: CoapMessage) => {
    const i = pending.indexOf(x);
    if (i < 0) return;
    pending.splice(i, 1);
    if (x.timer !== null) platform.clearTimeout(x.timer);
    x.timer = null;
    x.cb(err, res);
  };
  const failAll = (err: Error) => {
    const all = pending.slice();
    for (let i = 0; i < all.length; i++) finish(all[i], err);
  };
  const reply = (type: number, messageId: number, host: string, port: number) => {
    if (sock) sock.send(encodeCoap({ type, code: 0, messageId, token: new Uint8Array(0), options: [], payload: new Uint8Array(0) }), host, port);
  };
  const arm = (x: Exchange) => {
    x.timer = platform.setTimeout(() => {
      x.timer = null;
      if (x.acked) return finish(x, new Error('CoAP: no separate response within ' + responseTimeout + ' ms'));
      if (x.tries >= maxRetransmit) return finish(x, new Error('CoAP: no answer after ' + (maxRetransmit + 1) + ' transmissions'));
      x.tries++;
      x.timeoutMs *= 2;
      if (sock) sock.send(x.bytes, x.host, x.port);
      arm(x);
    }, x.acked ? responseTimeout : x.timeoutMs);
  };

  const onMessage = (b: Uint8Array, from: { address: string; port: number }) => {
    const m = parseCoap(b);
    if (typeof m === 'string') return; // format error: silently ignored
    let x: Exchange | null = null;
    if (m.type === ACK || m.type === RST) {
      for (let i = 0; i < pending.length; i++) if (pending[i].mid === m.messageId && !pending[i].acked) x = pending[i];
      if (!x) return; // a duplicate or stray ACK/RST
      if (m.type === RST) return finish(x, new Error('CoAP: the server reset the request'));
      if (m.code === 0) {
        // empty ACK: the response comes separately
        x.acked = true;
        if (x.timer !== null) platform.clearTimeout(x.timer);
        return arm(x);
      }
      if (equalBytes(m.token, x.token)) finish(x, null, m);
      return;
    }
    // CON or NON from the server: a separate response (it also stands for a lost empty ACK)
    for (let i = 0; i < pending.length; i++) if (m.token.length && equalBytes(pending[i].token, m.token)) x = pending[i];
    if (m.type === CON) {
      const dup = seen.indexOf(m.messageId) >= 0;
      if (!x && !dup || m.code === 0) return reply(RST, m.messageId, from.address, from.port);
      reply(ACK, m.messageId, from.address, from.port);
      if (!dup) {
        seen.push(m.messageId);
        if (seen.length > 16) seen = seen.slice(-16);
      }
    }
    if (x && m.code !== 0) finish(x, null, m);
  };

  return {
    request(r, cb) {
      if (!platform.udp) {
        platform.setTimeout(() => cb(new Error('CoAP: this platform has no UDP')), 0);
        return;
      }
      if (!sock)
        sock = platform.udp({
          onMessage,
          onError: (e) => {
            const s = sock;
            sock = null;
            if (s) s.close();
            failAll(e);
          },
        });
      mid = (mid + 1) & 0xffff;
      const token = platform.randomBytes(4);
      const bytes = encodeCoap({ type: CON, code: r.code, messageId: mid, token, options: r.options, payload: r.payload });
      const x: Exchange = { mid, token, bytes, host: r.host, port: r.port, tries: 0, timeoutMs: ackTimeout * (1 + (factor - 1) * random(platform)), timer: null, acked: false, cb };
      pending.push(x);
      sock.send(bytes, r.host, r.port);
      arm(x);
    },
    close() {
      const s = sock;
      sock = null;
      if (s) s.close();
      failAll(new Error('CoAP: client closed'));
      pending = [];
    },
  };
}

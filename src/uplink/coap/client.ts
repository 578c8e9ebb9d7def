// A CoAP client for confirmable requests (RFC 7252 sections 4 and 5): retransmission with
// exponential back-off (initial timeout ACK_TIMEOUT x random [1, ACK_RANDOM_FACTOR], doubled after
// each of up to MAX_RETRANSMIT resends), message-id matching for ACK/RST, token matching for
// responses, piggy-backed and separate responses (a CON response is acknowledged with an empty
// ACK, its duplicates too, and delivered once), RST for CON messages nobody asked for.
// Timers and randomness come from the platform, so a virtual clock can check the schedule.
// A request bigger than maxDatagramBytes, or one the socket refuses at once, fails without
// being left pending; an error after the server's empty ACK says so (`acked`: it has the request).
// Replies count only from the address and port the request went to (the host resolved for each
// send, as the platform reports it): a spoofed ACK with the right message id is ignored and counted.
import { equalBytes } from '../../bytes';
import { random, type Platform, type UdpSocket } from '../../platform';
import { MAX_DATAGRAM } from '../common';
import type { CoapClientOptions } from '../types';
import { ACK, CON, encodeCoap, parseCoap, RST, type CoapMessage, type CoapOption } from './codec';

/** Why a request failed; `acked`: the server acknowledged it (empty ACK) before the failure. */
export type CoapError = Error & { acked?: boolean; code?: string };

export interface CoapRequest {
  host: string;
  port: number;
  code: number;
  options: CoapOption[];
  payload: Uint8Array;
}

export interface CoapClient {
  /** Sends a CON request; `cb` once, never from inside the call, with the response or an error (timeout, reset, socket). */
  request(r: CoapRequest, cb: (err: CoapError | null, res?: CoapMessage) => void): void;
  /** Idempotent; pending requests fail. */
  close(): void;
  /** Fails now, with `acked` set, every request the server has acknowledged but not answered. */
  settle(): void;
  /** Replies ignored because they came from another address or port than their request went to. */
  foreign: number;
}

interface Exchange {
  mid: number;
  token: Uint8Array;
  bytes: Uint8Array;
  host: string;
  port: number;
  /** The address the last transmission went to: `host` resolved (the platform's sentTo), else `host`. */
  addr: string;
  tries: number;
  timeoutMs: number;
  timer: unknown;
  acked: boolean;
  cb: (err: CoapError | null, res?: CoapMessage) => void;
}

export function createCoapClient(platform: Platform, o: CoapClientOptions): CoapClient {
  const ackTimeout = o.ackTimeoutMs || 2000;
  const factor = o.ackRandomFactor || 1.5;
  const maxRetransmit = o.maxRetransmit === undefined ? 4 : o.maxRetransmit;
  const responseTimeout = o.responseTimeoutMs || 93000;
  const maxBytes = o.maxDatagramBytes || MAX_DATAGRAM;
  let sock: UdpSocket | null = null;
  let mid = Math.floor(random(platform) * 65536);
  let pending: Exchange[] = [];
  /** Message ids of CON responses already acknowledged (a duplicate is acked again, not delivered). */
  let seen: number[] = [];

  const finish = (x: Exchange, err: CoapError | null, res?: CoapMessage) => {
    const i = pending.indexOf(x);
    if (i < 0) return;
    pending.splice(i, 1);
    if (x.timer !== null) platform.clearTimeout(x.timer);
    x.timer = null;
    if (err) err.acked = x.acked;
    x.cb(err, res);
  };
  /** Sends one datagram; a socket that throws (bad port, too big) fails the exchange instead. */
  const transmit = (x: Exchange): boolean => {
    try {
      if (sock) sock.send(x.bytes, x.host, x.port, (a) => (x.addr = a));
      return true;
    } catch (e) {
      finish(x, e as Error);
      return false;
    }
  };
  const failAll = (err: Error) => {
    const all = pending.slice();
    for (let i = 0; i < all.length; i++) finish(all[i], err);
  };
  const reply = (type: number, messageId: number, host: string, port: number) => {
    try {
      if (sock) sock.send(encodeCoap({ type, code: 0, messageId, token: new Uint8Array(0), options: [], payload: new Uint8Array(0) }), host, port);
    } catch (e) {
      // a lost ACK/RST: the server retransmits, we answer again
    }
  };
  const arm = (x: Exchange) => {
    x.timer = platform.setTimeout(() => {
      x.timer = null;
      if (x.acked) return finish(x, new Error('CoAP: no separate response within ' + responseTimeout + ' ms'));
      if (x.tries >= maxRetransmit) return finish(x, new Error('CoAP: no answer after ' + (maxRetransmit + 1) + ' transmissions'));
      x.tries++;
      x.timeoutMs *= 2;
      if (transmit(x)) arm(x);
    }, x.acked ? responseTimeout : x.timeoutMs);
  };

  const onMessage = (b: Uint8Array, from: { address: string; port: number }) => {
    const m = parseCoap(b);
    if (typeof m === 'string') return; // format error: silently ignored
    let x: Exchange | null = null;
    let other = false; // matched an exchange, but from another peer
    const peer = (e: Exchange) => (e.addr === from.address && e.port === from.port) || ((other = true), false);
    if (m.type === ACK || m.type === RST) {
      for (let i = 0; i < pending.length; i++) if (pending[i].mid === m.messageId && !pending[i].acked && peer(pending[i])) x = pending[i];
      if (!x) return void (other && client.foreign++); // a duplicate or stray ACK/RST, or a spoofed one
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
    for (let i = 0; i < pending.length; i++) if (m.token.length && equalBytes(pending[i].token, m.token) && peer(pending[i])) x = pending[i];
    if (!x && other) return void client.foreign++; // a response to our token from someone else: no ACK, no RST
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

  const client: CoapClient = {
    foreign: 0,
    request(r, cb) {
      const early = (e: CoapError) => void platform.setTimeout(() => cb(e), 0);
      if (!platform.udp) return early(new Error('CoAP: this platform has no UDP'));
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
      if (bytes.length > maxBytes) {
        const e: CoapError = new Error('CoAP: request of ' + bytes.length + ' bytes exceeds ' + maxBytes);
        e.code = 'EMSGSIZE';
        return early(e);
      }
      const x: Exchange = { mid, token, bytes, host: r.host, port: r.port, addr: r.host, tries: 0, timeoutMs: ackTimeout * (1 + (factor - 1) * random(platform)), timer: null, acked: false, cb };
      try {
        sock.send(bytes, r.host, r.port, (a) => (x.addr = a)); // before it is pending: a throw leaves nothing behind
      } catch (e) {
        return early(e as Error);
      }
      pending.push(x);
      arm(x);
    },
    settle() {
      const all = pending.slice();
      for (let i = 0; i < all.length; i++) if (all[i].acked) finish(all[i], new Error('CoAP: stopped waiting for the separate response'));
    },
    close() {
      const s = sock;
      sock = null;
      if (s) s.close();
      failAll(new Error('CoAP: client closed'));
      pending = [];
    },
  };
  return client;
}

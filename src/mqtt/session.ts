// One MQTT 3.1.1 connection: CONNECT/CONNACK with a timeout, keepalive PINGREQ with dead-link
// detection, publish, subscribe, and packets handed up. What survives a reconnect (in-flight QoS 1,
// subscriptions, the token) belongs to the device, not here.
import type { Platform, Socket, SocketOptions, TlsOptions } from '../platform';
import { encode } from './encode';
import { MqttError } from './errors';
import { createParser, type Parser, type ParserOptions } from './parser';
import type { Packet, PublishPacket } from './packets';

export interface SessionOptions {
  host: string;
  port: number;
  tls?: TlsOptions;
  clientId: string;
  username?: string;
  password?: string;
  keepaliveS: number;
  connackTimeoutMs: number;
  maxPacketSize: number;
  /** MQTT over WebSocket at this path (ws:// and wss:// URLs: platform.webSocket); TCP/TLS without it. */
  ws?: string;
  /** Unsent bytes (written, not yet left the process) above which the link is full: the device
   *  writes no more publishes, the target stops reading where it can, and a link full for a
   *  keepalive is closed ('write-stalled'). */
  maxUnsent: number;
  // Each callback gets its session last: one options object can serve one session after another.
  onConnected(sessionPresent: boolean, s: Session): void;
  /** A PUBACK; with 0 (no PUBACK has it), everything written so far has left the process, so QoS 0
   *  publishes count as sent (one callback for both: on Espruino each method costs variables). */
  onPuback(messageId: number, s: Session): void;
  onSuback(messageId: number, granted: number[], s: Session): void;
  onMessage(p: PublishPacket, s: Session): void;
  /** Once per session. `returnCode` is set when the broker refused the CONNECT. */
  onClosed(reason: CloseReason, s: Session): void;
}

export interface CloseReason {
  reason: 'refused' | 'connack-timeout' | 'keepalive-timeout' | 'write-stalled' | 'socket-error' | 'socket-closed' | 'protocol-error' | 'local';
  message: string;
  returnCode?: number;
}

/** What a connection offers the device. */
export interface Session {
  /** Queues a packet (PUBLISH, SUBSCRIBE, ...); packets of one turn go out as one write. */
  send(p: Packet): void;
  /** Bytes sent and not yet out of the process: queued in this turn plus the socket's unsent ones. */
  unsent(): number;
  /** Sends DISCONNECT and closes. */
  disconnect(): void;
}

export function openSession(platform: Platform, o: SessionOptions): Session {
  return new MqttSession(platform, o);
}

/**
 * A class, not closures: on Espruino each closure a connection keeps costs 8-11 variables, and a
 * method costs its connection nothing (it is made once, with the module). The object is also the
 * parser's and the socket's options (their callbacks are its methods, called on it), so one object
 * serves all three. Espruino's arrows do not keep `this`: callbacks take the session as `s`.
 */
class MqttSession implements Session, ParserOptions, SocketOptions {
  declare p: Platform;
  declare o: SessionOptions;
  declare host: string;
  declare port: number;
  declare tls?: TlsOptions;
  declare maxPacketSize: number;
  declare maxUnsent: number;
  /** when the unsent bytes went above maxUnsent (platform.now()), 0 while they are not */
  declare ub: number;
  /** closed */
  declare x: boolean;
  /** CONNACK accepted */
  declare up: boolean;
  /** the keepalive timer: one for both rules (nothing sent for a keepalive: PINGREQ, the protocol's
   *  rule; nothing received for one: PINGREQ too, a half-open link), not re-armed per packet: it
   *  reads the times below when it fires (one pending timer is ~15 variables on Espruino) */
  declare kt: unknown;
  /** when a packet was last sent, and received (platform.now()) */
  declare lt: number;
  declare lr: number;
  /** PINGREQ or CONNECT unanswered: the link is dead */
  declare dt: unknown;
  /** keepalive in ms */
  declare ka: number;
  /** packets written in this turn of the event loop, and their bytes: they go out as one socket write
   *  (far fewer syscalls and TCP segments when a burst of PUBACKs releases a burst of PUBLISHes) */
  declare q: Uint8Array[];
  declare qb: number;
  declare ps: Parser;
  declare so: Socket;

  constructor(platform: Platform, o: SessionOptions) {
    const s = this;
    s.p = platform;
    s.o = o;
    s.host = o.host;
    s.port = o.port;
    s.tls = o.tls;
    s.maxPacketSize = o.maxPacketSize;
    s.maxUnsent = o.maxUnsent;
    s.x = s.up = false;
    s.kt = s.dt = null;
    s.lt = s.lr = s.ub = 0;
    s.ka = o.keepaliveS * 1000;
    s.q = [];
    s.qb = 0;
    s.ps = createParser(s);
    s.so = o.ws === undefined ? platform.connect(s) : (platform.webSocket as NonNullable<Platform['webSocket']>)(s, o.ws);
    dieIn(s, o.connackTimeoutMs, { reason: 'connack-timeout', message: 'no CONNACK' });
  }

  send(p: Packet): void {
    const s = this; // (a local: shorter code than `this` in every bundle)
    if (s.x) return;
    const b = encode(p);
    if (!s.q.length) Promise.resolve().then(() => (flush(s), s.onDrain()));
    s.q.push(b);
    s.qb += b.length;
    s.lt = s.p.now();
  }

  unsent(): number {
    const so = this.so;
    return this.qb + (so.unsent ? so.unsent() : 0);
  }

  disconnect(): void {
    this.send({ cmd: 'disconnect' });
    finish(this, { reason: 'local', message: 'disconnected' });
  }

  // ---- the parser's and the socket's callbacks ----
  onError(e: Error): void {
    finish(this, { reason: e instanceof MqttError ? 'protocol-error' : 'socket-error', message: e.message });
  }

  onPacket(p: Packet): void {
    const s = this;
    if (s.x) return;
    s.dt = clear(s, s.dt); // any packet proves the link is alive
    s.lr = s.p.now();
    const o = s.o;
    if (!s.up) {
      if (p.cmd !== 'connack') return finish(s, { reason: 'protocol-error', message: p.cmd + ' before CONNACK' });
      // 4: bad username or password (malformed token/secret), 5: not authorized.
      if (p.returnCode !== 0) return finish(s, { reason: 'refused', returnCode: p.returnCode, message: 'CONNACK ' + p.returnCode });
      s.up = true;
      if (s.ka) keepalive(s, s.ka);
      o.onConnected(p.sessionPresent, s);
      return;
    }
    if (p.cmd === 'publish') {
      if (p.qos === 1) s.send({ cmd: 'puback', messageId: p.messageId as number });
      if (p.qos === 2) return finish(s, { reason: 'protocol-error', message: 'QoS 2 publish' });
      o.onMessage(p, s);
    } else if (p.cmd === 'puback') o.onPuback(p.messageId, s);
    else if (p.cmd === 'suback') o.onSuback(p.messageId, p.granted, s);
    else if (p.cmd !== 'pingresp' && p.cmd !== 'unsuback') finish(s, { reason: 'protocol-error', message: 'unexpected ' + p.cmd });
  }

  onConnect(): void {
    const o = this.o;
    if (!this.x) this.send({ cmd: 'connect', clientId: o.clientId, keepalive: o.keepaliveS, clean: true, username: o.username, password: o.password });
  }

  onData(b: Uint8Array): void {
    if (!this.x) this.ps.push(b);
  }

  onClose(): void {
    finish(this, { reason: 'socket-closed', message: this.up ? 'closed by the server' : 'closed before CONNACK' });
  }

  /** After each flush, and when the target says its buffer emptied: reports a link with nothing
   *  unsent (and so not full: `ub` is also set and cleared at each write, in flush). */
  onDrain(): void {
    const s = this;
    if (s.x || !s.up || s.unsent()) return;
    s.ub = 0;
    s.o.onPuback(0, s);
  }
}


function flush(s: MqttSession): void {
  const q = s.q;
  if (!q.length) return;
  const out = new Uint8Array(s.qb);
  for (let i = 0, off = 0; i < q.length; off += q[i].length, i++) out.set(q[i], off);
  s.q = [];
  s.qb = 0;
  if (s.x) return;
  s.so.write(out);
  // since when the link is full (above the bound after a write), 0 once it is not
  s.ub = s.unsent() > s.maxUnsent ? s.ub || s.p.now() : 0;
}

function clear(s: MqttSession, t: unknown): null {
  if (t !== null) s.p.clearTimeout(t);
  return null;
}

function finish(s: MqttSession, r: CloseReason): void {
  if (s.x) return;
  flush(s);
  s.x = true;
  s.kt = clear(s, s.kt);
  s.dt = clear(s, s.dt);
  s.ps.close();
  s.so.close();
  s.o.onClosed(r, s);
}

// A timer handle is nulled before its callback acts: Espruino's clearTimeout throws on a fired one.
function dieIn(s: MqttSession, ms: number, r: CloseReason): void {
  s.dt = s.p.setTimeout(() => {
    s.dt = null;
    finish(s, r);
  }, ms);
}

/** Fires in `ms`: a PINGREQ when nothing was sent or nothing received for a keepalive (or the wall
 *  clock went back: the times cannot be trusted), else again when that would be so. No PINGRESP
 *  within half a keepalive means the link is dead; so does a keepalive with more than maxUnsent
 *  bytes unsent (a peer that stopped reading, though it may still be sending). */
function keepalive(s: MqttSession, ms: number): void {
  s.kt = s.p.setTimeout(() => {
    s.kt = null;
    const now = s.p.now();
    // A full link: no PINGREQ (it would wait behind the rest), closed once full for a keepalive.
    if (s.ub) {
      if (now < s.ub) s.ub = now; // the wall clock went back
      if (now - s.ub < s.ka) return keepalive(s, s.ub + s.ka - now);
      return finish(s, { reason: 'write-stalled', message: 'peer not reading' });
    }
    const due = Math.min(s.lt, s.lr) + s.ka;
    if (now < due && now >= Math.max(s.lt, s.lr)) return keepalive(s, due - now);
    s.send({ cmd: 'pingreq' });
    if (s.dt === null) dieIn(s, s.ka / 2, { reason: 'keepalive-timeout', message: 'no PINGRESP' });
    keepalive(s, s.ka);
  }, ms);
}

// One MQTT 3.1.1 connection: CONNECT/CONNACK with a timeout, keepalive PINGREQ with dead-link
// detection, publish, subscribe, and packets handed up. What survives a reconnect (in-flight QoS 1,
// subscriptions, the token) belongs to the device, not here.
import type { Platform, SocketOptions, TlsOptions } from '../platform';
import { encode } from './encode';
import { MqttError } from './errors';
import { createParser, type ParserOptions } from './parser';
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
  // Each callback gets its session last: one options object can serve one session after another.
  onConnected(sessionPresent: boolean, s: Session): void;
  onPuback(messageId: number, s: Session): void;
  onSuback(messageId: number, granted: number[], s: Session): void;
  onMessage(p: PublishPacket, s: Session): void;
  /** Once per session. `returnCode` is set when the broker refused the CONNECT. */
  onClosed(reason: CloseReason, s: Session): void;
}

export interface CloseReason {
  reason: 'refused' | 'connack-timeout' | 'keepalive-timeout' | 'socket-error' | 'socket-closed' | 'protocol-error' | 'local';
  message: string;
  returnCode?: number;
}

/** Two functions: on Espruino every function a connection keeps costs ~10 variables. */
export interface Session {
  /** Queues a packet (PUBLISH, SUBSCRIBE, ...); packets of one turn go out as one write. */
  send(p: Packet): void;
  /** Sends DISCONNECT and closes. */
  disconnect(): void;
}

export function openSession(platform: Platform, o: SessionOptions): Session {
  let closed = false;
  let connected = false;
  let txTimer: unknown = null; // nothing sent for a keepalive period: PINGREQ (the protocol's rule)
  let rxTimer: unknown = null; // nothing received for a keepalive period: PINGREQ (a half-open link)
  let deadTimer: unknown = null; // PINGREQ or CONNECT unanswered: the link is dead
  const keepaliveMs = o.keepaliveS * 1000;
  // Packets written in one turn of the event loop go out as one socket write: far fewer syscalls
  // and TCP segments when a burst of PUBACKs releases a burst of PUBLISHes.
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  const flush = () => {
    if (!pending.length) return;
    const out = new Uint8Array(pendingBytes);
    for (let i = 0, off = 0; i < pending.length; off += pending[i].length, i++) out.set(pending[i], off);
    pending = [];
    pendingBytes = 0;
    if (!closed) socket.write(out);
  };

  const clear = (t: unknown) => {
    if (t !== null) platform.clearTimeout(t);
    return null;
  };
  const finish = (r: CloseReason) => {
    if (closed) return;
    flush();
    closed = true;
    txTimer = clear(txTimer);
    rxTimer = clear(rxTimer);
    deadTimer = clear(deadTimer);
    parser.close();
    socket.close();
    o.onClosed(r, S);
  };
  const send = (p: Packet) => {
    if (closed) return;
    const b = encode(p);
    if (!pending.length) Promise.resolve().then(flush);
    pending.push(b);
    pendingBytes += b.length;
    if (connected && keepaliveMs) txTimer = idle(txTimer);
  };
  // A timer handle is nulled before its callback acts: Espruino's clearTimeout throws on a fired one.
  const dieIn = (ms: number, r: CloseReason) => {
    deadTimer = platform.setTimeout(() => {
      deadTimer = null;
      finish(r);
    }, ms);
  };
  // (Re)starts an idle timer that pings after a keepalive period; returns its handle. No PINGRESP
  // within half a keepalive means the link is dead.
  const idle = (t: unknown): unknown => {
    clear(t);
    const h = platform.setTimeout(() => {
      if (txTimer === h) txTimer = null;
      if (rxTimer === h) rxTimer = null;
      send({ cmd: 'pingreq' });
      if (deadTimer === null) dieIn(keepaliveMs / 2, { reason: 'keepalive-timeout', message: 'no PINGRESP' });
    }, keepaliveMs);
    return h;
  };

  // One object is both the parser's options and the socket's (an object and a closure fewer per
  // connection): the parser's errors are MqttErrors, the socket's are not.
  const io: ParserOptions & SocketOptions = {
    host: o.host,
    port: o.port,
    tls: o.tls,
    maxPacketSize: o.maxPacketSize,
    onError: (e) => finish({ reason: e instanceof MqttError ? 'protocol-error' : 'socket-error', message: e.message }),
    onPacket: (p) => {
      if (closed) return;
      deadTimer = clear(deadTimer); // any packet proves the link is alive
      if (connected && keepaliveMs) rxTimer = idle(rxTimer);
      if (!connected) {
        if (p.cmd !== 'connack') return finish({ reason: 'protocol-error', message: p.cmd + ' before CONNACK' });
        // 4: bad username or password (malformed token/secret), 5: not authorized.
        if (p.returnCode !== 0) return finish({ reason: 'refused', returnCode: p.returnCode, message: 'CONNACK ' + p.returnCode });
        connected = true;
        if (keepaliveMs) {
          rxTimer = idle(rxTimer);
          txTimer = idle(txTimer);
        }
        o.onConnected(p.sessionPresent, S);
        return;
      }
      if (p.cmd === 'publish') {
        if (p.qos === 1) send({ cmd: 'puback', messageId: p.messageId as number });
        if (p.qos === 2) return finish({ reason: 'protocol-error', message: 'QoS 2 publish' });
        o.onMessage(p, S);
      } else if (p.cmd === 'puback') o.onPuback(p.messageId, S);
      else if (p.cmd === 'suback') o.onSuback(p.messageId, p.granted, S);
      else if (p.cmd !== 'pingresp' && p.cmd !== 'unsuback') finish({ reason: 'protocol-error', message: 'unexpected ' + p.cmd });
    },
    onConnect: () => {
      if (closed) return;
      send({ cmd: 'connect', clientId: o.clientId, keepalive: o.keepaliveS, clean: true, username: o.username, password: o.password });
    },
    onData: (b) => {
      if (!closed) parser.push(b);
    },
    onClose: () => finish({ reason: 'socket-closed', message: connected ? 'closed by the server' : 'closed before CONNACK' }),
  };
  const parser = createParser(io);
  const socket = platform.connect(io);
  dieIn(o.connackTimeoutMs, { reason: 'connack-timeout', message: 'no CONNACK' });

  const S: Session = {
    send,
    disconnect: () => {
      send({ cmd: 'disconnect' });
      finish({ reason: 'local', message: 'disconnected' });
    },
  };
  return S;
}

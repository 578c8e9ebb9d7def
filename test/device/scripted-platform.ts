// A scripted platform for device tests: virtual time (timers run when the test advances the clock)
// and in-memory sockets whose server side is a test-written broker speaking our MQTT codec.
import { randomBytes } from 'node:crypto';
import { encode } from '../../src/mqtt/encode';
import { createParser } from '../../src/mqtt/parser';
import type { Packet } from '../../src/mqtt/packets';
import type { Platform, SocketOptions } from '../../src/platform';
import { nodeSigners } from '../../targets/node/sign-node';

export interface ServerConn {
  send(p: Packet): void;
  close(): void;
  options: SocketOptions;
  /** Stops (false) or resumes (true) reading what the client writes: unread bytes count as the
   *  client socket's unsent() and stay in its buffer, as when a TCP peer stops reading. */
  reading(on: boolean): void;
  /** Bytes the client wrote that the peer has not read. */
  unsent(): number;
  /** Packets the peer sent that the client has not been given: a client that stops reading
   *  (o.maxUnsent exceeded) leaves them here. */
  undelivered(): number;
}

export interface ScriptedBroker {
  /** Called when a client connects; return false to refuse the TCP connection. */
  accept?(conn: ServerConn): boolean;
  packet(conn: ServerConn, p: Packet): void;
}

/** A datagram a client sent through the scripted platform's UDP; `reply` answers from its destination. */
export interface Datagram {
  bytes: Uint8Array;
  host: string;
  port: number;
  /** Virtual time it was sent. */
  at: number;
  reply(b: Uint8Array): void;
}

export function createScriptedPlatform(broker: ScriptedBroker, startMs = Date.UTC(2027, 0, 1)) {
  let vt = 0;
  let wallOffset = startMs;
  let seq = 0;
  let timers: { at: number; seq: number; fn: () => void }[] = [];
  const requested: number[] = [];
  const connects: number[] = [];
  let rand: (() => number) | null = null;

  const platform: Platform = {
    connect(o) {
      connects.push(vt);
      let open = true;
      let shut = false; // closed by either side; `open` until the close event is delivered
      let reading = true;
      let unread: Uint8Array[] = [];
      let unreadBytes = 0;
      // Server-to-client bytes not yet handed over: held while the client's unsent bytes exceed
      // o.maxUnsent (the target stops reading, as Node's platform does).
      const inbound: Uint8Array[] = [];
      const clientFull = () => unreadBytes > (o.maxUnsent || Infinity);
      // Up to 8 KB per turn, as a TCP read: a client that stops reading does so between reads.
      const deliver = () => {
        for (let n = 0; open && inbound.length && !clientFull(); ) {
          const b = inbound.shift() as Uint8Array;
          o.onData(b);
          if ((n += b.length) >= 8192 && inbound.length) return queue(deliver);
        }
      };
      const readAll = () => {
        const bs = unread;
        unread = [];
        unreadBytes = 0;
        for (const b of bs) if (open) parser.push(b);
        if (open && o.onDrain) o.onDrain();
        deliver();
      };
      const conn: ServerConn = {
        options: o,
        send: (p) => {
          // Bytes sent before a close still arrive before it, as on TCP.
          if (shut) return;
          inbound.push(encode(p));
          queue(deliver);
        },
        close: () => {
          if (shut) return;
          shut = true;
          queue(() => {
            deliver();
            inbound.length = 0;
            open = false;
            o.onClose();
          });
        },
        reading: (on) => {
          reading = on;
          if (on) queue(readAll);
        },
        unsent: () => unreadBytes,
        undelivered: () => inbound.reduce((n, b) => n + b.length, 0),
      };
      const parser = createParser({ maxPacketSize: 1 << 20, onPacket: (p) => broker.packet(conn, p), onError: () => conn.close() });
      queue(() => {
        if (broker.accept && !broker.accept(conn)) {
          open = false;
          shut = true;
          o.onError(new Error('ECONNREFUSED'));
          o.onClose();
        } else if (!shut) o.onConnect();
      });
      return {
        write: (b) => {
          if (shut) return;
          if (reading) parser.push(b);
          else {
            unread.push(b.slice());
            unreadBytes += b.length;
          }
        },
        unsent: () => unreadBytes,
        close: () => conn.close(),
      };
    },
    setTimeout(fn, ms) {
      requested.push(ms);
      const t = { at: vt + ms, seq: seq++, fn };
      timers.push(t);
      return t;
    },
    // As Espruino's does, clearing a timer that already fired (or never existed) throws.
    clearTimeout(h) {
      const n = timers.length;
      timers = timers.filter((t) => t !== h);
      if (timers.length === n) throw new Error('Unknown Timeout');
    },
    now: () => wallOffset + vt,
    monotonic: () => vt,
    randomBytes: (n) => {
      if (!rand) return new Uint8Array(randomBytes(n));
      const x = Math.floor(rand() * 4294967296);
      const out = new Uint8Array(n);
      out[0] = x >>> 24;
      out[1] = (x >>> 16) & 255;
      out[2] = (x >>> 8) & 255;
      out[3] = x & 255;
      return out;
    },
    signers: nodeSigners,
  };
  let udpPeer: ((d: Datagram) => void) | null = null;
  const datagrams: Datagram[] = [];
  platform.udp = (o) => {
    let open = true;
    return {
      send(bytes, host, port) {
        if (!open) return;
        const d: Datagram = { bytes: bytes.slice(), host, port, at: vt, reply: (b) => queue(() => open && o.onMessage(b, { address: host, port })) };
        datagrams.push(d);
        if (udpPeer) {
          const peer = udpPeer;
          queue(() => peer(d));
        }
      },
      close() {
        open = false;
      },
    };
  };
  // Socket events are delivered as zero-delay timers: never from inside the call that caused them.
  const queue = (fn: () => void) => {
    timers.push({ at: vt, seq: seq++, fn });
  };

  /** Runs every timer due within `ms` of virtual time, in order; microtasks run between timers. */
  async function advance(ms: number): Promise<void> {
    const end = vt + ms;
    for (;;) {
      await flush();
      timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const t = timers[0];
      if (!t || t.at > end) break;
      timers.shift();
      vt = Math.max(vt, t.at);
      t.fn();
    }
    vt = end;
    await flush();
  }
  const flush = async () => {
    for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
  };

  return {
    platform,
    advance,
    /** Virtual ms since start. */
    elapsed: () => vt,
    connects,
    requested,
    setRandom: (f: (() => number) | null) => (rand = f),
    /** Every datagram sent over platform.udp, and the scripted peer that receives them. */
    datagrams,
    setUdpPeer: (f: ((d: Datagram) => void) | null) => (udpPeer = f),
    /** Timers pending now (socket events included). */
    pendingTimers: () => timers.length,
    /** Steps the wall clock (not the monotonic one) by `ms`. */
    stepWall: (ms: number) => (wallOffset += ms),
    setWall: (ms: number) => (wallOffset = ms - vt),
  };
}

/** A broker that accepts everything unless told otherwise, acks QoS 1, and records what it got. */
export function recordingBroker() {
  const state = {
    refuseNext: [] as number[],
    connects: [] as { password?: string; at: number }[],
    published: [] as { topic: string; payload: string; dup: boolean; messageId?: number }[],
    withholdPuback: false,
    conns: [] as ServerConn[],
  };
  const broker: ScriptedBroker = {
    packet(conn, p) {
      if (p.cmd === 'connect') {
        const pw = p.password instanceof Uint8Array ? Buffer.from(p.password).toString() : p.password;
        state.connects.push({ password: pw, at: 0 });
        const code = state.refuseNext.length ? (state.refuseNext.shift() as number) : 0;
        conn.send({ cmd: 'connack', sessionPresent: false, returnCode: code });
        if (code) conn.close();
        else state.conns.push(conn);
      } else if (p.cmd === 'publish') {
        state.published.push({ topic: p.topic, payload: Buffer.from(p.payload).toString(), dup: p.dup, messageId: p.messageId });
        if (p.qos === 1 && !state.withholdPuback) conn.send({ cmd: 'puback', messageId: p.messageId as number });
      } else if (p.cmd === 'subscribe') conn.send({ cmd: 'suback', messageId: p.messageId, granted: p.subscriptions.map((s) => s.qos) });
      else if (p.cmd === 'pingreq') conn.send({ cmd: 'pingresp' });
      else if (p.cmd === 'disconnect') conn.close();
    },
  };
  return { broker, state };
}

/** Socket options that call `o`'s callbacks as methods (they are the session's: a class), with
 *  some replaced: for tests that intercept a connection's events. */
export function intercept(o: SocketOptions, over: Partial<SocketOptions>): SocketOptions {
  return {
    host: o.host, port: o.port, tls: o.tls,
    onConnect: () => o.onConnect(), onData: (b) => o.onData(b), onError: (e) => o.onError(e), onClose: () => o.onClose(),
    ...over,
  };
}

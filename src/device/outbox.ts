// The outbox: messages accepted by publish() until delivered (QoS 0 out of the process, QoS 1 acknowledged).
// Bounded by count and bytes; on overflow the oldest is dropped and counted, never silently.
// A queue with a moving head: removals mark a message gone, and the array is compacted now and
// then, so a deep queue costs O(1) per message rather than a splice each.

/** Outbox bounds (`outbox` option of createDevice). @inline */
export interface OutboxLimits {
  /** Most messages kept; beyond it the oldest is dropped. Default 1000. */
  maxMessages: number;
  /** Most payload bytes kept; beyond it the oldest is dropped. Default 262144. */
  maxBytes: number;
  /** Storage key under which the outbox survives a restart (needs platform.storage); off when absent. */
  persist?: string;
}

export const DEFAULT_OUTBOX: OutboxLimits = { maxMessages: 1000, maxBytes: 256 * 1024 };

export interface Message {
  topic: string;
  payload: Uint8Array;
  qos: 0 | 1;
  /** MQTT packet id while in flight (QoS 1), 0 otherwise. */
  messageId: number;
  /** Sent at least once on some connection: a resend carries DUP. */
  sent: boolean;
  done(err: Error | null): void;
  /** Set once removed (delivered or dropped). */
  gone?: boolean;
  /** The data sub-topic ('' for none): what HTTP/CoAP/UDP send as `topic`. */
  sub: string;
  /** ISO-8601 timestamp for the secret-based transports. */
  ts?: string;
  /** A JSON object or array: only those can go over HTTP/CoAP/UDP. */
  json?: boolean;
}

export interface Outbox {
  /** Adds a message; returns those dropped to make room (oldest first). */
  push(m: Message): Message[];
  /** Next message not yet sent on the current connection, or null; a QoS 1 one only if `qos1` allows. */
  nextUnsent(qos1: boolean): Message | null;
  /** Removes and returns the in-flight QoS 1 message with this packet id; with 0, the oldest
   *  QoS 0 message written to this connection (its bytes have left: connection.ts). */
  ack(messageId: number): Message | null;
  /** Removes a delivered QoS 0 message. */
  remove(m: Message): void;
  /** A new connection: every kept message must be (re)sent on it. */
  resetSent(): void;
  /** QoS 1 messages handed to the current connection and not acknowledged. */
  inflight(): number;
  size(): number;
  all(): Message[];
  /** The oldest kept message that `pred` accepts, or null. */
  find(pred: (m: Message) => boolean): Message | null;
}

/**
 * `onChange(arg)` runs after every add or removal (persistence hooks in here; the argument spares
 * the caller a closure). A class, not closures: on Espruino a closure keeps its whole scope chain,
 * and a bundler that inlines this factory into createDevice made the outbox keep the caller's
 * options and every local of createContext (~150 variables); the methods are shared besides.
 * Field names are one letter (unmangled in the bundles, so short on purpose).
 */
export function createOutbox<T>(limits: OutboxLimits, onChange?: (arg: T) => void, arg?: T): Outbox {
  return new Queue(limits, onChange as ((arg: unknown) => void) | undefined, arg);
}

class Queue implements Outbox {
  /** limits, onChange, its argument */
  declare l: OutboxLimits;
  declare f: ((arg: unknown) => void) | undefined;
  declare a: unknown;
  /** the messages; q[h] is the oldest not gone (or h === q.length); q[h..u) went to the connection */
  declare q: Message[];
  declare h: number;
  declare u: number;
  /** count, payload bytes, in flight */
  declare n: number;
  declare b: number;
  declare k: number;
  constructor(limits: OutboxLimits, onChange: ((arg: unknown) => void) | undefined, arg: unknown) {
    this.l = limits;
    this.f = onChange;
    this.a = arg;
    this.q = [];
    this.h = this.u = this.n = this.b = this.k = 0;
  }
  /** Marks m (at index i) gone, moves the head past gone messages, compacts, reports the change. */
  x(m: Message, i: number): void {
    const o = this;
    m.gone = true;
    o.n--;
    o.b -= m.payload.length;
    if (i < o.u && m.qos === 1) o.k--;
    while (o.h < o.q.length && o.q[o.h].gone) o.h++;
    if (o.u < o.h) o.u = o.h;
    // Delivered messages are released soon (each holds ~67 variables on Espruino): at once when the
    // queue is empty, else once they are half the array, so compaction stays O(1) per message.
    const head = o.h;
    if (head > 0 && (head === o.q.length || (head > 8 && head * 2 > o.q.length))) {
      o.q = o.q.slice(head);
      o.u -= head;
      o.h = 0;
    }
    if (o.f) o.f(o.a);
  }
  push(m: Message): Message[] {
    const o = this;
    const dropped: Message[] = [];
    o.q.push(m);
    o.n++;
    o.b += m.payload.length;
    if (o.f) o.f(o.a);
    while (o.n > 1 && (o.n > o.l.maxMessages || o.b > o.l.maxBytes)) {
      const oldest = o.q[o.h];
      o.x(oldest, o.h);
      dropped.push(oldest);
    }
    return dropped;
  }
  nextUnsent(qos1: boolean): Message | null {
    const o = this;
    while (o.u < o.q.length && o.q[o.u].gone) o.u++;
    if (o.u >= o.q.length || (o.q[o.u].qos === 1 && !qos1)) return null;
    const m = o.q[o.u++];
    if (m.qos === 1) o.k++;
    return m;
  }
  ack(id: number): Message | null {
    for (let i = this.h; i < this.u; i++) {
      const m = this.q[i];
      if (!m.gone && m.messageId === id) {
        this.x(m, i);
        return m;
      }
    }
    return null;
  }
  remove(m: Message): void {
    for (let i = this.h; i < this.q.length; i++)
      if (this.q[i] === m) {
        if (!m.gone) this.x(m, i);
        return;
      }
  }
  resetSent(): void {
    this.u = this.h;
    this.k = 0;
  }
  inflight(): number {
    return this.k;
  }
  size(): number {
    return this.n;
  }
  find(pred: (m: Message) => boolean): Message | null {
    for (let i = this.h; i < this.q.length; i++) if (!this.q[i].gone && pred(this.q[i])) return this.q[i];
    return null;
  }
  all(): Message[] {
    const out: Message[] = [];
    for (let i = this.h; i < this.q.length; i++) if (!this.q[i].gone) out.push(this.q[i]);
    return out;
  }
}

// The outbox: messages accepted by publish() until delivered (QoS 0 written, QoS 1 acknowledged).
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
  sub?: string;
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
  /** Removes and returns the in-flight QoS 1 message with this packet id. */
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

/** `onChange(arg)` runs after every add or removal (persistence hooks in here; the argument
 *  spares the caller a closure). Few functions: on Espruino each one costs ~10 variables per outbox. */
export function createOutbox<T>(limits: OutboxLimits, onChange?: (arg: T) => void, arg?: T): Outbox {
  let items: Message[] = [];
  let head = 0; // items[head] is the oldest message not gone (or head === items.length)
  let cursor = 0; // items in [head, cursor) have been handed to the current connection
  let count = 0;
  let bytes = 0;
  let inflight = 0;

  const drop = (m: Message, index: number) => {
    m.gone = true;
    count--;
    bytes -= m.payload.length;
    if (index < cursor && m.qos === 1) inflight--;
    while (head < items.length && items[head].gone) head++;
    if (cursor < head) cursor = head;
    // Delivered messages are released soon (each holds ~67 variables on Espruino): at once when the
    // queue is empty, else once they are half the array, so compaction stays O(1) per message.
    if (head > 0 && (head === items.length || (head > 8 && head * 2 > items.length))) {
      items = items.slice(head);
      cursor -= head;
      head = 0;
    }
    if (onChange) onChange(arg as T);
  };

  return {
    push(m) {
      const dropped: Message[] = [];
      items.push(m);
      count++;
      bytes += m.payload.length;
      if (onChange) onChange(arg as T);
      while (count > 1 && (count > limits.maxMessages || bytes > limits.maxBytes)) {
        const oldest = items[head];
        drop(oldest, head);
        dropped.push(oldest);
      }
      return dropped;
    },
    nextUnsent(qos1) {
      while (cursor < items.length && items[cursor].gone) cursor++;
      if (cursor >= items.length || (items[cursor].qos === 1 && !qos1)) return null;
      const m = items[cursor++];
      if (m.qos === 1) inflight++;
      return m;
    },
    ack(id) {
      for (let i = head; i < cursor; i++) {
        const m = items[i];
        if (!m.gone && m.qos === 1 && m.messageId === id) {
          drop(m, i);
          return m;
        }
      }
      return null;
    },
    remove(m) {
      for (let i = head; i < items.length; i++)
        if (items[i] === m) {
          if (!m.gone) drop(m, i);
          return;
        }
    },
    resetSent() {
      cursor = head;
      inflight = 0;
    },
    inflight: () => inflight,
    size: () => count,
    find(pred) {
      for (let i = head; i < items.length; i++) if (!items[i].gone && pred(items[i])) return items[i];
      return null;
    },
    all() {
      const out: Message[] = [];
      for (let i = head; i < items.length; i++) if (!items[i].gone) out.push(items[i]);
      return out;
    },
  };
}

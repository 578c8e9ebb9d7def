// The console's live feed: a ring of the newest events (uplinks, auth verdicts, connects, refreshes,
// disconnects, refused requests, downlinks), bounded by count and by counted bytes, oldest dropped.

/** What a feed row is about; the page filters on it. */
export type FeedKind = 'uplink' | 'auth' | 'connect' | 'refresh' | 'disconnect' | 'refused' | 'downlink';

export interface FeedEvent {
  /** Increasing from 1: the page asks for events after the last one it has. */
  seq: number;
  /** Mock clock, ms since the epoch. */
  time: number;
  kind: FeedKind;
  /** The device (or clientId) it is about, clipped; '' when none (a refused admin request). */
  device: string;
  /** mqtt, mqtts, ws, wss, http, coap, udp or admin. */
  transport: string;
  /** One line: the topic and payload preview, the verdict and reason, the disconnect reason. */
  text: string;
  /** False for refusals and unplanned ends, so the page can colour them. */
  ok: boolean;
}

/** Bytes an event is counted as: its strings (UTF-16, 2 bytes a character) plus a fixed share. */
export function feedEventBytes(e: FeedEvent): number {
  return 96 + 2 * (e.device.length + e.transport.length + e.text.length);
}

export class Feed {
  private readonly ring: (FeedEvent | undefined)[];
  private head = 0; // next write
  private count = 0;
  /** feedEventBytes() summed over the held events. */
  bytes = 0;
  private seq = 0;

  constructor(
    readonly maxEvents = 1000,
    readonly maxBytes = 1024 * 1024,
  ) {
    this.ring = new Array<FeedEvent | undefined>(maxEvents);
  }

  /** The seq of the newest event added (0 before any). */
  get lastSeq(): number {
    return this.seq;
  }

  get size(): number {
    return this.count;
  }

  /** Adds an event (seq assigned here) and returns it; drops the oldest past either bound. */
  add(e: Omit<FeedEvent, 'seq'>): FeedEvent {
    const ev = e as FeedEvent;
    ev.seq = ++this.seq;
    const old = this.ring[this.head];
    if (old && this.count === this.maxEvents) {
      this.bytes -= feedEventBytes(old);
      this.count--;
    }
    this.ring[this.head] = ev;
    this.head = (this.head + 1) % this.maxEvents;
    this.count++;
    this.bytes += feedEventBytes(ev);
    while (this.bytes > this.maxBytes && this.count > 1) this.dropOldest();
    return ev;
  }

  private dropOldest(): void {
    const i = (this.head - this.count + this.maxEvents) % this.maxEvents;
    const old = this.ring[i];
    if (old) this.bytes -= feedEventBytes(old);
    this.ring[i] = undefined;
    this.count--;
  }

  /** The newest `limit` events (all when omitted), oldest first; `after` skips seq <= after. */
  list(limit = this.count, after = 0): FeedEvent[] {
    const out: FeedEvent[] = [];
    const n = Math.min(limit, this.count);
    for (let k = this.count - n; k < this.count; k++) {
      const e = this.ring[(this.head - this.count + k + this.maxEvents) % this.maxEvents];
      if (e && e.seq > after) out.push(e);
    }
    return out;
  }
}

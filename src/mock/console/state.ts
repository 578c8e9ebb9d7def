// The console's model: the feed ring, the device table and the SSE hub, fed by the mock's events
// (index.ts calls the on* methods), and the JSON the page reads (the snapshot, each SSE batch, a
// device's timeline). Nothing secret goes in: uplink topics are the redacted ones, verdicts carry the
// reason only, never a token, secret or key.
import type { AuthLogEntry } from '../mqtt-session';
import type { Registry } from '../registry';
import { clip } from '../sanitize';
import type { Uplink } from '../uplinks';
import { payloadPreview, verdictText } from './describe';
import { DeviceTable, type DeviceRow, type Mark, type SessionView } from './devices';
import { Feed, type FeedEvent, type FeedKind } from './feed';
import { DEFAULT_SSE_LIMITS, SseHub, type SseLimits } from './sse';

export interface ConsoleLimits extends SseLimits {
  /** Events kept in the feed ring. Default 1000. */
  feedEvents: number;
  /** And at most about this many counted bytes of them. Default 1 MiB. */
  feedBytes: number;
  /** Feed events sent in one SSE batch (more in a period are counted as skipped: the page shows how many). Default 200. */
  batchEvents: number;
  /** Device rows sent in one SSE batch (the rest go in the next ones). Default 500. */
  batchDevices: number;
}

export const DEFAULT_CONSOLE_LIMITS: ConsoleLimits = { ...DEFAULT_SSE_LIMITS, feedEvents: 1000, feedBytes: 1024 * 1024, batchEvents: 200, batchDevices: 500 };

/** What a page starts from (also the no-JavaScript snapshot). */
export interface ConsoleSnapshot {
  now: number;
  devices: DeviceRow[];
  feed: FeedEvent[];
  stats: ConsoleStats;
}

export interface ConsoleStats {
  registered: number;
  connected: number;
  /** Uplinks in the last whole second. */
  uplinksPerS: number;
  uplinks: number;
  /** Feed events left out of SSE batches (more than batchEvents in one period). */
  skipped: number;
  streams: number;
}

export class ConsoleState {
  readonly feed: Feed;
  readonly devices: DeviceTable;
  readonly hub: SseHub;
  readonly limits: ConsoleLimits;
  private sentSeq = 0;
  private skipped = 0;
  private batches = 0;
  private uplinks = 0;
  private secondStart = 0;
  private secondCount = 0;
  private lastSecond = 0;

  constructor(
    private readonly registry: () => Registry,
    private readonly now: () => number,
    limits: Partial<ConsoleLimits> = {},
    log: (line: string) => void = () => undefined,
  ) {
    this.limits = { ...DEFAULT_CONSOLE_LIMITS, ...limits };
    this.feed = new Feed(this.limits.feedEvents, this.limits.feedBytes);
    this.devices = new DeviceTable(registry);
    this.hub = new SseHub(() => this.batch(), this.limits, log);
  }

  private add(kind: FeedKind, device: string, transport: string, text: string, ok: boolean, time = this.now()): void {
    this.feed.add({ time, kind, device: clip(device), transport, text, ok });
  }

  onUplink(u: Uplink): void {
    this.uplinks++;
    const sec = Math.floor(u.time / 1000);
    if (sec !== this.secondStart) {
      this.lastSecond = sec === this.secondStart + 1 ? this.secondCount : 0;
      this.secondStart = sec;
      this.secondCount = 0;
    }
    this.secondCount++;
    this.devices.uplink(u.deviceId, u.transport, u.time);
    this.add('uplink', u.deviceId, u.transport, clip(u.topic, 64) + '  ' + payloadPreview(u.raw), true, u.time);
  }

  onAuth(e: AuthLogEntry): void {
    const who = e.deviceId !== undefined ? e.deviceId : e.clientId !== undefined ? e.clientId : '';
    if (e.code !== 0) this.devices.refused(who, e.reason, e.time);
    this.add('auth', who, e.transport, verdictText(e), e.code === 0, e.time);
  }

  onConnect(s: SessionView): void {
    const kind = this.devices.connect(s, this.now());
    const token = s.exp !== undefined ? ', token exp ' + new Date(s.exp * 1000).toISOString().slice(11, 19) + ' UTC' + (s.kid ? ', kid ' + s.kid.slice(0, 16) : '') : '';
    this.add(kind, s.clientId, s.transport, (kind === 'refresh' ? 'token refresh: reconnected with a new token' : 'connected (' + (s.auth === 'jwt' ? 'device JWT' : 'uplink secret') + ')') + token, true);
  }

  onDisconnect(s: SessionView, reason: string): void {
    this.devices.disconnect(s, reason, this.now());
    this.add('disconnect', s.clientId, s.transport, 'disconnected: ' + reason, reason === 'client sent DISCONNECT');
  }

  onDownlink(deviceId: string, topic: string | undefined, payload: Uint8Array, delivered: number): void {
    this.add('downlink', deviceId, 'mqtt', (topic || '(default topic)') + '  ' + payloadPreview(payload) + '  -> ' + delivered + ' session(s)', delivered > 0);
  }

  /** A refused admin or console request (method, path, status, why). */
  onRefused(what: string, status: number, why: string): void {
    this.add('refused', '', 'admin', status + ' ' + clip(what, 160) + ': ' + clip(why, 200), false);
  }

  /**
   * An HTTP or CoAP refusal as refusal-log.ts words it (`http: refused device "ID" (413): why [from
   * ADDR]`): a refused row, except 401 and 4.01, which the auth verdicts already show.
   */
  onRefusalLine(line: string): void {
    const m = /^(http|coap): refused (?:device "((?:[^"\\]|\\.)*)"|(.*?)) \(([\d.]+)\): (.*?)(?: \[from [^\]]*\])?$/.exec(line);
    if (!m || m[4] === '401' || m[4] === '4.01') return;
    let device = '';
    try {
      device = m[2] !== undefined ? (JSON.parse('"' + m[2] + '"') as string) : '';
    } catch {
      device = m[2];
    }
    this.add('refused', device, m[1], m[4] + (m[3] ? ' ' + clip(m[3], 160) : '') + ': ' + clip(m[5], 200), false);
  }

  stats(): ConsoleStats {
    let connected = 0;
    const rows = this.devices.rows();
    for (const r of rows) if (r.connected) connected++;
    const sec = Math.floor(this.now() / 1000);
    const perS = sec === this.secondStart + 1 ? this.secondCount : sec === this.secondStart ? this.lastSecond : 0;
    return { registered: rows.length, connected, uplinksPerS: perS, uplinks: this.uplinks, skipped: this.skipped, streams: this.hub.size };
  }

  /** The whole state a page starts from: every device row and the newest `feedRows` events. */
  snapshot(feedRows = 200): ConsoleSnapshot {
    return { now: this.now(), devices: this.devices.rows(), feed: this.feed.list(feedRows), stats: this.stats() };
  }

  /** The first SSE message: the snapshot (later batches carry what changed after it). */
  firstMessage(): string {
    // The batch cursor stays: other pages still need what it holds (a page skips seqs it has).
    return JSON.stringify({ type: 'snapshot', ...this.snapshot() });
  }

  /** One SSE batch: events since the last batch (at most batchEvents, the newest), changed device rows, stats. */
  private batch(): string | null {
    const events = this.feed.list(this.limits.batchEvents, this.sentSeq);
    // Events past the batch bound, or already out of the ring, are counted, not sent.
    const skipped = this.feed.lastSeq - this.sentSeq - events.length;
    this.skipped += skipped;
    this.sentSeq = this.feed.lastSeq;
    // Rows whose only change is their last seen go once a second (the page shows it in seconds).
    const devices = this.devices.takeDirty(this.limits.batchDevices, this.batches++ % Math.max(1, Math.round(1000 / this.limits.intervalMs)) === 0);
    if (!events.length && !devices.length) return null;
    return JSON.stringify({ type: 'batch', now: this.now(), events, skipped, devices, stats: this.stats() });
  }

  timeline(deviceId: string): { deviceId: string; now: number; marks: Mark[] } {
    return { deviceId, now: this.now(), marks: this.devices.marks(deviceId) };
  }

  close(): void {
    this.hub.close();
  }
}

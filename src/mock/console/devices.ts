// The console's device table and per-device timelines: for each registered device its live sessions,
// last activity, transport, current token (exp, kid, iat) and a bounded list of timeline marks
// (connects, refreshes, reconnects, disconnects, refusals, fallback periods). Only registered devices
// get a record, so refused logins under made-up ids cannot grow it.
import type { Registry } from '../registry';

export type MarkKind = 'connect' | 'refresh' | 'reconnect' | 'disconnect' | 'refused' | 'fallback';

export interface Mark {
  /** Mock clock, ms. */
  t: number;
  k: MarkKind;
  /** End of a fallback period (the last fallback uplink so far). */
  t2?: number;
  /** Short text: the transport, the reason. */
  note: string;
}

export interface DeviceRow {
  deviceId: string;
  connected: boolean;
  /** Ms since the epoch of its last connect, uplink or refusal; 0 never seen. */
  lastSeen: number;
  /** The transport of its session, else of its last uplink; '' never seen. */
  transport: string;
  /** Current token's exp and iat (s) and signer kid, while a JWT session is up. */
  exp?: number;
  iat?: number;
  kid?: string;
  /** When the SDK should refresh (ms), an estimate: with 15 % of the lifetime left (it picks 10-20 %), the lifetime being exp - iat less the SDK's default 60 s iat backdate; needs iat. */
  refreshAt?: number;
  /** Uplinks over HTTP/CoAP/UDP while no MQTT session was up, most recently at this time (ms). */
  fallbackUntil?: number;
}

/** A session as the console hears of it. */
export interface SessionView {
  clientId: string;
  deviceIds: string[];
  /** Listener label: mqtt, mqtts, ws or wss. */
  transport: string;
  auth: 'jwt' | 'secret';
  exp?: number;
  iat?: number;
  kid?: string;
}

/** Marks kept per device (oldest dropped). */
export const MAX_MARKS = 200;
/** A reconnect this soon after the device's own DISCONNECT, with a new token, is a refresh (the SDK reconnects at once; a restart takes longer). */
const REFRESH_WINDOW_MS = 5000;
/** Fallback uplinks further apart than this start a new fallback period. */
const FALLBACK_GAP_MS = 60000;

/** The SDK's refresh time for a token (ms): 15 % of its lifetime before exp (it picks 10-20 %), the lifetime being exp - iat less the SDK's default 60 s backdate of iat. */
export function refreshEstimate(exp: number | undefined, iat: number | undefined): number | undefined {
  if (exp === undefined || iat === undefined || exp <= iat) return undefined;
  const life = exp - iat > 60 ? exp - iat - 60 : exp - iat;
  return Math.round((exp - 0.15 * life) * 1000);
}

interface Rec extends DeviceRow {
  sessions: number;
  marks: Mark[];
  /** How and when its last session ended. */
  endedAt: number;
  endedPlanned: boolean;
  lastExp?: number;
}

export class DeviceTable {
  private readonly recs = new Map<string, Rec>();
  /** Devices changed since the last takeDirty(): `urgent` for connects, ends and refusals, `dirty` for any change (an uplink's last seen). */
  private dirty = new Set<string>();
  private urgent = new Set<string>();

  constructor(private readonly registry: () => Registry) {}

  private rec(id: string, urgent = true): Rec | undefined {
    let r = this.recs.get(id);
    if (!r) {
      if (!this.registry().device(id)) return undefined;
      r = { deviceId: id, connected: false, lastSeen: 0, transport: '', sessions: 0, marks: [], endedAt: 0, endedPlanned: false };
      this.recs.set(id, r);
    }
    this.dirty.add(id);
    if (urgent) this.urgent.add(id);
    return r;
  }

  private mark(r: Rec, m: Mark): void {
    r.marks.push(m);
    if (r.marks.length > MAX_MARKS) r.marks.splice(0, r.marks.length - MAX_MARKS);
  }

  /** A session was accepted: 'refresh' when it replaces the device's own planned end with a new token, else 'connect' (first, or after an unplanned end: 'reconnect' in the timeline). */
  connect(s: SessionView, now: number): 'connect' | 'refresh' {
    let kind: 'connect' | 'refresh' = 'connect';
    for (const id of s.deviceIds) {
      const r = this.rec(id);
      if (!r) continue;
      const refresh = s.auth === 'jwt' && r.endedPlanned && now - r.endedAt <= REFRESH_WINDOW_MS && r.lastExp !== undefined && s.exp !== r.lastExp;
      const k: MarkKind = refresh ? 'refresh' : r.endedAt ? 'reconnect' : 'connect';
      if (refresh) kind = 'refresh';
      r.sessions++;
      r.connected = true;
      r.lastSeen = now;
      r.transport = s.transport + (s.auth === 'secret' ? ' (uplink secret)' : '');
      r.exp = s.exp;
      r.iat = s.iat;
      r.kid = s.kid;
      r.lastExp = s.exp;
      r.refreshAt = refreshEstimate(s.exp, s.iat);
      r.fallbackUntil = undefined;
      this.mark(r, { t: now, k, note: s.transport + (s.kid ? ', kid ' + s.kid.slice(0, 16) : '') });
    }
    return kind;
  }

  disconnect(s: SessionView, reason: string, now: number): void {
    for (const id of s.deviceIds) {
      const r = this.rec(id);
      if (!r) continue;
      r.sessions = Math.max(0, r.sessions - 1);
      r.connected = r.sessions > 0;
      r.endedAt = now;
      r.endedPlanned = reason === 'client sent DISCONNECT';
      if (!r.connected) {
        r.exp = r.iat = r.kid = r.refreshAt = undefined;
      }
      this.mark(r, { t: now, k: 'disconnect', note: reason });
    }
  }

  refused(deviceId: string | undefined, reason: string, now: number): void {
    const r = deviceId === undefined ? undefined : this.rec(deviceId);
    if (!r) return;
    r.lastSeen = now;
    this.mark(r, { t: now, k: 'refused', note: reason });
  }

  uplink(deviceId: string, transport: string, now: number): void {
    const r = this.rec(deviceId, false);
    if (!r) return;
    r.lastSeen = now;
    if (transport === 'mqtt' || transport === 'mqtts') {
      if (!r.connected) r.transport = transport;
      return;
    }
    r.transport = transport;
    if (r.connected) return;
    // An uplink over HTTP/CoAP/UDP while no MQTT session is up: a fallback period, extended in place.
    r.fallbackUntil = now;
    const last = r.marks[r.marks.length - 1];
    if (last && last.k === 'fallback' && now - (last.t2 as number) <= FALLBACK_GAP_MS) last.t2 = now;
    else this.mark(r, { t: now, k: 'fallback', t2: now, note: transport });
  }

  /** Every registered device's row, in registry order (records of devices no longer registered go). */
  rows(): DeviceRow[] {
    const reg = this.registry();
    for (const id of this.recs.keys()) if (!reg.device(id)) this.recs.delete(id);
    return [...reg.devices.keys()].map((id) => this.row(id));
  }

  row(id: string): DeviceRow {
    const r = this.recs.get(id);
    if (!r) return { deviceId: id, connected: false, lastSeen: 0, transport: '' };
    const { deviceId, connected, lastSeen, transport, exp, iat, kid, refreshAt, fallbackUntil } = r;
    return { deviceId, connected, lastSeen, transport, exp, iat, kid, refreshAt, fallbackUntil };
  }

  /** The device's timeline marks, oldest first (empty when it is not registered or never seen). */
  marks(id: string): Mark[] {
    const r = this.recs.get(id);
    return r ? r.marks.slice() : [];
  }

  /**
   * Rows of the devices changed since the last call, at most `max` (the rest stay for the next): the
   * urgent ones (connects, ends, refusals) always, the rest (last seen moved) only when `all`.
   */
  takeDirty(max: number, all = true): DeviceRow[] {
    const out: DeviceRow[] = [];
    for (const set of all ? [this.urgent, this.dirty] : [this.urgent]) {
      for (const id of set) {
        if (out.length >= max) return out;
        this.urgent.delete(id);
        if (!this.dirty.delete(id)) continue; // already sent from the urgent set
        if (this.registry().device(id)) out.push(this.row(id));
      }
    }
    return out;
  }

  get dirtyCount(): number {
    return this.dirty.size;
  }
}

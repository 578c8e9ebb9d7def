// The device's fallback uplinks: HTTP/CoAP/UDP with the uplink secret while MQTT is down. Made for
// an outage and dropped after it (fallback-context.ts). Its own module so the Espruino core can swap
// in a loader (targets/espruino/fallback.ts) and carry none of it.
import { AkenzaError, fail, OPTION_INVALID } from '../errors';
import { checkKeys } from './known-keys';
import { random } from '../platform';
import { redact, type UplinkResult, type UplinkTransport } from '../uplink/common';
import type { UplinkFactory } from '../platform';
import type { Fallback, FallbackContext } from './fallback-context';
import type { Message } from './outbox';
import type { FallbackBackoff, FallbackEntry } from './types';

/**
 * One fallback entry: its transport while built (made when first tried, dropped when an attempt
 * fails: a transport that cannot carry costs no memory while the next one does), its failures in
 * a row and the monotonic ms before which it is not tried.
 */
interface Transport { i: number; type: UplinkTransport['type']; t: UplinkTransport | null; fails: number; retryAt: number; secret: string }

/** Closes and forgets an entry's transport (made again when next tried). */
function drop(f: Transport): void {
  const t = f.t;
  f.t = null;
  if (t) t.close();
}

/** What fallback will not carry, by rule (the rest of the outbox goes over it), as `held` events. */
function held(c: FallbackContext, allowDuplicates: boolean, transport: UplinkTransport['type']): void {
  const all = c.outbox.all();
  for (const rule of ['noDuplicates', 'jsonOnly'] as const) {
    let n = 0;
    let bytes = 0;
    for (let i = 0; i < all.length; i++)
      if (!all[i].json ? rule === 'jsonOnly' : rule === 'noDuplicates' && all[i].sent && !allowDuplicates) {
        n++;
        bytes += all[i].payload.length;
      }
    if (n) c.events.emit('held', { rule, messages: n, bytes, transport });
  }
}

/** Made by the device's fallbackOn() (and once by createDevice, to check the entries), only with a non-empty `o.fallback`. */
export function createFallback(c: FallbackContext): Fallback {
  return new Uplinks(c);
}

/**
 * The fallback of one outage. A class, not closures: on Espruino its methods are made once with the
 * module (a closure per device function would cost ~10 variables more each, for the outage).
 *
 * While MQTT is down past the threshold, the oldest eligible message goes over the first transport
 * not backing off, one message at a time (in order, and never on two transports at once).
 * Eligible: a JSON object/array not written to MQTT unacknowledged (unless allowDuplicates).
 */
class Uplinks implements Fallback {
  declare c: FallbackContext;
  declare fbs: Transport[];
  declare policy: FallbackBackoff;
  declare dup: boolean;
  declare active: boolean;
  /** The message out on a transport, null when none. */
  declare sending: Message | null;
  declare carrier: UplinkTransport['type'] | null;
  constructor(c: FallbackContext) {
    const platform = c.platform;
    const o = c.o;
    const fbs: Transport[] = [];
    const list = o.fallback || [];
    checkKeys(o.fallbackBackoff, 'baseMs capMs authFloorMs', 'fallbackBackoff.');
    for (let i = 0; i < list.length; i++) {
      const ty = list[i].type;
      // the options of each transport type (UplinkFactory's entry; udp has no client tuning)
      checkKeys(list[i], 'type url secret' + (ty === 'http' ? ' secretInQuery timeoutMs ca' : ty === 'coap' ? ' maxDatagramBytes ackTimeoutMs ackRandomFactor maxRetransmit responseTimeoutMs' : ' maxDatagramBytes'), 'fallback[' + i + '].');
      const secret = list[i].secret || c.secret;
      if (!secret) fail(OPTION_INVALID, 'fallback ' + ty + ' needs an uplink secret: credentials.uplinkSecret or the entry\'s secret');
      const make = platform.uplinks && platform.uplinks[ty];
      if (!make) fail(OPTION_INVALID, 'this target has no ' + ty + ' uplink (platform.uplinks)');
      // createDevice's call makes and closes each transport, so a bad URL fails there; an
      // outage's makes each when first tried
      if (c.check)
        try {
          (make as UplinkFactory)(platform, list[i], secret as string).close();
        } catch (e) {
          fail(OPTION_INVALID, (e as Error).message);
        }
      fbs.push({ i, type: ty, t: null, fails: 0, retryAt: 0, secret: secret as string });
      if (!c.sent[ty]) c.sent[ty] = 0; // (counted across outages)
    }
    const policy: FallbackBackoff = { baseMs: 1000, capMs: 60000, authFloorMs: 60000 };
    for (const k in o.fallbackBackoff || {}) (policy as any)[k] = (o.fallbackBackoff as any)[k];
    this.c = c;
    this.fbs = fbs;
    this.policy = policy;
    this.dup = !!o.allowDuplicates;
    this.active = false;
    this.sending = null;
    this.carrier = null;
  }

  on(reason?: string): void {
    const c = this.c;
    const state = c.state(c.dev);
    if (this.active || state === 'stopped' || state === 'connected') return;
    this.active = true;
    const carrier = (pick(this) || this.fbs[0]).type; // all backing off: the first is still the one to come
    this.carrier = carrier;
    c.events.emit('fallback', { active: true, transport: carrier, reason: reason || 'MQTT down for ' + c.o.fallbackAfterMs + ' ms' });
    held(c, this.dup, carrier);
    this.pump();
  }

  off(): void {
    const c = this.c;
    c.clearTimer(c.dev, 'fb');
    if (!this.active) return;
    this.active = false;
    this.carrier = null;
    c.events.emit('fallback', { active: false, transport: 'mqtt', reason: 'MQTT connected' });
  }

  pump(): void {
    const c = this.c;
    const state = c.state(c.dev);
    if (!this.active || this.sending || state === 'stopped' || state === 'connected') return;
    const all = c.outbox.all();
    let msg: Message | null = null;
    for (let i = 0; !msg && i < all.length; i++) if (all[i].json && (!all[i].sent || this.dup)) msg = all[i];
    if (!msg) return;
    const f = pick(this);
    if (!f) {
      let at = Infinity;
      for (let i = 0; i < this.fbs.length; i++) at = Math.min(at, this.fbs[i].retryAt);
      return c.setTimer(c.dev, 'fb', at - mono(c), () => this.pump());
    }
    this.sending = msg;
    let settled = false;
    const result = (r: UplinkResult) => {
      if (settled) return;
      settled = true;
      outcome(this, f, msg as Message, r);
    };
    // An outcome that never comes (a platform.http that never calls back; on Espruino an
    // out-of-memory error that ended a callback) would hold the fallback, and MQTT behind it, for
    // good: past the longest its transport may take, the attempt counts as failed.
    const entry = (c.o.fallback as FallbackEntry[])[f.i];
    const limit = longest(entry) + 5000;
    c.setTimer(c.dev, 'fbw', limit, () => result({ outcome: 'retry', message: f.type + ': no outcome within ' + limit + ' ms' }));
    try {
      const platform = c.platform;
      if (!f.t) f.t = (platform.uplinks as { [type: string]: UplinkFactory })[f.type](platform, entry, f.secret);
      f.t.send({ deviceId: c.deviceId, topic: msg.sub, timestamp: msg.ts, payload: msg.payload }, result);
    } catch (e) {
      // A transport that throws (e.g. a socket refusing its address) is a failed attempt, not a wedge.
      Promise.resolve().then(() => result({ outcome: 'retry', message: redact(f.type + ': ' + (e as Error).message, f.secret) }));
    }
  }

  busy(): boolean {
    return !!this.sending;
  }

  settle(): void {
    for (let i = 0; this.sending && i < this.fbs.length; i++) {
      const t = this.fbs[i].t;
      if (t && t.settle) t.settle();
    }
  }

  stop(): void {
    this.active = false;
    this.carrier = null;
    for (let i = 0; i < this.fbs.length; i++) drop(this.fbs[i]);
  }

  current(): string | null {
    return this.active ? this.carrier : null;
  }
}

/** The longest one attempt of an entry's transport may take by its own timeouts (ms): HTTP's
 *  timeoutMs; CoAP's retransmissions (RFC 7252 MAX_TRANSMIT_SPAN) and its wait for a separate
 *  response; UDP reports on the next turn. */
function longest(e: FallbackEntry): number {
  const o = e as { timeoutMs?: number; ackTimeoutMs?: number; ackRandomFactor?: number; maxRetransmit?: number; responseTimeoutMs?: number };
  if (e.type === 'http') return o.timeoutMs || 10000;
  if (e.type !== 'coap') return 0;
  const tries = o.maxRetransmit === undefined ? 4 : o.maxRetransmit;
  return (o.ackTimeoutMs || 2000) * (o.ackRandomFactor || 1.5) * (Math.pow(2, tries + 1) - 1) + (o.responseTimeoutMs || 93000);
}

const mono = (c: FallbackContext): number => (c.platform.monotonic ? c.platform.monotonic() : c.platform.now());

/** The first entry not backing off. */
function pick(u: Uplinks): Transport | null {
  const now = mono(u.c);
  for (let i = 0; i < u.fbs.length; i++) if (u.fbs[i].retryAt <= now) return u.fbs[i];
  return null;
}

/** The outcome of sending `msg` over `f`: handled even after stop(), so a delivered message does
 *  not go out again after a restart. */
function outcome(u: Uplinks, f: Transport, msg: Message, r: UplinkResult): void {
  const c = u.c;
  const events = c.events;
  if (u.sending === msg) u.sending = null;
  c.clearTimer(c.dev, 'fbw');
  const stopped = c.state(c.dev) === 'stopped';
  if (r.outcome === 'ok' || r.outcome === 'rejected') {
    f.fails = 0;
    f.retryAt = 0;
    const kept = !msg.gone; // else the outbox bound dropped it meanwhile (already counted and reported)
    c.outbox.remove(msg);
    if (u.carrier !== f.type && u.active) {
      u.carrier = f.type;
      events.emit('fallback', { active: true, transport: f.type, reason: 'carried by ' + f.type });
    }
    if (r.outcome === 'ok') {
      if (kept) c.delivered(c.dev, f.type, msg);
    } else if (kept) {
      const e = new AkenzaError('UPLINK_REJECTED', 'the cloud refused the uplink: ' + r.message);
      c.error(c.dev, e);
      events.emit('dropped', { topic: msg.sub, bytes: msg.payload.length, total: c.dropped(c.dev), reason: r.message });
      msg.done(e);
    }
  } else {
    drop(f);
    if (!stopped) {
      const auth = r.outcome === 'auth';
      const p = u.policy;
      const ceiling = Math.min(p.capMs, p.baseMs * Math.pow(2, Math.min(f.fails++, 30)));
      const jittered = Math.floor(ceiling * (0.5 + 0.5 * random(c.platform)));
      const d = auth ? Math.max(p.authFloorMs, jittered) : jittered;
      f.retryAt = mono(c) + d;
      events.emit(auth ? 'authRejected' : 'transportError', { transport: f.type, status: r.status, message: r.message, retryInMs: d });
    }
  }
  if (stopped) c.persist(c.dev); // stop() saved the outbox before this outcome
  else if (c.state(c.dev) === 'connected') c.pump(c.dev);
  // after a failure the next attempt starts on a later turn, once the failed transport (dropped
  // above, still on this call's stack) can be collected: on Espruino both at once run out of memory
  else if (!f.t) c.setTimer(c.dev, 'fb', 0, () => u.pump());
  else u.pump();
}

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
import type { FallbackBackoff } from './types';

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
  const platform = c.platform;
  const o = c.o;
  const events = c.events;
  const fbs: Transport[] = [];
  const list = o.fallback || [];
  checkKeys(o.fallbackBackoff, 'baseMs capMs authFloorMs', 'fallbackBackoff.');
  for (let i = 0; i < list.length; i++) {
    const ty = list[i].type;
    // the options of each transport type (UplinkFactory's entry; udp has no client tuning)
    checkKeys(list[i], 'type url secret' + (ty === 'http' ? ' secretInQuery timeoutMs ca' : ty === 'coap' ? ' maxDatagramBytes ackTimeoutMs ackRandomFactor maxRetransmit responseTimeoutMs' : ' maxDatagramBytes'), 'fallback[' + i + '].');
    const secret = list[i].secret || c.secret;
    if (!secret) fail(OPTION_INVALID, 'fallback ' + list[i].type + ' needs an uplink secret: credentials.uplinkSecret or the entry\'s secret');
    const make = platform.uplinks && platform.uplinks[list[i].type];
    if (!make) fail(OPTION_INVALID, 'this target has no ' + list[i].type + ' uplink (platform.uplinks)');
    try {
      make(platform, list[i], secret as string).close(); // its options are checked now; it is made when first tried
    } catch (e) {
      return fail(OPTION_INVALID, (e as Error).message);
    }
    fbs.push({ i, type: ty, t: null, fails: 0, retryAt: 0, secret: secret as string });
    c.sent[ty] = 0;
  }
  const policy: FallbackBackoff = { baseMs: 1000, capMs: 60000, authFloorMs: 60000 };
  for (const k in o.fallbackBackoff || {}) (policy as any)[k] = (o.fallbackBackoff as any)[k];
  const allowDuplicates = !!o.allowDuplicates;
  const mono = () => (platform.monotonic ? platform.monotonic() : platform.now());
  let active = false;
  let busy: Message | null = null;
  let current: UplinkTransport['type'] | null = null;

  // While MQTT is down past the threshold, the oldest eligible message goes over the first
  // transport not backing off, one message at a time (in order, and never on two transports at
  // once). Eligible: a JSON object/array not written to MQTT unacknowledged (unless allowDuplicates).
  const on = (reason: string) => {
    const state = c.state(c.dev);
    if (active || state === 'stopped' || state === 'connected') return;
    active = true;
    current = (pick() || fbs[0]).type; // all backing off: the first is still the one to come
    events.emit('fallback', { active: true, transport: current, reason });
    held(c, allowDuplicates, current);
    pump();
  };
  const pick = (): Transport | null => {
    const now = mono();
    for (let i = 0; i < fbs.length; i++) if (fbs[i].retryAt <= now) return fbs[i];
    return null;
  };
  const delay = (f: Transport, auth: boolean) => {
    const ceiling = Math.min(policy.capMs, policy.baseMs * Math.pow(2, Math.min(f.fails++, 30)));
    const d = Math.floor(ceiling * (0.5 + 0.5 * random(platform)));
    return auth ? Math.max(policy.authFloorMs, d) : d;
  };
  const eligible = (m: Message) => !!m.json && (!m.sent || allowDuplicates);
  const pump = () => {
    const state = c.state(c.dev);
    if (!active || busy || state === 'stopped' || state === 'connected') return;
    const msg = c.outbox.find(eligible);
    if (!msg) return;
    const f = pick();
    if (!f) {
      let at = Infinity;
      for (let i = 0; i < fbs.length; i++) at = Math.min(at, fbs[i].retryAt);
      return c.setTimer(c.dev, 'fb', at - mono(), pump);
    }
    busy = msg;
    let settled = false;
    // Handled even after stop(): a delivered message must not go out again after a restart.
    const result = (r: UplinkResult) => {
      if (settled) return;
      settled = true;
      if (busy === msg) busy = null;
      const stopped = c.state(c.dev) === 'stopped';
      if (r.outcome === 'ok' || r.outcome === 'rejected') {
        f.fails = 0;
        f.retryAt = 0;
        const kept = !msg.gone; // else the outbox bound dropped it meanwhile (already counted and reported)
        c.outbox.remove(msg);
        if (current !== f.type && active) {
          current = f.type;
          events.emit('fallback', { active: true, transport: current, reason: 'carried by ' + current });
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
          const d = delay(f, auth);
          f.retryAt = mono() + d;
          const info = { transport: f.type, status: r.status, message: r.message, retryInMs: d };
          events.emit(auth ? 'authRejected' : 'transportError', info);
        }
      }
      if (stopped) c.persist(c.dev); // stop() saved the outbox before this outcome
      else if (c.state(c.dev) === 'connected') c.pump(c.dev);
      else pump();
    };
    try {
      if (!f.t) f.t = (platform.uplinks as { [type: string]: UplinkFactory })[f.type](platform, list[f.i], f.secret);
      f.t.send({ deviceId: c.deviceId, topic: msg.sub, timestamp: msg.ts, payload: msg.payload }, result);
    } catch (e) {
      // A transport that throws (e.g. a socket refusing its address) is a failed attempt, not a wedge.
      Promise.resolve().then(() => result({ outcome: 'retry', message: redact(f.type + ': ' + (e as Error).message, f.secret) }));
    }
  };

  return {
    on,
    off() {
      c.clearTimer(c.dev, 'fb');
      if (!active) return;
      active = false;
      current = null;
      events.emit('fallback', { active: false, transport: 'mqtt', reason: 'MQTT connected' });
    },
    pump,
    busy: () => !!busy,
    settle() {
      for (let i = 0; busy && i < fbs.length; i++) {
        const t = fbs[i].t;
        if (t && t.settle) t.settle();
      }
    },
    stop() {
      active = false;
      current = null;
      for (let i = 0; i < fbs.length; i++) drop(fbs[i]);
    },
    current: () => (active ? current : null),
  };
}

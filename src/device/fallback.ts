// The device's fallback uplinks: HTTP/CoAP/UDP with the uplink secret while MQTT is down. Its own
// module so the Espruino core can swap in a loader (targets/espruino/fallback.ts) and carry none of it.
import { AkenzaError, fail, OPTION_INVALID } from '../errors';
import { checkKeys } from './known-keys';
import { random } from '../platform';
import { redact, type UplinkResult, type UplinkTransport } from '../uplink/common';
import type { Fallback, FallbackContext } from './fallback-context';
import type { Message } from './outbox';
import type { FallbackBackoff } from './types';

/** One transport with its failures in a row and the monotonic ms before which it is not tried. */
interface Transport { t: UplinkTransport; fails: number; retryAt: number; secret: string }

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

/** Called by createDevice only when `o.fallback` is non-empty. */
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
    let t: UplinkTransport;
    try {
      t = make(platform, list[i], secret as string);
    } catch (e) {
      return fail(OPTION_INVALID, (e as Error).message);
    }
    fbs.push({ t, fails: 0, retryAt: 0, secret: secret as string });
    c.sent[t.type] = 0;
  }
  const afterMs = o.fallbackAfterMs === undefined ? 60000 : o.fallbackAfterMs;
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
    const state = c.state();
    if (active || state === 'stopped' || state === 'connected') return;
    active = true;
    c.clearTimer('fallback');
    current = (pick() || fbs[0]).t.type; // all backing off: the first is still the one to come
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
    const state = c.state();
    if (!active || busy || state === 'stopped' || state === 'connected') return;
    const msg = c.outbox.find(eligible);
    if (!msg) return;
    const f = pick();
    if (!f) {
      let at = Infinity;
      for (let i = 0; i < fbs.length; i++) at = Math.min(at, fbs[i].retryAt);
      return c.setTimer('fb', at - mono(), pump);
    }
    busy = msg;
    let settled = false;
    // Handled even after stop(): a delivered message must not go out again after a restart.
    const result = (r: UplinkResult) => {
      if (settled) return;
      settled = true;
      if (busy === msg) busy = null;
      const stopped = c.state() === 'stopped';
      if (r.outcome === 'ok' || r.outcome === 'rejected') {
        f.fails = 0;
        f.retryAt = 0;
        const kept = !msg.gone; // else the outbox bound dropped it meanwhile (already counted and reported)
        c.outbox.remove(msg);
        if (current !== f.t.type && active) {
          current = f.t.type;
          events.emit('fallback', { active: true, transport: current, reason: 'carried by ' + current });
        }
        if (r.outcome === 'ok') {
          if (kept) c.delivered(f.t.type, msg);
        } else if (kept) {
          const e = new AkenzaError('UPLINK_REJECTED', 'the cloud refused the uplink: ' + r.message);
          c.error(e);
          events.emit('dropped', { topic: msg.sub, bytes: msg.payload.length, total: c.dropped(), reason: r.message });
          msg.done(e);
        }
      } else if (!stopped) {
        const auth = r.outcome === 'auth';
        const d = delay(f, auth);
        f.retryAt = mono() + d;
        const info = { transport: f.t.type, status: r.status, message: r.message, retryInMs: d };
        events.emit(auth ? 'authRejected' : 'transportError', info);
      }
      if (stopped) c.persist(); // stop() saved the outbox before this outcome
      else if (c.state() === 'connected') c.pump();
      else pump();
    };
    try {
      f.t.send({ deviceId: c.deviceId, topic: msg.sub, timestamp: msg.ts, payload: msg.payload }, result);
    } catch (e) {
      // A transport that throws (e.g. a socket refusing its address) is a failed attempt, not a wedge.
      Promise.resolve().then(() => result({ outcome: 'retry', message: redact(f.t.type + ': ' + (e as Error).message, f.secret) }));
    }
  };

  return {
    on,
    off() {
      c.clearTimer('fallback');
      c.clearTimer('fb');
      if (!active) return;
      active = false;
      current = null;
      events.emit('fallback', { active: false, transport: 'mqtt', reason: 'MQTT connected' });
    },
    arm() {
      if (!active && !c.timerSet('fallback')) c.setTimer('fallback', afterMs, () => on('MQTT down for ' + afterMs + ' ms'));
    },
    pump,
    busy: () => !!busy,
    settle() {
      for (let i = 0; busy && i < fbs.length; i++) if (fbs[i].t.settle) (fbs[i].t.settle as () => void)();
    },
    stop() {
      active = false;
      current = null;
      for (let i = 0; i < fbs.length; i++) fbs[i].t.close();
    },
    current: () => (active ? current : null),
  };
}

// The device's side of the fallback: the MQTT-down countdown, and the fallback itself made for an
// outage and dropped after it (once MQTT is back and no fallback send is out). Between outages a
// device with a `fallback` list keeps only its options; on Espruino the akenza-fallback module is
// loaded for the outage alone (about 600 variables less while MQTT is up).
import { createFallback } from './fallback';
import type { FallbackContext, FallbackOptions } from './fallback-context';
import { clearTimer, delivered, error, persist, setTimer, started, type DeviceContext } from './context';
import { pump } from './pump';

/** createDevice: keeps the fallback options and checks the entries now (OPTION_INVALID), by making the fallback once and dropping it. */
export function keepFallback(c: DeviceContext, o: FallbackOptions): void {
  c.fbo_ = { fallback: o.fallback, fallbackAfterMs: o.fallbackAfterMs === undefined ? 60000 : o.fallbackAfterMs, fallbackBackoff: o.fallbackBackoff, allowDuplicates: o.allowDuplicates };
  const check = context(c);
  check.check = true;
  createFallback(check).stop();
}

/** Moves uplinks to the fallback transports, when there are any (no-op while connected or stopped);
 *  without a reason, the countdown ran out. */
export function fallbackOn(c: DeviceContext, reason?: string): void {
  if (!c.fbo_ || c.state_ === 'connected' || c.state_ === 'stopped') return;
  clearTimer(c, 'fallback');
  if (!c.fb_) c.fb_ = createFallback(context(c));
  c.fb_.on(reason);
  // start() settles when uplinks first go over a fallback transport, however it was switched on
  started(c, 'fallback');
}

/** MQTT is down: starts the countdown to the fallback unless it runs, or the fallback is on. */
export function armFallback(c: DeviceContext): void {
  if (c.fbo_ && !(c.fb_ && c.fb_.current()) && !c.timers_.fallback) setTimer(c, 'fallback', c.fbo_.fallbackAfterMs as number, fallbackOn);
}

/** MQTT connected: uplinks go back to it. */
export function fallbackOff(c: DeviceContext): void {
  clearTimer(c, 'fallback');
  if (c.fb_) c.fb_.off();
}

/** After the connect: a fallback send the server already has may end now; the fallback goes when idle. */
export function fallbackSettle(c: DeviceContext): void {
  if (c.fb_) c.fb_.settle();
  drop(c);
}

/** stop(): every fallback transport closed. A send still out keeps the fallback (its outcome is
 *  handled, and after a restart nothing goes out beside it: fallback.ts). */
export function fallbackStop(c: DeviceContext): void {
  if (!c.fb_) return;
  c.fb_.stop();
  drop(c);
}

/** Drops the fallback once it is off and has no send out. */
function drop(c: DeviceContext): void {
  if (c.fb_ && !c.fb_.current() && !c.fb_.busy()) {
    c.fb_.stop();
    c.fb_ = null;
  }
}

/** The fallback's view of the device: the device's own functions, called with it. The three made
 *  here cost their variables only while a fallback lives (as module-level functions, always). */
function context(c: DeviceContext): FallbackContext<DeviceContext> {
  return {
    dev: c, platform: c.platform_, o: c.fbo_ as FallbackOptions, deviceId: c.deviceId_, secret: c.secret_, outbox: c.outbox_, events: c.events_, sent: c.sent_,
    setTimer, clearTimer, delivered, error, persist,
    state: () => c.state_,
    dropped: () => ++c.dropped_,
    // an outcome while MQTT is connected: the fallback goes if idle, then MQTT sends
    pump: () => {
      drop(c);
      pump(c);
    },
  };
}

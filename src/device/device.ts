// The Device: keeps one MQTT connection alive with JWT (or uplink-secret) auth for weeks. It owns
// the token lifecycle (pre-minted refresh before exp), clock trust, reconnect backoff, and the
// outbox; the session below it is one connection, the platform below that is the target's IO.
// This module assembles the parts around one context (context.ts): options.ts builds it,
// token.ts, connection.ts, pump.ts and outage.ts drive it, and the Device object below is its API.
import { AkenzaError } from '../errors';
import type { Platform } from '../platform';
import { clearTimer, later, persist, setState, type DeviceContext } from './context';
import { armFallback, fallbackOn, fallbackStop, keepFallback } from './outage';
import { connectWithToken } from './connection';
import { createContext } from './options';
import { enqueue, pump } from './pump';
import { clockLoop, refresh } from './token';
import type { Device, DeviceStats, PublishOptions, StartResult } from './api';
import type { DeviceEventHandler, DeviceEventName } from './event-types';
import type { DeviceOptions } from './types';

export type { Device, DeviceStats, PublishOptions } from './api';
export type { AuthRejectedEvent, ClockStateEvent, ConnectedEvent, DeviceEventHandler, DeviceEventName, DeviceEvents, DisconnectedEvent, Downlink, DroppedEvent, FallbackEvent, HeldEvent, MqttAuthRejectedEvent, SentEvent, TokenRefreshedEvent, TransportErrorEvent } from './event-types';
export type { Credentials, DeviceOptions, DeviceState, FallbackBackoff, FallbackEntry, MqttOptions } from './types';

export function createDevice(platform: Platform, o: DeviceOptions): Device {
  const c = createContext(platform, o);
  // Fallback transports (HTTP/CoAP/UDP with the uplink secret), only when a list is given, made
  // while MQTT is down (outage.ts): the Espruino core swaps fallback.ts for a loader of Storage
  // module akenza-fallback.
  if (o.fallback && o.fallback.length) keepFallback(c, o);
  return new DeviceApi(c);
}

/** Runs after start() returns: the way to a connection, or fallback-only without MQTT credentials. */
function begin(c: DeviceContext): void {
  if (c.state_ !== 'idle') return;
  if (!c.mqttEnabled_) {
    setState(c, 'fallback-only');
    return fallbackOn(c, 'no MQTT credentials');
  }
  armFallback(c);
  clockLoop(c);
  connectWithToken(c);
}

/** The Device: its methods are shared (a class), so a device costs one object over its context. */
class DeviceApi implements Device {
  declare c: DeviceContext;
  constructor(c: DeviceContext) {
    this.c = c;
  }
  start(): Promise<StartResult> {
    const c = this.c;
    if (c.state_ === 'connected') return Promise.resolve<StartResult>('connected');
    if (c.state_ === 'idle' || c.state_ === 'stopped') {
      setState(c, 'idle');
      later(() => begin(c));
    }
    return new Promise<StartResult>((resolve) => (c.startWaiters_ = c.startWaiters_ || []).push(resolve));
  }
  publish(payload: unknown, opts?: PublishOptions, cb?: (err: Error | null) => void): Promise<void> {
    const c = this.c; // not `this` inside the arrow: Espruino's arrows do not keep it
    const p = new Promise<void>((resolve, reject) => {
      let t: unknown = 0;
      enqueue(c, payload, opts, (err) => {
        if (t) c.platform_.clearTimeout(t);
        t = 0;
        if (err) reject(err);
        else resolve();
      });
      const ms = opts && opts.timeoutMs;
      // the message stays queued: a late delivery still counts (and emits `sent`)
      if (ms) t = c.platform_.setTimeout(() => {
        t = 0;
        reject(new AkenzaError('PUBLISH_TIMEOUT', 'not delivered within ' + ms + ' ms; still queued'));
      }, ms);
    });
    if (cb) p.then(() => cb(null), (e: Error) => cb(e));
    return p;
  }
  refresh(): void {
    refresh(this.c);
  }
  stop(): Promise<void> {
    const c = this.c;
    return new Promise<void>((resolve) => {
      const s = c.session_;
      setState(c, 'stopped');
      persist(c);
      c.epoch_++;
      c.refreshing_ = c.draining_ = c.reconnectNow_ = c.renew_ = false;
      const names = Object.keys(c.timers_);
      for (let i = 0; i < names.length; i++) clearTimer(c, names[i]);
      c.session_ = null;
      if (s) s.disconnect();
      fallbackStop(c);
      later(resolve);
    });
  }
  on<E extends DeviceEventName>(event: E, fn: DeviceEventHandler<E>): void {
    this.c.events_.on(event, fn);
  }
  off<E extends DeviceEventName>(event: E, fn: DeviceEventHandler<E>): void {
    this.c.events_.off(event, fn);
  }
  stats(): DeviceStats {
    const c = this.c;
    return { state: c.state_, queued: c.outbox_.size(), inflight: c.outbox_.inflight(), dropped: c.dropped_, connects: c.connects_, refreshes: c.refreshes_, tokenExp: c.token_ ? c.token_.exp : null, fallback: c.fb_ ? c.fb_.current() : null, sent: c.sent_ };
  }
}

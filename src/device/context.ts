// The device's context: everything one device knows, in one documented object that each part
// (token.ts, connection.ts, pump.ts, outage.ts) receives, as coreMQTT keeps a connection's state
// in one MQTTContext_t. options.ts builds it; only setState() changes `state_`.
// Its fields end in `_`: the device bundles shorten properties named so (scripts/build.mjs), so the
// context costs no bytes for its names (the outbox and emitter name their fields so too).
// Memory: on Espruino every closure a device keeps costs ~8 variables and every property ~2, so the
// context holds plain values, the parts take it as an argument, and timers call module-level
// functions with it; nothing keeps the caller's options object.
import type { Session, SessionOptions } from '../mqtt/session';
import type { KeyValueStore, Platform } from '../platform';
import type { Signer } from '../sign/signer';
import type { BackoffPolicy } from './backoff';
import type { Emitter } from './events';
import type { Fallback, FallbackOptions } from './fallback-context';
import type { Message, Outbox, OutboxLimits } from './outbox';
import { saveOutbox } from './persist';
import type { StartResult } from './api';
import type { DeviceState } from './types';
import type { DeviceEvents, SentEvent } from './event-types';

export interface Token {
  value: string;
  exp: number;
}

/** One device: its resolved options (read-only after createDevice) and its mutable state. */
export interface DeviceContext {
  // ---- resolved options ----
  platform_: Platform;
  deviceId_: string;
  /** Private-key credentials: MQTT authenticates with a JWT. */
  jwtMode_: boolean;
  /** JWT mode, or secret credentials with a connectorId. */
  mqttEnabled_: boolean;
  /** credentials.uplinkSecret. */
  secret_?: string;
  signer_: Signer | null;
  kid_?: string;
  audienceBase_?: string;
  lifetimeS_: number;
  /** Uplink topic, and the prefix of every downlink topic (the subscription is `down_ + '/#'`). */
  up_: string;
  down_: string;
  /** MQTT session options and callbacks (connection.ts), one object for every connection. */
  conn_: SessionOptions;
  maxInflight_: number;
  limits_: OutboxLimits;
  clockCheckMs_: number;
  drainTimeoutMs_: number;
  premintLeadMs_: number;
  /** Reconnect backoff policy. */
  backoff_: BackoffPolicy;
  /** Wall times before this are untrusted (clock.ts). */
  notBefore_: number;
  /** A larger jump of the wall clock against elapsed time is a step. */
  stepTolerance_: number;
  /** Where outbox.persist stores (platform.storage), null without it. */
  store_: KeyValueStore | null;
  // ---- collaborators ----
  outbox_: Outbox;
  events_: Emitter<DeviceEvents>;
  /** The fallback options, absent without a `fallback` list (fallbackAfterMs resolved). */
  fbo_?: FallbackOptions;
  /** The fallback transports while an outage lasts (outage.ts), else null. */
  fb_: Fallback | null;
  // ---- state ----
  /** Where the device is; written by setState() only. */
  state_: DeviceState;
  /** The open MQTT connection attempt or connection, null between them. */
  session_: Session | null;
  /** Clock time of the last CONNACK. */
  connectedAt_: number;
  /** The token MQTT connects with, and its pre-minted successor. */
  token_: Token | null;
  next_: Token | null;
  /** Callbacks of the mint in progress (one signature at a time), null when none runs. */
  mintWaiters_: ((t: Token | null, err?: unknown) => void)[] | null;
  /** start() promises not yet settled (null when none: nothing kept once connected). */
  startWaiters_?: ((r: StartResult) => void)[] | null;
  /** From the pre-mint to the refresh (ms). */
  refreshIn_: number;
  /** A refresh runs: no new QoS 1 until it reconnected. */
  refreshing_: boolean;
  /** the refresh mints its token after the disconnect (the signer binding's fitsNow() said no) */
  renew_?: boolean;
  /** A refresh has its next token and waits for PUBACKs. */
  draining_: boolean;
  /** The coming close is the refresh's own: reconnect at once, no backoff. */
  reconnectNow_: boolean;
  /** Added to the platform's wall clock (a sync with trusted time sets it). */
  offset_: number;
  /** Wall and elapsed time at the last clock check. */
  lastWall_: number;
  lastMono_: number;
  /** Reconnect attempts since the last connection that lasted. */
  attempt_: number;
  /** Bumped by stop(): callbacks of work started before it do nothing. */
  epoch_: number;
  /** CONNACK 4/5 in a row. */
  authFailures_: number;
  /** Counters of stats(). */
  dropped_: number;
  connects_: number;
  refreshes_: number;
  /** Uplinks delivered per transport. */
  sent_: { [transport: string]: number };
  /** Trust at the last clock check, null before the first. */
  clockTrusted_: boolean | null;
  /** The last MQTT packet id handed out, and those in use on this connection. */
  nextId_: number;
  idsInUse_: { [id: number]: boolean };
  /** Pending timers by job (retry, refresh, drain, clock, persist, fallback, fb); stop() clears them all. */
  timers_: { [name: string]: unknown };
}

/**
 * Every state change goes through here (it emits nothing: the events belong to what caused it).
 * - idle: created, or start() after stop(); next, on the microtask: fallback-only (no MQTT
 *   credentials; also later, from minting, when the signer refuses the key) or the way to a connection below.
 * - waiting-clock (clock untrusted, retried every clockCheckMs), minting (a token is signed),
 *   connecting (the session is open, no CONNACK yet): connectWithToken() in connection.ts.
 * - connected: CONNACK. A close leads to backoff, or after a refresh straight to minting/connecting.
 * - backoff: a failed attempt or a lost connection; its timer calls connectWithToken() again.
 * - stopped: stop(), from any state; start() goes back to idle.
 */
export function setState(c: DeviceContext, to: DeviceState): void {
  c.state_ = to;
  if (to === 'connected' || to === 'stopped') started(c, to);
  else if (to === 'fallback-only') started(c, 'fallback');
}

/** Settles the pending start() promises. */
export function started(c: DeviceContext, r: StartResult): void {
  const w = c.startWaiters_;
  if (!w) return;
  c.startWaiters_ = null;
  for (let i = 0; i < w.length; i++) w[i](r);
}

/** Sets the named timer, clearing the one it replaces; `fn` gets the context (a module-level
 *  function then needs no closure of its own). */
export function setTimer(c: DeviceContext, name: string, ms: number, fn: (c: DeviceContext) => void): void {
  clearTimer(c, name);
  c.timers_[name] = c.platform_.setTimeout(() => {
    delete c.timers_[name]; // deleted, not nulled: a name kept costs variables on Espruino
    fn(c);
  }, Math.max(0, ms));
}

export function clearTimer(c: DeviceContext, name: string): void {
  if (c.timers_[name]) c.platform_.clearTimeout(c.timers_[name]);
  delete c.timers_[name];
}

/** An error that belongs to no publish(). */
export function error(c: DeviceContext, e: unknown): void {
  c.events_.emit('error', e as Error);
}

/** Runs `fn` after the current call returns (events never fire from inside a public call). */
export function later(fn: () => void): void {
  Promise.resolve().then(fn);
}

/** Counts a delivered uplink, reports it and resolves its publish(). */
export function delivered(c: DeviceContext, transport: SentEvent['transport'], msg: Message): void {
  c.sent_[transport]++;
  c.events_.emit('sent', { transport, topic: msg.sub, bytes: msg.payload.length });
  msg.done(null);
}

/** Persists the outbox now (no-op without outbox.persist). */
export function persist(c: DeviceContext): void {
  if (c.store_) saveOutbox(c.store_, c.limits_.persist as string, c.outbox_.all());
}

/** An outbox change: schedules one debounced write when persisted. */
export function changed(c: DeviceContext): void {
  if (c.store_ && c.state_ !== 'stopped' && !c.timers_.persist) setTimer(c, 'persist', 1000, persist);
}

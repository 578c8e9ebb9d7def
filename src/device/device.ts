// The Device: keeps one MQTT connection alive with JWT (or uplink-secret) auth for weeks. It owns
// the token lifecycle (pre-minted refresh before exp), clock trust, reconnect backoff, and the
// outbox; the session below it is one connection, the platform below that is the target's IO.
import { AkenzaError, fail, OPTION_INVALID } from '../errors';
import { checkDeviceId, DEFAULT_LIFETIME_S, jwtParts, mintJwt } from '../jwt';
import { fingerprint } from '../fingerprint';
import { parsePrivateKey, type PrivateKeyInput } from '../keys';
import type { PublishPacket } from '../mqtt/packets';
import { openSession, type CloseReason, type Session } from '../mqtt/session';
import { random, type Platform } from '../platform';
import { publicKeyFor } from '../sign-jwt';
import type { Alg, Signer } from '../sign/signer';
import { isJsonContainer } from '../uplink/common';
import type { FallbackEntry } from '../uplink/index';
import { utf8Decode, utf8Encode } from '../utf8';
import { createBackoff, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff';
import { createClock, SDK_BUILD_TIME, type ClockOptions } from './clock';
import { createEmitter, type Handler } from './events';
import { createFallback, type Fallback } from './fallback';
import { createOutbox, DEFAULT_OUTBOX, type Message, type OutboxLimits } from './outbox';
import { loadOutbox, saveOutbox } from './persist';
import { checkSubTopic, jwtTopics, secretTopics, type Topics } from './topics';

/**
 * JWT credentials may carry the connector's `uplinkSecret` too (used by the fallback transports
 * only). Secret credentials without `connectorId` cannot use MQTT: the device then sends over its
 * `fallback` transports only.
 * @inline
 */
export type Credentials = { alg?: Alg; privateKey: PrivateKeyInput; kid?: string; uplinkSecret?: string } | { uplinkSecret: string; connectorId?: string };

export type { FallbackEntry } from '../uplink/index';

/** Backoff of each fallback transport. @inline */
export interface FallbackBackoff {
  /** First retry delay of a failed transport (equal jitter: half to all of it). Default 1 s. */
  baseMs: number;
  /** Default 60 s. */
  capMs: number;
  /** Least delay after the transport refused the secret (401/403, 4.01/4.03). Default 60 s. */
  authFloorMs: number;
}

/** MQTT connection options. @inline */
export interface MqttOptions {
  /** mqtts://host:8883 (TLS) or mqtt://host:1883. Default mqtts://mqtt.akenza.io:8883. */
  url?: string;
  /** PEM CA for TLS; the target's default store when absent. */
  ca?: string;
  /** TLS server name (SNI and certificate check). Default: the host. */
  servername?: string;
  /** MQTT keepalive: PINGREQ after this idle, and no PINGRESP within half of it closes the link. Default 60. */
  keepaliveS?: number;
  /** No CONNACK within this closes the attempt and backs off. Default 10 s. */
  connackTimeoutMs?: number;
  /** QoS 1 messages awaiting PUBACK at once. Default 20. */
  maxInflight?: number;
  /** Largest MQTT packet accepted from the broker. Default 16384. */
  maxPacketSize?: number;
}

/** Options of createDevice; only deviceId and credentials are required. */
export interface DeviceOptions {
  /** The device id: MQTT clientId, part of `aud` and of the topics (no whitespace or / # + ? & %). */
  deviceId: string;
  /** A private key (JWT auth) or a connector's uplink secret. */
  credentials: Credentials;
  /** Platform base URL for `aud`. Default https://akenza.io. */
  audienceBase?: string;
  /** Token lifetime in seconds; a refresh starts when 10% of it (minus up to 10% jitter) is left. Default 3600. */
  tokenLifetimeS?: number;
  /** MQTT server and connection options. */
  mqtt?: MqttOptions;
  /** Outbox bounds (1000 messages, 256 KB) and optional persistence. */
  outbox?: Partial<OutboxLimits>;
  /** Reconnect backoff (full jitter, 1 s base, 120 s cap, 60 s floor after a repeated CONNACK 4/5). */
  backoff?: Partial<BackoffPolicy>;
  /** Clock trust; `checkIntervalMs` (default 10 s) is how often trust and steps are checked. */
  clock?: Partial<ClockOptions> & { checkIntervalMs?: number };
  /**
   * Secret-based transports, in order of preference, used while MQTT is down: see fallbackAfterMs.
   * Each entry's `secret` defaults to credentials.uplinkSecret.
   */
  fallback?: FallbackEntry[];
  /**
   * MQTT down (not connected) this long, counted from start() or from the last disconnect, moves
   * uplinks to the fallback transports. Immediately when MQTT cannot authenticate: no MQTT
   * credentials, clock untrusted, token cannot be signed, or a second CONNACK 4/5 in a row. Default 60 s.
   */
  fallbackAfterMs?: number;
  /** Retry delays of each fallback transport. */
  fallbackBackoff?: Partial<FallbackBackoff>;
  /**
   * A QoS 1 message written to MQTT and not acknowledged is normally resent over MQTT only (it may
   * have reached the broker). true lets the fallback send it too: it may then arrive twice.
   */
  allowDuplicates?: boolean;
  /** Token refresh tuning (see docs/token-lifecycle.md). */
  refresh?: {
    /** How long a refresh waits for outstanding PUBACKs before it disconnects anyway. Default 5 s. */
    drainTimeoutMs?: number;
    /** How long before the refresh time the next token is minted. Default 30 s. */
    premintLeadMs?: number;
  };
  /** {at, tokenExp}: MQTT is connected and subscribed to downlinks. */
  onConnected?: Handler;
  /** {reason, message, returnCode, planned}: the MQTT connection ended (planned: a token refresh). */
  onDisconnected?: Handler;
  /** A Downlink arrived. */
  onDownlink?: Handler;
  /** {previousExp, exp}: a refresh switched to the next token and reconnects now. */
  onTokenRefreshed?: Handler;
  /** {transport, returnCode | status, ...}: credentials refused (CONNACK 4/5, or 401/403 on a fallback). */
  onAuthRejected?: Handler;
  /** {trusted, stepped, now}: clock trust changed, or the wall clock stepped. */
  onClockState?: Handler;
  /** {topic, bytes, total, reason?}: the outbox bound dropped the oldest message, or (reason) a fallback transport refused one for good. */
  onDropped?: Handler;
  /** Errors that belong to no publish(): a failed signature, a refused subscription, a throwing handler. */
  onError?: Handler;
  /** {active, transport, reason}: the transport carrying uplinks changed. */
  onFallback?: Handler;
  /** {transport, topic, bytes}: one uplink delivered (see UplinkOutcome for what UDP's means). */
  onSent?: Handler;
  /** {transport, status, message, retryInMs}: a fallback attempt failed and will be retried. */
  onTransportError?: Handler;
}

/** Options of publish(). */
export interface PublishOptions {
  /** Data sub-topic: published to `{uplink topic}/{topic}`. */
  topic?: string;
  /** 1 (default): kept until PUBACK and resent after a reconnect; 0: written once. */
  qos?: 0 | 1;
  /** Measurement time (ISO-8601 or ms since the epoch), sent by HTTP/CoAP/UDP as `timestamp`; MQTT has no field for it. */
  timestamp?: string | number;
}

/** A message from the cloud (`downlink` event). */
export interface Downlink {
  /** The full MQTT topic; in secret mode the secret in it reads `***`. */
  topic: string;
  /** The part after the device's downlink prefix ('' for the prefix itself). */
  subTopic: string;
  /** The payload bytes. */
  payload: Uint8Array;
  /** The payload as text, when it is UTF-8. */
  text?: string;
}

/** Where the device is in its lifecycle. @inline */
export type DeviceState = 'idle' | 'waiting-clock' | 'minting' | 'connecting' | 'connected' | 'backoff' | 'fallback-only' | 'stopped';

/** A snapshot from stats(). */
export interface DeviceStats {
  /** Lifecycle state. */
  state: DeviceState;
  /** Messages in the outbox, in-flight ones included. */
  queued: number;
  /** QoS 1 messages written to MQTT and awaiting PUBACK. */
  inflight: number;
  /** Messages the outbox bound dropped. */
  dropped: number;
  /** Successful MQTT connects. */
  connects: number;
  /** Token refreshes started. */
  refreshes: number;
  /** `exp` of the current token (seconds since the epoch), null without one. */
  tokenExp: number | null;
  /** The fallback transport in use, null while uplinks go over MQTT. */
  fallback: string | null;
  /** Uplinks delivered per transport. */
  sent: { [transport: string]: number };
}

/** A device connection from createDevice: MQTT with token refresh, fallback uplinks, outbox, events. */
export interface Device {
  /** Connects once the clock is trusted and a token is minted; events follow, never from inside the call. No-op while running. */
  start(): void;
  /**
   * Queues an uplink: an object or array as JSON, a string as UTF-8, bytes as they are. Resolves when
   * delivered (QoS 1: on PUBACK), rejects with MESSAGE_DROPPED or UPLINK_REJECTED; `cb(err)` is called too.
   */
  publish(payload: unknown, options?: PublishOptions, cb?: (err: Error | null) => void): Promise<void>;
  /** Mints a new token and reconnects with it now (also what the refresh timer does). */
  refresh(): void;
  /** Sends DISCONNECT and closes every transport; the outbox is kept (and stored when persisted). start() resumes. */
  stop(): Promise<void>;
  /** Adds a handler: connected, disconnected, downlink, tokenRefreshed, authRejected, clockState, dropped, fallback, sent, transportError, error. */
  on(event: string, fn: Handler): void;
  /** Removes a handler added with on(). */
  off(event: string, fn: Handler): void;
  /** State, queue, in-flight, counters and per-transport counts. */
  stats(): DeviceStats;
}

interface Token {
  value: string;
  iat: number;
  exp: number;
}

// mqtt[s]://host[:port][/], host a name or a bracketed IPv6 address. Scanned, not a regex:
// Espruino's regexes have no '?' quantifier, no (?:...) and no quantified groups.
function parseUrl(url: string): { tls: boolean; host: string; port: number } {
  const tls = url.indexOf('mqtts://') === 0;
  let rest = tls ? url.slice(8) : url.indexOf('mqtt://') === 0 ? url.slice(7) : '';
  if (rest.charAt(rest.length - 1) === '/') rest = rest.slice(0, -1);
  const v6 = rest.charAt(0) === '[';
  const end = v6 ? rest.indexOf(']') + 1 : rest.indexOf(':') < 0 ? rest.length : rest.indexOf(':');
  const host = v6 ? rest.slice(1, end - 1) : rest.slice(0, end);
  const portText = rest.slice(end + 1);
  const port = portText ? Number(portText) : tls ? 8883 : 1883;
  const badHost = !host || (v6 ? !end : /[\/?#]/.test(host));
  const badPort = end < rest.length && (rest.charAt(end) !== ':' || !portText || !/^\d*$/.test(portText));
  if (badHost || badPort || port < 1 || port > 65535)
    return fail(OPTION_INVALID, 'mqtt.url must look like mqtts://host:8883 or mqtt://host:1883 (port 1-65535)');
  return { tls, host, port };
}

function toBytes(payload: unknown): Uint8Array {
  if (payload instanceof Uint8Array) return payload;
  if (typeof payload === 'string') return utf8Encode(payload);
  if (payload === undefined) return fail(OPTION_INVALID, 'publish needs a payload');
  return utf8Encode(JSON.stringify(payload));
}

const later = (fn: () => void) => {
  Promise.resolve().then(fn);
};

export function createDevice(platform: Platform, o: DeviceOptions): Device {
  const deviceId = checkDeviceId(o.deviceId);
  const cred = o.credentials || fail(OPTION_INVALID, 'credentials are required');
  const jwtMode = 'privateKey' in cred;
  let signer: Signer | null = null;
  let kid: string | undefined;
  let topics: Topics;
  if ('privateKey' in cred) {
    const key = parsePrivateKey(cred.privateKey, cred.alg);
    signer = platform.signers.createSigner(key);
    kid = cred.kid === 'auto' ? fingerprint(publicKeyFor(key, platform.signers)) : cred.kid;
    topics = jwtTopics(deviceId);
  } else {
    if (!cred.uplinkSecret || (!cred.connectorId && !(o.fallback && o.fallback.length)))
      fail(OPTION_INVALID, 'secret credentials need uplinkSecret and connectorId (or a fallback list)');
    topics = secretTopics(deviceId, cred.uplinkSecret);
  }
  const mqttEnabled = jwtMode || !!(cred as { connectorId?: string }).connectorId;
  const lifetimeS = o.tokenLifetimeS || DEFAULT_LIFETIME_S;
  jwtParts('ES256', { deviceId, audienceBase: o.audienceBase, lifetimeS }); // validates options now, not at the first mint
  const m = o.mqtt || {};
  const url = parseUrl(m.url || 'mqtts://mqtt.akenza.io:8883');
  const keepaliveS = m.keepaliveS === undefined ? 60 : m.keepaliveS;
  const maxInflight = m.maxInflight || 20;
  const limits: OutboxLimits = {
    maxMessages: (o.outbox && o.outbox.maxMessages) || DEFAULT_OUTBOX.maxMessages,
    maxBytes: (o.outbox && o.outbox.maxBytes) || DEFAULT_OUTBOX.maxBytes,
    persist: o.outbox && o.outbox.persist,
  };
  const policy: BackoffPolicy = { baseMs: DEFAULT_BACKOFF.baseMs, capMs: DEFAULT_BACKOFF.capMs, resetAfterMs: DEFAULT_BACKOFF.resetAfterMs, authFloorMs: DEFAULT_BACKOFF.authFloorMs };
  for (const k in o.backoff || {}) (policy as any)[k] = (o.backoff as any)[k];
  const co = o.clock || {};
  const clock = createClock(platform, { notBeforeMs: co.notBeforeMs === undefined ? SDK_BUILD_TIME : co.notBeforeMs, stepToleranceMs: co.stepToleranceMs || 5000 });
  const clockCheckMs = co.checkIntervalMs || 10000;
  const persistDelayMs = 1000;
  const drainTimeoutMs = (o.refresh && o.refresh.drainTimeoutMs) || 5000;
  const premintLeadMs = o.refresh && o.refresh.premintLeadMs !== undefined ? o.refresh.premintLeadMs : 30000;

  const events = createEmitter();
  const names = ['Connected', 'Disconnected', 'Downlink', 'TokenRefreshed', 'AuthRejected', 'ClockState', 'Dropped', 'Error', 'Fallback', 'Sent', 'TransportError'];
  for (let i = 0; i < names.length; i++) {
    const h = (o as any)['on' + names[i]];
    if (h) events.on(names[i].charAt(0).toLowerCase() + names[i].slice(1), h);
  }

  // Persistence: every change schedules one write (debounced), stop() writes at once.
  const store = limits.persist ? platform.storage || fail(OPTION_INVALID, 'outbox.persist needs a platform with storage') : null;
  const persist = () => {
    if (store) saveOutbox(store, limits.persist as string, outbox.all());
  };
  const changed = () => {
    if (store && state !== 'stopped' && !timers.persist) setTimer('persist', persistDelayMs, persist);
  };
  const outbox = createOutbox(limits, changed);
  const backoff = createBackoff(policy);
  let state: DeviceState = 'idle';
  let session: Session | null = null;
  let connectedAt = 0;
  let token: Token | null = null;
  let next: Token | null = null;
  let mintWaiters: ((t: Token | null) => void)[] | null = null;
  let refreshing = false;
  let draining = false; // a refresh has its next token and waits for PUBACKs
  let reconnectNow = false;
  let epoch = 0; // bumped by stop(): callbacks of work started before it do nothing
  let authFailures = 0;
  let dropped = 0;
  let connects = 0;
  let refreshes = 0;
  let clockTrusted: boolean | null = null;
  let nextId = 0;
  const idsInUse: { [id: number]: boolean } = {};
  // Timers, by job; each is cleared before being set again.
  const timers: { [name: string]: unknown } = {};
  const setTimer = (name: string, ms: number, fn: () => void) => {
    clearTimer(name);
    timers[name] = platform.setTimeout(() => {
      timers[name] = null;
      fn();
    }, Math.max(0, ms));
  };
  const clearTimer = (name: string) => {
    if (timers[name]) platform.clearTimeout(timers[name]);
    timers[name] = null;
  };
  const error = (e: unknown) => events.emit('error', e);

  // What a previous run accepted and did not deliver goes out first (its publish() promise is gone).
  if (store) {
    let restored: ReturnType<typeof loadOutbox> = [];
    try {
      restored = loadOutbox(store, limits.persist as string);
    } catch (e) {
      later(() => error(new AkenzaError(OPTION_INVALID, 'stored outbox is corrupt and was discarded')));
    }
    for (let i = 0; i < restored.length; i++) {
      const r = restored[i];
      outbox.push({ topic: r.sub ? topics.up + '/' + r.sub : topics.up, payload: r.payload, qos: r.qos, messageId: 0, sent: !!r.sent, sub: r.sub, ts: r.ts, json: r.json, done: () => {} });
    }
  }

  const sentCount: { [transport: string]: number } = { mqtt: 0 };
  const delivered = (transport: string, msg: Message) => {
    sentCount[transport]++;
    events.emit('sent', { transport, topic: msg.sub, bytes: msg.payload.length });
    msg.done(null);
  };
  // Fallback transports (HTTP/CoAP/UDP with the uplink secret), only when a list is given: the
  // Espruino bundle swaps fallback.ts for a stub that refuses one.
  const fb: Fallback | null = o.fallback && o.fallback.length
    ? createFallback({
      platform, o, deviceId, secret: cred.uplinkSecret, outbox, events, timers, setTimer, clearTimer, sent: sentCount, delivered, error, persist, pump: () => pump(),
      state: () => state,
      dropped: () => ++dropped,
    })
    : null;
  const fallbackOn = (reason: string) => {
    if (fb) fb.on(reason);
  };

  // ---- clock ----
  const checkClock = (): boolean => {
    const stepped = clock.stepped();
    const trusted = clock.trusted();
    if (stepped) {
      token = null; // claims computed on the old clock cannot be trusted either way
      next = null;
    }
    if (trusted !== clockTrusted || stepped) {
      clockTrusted = trusted;
      events.emit('clockState', { trusted, stepped, now: clock.now() });
    }
    if (stepped && trusted && state === 'connected') refresh();
    return trusted;
  };
  const clockLoop = () => {
    checkClock();
    if (state !== 'stopped') setTimer('clock', clockCheckMs, clockLoop);
  };

  // ---- tokens ----
  /** One signature at a time; callers that arrive while it runs get the same token. */
  const mint = (cb: (t: Token | null) => void) => {
    if (mintWaiters) return void mintWaiters.push(cb);
    mintWaiters = [cb];
    const now = clock.now();
    mintJwt(signer as Signer, { deviceId, kid, audienceBase: o.audienceBase, lifetimeS, now }, (err, value) => {
      const waiters = mintWaiters as ((t: Token | null) => void)[];
      mintWaiters = null;
      if (err || !value) error(err);
      const s = Math.floor(now / 1000);
      const t = err || !value ? null : { value, iat: s, exp: s + lifetimeS };
      for (let i = 0; i < waiters.length; i++) waiters[i](t);
    }, (fn) => platform.setTimeout(fn, 0));
  };
  /** When the current token should be replaced: 10% of lifetime left, minus 0-10% jitter. */
  const refreshAtMs = (t: Token) => (t.exp - lifetimeS * (0.1 + 0.1 * random(platform))) * 1000;
  const tokenUsable = (t: Token | null) => !!t && clock.now() < (t.exp - lifetimeS * 0.1) * 1000;

  /** Gets a usable token (minting when needed), then calls `go`; waits while the clock is untrusted. */
  const withToken = (go: () => void) => {
    if (!jwtMode) return go();
    if (!checkClock()) {
      state = 'waiting-clock';
      fallbackOn('clock untrusted: cannot sign a token');
      if (platform.syncTime)
        platform.syncTime((err, t) => {
          if (!err && t) clock.sync(t);
        });
      setTimer('retry', clockCheckMs, () => withToken(go));
      return;
    }
    if (!tokenUsable(token) && tokenUsable(next)) {
      token = next;
      next = null;
    }
    if (tokenUsable(token)) return go();
    state = 'minting';
    const e = epoch;
    mint((t) => {
      if (state === 'stopped' || e !== epoch) return;
      if (!t) {
        fallbackOn('cannot sign a token');
        return scheduleReconnect(false);
      }
      token = t;
      go();
    });
  };

  // ---- connection ----
  const connect = () => {
    if (state === 'stopped' || session) return;
    state = 'connecting';
    const s: Session = openSession(platform, {
      host: url.host, port: url.port,
      tls: url.tls ? { ca: m.ca, servername: m.servername } : undefined,
      clientId: deviceId,
      // Some stacks only send a password together with a username, so JWT mode sends one too.
      username: jwtMode ? deviceId : (cred as { connectorId: string }).connectorId,
      password: jwtMode ? (token as Token).value : (cred as { uplinkSecret: string }).uplinkSecret,
      keepaliveS, connackTimeoutMs: m.connackTimeoutMs || 10000, maxPacketSize: m.maxPacketSize || 16384,
      onConnected: () => {
        if (session !== s) return;
        state = 'connected';
        connects++;
        connectedAt = clock.now();
        authFailures = 0;
        if (fb) fb.off();
        outbox.resetSent();
        for (const id in idsInUse) delete idsInUse[id];
        const msgs = outbox.all();
        for (let i = 0; i < msgs.length; i++) if (msgs[i].messageId) idsInUse[msgs[i].messageId] = true;
        s.subscribe(allocId(), topics.down + '/#', 1);
        // A clock step while connecting dropped the token: refresh now rather than on a schedule.
        if (jwtMode) {
          if (token) scheduleRefresh();
          else later(refresh);
        }
        events.emit('connected', { at: connectedAt, tokenExp: token ? token.exp : null });
        // A fallback send still out holds MQTT back: one the server already has can end now.
        if (fb) fb.settle();
        pump();
      },
      onPuback: (id) => {
        if (session !== s) return;
        const msg = outbox.ack(id);
        if (!msg) return;
        delete idsInUse[id];
        delivered('mqtt', msg);
        if (draining && outbox.inflight() === 0) finishDrain();
        else pump();
      },
      onSuback: (id, granted) => {
        if (session !== s) return;
        delete idsInUse[id];
        if (granted[0] === 0x80) error(new AkenzaError(OPTION_INVALID, 'the broker refused the downlink subscription'));
      },
      onMessage: (p: PublishPacket) => {
        if (session !== s) return;
        if (p.topic !== topics.down && p.topic.indexOf(topics.down + '/') !== 0) return;
        const sub = p.topic.slice(topics.down.length + 1);
        // In secret mode the topic holds the secret: events show it as ***.
        const d: Downlink = { topic: jwtMode ? p.topic : '/down/***/id/' + deviceId + (sub ? '/' + sub : ''), subTopic: sub, payload: p.payload };
        try {
          d.text = utf8Decode(p.payload);
        } catch (e) {
          // binary payload: no text
        }
        events.emit('downlink', d);
      },
      onClosed: (r: CloseReason) => {
        if (session !== s) return;
        session = null;
        onClosed(r);
      },
    });
    session = s;
  };

  const onClosed = (r: CloseReason) => {
    const wasConnected = state === 'connected';
    clearTimer('refresh');
    clearTimer('premint');
    clearTimer('drain');
    if (wasConnected) backoff.connectedFor(clock.now() - connectedAt);
    const planned = reconnectNow;
    refreshing = false;
    draining = false;
    reconnectNow = false;
    const reason = { reason: r.reason, message: r.message, returnCode: r.returnCode, planned };
    if (state === 'stopped') return;
    events.emit('disconnected', reason);
    if (fb) fb.arm();
    if (planned) return withToken(connect); // the refresh itself: straight back with the new token, no backoff
    const refused = r.returnCode === 4 || r.returnCode === 5;
    if (refused) {
      authFailures++;
      token = null; // one fresh token for the next try; a second refusal backs off at least authFloorMs
      next = null;
      events.emit('authRejected', { transport: 'mqtt', returnCode: r.returnCode, attempts: authFailures });
      if (authFailures > 1) fallbackOn('MQTT refused the credentials (CONNACK ' + r.returnCode + ')');
    }
    scheduleReconnect(refused && authFailures > 1);
  };

  const scheduleReconnect = (authFloor: boolean) => {
    if (state === 'stopped') return;
    state = 'backoff';
    const delay = backoff.next(random(platform), authFloor);
    setTimer('retry', delay, () => withToken(connect));
  };

  const scheduleRefresh = () => {
    const t = token as Token;
    const at = refreshAtMs(t) - clock.now();
    // Lead bounded by the lifetime, so a short-lived token's successor is not minted in the same second.
    setTimer('premint', at - Math.min(premintLeadMs, lifetimeS * 50), () => {
      if (!next) mint((n) => (next = n));
    });
    setTimer('refresh', at, refresh);
  };

  /**
   * Stop new QoS 1, wait (bounded) for PUBACKs, DISCONNECT; onClosed reconnects with the next token.
   * Public as device.refresh(): its events follow later, never from inside the call.
   */
  function refresh(): void {
    if (!jwtMode || state !== 'connected' || refreshing || !session) return;
    refreshing = true;
    refreshes++;
    const proceed = () => {
      if (!refreshing) return;
      draining = true;
      if (outbox.inflight() === 0) finishDrain();
      else setTimer('drain', drainTimeoutMs, finishDrain);
    };
    if (next || !checkClock()) later(proceed);
    else mint((n) => {
      next = n;
      proceed();
    });
  }
  const finishDrain = () => {
    clearTimer('drain');
    draining = false;
    if (!session || !refreshing) return;
    const oldExp = token ? token.exp : null;
    if (next) token = next;
    next = null;
    events.emit('tokenRefreshed', { previousExp: oldExp, exp: token ? token.exp : null });
    // A handler may have stopped the device (which closed the session): nothing left to do.
    if (!session || !refreshing) return;
    // The new token is ready: disconnecting now means the offline gap is one reconnect.
    reconnectNow = true;
    session.disconnect();
  };

  // ---- publishing ----
  const allocId = (): number => {
    for (let i = 0; i < 65535; i++) {
      nextId = (nextId % 65535) + 1;
      if (!idsInUse[nextId]) {
        idsInUse[nextId] = true;
        return nextId;
      }
    }
    return fail(OPTION_INVALID, 'no free MQTT packet id');
  };

  const pump = () => {
    // A message out on a fallback transport finishes first (its outcome decides whether it is resent).
    if (state !== 'connected' || !session || (fb && fb.busy())) return;
    for (;;) {
      const canQos1 = !refreshing && outbox.inflight() < maxInflight;
      const msg = outbox.nextUnsent(canQos1);
      if (!msg) return;
      if (msg.qos === 1) {
        if (!msg.messageId) msg.messageId = allocId();
        session.publish(msg.topic, msg.payload, 1, msg.messageId, msg.sent);
        if (!msg.sent) changed(); // stored as MQTT-only from now on
        msg.sent = true;
      } else {
        session.publish(msg.topic, msg.payload, 0);
        outbox.remove(msg);
        delivered('mqtt', msg);
      }
      if (!session) return; // a write error closed it
    }
  };

  const device: Device = {
    start() {
      if (state !== 'idle' && state !== 'stopped') return;
      state = 'idle';
      later(() => {
        if (state !== 'idle') return;
        if (!mqttEnabled) {
          state = 'fallback-only';
          return fallbackOn('no MQTT credentials');
        }
        if (fb) fb.arm();
        clockLoop();
        withToken(connect);
      });
    },
    publish(payload, opts, cb) {
      const p = new Promise<void>((resolve, reject) => {
        const po = opts || {};
        const qos = po.qos === undefined ? 1 : po.qos;
        if (qos !== 0 && qos !== 1) fail(OPTION_INVALID, 'qos must be 0 or 1 (the platform offers no QoS 2)');
        if (po.topic !== undefined && !checkSubTopic(po.topic)) fail(OPTION_INVALID, 'topic must be a relative sub-topic without wildcards, e.g. "sensors/temp"');
        const bytes = toBytes(payload);
        const json = isJsonContainer(bytes);
        if (!mqttEnabled && !json) fail(OPTION_INVALID, 'HTTP/CoAP/UDP uplinks carry a JSON object or array only');
        const ts = po.timestamp === undefined ? undefined : typeof po.timestamp === 'number' ? new Date(po.timestamp).toISOString() : po.timestamp;
        if (bytes.length > limits.maxBytes) fail(OPTION_INVALID, 'payload of ' + bytes.length + ' bytes exceeds the outbox limit of ' + limits.maxBytes);
        const msg: Message = {
          topic: po.topic ? topics.up + '/' + po.topic : topics.up,
          payload: bytes, qos, messageId: 0, sent: false, sub: po.topic || '', ts, json,
          done: (err) => (err ? reject(err) : resolve()),
        };
        const lost = outbox.push(msg);
        for (let i = 0; i < lost.length; i++) {
          dropped++; // its packet id stays reserved until the next connection: a late PUBACK must not ack another message
          const d = lost[i];
          const total = dropped;
          later(() => {
            events.emit('dropped', { topic: d.sub, bytes: d.payload.length, total }); // the sub-topic: the MQTT one may hold the secret
            d.done(new AkenzaError('MESSAGE_DROPPED', 'outbox full (' + limits.maxMessages + ' messages / ' + limits.maxBytes + ' bytes): oldest message dropped'));
          });
        }
        pump();
        if (fb) fb.pump();
      });
      if (cb) p.then(() => cb(null), (e: Error) => cb(e));
      return p;
    },
    refresh,
    stop() {
      return new Promise<void>((resolve) => {
        const s = session;
        state = 'stopped';
        persist();
        epoch++;
        refreshing = false;
        draining = false;
        reconnectNow = false;
        for (const t in timers) clearTimer(t);
        session = null;
        if (s) s.disconnect();
        if (fb) fb.stop();
        later(resolve);
      });
    },
    on: events.on,
    off: events.off,
    stats: () => ({ state, queued: outbox.size(), inflight: outbox.inflight(), dropped, connects, refreshes, tokenExp: token ? token.exp : null, fallback: fb ? fb.current() : null, sent: sentCount }),
  };
  return device;
}

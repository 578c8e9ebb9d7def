// The device's option and state types. Only types: the parts (options.ts, token.ts, connection.ts,
// pump.ts, fallback.ts) import them from here and from api.ts, never from device.ts, so no part
// imports back from the module that assembles them.
import type { PrivateKeyInput } from '../keys';
import type { Alg } from '../sign/signer';
import type { FallbackEntry } from '../uplink/index';
import type { BackoffPolicy } from './backoff';
import type { AuthRejectedEvent, ClockStateEvent, ConnectedEvent, DisconnectedEvent, Downlink, DroppedEvent, FallbackEvent, HeldEvent, SentEvent, TokenRefreshedEvent, TransportErrorEvent } from './event-types';
import type { OutboxLimits } from './outbox';

/**
 * JWT credentials may carry the connector's `uplinkSecret` too (used by the fallback transports
 * only). Secret credentials without `connectorId` cannot use MQTT: the device then sends over its
 * `fallback` transports only.
 * @inline
 */
export type Credentials = { alg?: Alg; privateKey: PrivateKeyInput; kid?: string; uplinkSecret?: string } | { uplinkSecret: string; connectorId?: string };

export type { FallbackEntry } from '../uplink/index';

/** Clock trust (`clock` option of createDevice). @inline */
export interface ClockOptions {
  /** Wall times before this (ms) are untrusted. Default: the SDK's build date. */
  notBeforeMs: number;
  /** A jump of the wall clock against elapsed time larger than this is a step. Default 5 s. */
  stepToleranceMs: number;
}

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
  /** mqtts://host:8883 (TLS) or mqtt://host:1883; over WebSocket wss://host:443/mqtt or ws://host:80/mqtt (where the target has a WebSocket client). Default mqtts://mqtt.akenza.io:8883. */
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
  /**
   * Bytes written and not yet out of the process (the socket's buffer) above which the link is
   * full: no more publishes are written (they wait in the outbox, QoS 0 ones too), the target
   * stops reading where it can, and a link full for a whole keepalive is closed
   * (`write-stalled`). Default 4096.
   */
  maxUnsentBytes?: number;
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
  /** Clock trust; `checkIntervalMs` (default 10 s) is how often trust and steps are checked (with a monotonic clock; else while waiting for trust). */
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
  /** `connected`: MQTT is connected and subscribed to downlinks. Each event is also `device.on(name, fn)` (DeviceEvents lists them). */
  onConnected?: (e: ConnectedEvent) => void;
  /** `disconnected`: the MQTT connection ended (`planned`: a token refresh). */
  onDisconnected?: (e: DisconnectedEvent) => void;
  /** `downlink`: a message from the cloud. */
  onDownlink?: (e: Downlink) => void;
  /** `tokenRefreshed`: a refresh switched to the next token and reconnects now. */
  onTokenRefreshed?: (e: TokenRefreshedEvent) => void;
  /** `authRejected`: credentials refused (CONNACK 4/5, or 401/403 on a fallback). */
  onAuthRejected?: (e: AuthRejectedEvent) => void;
  /** `clockState`: clock trust changed, or the wall clock stepped. */
  onClockState?: (e: ClockStateEvent) => void;
  /** `dropped`: the outbox bound dropped the oldest message, or (`reason`) a fallback transport refused one for good. */
  onDropped?: (e: DroppedEvent) => void;
  /** `error`: errors that belong to no publish(): a failed signature, a refused subscription, a throwing handler. */
  onError?: (e: Error) => void;
  /** `fallback`: the transport carrying uplinks changed. */
  onFallback?: (e: FallbackEvent) => void;
  /** `held`: fallback started and some queued messages wait for MQTT (the rule that holds them). */
  onHeld?: (e: HeldEvent) => void;
  /** `sent`: one uplink delivered (see UplinkOutcome for what UDP's means). */
  onSent?: (e: SentEvent) => void;
  /** `transportError`: a fallback attempt failed and will be retried. */
  onTransportError?: (e: TransportErrorEvent) => void;
}

/** Where the device is in its lifecycle. @inline */
export type DeviceState = 'idle' | 'waiting-clock' | 'minting' | 'connecting' | 'connected' | 'backoff' | 'fallback-only' | 'stopped';

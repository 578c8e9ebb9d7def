// The device's events: each name and its payload (DeviceEvents), downlinks among them. Only types,
// importing nothing: api.ts (on/off) and types.ts (the on<Name> options) both name them.

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

/** `connected`: MQTT is connected and subscribed to downlinks. */
export interface ConnectedEvent {
  /** When the connection was made (platform ms). */
  at: number;
  /** `exp` of the token it authenticated with (seconds since the epoch); null in secret mode. */
  tokenExp: number | null;
}

/** `disconnected`: the MQTT connection ended (not fired for stop()). */
export interface DisconnectedEvent {
  /** What ended it. `refused` comes with the CONNACK `returnCode`; `local` is the device's own disconnect (a token refresh). */
  reason: 'refused' | 'connack-timeout' | 'keepalive-timeout' | 'write-stalled' | 'socket-error' | 'socket-closed' | 'protocol-error' | 'local';
  /** For logs; never holds the token or the secret. */
  message: string;
  /** The CONNACK return code when the broker refused the connection (4: bad credentials, 5: not authorized). */
  returnCode?: number;
  /** true when a token refresh closed it on purpose; the device reconnects at once. */
  planned: boolean;
}

/** `tokenRefreshed`: a refresh switched to the next token and reconnects now. */
export interface TokenRefreshedEvent {
  /** `exp` of the token replaced (seconds since the epoch), null if there was none. */
  previousExp: number | null;
  /** `exp` of the token now in use, null if no next token was ready (the reconnect mints one). */
  exp: number | null;
}

/** `authRejected` from MQTT: CONNACK 4 or 5. */
export interface MqttAuthRejectedEvent {
  transport: 'mqtt';
  /** The CONNACK return code (4 or 5). */
  returnCode: number;
  /** Refusals in a row; from the second on, the next attempt waits at least `backoff.authFloorMs`. */
  attempts: number;
}

/** `transportError` (and `authRejected` on a 401/403 or 4.01/4.03): a fallback attempt failed and will be retried. */
export interface TransportErrorEvent {
  transport: 'http' | 'coap' | 'udp';
  /** HTTP status (e.g. 503) or CoAP code ('5.03') when the server answered. */
  status?: number | string;
  /** For logs; the secret in it reads `***`. */
  message: string;
  /** When this transport is tried again. */
  retryInMs: number;
}

/** `authRejected`: the credentials were refused; `transport` tells which kind. */
export type AuthRejectedEvent = MqttAuthRejectedEvent | TransportErrorEvent;

/** `clockState`: clock trust changed, or the wall clock stepped. */
export interface ClockStateEvent {
  /** Whether the wall clock is past `clock.notBeforeMs`: nothing is signed while it is not. */
  trusted: boolean;
  /** The wall clock jumped against elapsed time by more than `clock.stepToleranceMs`: minted tokens are discarded. */
  stepped: boolean;
  /** The wall clock (ms since the epoch). */
  now: number;
}

/** `dropped`: the outbox bound dropped the oldest message, or (with `reason`) a fallback transport refused one for good. */
export interface DroppedEvent {
  /** The message's data sub-topic ('' for none), never the MQTT topic (which may hold the secret). */
  topic: string;
  /** Its payload size. */
  bytes: number;
  /** Messages dropped so far (stats().dropped). */
  total: number;
  /** Why a transport refused it; absent when the outbox bound dropped it. */
  reason?: string;
}

/** `fallback`: the transport carrying uplinks changed. */
export interface FallbackEvent {
  /** true while uplinks go over a fallback transport. */
  active: boolean;
  /** The transport now carrying uplinks ('mqtt' when back). */
  transport: 'mqtt' | 'http' | 'coap' | 'udp';
  /** Why, for logs. */
  reason: string;
}

/**
 * `held`: fallback started and some queued messages will not go over it; they wait for MQTT. One
 * event per rule that holds any: `noDuplicates`, written to MQTT and not acknowledged (the broker
 * may have it; `allowDuplicates: true` lifts this), or `jsonOnly`, not a JSON object or array
 * (HTTP/CoAP/UDP carry only those).
 */
export interface HeldEvent {
  /** The rule that holds them. */
  rule: 'noDuplicates' | 'jsonOnly';
  /** How many messages it holds, and their payload bytes. */
  messages: number;
  bytes: number;
  /** The fallback transport they are held from. */
  transport: 'http' | 'coap' | 'udp';
}

/** `sent`: one uplink was delivered (see UplinkOutcome for what UDP's means). */
export interface SentEvent {
  /** The transport that carried it. */
  transport: 'mqtt' | 'http' | 'coap' | 'udp';
  /** The message's data sub-topic ('' for none). */
  topic: string;
  /** Its payload size. */
  bytes: number;
}

/**
 * Every event of a Device: its name and what its handlers receive. `device.on(name, fn)` and the
 * `on<Name>` options of createDevice take these names only. Handlers run after the call that caused
 * the event has returned; one that throws is reported as an `error` event.
 */
export interface DeviceEvents {
  connected: ConnectedEvent;
  disconnected: DisconnectedEvent;
  /** A message from the cloud. */
  downlink: Downlink;
  tokenRefreshed: TokenRefreshedEvent;
  authRejected: AuthRejectedEvent;
  clockState: ClockStateEvent;
  dropped: DroppedEvent;
  fallback: FallbackEvent;
  held: HeldEvent;
  sent: SentEvent;
  transportError: TransportErrorEvent;
  /** Errors that belong to no publish(): a failed signature, a refused subscription, a stored outbox that was corrupt, what a handler threw (passed as thrown, an Error unless a handler throws something else). */
  error: Error;
}

/** The name of a Device event. */
export type DeviceEventName = keyof DeviceEvents;

/** A handler of event `E`. */
export type DeviceEventHandler<E extends DeviceEventName> = (event: DeviceEvents[E]) => void;

// What the Device object takes and hands out: publish() options, stats, and the Device interface
// itself. Only types (event-types.ts has the events, types.ts the options and states).
import type { DeviceEventHandler, DeviceEventName } from './event-types';
import type { DeviceState } from './types';

/** Options of publish(). */
export interface PublishOptions {
  /** Data sub-topic: published to `{uplink topic}/{topic}`. */
  topic?: string;
  /** 1 (default): kept until PUBACK and resent after a reconnect; 0: written once. */
  qos?: 0 | 1;
  /** Measurement time (ISO-8601 or ms since the epoch), sent by HTTP/CoAP/UDP as `timestamp`; MQTT has no field for it. */
  timestamp?: string | number;
  /**
   * Rejects the promise with PUBLISH_TIMEOUT when the message is not delivered within this many ms.
   * The message stays queued (it is not withdrawn): it may still go out later, and a `sent` event
   * says so then; `stats().queued` counts it. Off by default: the promise waits for delivery.
   */
  timeoutMs?: number;
}

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

/** How start() settled: connected over MQTT, delivering over a fallback transport (or fallback only), or stopped first. */
export type StartResult = 'connected' | 'fallback' | 'stopped';

/** A device connection from createDevice: MQTT with token refresh, fallback uplinks, outbox, events. */
export interface Device {
  /**
   * Connects once the clock is trusted and a token is minted; events follow, never from inside the
   * call. Resolves at the first of: connected over MQTT ('connected'), uplinks going over a fallback
   * transport or the device left with fallback only ('fallback'), or stop() ('stopped'). It never
   * rejects: a refused token is an event and the device keeps trying. While running, a call starts
   * nothing and resolves the same way (at once when connected).
   */
  start(): Promise<StartResult>;
  /**
   * Queues an uplink: an object or array as JSON, a string as UTF-8, bytes as they are. Resolves when
   * delivered (QoS 1: on PUBACK; QoS 0: once its bytes have left the process), rejects with
   * MESSAGE_DROPPED, UPLINK_REJECTED or (with `timeoutMs`) PUBLISH_TIMEOUT; `cb(err)` is called too.
   * Before start() the message waits in the outbox and goes out once the device connects.
   */
  publish(payload: unknown, options?: PublishOptions, cb?: (err: Error | null) => void): Promise<void>;
  /** Mints a new token and reconnects with it now (also what the refresh timer does). */
  refresh(): void;
  /** Sends DISCONNECT and closes every transport; the outbox is kept (and stored when persisted). start() resumes. */
  stop(): Promise<void>;
  /** Adds a handler for one of the DeviceEvents: connected, disconnected, downlink, tokenRefreshed, authRejected, clockState, dropped, fallback, held, sent, transportError, error. */
  on<E extends DeviceEventName>(event: E, fn: DeviceEventHandler<E>): void;
  /** Removes a handler added with on(). */
  off<E extends DeviceEventName>(event: E, fn: DeviceEventHandler<E>): void;
  /** State, queue, in-flight, counters and per-transport counts. */
  stats(): DeviceStats;
}

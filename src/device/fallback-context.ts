// The fallback's narrow view of its device (FallbackContext) and what the device drives of it
// (Fallback). Apart from fallback.ts so the device context and the Espruino stub need only these.
// The device makes its fallback when MQTT has been down for fallbackAfterMs (outage.ts) and drops it once MQTT is back and no fallback send is out: between outages a
// device keeps only its options, and on Espruino not even the module (akenza-fallback).
import type { Platform } from '../platform';
import type { Emitter } from './events';
import type { Message, Outbox } from './outbox';
import type { DeviceOptions, DeviceState } from './types';
import type { DeviceEvents, SentEvent } from './event-types';

/** The options the fallback reads (createDevice passes its options object, typed down to these). */
export type FallbackOptions = Pick<DeviceOptions, 'fallback' | 'fallbackAfterMs' | 'fallbackBackoff' | 'allowDuplicates'>;

/**
 * What the fallback needs of its device: its fallback options, outbox, events, named timers and
 * state. Most functions are the device's own module-level ones, called with `dev`: a closure per
 * function would cost ~8 variables each on Espruino, for as long as the fallback lives.
 */
export interface FallbackContext<D = unknown> {
  /** The device (its DeviceContext), passed back to the functions below: opaque to the fallback. */
  dev: D;
  /** createDevice's call, to check the entries: each transport is made and closed at once. */
  check?: boolean;
  platform: Platform;
  o: FallbackOptions;
  deviceId: string;
  /** credentials.uplinkSecret: the secret of entries without their own. */
  secret?: string;
  outbox: Outbox;
  events: Emitter<DeviceEvents>;
  /** The device's named timers (stop() clears them all); the fallback uses 'fb' (the next try) and 'fbw' (a send's watchdog). */
  setTimer(dev: D, name: string, ms: number, fn: () => void): void;
  clearTimer(dev: D, name: string): void;
  state(dev: D): DeviceState;
  /** Uplinks delivered per transport: the fallback adds its transports at 0. */
  sent: { [transport: string]: number };
  delivered(dev: D, transport: SentEvent['transport'], msg: Message): void;
  error(dev: D, e: unknown): void;
  /** Counts one more dropped message; returns the total. */
  dropped(dev: D): number;
  /** Stores the outbox now (an outcome that arrives after stop()). */
  persist(dev: D): void;
  /** Sends what MQTT can (an outcome that arrives while connected). */
  pump(dev: D): void;
}

/** The fallback as the device drives it. */
export interface Fallback {
  /** Moves uplinks to the fallback transports now (no-op while connected, stopped or already on);
   *  no reason: MQTT was down for fallbackAfterMs. */
  on(reason?: string): void;
  /** MQTT connected: uplinks go back to it. */
  off(): void;
  /** Sends the oldest eligible message when a transport is free. */
  pump(): void;
  /** A message is out on a fallback transport (MQTT waits: its outcome decides whether it is resent). */
  busy(): boolean;
  /** MQTT is back: a send the server already has may end now. */
  settle(): void;
  /** stop(), or dropped once MQTT is back: off, and every transport closed. */
  stop(): void;
  /** The transport carrying uplinks, null while on MQTT. */
  current(): string | null;
}

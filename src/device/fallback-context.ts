// The fallback's narrow view of its device (FallbackContext) and what the device drives of it
// (Fallback). Apart from fallback.ts so the device context and the Espruino stub need only these.
import type { Platform } from '../platform';
import type { Emitter } from './events';
import type { Message, Outbox } from './outbox';
import type { DeviceOptions, DeviceState } from './types';
import type { DeviceEvents, SentEvent } from './event-types';

/** The options the fallback reads (createDevice passes its options object, typed down to these). */
export type FallbackOptions = Pick<DeviceOptions, 'fallback' | 'fallbackAfterMs' | 'fallbackBackoff' | 'allowDuplicates'>;

/** What the fallback needs of its device: its fallback options, outbox, events, named timers and state. */
export interface FallbackContext {
  platform: Platform;
  o: FallbackOptions;
  deviceId: string;
  /** credentials.uplinkSecret: the secret of entries without their own. */
  secret?: string;
  outbox: Outbox;
  events: Emitter<DeviceEvents>;
  /** The device's named timers (stop() clears them all); the fallback uses 'fallback' and 'fb'. */
  setTimer(name: string, ms: number, fn: () => void): void;
  clearTimer(name: string): void;
  /** The named timer is pending. */
  timerSet(name: string): boolean;
  state(): DeviceState;
  /** Uplinks delivered per transport: the fallback adds its transports at 0. */
  sent: { [transport: string]: number };
  delivered(transport: SentEvent['transport'], msg: Message): void;
  error(e: unknown): void;
  /** Counts one more dropped message; returns the total. */
  dropped(): number;
  /** Stores the outbox now (an outcome that arrives after stop()). */
  persist(): void;
  /** Sends what MQTT can (an outcome that arrives while connected). */
  pump(): void;
}

/** The fallback as the device drives it. */
export interface Fallback {
  /** Moves uplinks to the fallback transports now (no-op while connected, stopped or already on). */
  on(reason: string): void;
  /** MQTT connected: uplinks go back to it. */
  off(): void;
  /** Starts the MQTT-down countdown unless it runs already. */
  arm(): void;
  /** Sends the oldest eligible message when a transport is free. */
  pump(): void;
  /** A message is out on a fallback transport (MQTT waits: its outcome decides whether it is resent). */
  busy(): boolean;
  /** MQTT is back: a send the server already has may end now. */
  settle(): void;
  /** stop(): off, and every transport closed. */
  stop(): void;
  /** The transport carrying uplinks, null while on MQTT. */
  current(): string | null;
}

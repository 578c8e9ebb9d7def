// Reconnect delays: exponential backoff with full jitter (1 s base, 120 s cap by default), reset
// only after a connection has lasted; after an auth refusal never faster than the auth floor.
// The state (the policy and the attempt count) lives in the device context (backoff_, attempt_);
// connection.ts computes the delays.

/** Reconnect backoff (`backoff` option of createDevice). @inline */
export interface BackoffPolicy {
  /** First delay ceiling; full jitter picks a delay from 0 to the ceiling, which doubles per attempt. Default 1 s. */
  baseMs: number;
  /** Largest ceiling. Default 120 s. */
  capMs: number;
  /** A connection must last this long before the attempt counter resets. */
  resetAfterMs: number;
  /** Minimum delay after a second consecutive CONNACK 4/5. */
  authFloorMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1000, capMs: 120000, resetAfterMs: 30000, authFloorMs: 60000 };

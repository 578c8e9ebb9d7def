// Reconnect delays: exponential backoff with full jitter (1 s base, 120 s cap by default), reset
// only after a connection has lasted; after an auth refusal never faster than the auth floor.

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

export interface Backoff {
  /** Delay before the next attempt; `rand` in [0, 1). */
  next(rand: number, authRefused: boolean): number;
  /** The connection that just ended lasted `ms`. */
  connectedFor(ms: number): void;
  attempts(): number;
}

export function createBackoff(p: BackoffPolicy): Backoff {
  let attempt = 0;
  return {
    next(rand, authRefused) {
      const ceiling = Math.min(p.capMs, p.baseMs * Math.pow(2, Math.min(attempt, 30)));
      attempt++;
      const d = Math.floor(rand * ceiling);
      return authRefused ? Math.max(p.authFloorMs, d) : d;
    },
    connectedFor(ms) {
      if (ms >= p.resetAfterMs) attempt = 0;
    },
    attempts: () => attempt,
  };
}

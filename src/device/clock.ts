// Clock trust: a wall clock earlier than the SDK's build date cannot be right, so nothing is signed
// with it; a step between two checks larger than the tolerance invalidates minted tokens.
import type { Platform } from '../platform';

/** Earliest plausible wall time: this source's release date. */
export const SDK_BUILD_TIME = 1795824000000; // Date.UTC(2026, 10, 28); Espruino has no Date.UTC

/** Clock trust (`clock` option of createDevice). @inline */
export interface ClockOptions {
  /** Wall times before this (ms) are untrusted. Default: the SDK's build date. */
  notBeforeMs: number;
  /** A jump of the wall clock against elapsed time larger than this is a step. Default 5 s. */
  stepToleranceMs: number;
}

export interface Clock {
  now(): number;
  trusted(): boolean;
  /** Called at each check: true when the wall clock stepped since the previous call. */
  stepped(): boolean;
  /** Applies trusted time from SNTP/HTTP Date as an offset to the wall clock. */
  sync(trustedNowMs: number): void;
}

export function createClock(platform: Platform, o: ClockOptions): Clock {
  let offset = 0;
  const now = () => platform.now() + offset;
  // Elapsed time from the monotonic clock where there is one, else the wall clock's own view (no step detection).
  const mono = () => (platform.monotonic ? platform.monotonic() : now());
  let lastWall = now();
  let lastMono = mono();
  return {
    now,
    trusted: () => now() >= o.notBeforeMs,
    stepped() {
      const w = now();
      const m = mono();
      const step = Math.abs(w - lastWall - (m - lastMono)) > o.stepToleranceMs;
      lastWall = w;
      lastMono = m;
      return step;
    },
    sync(t) {
      offset = t - platform.now();
      lastWall = now();
      lastMono = mono();
    },
  };
}

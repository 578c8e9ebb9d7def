// Clock trust: a wall clock earlier than the SDK's build date cannot be right, so nothing is signed
// with it; a step between two checks larger than the tolerance invalidates minted tokens.
// The state lives in the device context (offset_, lastWall_, lastMono_, notBefore_, stepTolerance_:
// a few numbers, no closures, as on Espruino each function a device keeps costs variables), and
// these functions take it. Trusted: now(c) >= notBefore_. A sync with trusted time (SNTP, HTTP
// Date) sets offset_ and restarts the step check (connection.ts).
import type { DeviceContext } from './context';

/** Earliest plausible wall time: this source's release date. */
export const SDK_BUILD_TIME = 1795824000000; // Date.UTC(2026, 10, 28); Espruino has no Date.UTC

export function now(k: DeviceContext): number {
  return k.platform_.now() + k.offset_;
}

// Elapsed time from the monotonic clock where there is one, else the wall clock's own view (no step detection).
export function mono(k: DeviceContext): number {
  return k.platform_.monotonic ? k.platform_.monotonic() : now(k);
}

/** Called at each check (and once to start): true when the wall clock stepped since the previous call. */
export function stepped(k: DeviceContext): boolean {
  const w = now(k);
  const m = mono(k);
  const step = Math.abs(w - k.lastWall_ - (m - k.lastMono_)) > k.stepTolerance_;
  k.lastWall_ = w;
  k.lastMono_ = m;
  return step;
}

// Secret comparison for the mock (uplink secrets, the admin token): both sides hashed to 32 bytes and
// compared with timingSafeEqual, so the time taken says nothing about where they differ or how long they are.
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** True when the strings are equal, in time independent of their contents. */
export function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

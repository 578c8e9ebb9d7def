// The auth record (`cloud.authLog`): every CONNECT verdict and capture refusal, with the identifiers a
// client chose clipped (sanitize.ts) and the list bounded by count and by characters kept, oldest
// dropped in chunks, so refused logins with huge clientIds or deviceIds cannot grow the mock.
import type { AuthLogEntry } from './mqtt-session';
import { clip, clipOpt } from './sanitize';

/** Longest reason kept (reasons quote identifiers; the longest fixed one is about 150 characters). */
export const MAX_REASON_CHARS = 512;
const FIXED_ENTRY_CHARS = 64; // time, code, transport, method: a generous fixed share per entry

/** Characters an entry holds (its strings plus a fixed share): what the byte bound counts (UTF-16: 2 bytes each). */
export function authEntryChars(e: AuthLogEntry): number {
  return FIXED_ENTRY_CHARS + e.reason.length + (e.clientId ? e.clientId.length : 0) + (e.username ? e.username.length : 0) + (e.deviceId ? e.deviceId.length : 0);
}

/** The entry with clientId, username and deviceId clipped to 128 characters and the reason to 512. */
export function clippedAuthEntry(e: AuthLogEntry): AuthLogEntry {
  const out: AuthLogEntry = { time: e.time, transport: e.transport, code: e.code, reason: clip(e.reason, MAX_REASON_CHARS), method: e.method };
  if (e.clientId !== undefined) out.clientId = clipOpt(e.clientId);
  if (e.username !== undefined) out.username = clipOpt(e.username);
  if (e.deviceId !== undefined) out.deviceId = clipOpt(e.deviceId);
  return out;
}

export class AuthRecords {
  readonly list: AuthLogEntry[] = [];
  /** authEntryChars() summed over `list`. */
  chars = 0;
  constructor(
    private readonly maxEntries = 10000,
    private readonly maxChars = 4 * 1024 * 1024,
  ) {}

  /** Records a clipped copy of `e` and returns it. */
  add(e: AuthLogEntry): AuthLogEntry {
    const c = clippedAuthEntry(e);
    this.list.push(c);
    this.chars += authEntryChars(c);
    // Trimmed in chunks (as the uplink log): splicing one entry per connect moves the whole array each time.
    if (this.list.length > this.maxEntries + Math.ceil(this.maxEntries / 10) || this.chars > this.maxChars) {
      let drop = Math.max(0, this.list.length - this.maxEntries);
      let chars = this.chars;
      for (let i = 0; i < drop; i++) chars -= authEntryChars(this.list[i]);
      // Down to 90 % of the character budget, so the next entries do not trim again one by one.
      while (drop < this.list.length - 1 && chars > this.maxChars * 0.9) chars -= authEntryChars(this.list[drop++]);
      this.list.splice(0, drop);
      this.chars = chars;
    }
    return c;
  }
}

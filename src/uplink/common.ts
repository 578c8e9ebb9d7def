// What the secret-based uplinks (HTTP, CoAP, UDP) share: the request, the outcome of one attempt,
// URL splitting and query building. The outcome decides what the device does next:
//   ok       delivered (HTTP 2xx, decided by the status line and headers whatever the body does;
//            CoAP 2.xx, or an empty ACK whose separate response never came: the server has the
//            request, so it counts as delivered, unconfirmed, rather than risk a second copy
//            elsewhere; UDP: handed to the socket: UDP has no acknowledgement)
//   auth     the secret was refused (HTTP 401/403, CoAP 4.01/4.03): this transport backs off
//   rejected the cloud refused this message for good (other 4xx), or it can never fit this
//            transport (bigger than a datagram): the message fails, never resent
//   retry    network error, timeout, 5xx: try again later or over another transport

import type { UplinkResult } from './types';

export type { UplinkOutcome, UplinkResult, UplinkRequest, UplinkTransport } from './types';

export interface SplitUrl {
  scheme: string;
  host: string;
  /** 0 when the URL names none. */
  port: number;
  /** '' or starting with '/'. */
  path: string;
  query: string;
}

/** Whether every character of `s` is in `set` (and there is one). */
function only(s: string, set: string): boolean {
  for (let i = 0; i < s.length; i++) if (set.indexOf(s.charAt(i)) < 0) return false;
  return s.length > 0;
}

/** Whether any character of `set` occurs in `s`. */
function has(s: string, set: string): boolean {
  for (let i = 0; i < set.length; i++) if (s.indexOf(set.charAt(i)) >= 0) return true;
  return false;
}

const DIGITS = '0123456789';
const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

/**
 * scheme://host[:port][/path][?query]; null when malformed, or when a port is given outside
 * 1..65535. Scanned, not a regex: Espruino's regexes lack '?', {n,m} and (?:...), and a '/' in a
 * class ends them (the Espruino build refuses such a regex).
 */
export function splitUrl(url: string): SplitUrl | null {
  const sep = url.indexOf('://');
  const scheme = url.slice(0, sep).toLowerCase();
  if (sep < 1 || LETTERS.indexOf(scheme.charAt(0)) < 0 || !only(scheme, LETTERS + DIGITS + '+.-') || url.indexOf('#') >= 0) return null;
  let rest = url.slice(sep + 3);
  const q = rest.indexOf('?');
  const query = q < 0 ? '' : rest.slice(q + 1);
  if (q >= 0) rest = rest.slice(0, q);
  const v6 = rest.charAt(0) === '[';
  const slash = rest.indexOf('/');
  const path = slash < 0 ? '' : rest.slice(slash);
  if (slash >= 0) rest = rest.slice(0, slash);
  // the host ends at ']' (IPv6) or at ':'; what follows it is ':port' or nothing
  const end = v6 ? rest.indexOf(']') + 1 : rest.indexOf(':') < 0 ? rest.length : rest.indexOf(':');
  const host = v6 ? rest.slice(1, end - 1) : rest.slice(0, end);
  const after = rest.slice(end);
  const portText = after.slice(1);
  if (!host || has(host, v6 ? '[' : '@[]') || (v6 && end < 3) || (after && (after.charAt(0) !== ':' || !only(portText, DIGITS) || portText.length > 5))) return null;
  const port = portText ? Number(portText) : 0;
  if (portText && !(port >= 1 && port <= 65535)) return null;
  return { scheme, host, port, path, query };
}

/** `k=v&k=v` with percent-encoding; entries with an undefined or empty value are left out. */
export function buildQuery(pairs: (string | undefined)[][]): string {
  const out: string[] = [];
  for (let i = 0; i < pairs.length; i++) {
    const v = pairs[i][1];
    if (v) out.push(encodeURIComponent(pairs[i][0] as string) + '=' + encodeURIComponent(v));
  }
  return out.join('&');
}

/** The capture endpoints take a JSON object or array: checks the first non-blank byte. */
export function isJsonContainer(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) continue;
    return c === 0x7b || c === 0x5b;
  }
  return false;
}

/** A result for a status class: 2 ok, 401/403 auth, other 4 rejected, the rest retry. */
export function classify(cls: number, status: number | string, auth: boolean, what: string): UplinkResult {
  if (cls === 2) return { outcome: 'ok', status, message: what + ' ' + status };
  if (auth) return { outcome: 'auth', status, message: what + ' ' + status + ': uplink secret refused' };
  if (cls === 4) return { outcome: 'rejected', status, message: what + ' ' + status + ': message refused' };
  return { outcome: 'retry', status, message: what + ' ' + status };
}

/** IPv4's largest UDP payload: the default bound for one CoAP or UDP uplink datagram. */
export const MAX_DATAGRAM = 65507;

/** A socket error that no retry can cure: the datagram is too big for the path (Node: EMSGSIZE). */
export const tooBig = (e: Error): boolean => (e as { code?: string }).code === 'EMSGSIZE';

/** Replaces the secret (raw and percent-encoded) in a message from below (socket errors may quote URLs). */
export function redact(text: string, secret: string): string {
  const forms = [secret, encodeURIComponent(secret)];
  for (let i = 0; i < forms.length; i++) if (forms[i]) text = text.split(forms[i]).join('***');
  return text;
}

// JWT assembly for the platform's device tokens: header {alg, typ, kid?}, claims {aud, iat, exp, ...}.
// Policy defaults: lifetime 60 min, iat backdated 60 s (docs/token-lifecycle.md; claim rules in docs/protocol.md).
import { base64urlEncode } from './base64';
import { fail, OPTION_INVALID } from './errors';
import { signSliced, type Alg, type Defer, type Signer } from './sign/signer';
import { utf8Decode, utf8Encode } from './utf8';

/** The platform's base URL; `aud` is `{base}/devices/{deviceId}`. */
export const DEFAULT_AUDIENCE_BASE = 'https://akenza.io';
/** Default token lifetime: 60 minutes. */
export const DEFAULT_LIFETIME_S = 3600;
export const DEFAULT_IAT_BACKDATE_S = 60;
/** The platform refuses tokens living longer than this (exp - iat). */
export const MAX_LIFETIME_S = 86400;

/** What goes into a device token besides the signature. */
export interface JwtClaimsOptions {
  /** The device's id; goes into `aud`. */
  deviceId: string;
  /** Platform base URL; `aud` = base + '/devices/' + deviceId. Default https://akenza.io. */
  audienceBase?: string;
  /** Seconds from now until `exp`. Default 3600. */
  lifetimeS?: number;
  /** Seconds `iat` is set back to absorb a server clock running behind ours. Default 60. */
  iatBackdateS?: number;
  /** The key's fingerprint, put in the header as `kid`. */
  kid?: string;
  /** Wall clock in milliseconds since the epoch (Date.now() form). Default Date.now(). */
  now?: number;
  /** Extra claims; the platform ignores them. `aud`, `iat`, `exp` cannot be overridden. */
  claims?: { [name: string]: unknown };
}

/** A token's header and claims before signing. @inline */
export interface JwtParts {
  header: { alg: Alg; typ: 'JWT'; kid?: string };
  claims: { aud: string; iat: number; exp: number; [name: string]: unknown };
}

/** Device ids go into `aud` and MQTT topics, so topic and URL metacharacters are refused. */
export function checkDeviceId(deviceId: unknown): string {
  // A positive class without anchors: Espruino's regexes match '' with [^...]+ and end at a '/' in a class.
  if (typeof deviceId !== 'string' || !deviceId || /[\s\/#+?&%]/.test(deviceId))
    fail(OPTION_INVALID, 'deviceId must be a non-empty string without whitespace or any of / # + ? & %');
  return deviceId as string;
}

export function audienceFor(deviceId: string, audienceBase?: string): string {
  const base = audienceBase === undefined ? DEFAULT_AUDIENCE_BASE : audienceBase;
  // Scanned: Espruino's regexes have no '?' quantifier.
  const scheme = base.indexOf('https://') === 0 ? 8 : base.indexOf('http://') === 0 ? 7 : 0;
  if (!scheme || base.length === scheme || /\s/.test(base)) fail(OPTION_INVALID, 'audienceBase must be an http(s) URL, e.g. https://akenza.io');
  return base.replace(/\/+$/, '') + '/devices/' + deviceId;
}

/**
 * Validates the options and builds header and claims (`iat` = now - iatBackdateS, `exp` = now + lifetimeS).
 * `lifetimeName` is what the caller's user calls `lifetimeS` (createDevice: tokenLifetimeS), for the errors.
 */
export function jwtParts(alg: Alg, o: JwtClaimsOptions, lifetimeName?: string): JwtParts {
  const deviceId = checkDeviceId(o.deviceId);
  const lifetime = o.lifetimeS === undefined ? DEFAULT_LIFETIME_S : o.lifetimeS;
  const backdate = o.iatBackdateS === undefined ? DEFAULT_IAT_BACKDATE_S : o.iatBackdateS;
  const name = lifetimeName || 'lifetimeS';
  if (!(lifetime > 0) || Math.floor(lifetime) !== lifetime) fail(OPTION_INVALID, name + ' must be a positive whole number of seconds');
  if (!(backdate >= 0) || Math.floor(backdate) !== backdate) fail(OPTION_INVALID, 'iatBackdateS must be a whole number of seconds >= 0');
  // The platform's 24 h is from iat to exp, and iat is backdated: what the user set, and its largest value.
  if (lifetime + backdate > MAX_LIFETIME_S)
    fail(OPTION_INVALID, name + ' is ' + lifetime + ' s; at most ' + (MAX_LIFETIME_S - backdate) + ' s (24 h from iat, set ' + backdate + ' s back)');
  const nowMs = o.now === undefined ? Date.now() : o.now;
  if (typeof nowMs !== 'number' || !(nowMs > 0)) fail(OPTION_INVALID, 'now must be milliseconds since the epoch');
  const now = Math.floor(nowMs / 1000);
  const header: JwtParts['header'] = { alg, typ: 'JWT' };
  if (o.kid !== undefined) {
    if (typeof o.kid !== 'string' || !o.kid) fail(OPTION_INVALID, 'kid must be a non-empty string');
    header.kid = o.kid;
  }
  const claims: JwtParts['claims'] = { aud: audienceFor(deviceId, o.audienceBase), iat: now - backdate, exp: now + lifetime };
  const extra = o.claims || {};
  for (const name in extra) {
    if (name === 'aud' || name === 'iat' || name === 'exp') fail(OPTION_INVALID, 'claims.' + name + ' is set by the SDK; use audienceBase/lifetimeS/now');
    claims[name] = extra[name];
  }
  return { header, claims };
}

const segment = (value: unknown): string => base64urlEncode(utf8Encode(JSON.stringify(value)));

// A device mints with one header over and over: keep its encoding.
let lastHeader = '';
let lastHeaderSegment = '';

/** The JWS signing input `base64url(header) + '.' + base64url(claims)`. */
export function signingInput(parts: JwtParts): string {
  const header = JSON.stringify(parts.header);
  if (header !== lastHeader) {
    lastHeaderSegment = base64urlEncode(utf8Encode(header));
    lastHeader = header;
  }
  return lastHeaderSegment + '.' + segment(parts.claims);
}

/** Microtask first (a fast signer finishes without timer latency), timers between slices (so IO runs). */
function defaultDefer(): Defer {
  const timer = typeof setTimeout === 'function' ? (fn: () => void) => setTimeout(fn, 0) : null;
  let first = true;
  return (fn) => {
    if (first || !timer) {
      first = false;
      Promise.resolve().then(fn);
    } else timer(fn);
  };
}

/**
 * Mints a token with `signer`. Calls back once, never from inside this call; a slow signer runs
 * in slices that yield to the event loop.
 */
export function mintJwt(signer: Signer, o: JwtClaimsOptions, cb: (err: Error | null, token?: string) => void, defer?: Defer): void {
  // Only the input's bytes are kept while the signer runs (the token's text is read back from them:
  // ASCII), not the string as well: ~25 variables less on Espruino during a mint.
  let message: Uint8Array;
  try {
    message = utf8Encode(signingInput(jwtParts(signer.alg, o)));
  } catch (e) {
    (defer || defaultDefer())(() => cb(e as Error));
    return;
  }
  signSliced(signer, message, defer || defaultDefer(), (err, sig) => {
    if (err) cb(err);
    else cb(null, utf8Decode(message) + '.' + base64urlEncode(sig as Uint8Array));
  });
}

/** Promise form with an optional Node-style callback alongside. */
export function mintJwtPromise(signer: Signer, o: JwtClaimsOptions, cb?: (err: Error | null, token?: string) => void): Promise<string> {
  const p = new Promise<string>((resolve, reject) => mintJwt(signer, o, (err, token) => (err ? reject(err) : resolve(token as string))));
  if (cb) p.then((t) => cb(null, t), (e: Error) => cb(e));
  return p;
}

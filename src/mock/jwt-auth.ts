// The platform's JWT device check (DESIGN.md section 1): token form, alg, kid, signature, aud/exp/iat,
// lifetime; returns the CONNACK code to send (4 = malformed token, 5 = well-formed but not authorized).
import { base64urlDecode } from '../base64';
import { utf8Decode } from '../utf8';
import type { Alg } from '../sign/signer';
import { verifyJwsSignature } from './jws-verify';
import type { Credential, DeviceEntry } from './registry';

export const DEFAULT_SKEW_S = 600;
export const DEFAULT_MAX_LIFETIME_S = 86400;
/** A password longer than this is not a device token (the largest legitimate one, RS256 4096, is ~1 KB). */
export const MAX_TOKEN_LENGTH = 8192;
/** The shortest RS256 signature the platform can accept: a 2048-bit modulus. */
const MIN_RSA_SIG_BYTES = 256;
const MAX_RSA_SIG_BYTES = 1024;

export interface JwtCheckOptions {
  /** Expected `aud` (base + '/devices/' + deviceId). */
  audience: string;
  /** The mock's now, milliseconds since the epoch. */
  nowMs: number;
  skewS?: number;
  maxLifetimeS?: number;
  /** Platform rule: a device with more than one key must name the signer in `kid`. Default true. */
  requireKidWithSeveralKeys?: boolean;
}

export type JwtCheck =
  | { ok: true; code: 0; reason: string; kid: string; alg: Alg; exp: number }
  | { ok: false; code: 4 | 5; reason: string };

const malformed = (reason: string): JwtCheck => ({ ok: false, code: 4, reason: 'malformed token: ' + reason });
const refused = (reason: string): JwtCheck => ({ ok: false, code: 5, reason });

function parseJsonSegment(seg: string, what: string): { value?: { [k: string]: unknown }; error?: string } {
  let text: string;
  try {
    text = utf8Decode(base64urlDecode(seg));
  } catch {
    return { error: what + ' is not base64url-encoded UTF-8' };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { error: what + ' is not JSON' };
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { error: what + ' is not a JSON object' };
  return { value: value as { [k: string]: unknown } };
}

const isNumericDate = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * Checks `token` for `device` (undefined when the clientId is not registered).
 *
 * Malformed (CONNACK 4): not a string of three non-empty base64url segments (padding, `+/`, a bad
 * length are malformed), header or claims not a JSON object, `alg` missing or other than
 * ES256/RS256 (`none`, HS*, PS*, ... included), a `crit` header, `kid` present but not a string,
 * an ES256 signature that is not exactly 64 bytes (DER-shaped), an RS256 signature outside
 * 256..1024 bytes (shorter than any key the platform accepts).
 * Not authorized (CONNACK 5): unknown device, kid rules, no key of the device verifies
 * (alg not matching the key, expired credential included), aud, exp, iat, lifetime.
 */
export function checkDeviceJwt(device: DeviceEntry | undefined, deviceId: string, token: string, o: JwtCheckOptions): JwtCheck {
  if (token.length > MAX_TOKEN_LENGTH) return malformed('longer than ' + MAX_TOKEN_LENGTH + ' characters');
  const segs = token.split('.');
  if (segs.length !== 3) return malformed(segs.length + ' dot-separated segment(s), a compact JWS has 3');
  if (!segs[0] || !segs[1] || !segs[2]) return malformed('empty segment');
  const h = parseJsonSegment(segs[0], 'header');
  if (h.error) return malformed(h.error);
  const c = parseJsonSegment(segs[1], 'claims');
  if (c.error) return malformed(c.error);
  let sig: Uint8Array;
  try {
    sig = base64urlDecode(segs[2]);
  } catch {
    return malformed('signature is not base64url');
  }
  const header = h.value!;
  const claims = c.value!;
  const alg = header.alg;
  if (alg === undefined) return malformed('header has no alg');
  if (alg !== 'ES256' && alg !== 'RS256') return malformed('alg ' + JSON.stringify(alg) + ' is not accepted (ES256 or RS256 only)');
  if (header.crit !== undefined) return malformed('crit header extensions are not supported');
  if (header.kid !== undefined && typeof header.kid !== 'string') return malformed('kid is not a string');
  if (alg === 'ES256' && sig.length !== 64) return malformed('ES256 signature is ' + sig.length + ' bytes; the JWS form is the 64-byte raw r||s' + (sig[0] === 0x30 ? ' (this looks DER-encoded)' : ''));
  if (alg === 'RS256' && (sig.length < MIN_RSA_SIG_BYTES || sig.length > MAX_RSA_SIG_BYTES))
    return malformed('RS256 signature is ' + sig.length + ' bytes; an RSA key of at least 2048 bits gives at least 256');

  if (!device) return refused('device ' + JSON.stringify(deviceId) + ' is not registered');
  if (device.credentials.length === 0) return refused('device has no credentials');
  const input = Buffer.from(segs[0] + '.' + segs[1], 'latin1');
  const nowMs = o.nowMs;
  const live = (cr: Credential) => cr.expiresAt === undefined || nowMs < cr.expiresAt;
  let signer: Credential | undefined;
  const kid = header.kid as string | undefined;
  if (kid !== undefined) {
    const want = kid.toLowerCase();
    const cred = device.credentials.find((cr) => cr.kid === want);
    if (!cred) return refused('kid ' + kid.slice(0, 80) + ' matches no credential of the device');
    if (!live(cred)) return refused('credential ' + cred.kid + ' expired at ' + new Date(cred.expiresAt!).toISOString());
    if (cred.key.alg !== alg) return refused('alg ' + alg + ' does not match the credential ' + cred.kid + ' (' + cred.key.alg + ')');
    if (!verifyJwsSignature(cred.key, alg, input, sig)) return refused('signature does not verify with credential ' + cred.kid);
    signer = cred;
  } else {
    if (device.credentials.length > 1 && o.requireKidWithSeveralKeys !== false)
      return refused('kid is required: the device has ' + device.credentials.length + ' credentials');
    const candidates = device.credentials.filter((cr) => cr.key.alg === alg);
    if (candidates.length === 0) return refused('alg ' + alg + ' matches no credential of the device');
    const liveOnes = candidates.filter(live);
    signer = liveOnes.find((cr) => verifyJwsSignature(cr.key, alg, input, sig));
    if (!signer) {
      const expired = candidates.find((cr) => !live(cr) && verifyJwsSignature(cr.key, alg, input, sig));
      if (expired) return refused('credential ' + expired.kid + ' expired at ' + new Date(expired.expiresAt!).toISOString());
      return refused('signature does not verify with any credential of the device');
    }
  }

  const skew = o.skewS === undefined ? DEFAULT_SKEW_S : o.skewS;
  const maxLife = o.maxLifetimeS === undefined ? DEFAULT_MAX_LIFETIME_S : o.maxLifetimeS;
  const now = Math.floor(nowMs / 1000);
  if (typeof claims.aud !== 'string') return refused('aud must be the string ' + o.audience);
  if (claims.aud !== o.audience) return refused('aud ' + JSON.stringify(claims.aud.slice(0, 200)) + ' is not ' + o.audience);
  if (claims.exp === undefined) return refused('exp is missing');
  if (!isNumericDate(claims.exp)) return refused('exp is not a number');
  const exp = claims.exp;
  if (now >= exp + skew) return refused('token expired at ' + isoS(exp) + ' (now ' + isoS(now) + ', skew ' + skew + ' s)');
  if (claims.iat !== undefined) {
    if (!isNumericDate(claims.iat)) return refused('iat is not a number');
    if (claims.iat > now + skew) return refused('iat ' + isoS(claims.iat) + ' is in the future beyond the ' + skew + ' s skew (now ' + isoS(now) + ')');
  }
  const from = claims.iat !== undefined ? (claims.iat as number) : now;
  if (exp - from > maxLife) return refused('lifetime ' + (exp - from) + ' s exceeds the maximum of ' + maxLife + ' s');
  return { ok: true, code: 0, reason: 'accepted (' + alg + ', kid ' + signer.kid + ')', kid: signer.kid, alg, exp };
}

function isoS(s: number): string {
  const d = new Date(s * 1000);
  return Number.isFinite(d.getTime()) ? d.toISOString() : String(s);
}

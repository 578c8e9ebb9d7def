// The platform's JWT device check (docs/protocol.md, "Device credentials"): token form, alg, kid, signature, aud/exp/iat,
// lifetime; returns the CONNACK code to send (4 = malformed token, 5 = well-formed but not authorized).
import type { Alg } from '../sign/signer';
import { decodeSegment, segmentText } from './jws-decode';
import { verifyJwsSignature, verifyJwsSignatureAsync } from './jws-verify';
import type { Credential, DeviceEntry } from './registry';
import { clip } from './sanitize';

export const DEFAULT_SKEW_S = 600;
export const DEFAULT_MAX_LIFETIME_S = 86400;
/** A password longer than this is not a device token (the largest legitimate one, RS256 4096, is ~1 KB). */
export const MAX_TOKEN_LENGTH = 8192;
/** The shortest RS256 signature the platform can accept: a 2048-bit modulus. */
const MIN_RSA_SIG_BYTES = 256;
const MAX_RSA_SIG_BYTES = 512; // 4096-bit keys, the largest the registry accepts

/** What checkDeviceJwt checks a token against. */
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

/** The verdict of checkDeviceJwt: code 0 accepted, 4 malformed token, 5 not authorized; `reason` says why. */
export type JwtCheck =
  | { ok: true; code: 0; reason: string; kid: string; alg: Alg; exp: number; iat?: number }
  | { ok: false; code: 4 | 5; reason: string };

const malformed = (reason: string): JwtCheck => ({ ok: false, code: 4, reason: 'malformed token: ' + reason });
const refused = (reason: string): JwtCheck => ({ ok: false, code: 5, reason });

function parseJsonSegment(seg: string, what: string): { value?: { [k: string]: unknown }; error?: string } {
  let text: string;
  try {
    const bytes = decodeSegment(seg);
    if (!bytes) return { error: what + ' is not base64url-encoded UTF-8' };
    text = segmentText(bytes);
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
  const dup = duplicateKey(text);
  if (dup !== null) return { error: what + ' has the member ' + JSON.stringify(clip(dup, 40)) + ' twice (RFC 7515 section 4: duplicate names are refused)' };
  return { value: value as { [k: string]: unknown } };
}

/**
 * The first member name that appears twice in one object of `text` (valid JSON: JSON.parse accepted
 * it), else null. JSON.parse keeps the last duplicate; a verifier that keeps the first would read
 * another token from the same bytes, so such tokens are refused as malformed.
 */
export function duplicateKey(text: string): string | null {
  // One frame per open object (its names so far) or array (null); `key` is true where a name comes next.
  const frames: (Set<string> | null)[] = [];
  let key = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 0x22) {
      let j = i + 1;
      while (text.charCodeAt(j) !== 0x22) j += text.charCodeAt(j) === 0x5c ? 2 : 1;
      if (key) {
        const name = JSON.parse(text.slice(i, j + 1)) as string;
        const names = frames[frames.length - 1]!;
        if (names.has(name)) return name;
        names.add(name);
        key = false;
      }
      i = j;
    } else if (ch === 0x7b) {
      frames.push(new Set());
      key = true;
    } else if (ch === 0x5b) {
      frames.push(null);
      key = false;
    } else if (ch === 0x7d || ch === 0x5d) {
      frames.pop();
      key = false;
    } else if (ch === 0x2c) key = frames.length > 0 && frames[frames.length - 1] !== null;
  }
  return null;
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
  const p = prepareJwtCheck(device, deviceId, token, o);
  if (!isPlan(p)) return p;
  let i = 0;
  while (i < p.tries.length && !verifyJwsSignature(p.tries[i].key, p.alg, p.input, p.sig)) i++;
  return finishJwtCheck(p, i < p.tries.length ? p.tries[i] : undefined, o);
}

/**
 * The same check as checkDeviceJwt, with an ES256 signature verified on libuv's thread pool so the
 * broker's event loop serves other sockets meanwhile; `done` gets exactly the verdict checkDeviceJwt
 * would give (same phases, same order of checks, same reasons), synchronously when nothing went to the pool.
 */
export function checkDeviceJwtAsync(device: DeviceEntry | undefined, deviceId: string, token: string, o: JwtCheckOptions, done: (r: JwtCheck) => void): void {
  const p = prepareJwtCheck(device, deviceId, token, o);
  if (!isPlan(p)) return done(p);
  const next = (i: number): void => {
    if (i >= p.tries.length) return done(finishJwtCheck(p, undefined, o));
    const cred = p.tries[i];
    // Measured on node 20: handing a verification to the pool costs the event loop ~20 us. P-256
    // verification (~70 us) is worth moving; RSA-2048 verification (~20 us) is not, and stays inline.
    if (p.alg === 'RS256') return verifyJwsSignature(cred.key, p.alg, p.input, p.sig) ? done(finishJwtCheck(p, cred, o)) : next(i + 1);
    verifyJwsSignatureAsync(cred.key, p.alg, p.input, p.sig, (ok) => (ok ? done(finishJwtCheck(p, cred, o)) : next(i + 1)));
  };
  next(0);
}

/** What is left after the token form, header and kid rules: the credentials to try, in order. */
interface SignaturePlan {
  alg: Alg;
  input: Buffer;
  sig: Uint8Array;
  claims: { [k: string]: unknown };
  /** Credentials to verify with, first match wins (live ones, then -- kid absent -- expired ones for the reason). */
  tries: Credential[];
  /** How many of `tries` are live; a match beyond them names an expired credential. */
  live: number;
  /** Reason when none verifies. */
  noMatch: string;
}

const isPlan = (p: JwtCheck | SignaturePlan): p is SignaturePlan => (p as SignaturePlan).tries !== undefined;

function prepareJwtCheck(device: DeviceEntry | undefined, deviceId: string, token: string, o: JwtCheckOptions): JwtCheck | SignaturePlan {
  if (token.length > MAX_TOKEN_LENGTH) return malformed('longer than ' + MAX_TOKEN_LENGTH + ' characters');
  const segs = token.split('.');
  if (segs.length !== 3) return malformed(segs.length + ' dot-separated segment(s), a compact JWS has 3');
  if (!segs[0] || !segs[1] || !segs[2]) return malformed('empty segment');
  const h = parseJsonSegment(segs[0], 'header');
  if (h.error) return malformed(h.error);
  const c = parseJsonSegment(segs[1], 'claims');
  if (c.error) return malformed(c.error);
  const sig = decodeSegment(segs[2]);
  if (!sig) return malformed('signature is not base64url');
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

  if (!device) return refused('device ' + JSON.stringify(clip(deviceId)) + ' is not registered');
  if (device.credentials.length === 0) return refused('device has no credentials');
  const input = Buffer.from(segs[0] + '.' + segs[1], 'latin1');
  const nowMs = o.nowMs;
  const live = (cr: Credential) => cr.expiresAt === undefined || nowMs < cr.expiresAt;
  const kid = header.kid as string | undefined;
  if (kid !== undefined) {
    const want = kid.toLowerCase();
    const cred = device.credentials.find((cr) => cr.kid === want);
    if (!cred) return refused('kid ' + kid.slice(0, 80) + ' matches no credential of the device');
    if (!live(cred)) return refused('credential ' + cred.kid + ' expired at ' + new Date(cred.expiresAt!).toISOString());
    if (cred.key.alg !== alg) return refused('alg ' + alg + ' does not match the credential ' + cred.kid + ' (' + cred.key.alg + ')');
    return { alg, input, sig, claims, tries: [cred], live: 1, noMatch: 'signature does not verify with credential ' + cred.kid };
  }
  if (device.credentials.length > 1 && o.requireKidWithSeveralKeys !== false)
    return refused('kid is required: the device has ' + device.credentials.length + ' credentials');
  const candidates = device.credentials.filter((cr) => cr.key.alg === alg);
  if (candidates.length === 0) return refused('alg ' + alg + ' matches no credential of the device');
  const liveOnes = candidates.filter(live);
  // Expired credentials are tried only after every live one failed, to say why the token is refused.
  return { alg, input, sig, claims, tries: liveOnes.concat(candidates.filter((cr) => !live(cr))), live: liveOnes.length, noMatch: 'signature does not verify with any credential of the device' };
}

/** Why the signature step refuses the token (`signer`: the first of plan.tries that verified), or null. */
function signerProblem(p: SignaturePlan, signer: Credential | undefined): JwtCheck | null {
  if (!signer) return refused(p.noMatch);
  if (p.tries.indexOf(signer) >= p.live) return refused('credential ' + signer.kid + ' expired at ' + new Date(signer.expiresAt!).toISOString());
  return null;
}

/** The verdict once the signature step is done (`signer`: the first of plan.tries that verified). */
function finishJwtCheck(p: SignaturePlan, signer: Credential | undefined, o: JwtCheckOptions): JwtCheck {
  const bad = signerProblem(p, signer);
  if (bad) return bad;
  const problems = jwtClaimProblems(p.claims, o);
  if (problems.length > 0) return refused(problems[0].reason);
  return { ok: true, code: 0, reason: 'accepted (' + p.alg + ', kid ' + signer!.kid + ')', kid: signer!.kid, alg: p.alg, exp: p.claims.exp as number, iat: typeof p.claims.iat === 'number' ? p.claims.iat : undefined };
}

/**
 * Only the form, header, kid and signature steps of checkDeviceJwt (no claim rules), for tools that
 * explain a token step by step (`akenza-device inspect`); same reasons as the broker's.
 */
export function checkJwtSigner(device: DeviceEntry | undefined, deviceId: string, token: string, o: JwtCheckOptions): { ok: true; kid: string; alg: Alg } | { ok: false; code: 4 | 5; reason: string } {
  const p = prepareJwtCheck(device, deviceId, token, o);
  if (!isPlan(p)) return p as { ok: false; code: 4 | 5; reason: string };
  let i = 0;
  while (i < p.tries.length && !verifyJwsSignature(p.tries[i].key, p.alg, p.input, p.sig)) i++;
  const signer = i < p.tries.length ? p.tries[i] : undefined;
  const bad = signerProblem(p, signer);
  return bad ? (bad as { ok: false; code: 4 | 5; reason: string }) : { ok: true, kid: signer!.kid, alg: p.alg };
}

export interface ClaimProblem {
  claim: 'aud' | 'exp' | 'iat' | 'lifetime';
  reason: string;
}

/**
 * Every claim rule (aud, exp, iat, lifetime) the claims break, in the broker's order: the broker
 * refuses with the first one; `akenza-device inspect` lists them all.
 */
export function jwtClaimProblems(claims: { [k: string]: unknown }, o: JwtCheckOptions): ClaimProblem[] {
  const out: ClaimProblem[] = [];
  const skew = o.skewS === undefined ? DEFAULT_SKEW_S : o.skewS;
  const maxLife = o.maxLifetimeS === undefined ? DEFAULT_MAX_LIFETIME_S : o.maxLifetimeS;
  const now = Math.floor(o.nowMs / 1000);
  if (typeof claims.aud !== 'string') out.push({ claim: 'aud', reason: 'aud must be the string ' + o.audience });
  else if (claims.aud !== o.audience) out.push({ claim: 'aud', reason: 'aud ' + JSON.stringify(claims.aud.slice(0, 200)) + ' is not ' + o.audience });
  let exp: number | undefined;
  if (claims.exp === undefined) out.push({ claim: 'exp', reason: 'exp is missing' });
  else if (!isNumericDate(claims.exp)) out.push({ claim: 'exp', reason: 'exp is not a number' });
  else {
    exp = claims.exp;
    if (now >= exp + skew) out.push({ claim: 'exp', reason: 'token expired at ' + isoS(exp) + ' (now ' + isoS(now) + ', skew ' + skew + ' s)' });
  }
  let iatUsable = true;
  if (claims.iat !== undefined) {
    if (!isNumericDate(claims.iat)) {
      out.push({ claim: 'iat', reason: 'iat is not a number' });
      iatUsable = false;
    } else if (claims.iat > now + skew) out.push({ claim: 'iat', reason: 'iat ' + isoS(claims.iat) + ' is in the future beyond the ' + skew + ' s skew (now ' + isoS(now) + ')' });
  }
  if (exp !== undefined && iatUsable) {
    const from = claims.iat !== undefined ? (claims.iat as number) : now;
    if (exp - from > maxLife) out.push({ claim: 'lifetime', reason: 'lifetime ' + (exp - from) + ' s exceeds the maximum of ' + maxLife + ' s' });
  }
  return out;
}

function isoS(s: number): string {
  const d = new Date(s * 1000);
  return Number.isFinite(d.getTime()) ? d.toISOString() : String(s);
}

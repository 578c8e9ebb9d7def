// The reasoning behind `akenza-device inspect`: runs a token through the mock broker's own checks
// (src/mock/jwt-auth.ts) step by step and says, per step, whether the platform would accept it and why.
import { checkDeviceJwt, checkJwtSigner, DEFAULT_MAX_LIFETIME_S, DEFAULT_SKEW_S, jwtClaimProblems, type ClaimProblem, type JwtCheckOptions } from '../mock/jwt-auth';
import type { DeviceEntry } from '../mock/registry';

export type CheckName = 'form' | 'device' | 'kid' | 'alg' | 'credential' | 'signature' | 'aud' | 'exp' | 'iat' | 'lifetime' | 'claims';

export interface ExplainedCheck {
  check: CheckName;
  /** true: passes; false: the platform refuses because of it; null: not checked. */
  ok: boolean | null;
  detail: string;
}

export interface Explanation {
  accepted: boolean;
  /** The CONNACK return code the mock broker would send: 0 accepted, 4 malformed, 5 not authorized. */
  connack: 0 | 4 | 5;
  /** The broker's reason (the first refusal, or "accepted (...)"). */
  reason: string;
  /** False when no key was given: the verdict covers everything but kid and signature. */
  signatureChecked: boolean;
  deviceId: string | null;
  audience: string;
  header: unknown;
  claims: unknown;
  checks: ExplainedCheck[];
}

export interface ExplainOptions {
  /** The clientId the device connects with; default: taken from the token's aud. */
  deviceId?: string;
  /**
   * Where the device's keys come from (--registry, or --key as the only credential; `hint` replaces
   * the source in a kid refusal); absent: no signature check.
   */
  keys?: { source: string; hint?: string; device(deviceId: string): DeviceEntry | undefined };
  audienceBase: string;
  nowMs: number;
  maxLifetimeS?: number;
  skewS?: number;
}

/** Lenient decode for display only (the verdict comes from the broker's strict checks). */
function peek(seg: string | undefined): unknown {
  if (!seg) return null;
  try {
    return JSON.parse(Buffer.from(seg, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
}

const isObject = (v: unknown): v is { [k: string]: unknown } => !!v && typeof v === 'object' && !Array.isArray(v);

/** "3 min", "2 h", ... for a duration in seconds. */
export function humanSeconds(s: number): string {
  const a = Math.abs(s);
  if (a < 90) return a + ' s';
  if (a < 90 * 60) return Math.round(a / 60) + ' min';
  if (a < 48 * 3600) return Math.round(a / 3600) + ' h';
  return Math.round(a / 86400) + ' days';
}

const when = (t: number, now: number): string => {
  const iso = Number.isFinite(t * 1000) && Math.abs(t) < 8.64e12 ? new Date(t * 1000).toISOString() : String(t);
  return iso + ' (' + (t === now ? 'now' : t > now ? 'in ' + humanSeconds(t - now) : humanSeconds(now - t) + ' ago') + ')';
};

/** A broker refusal from the kid/signature step, filed under the step it concerns. */
function signerCheckName(reason: string): CheckName {
  if (/^device /.test(reason)) return 'device';
  if (/^kid /.test(reason)) return 'kid';
  if (/^alg /.test(reason)) return 'alg';
  if (/^credential /.test(reason)) return 'credential';
  return 'signature';
}

function claimChecks(claims: { [k: string]: unknown }, problems: ClaimProblem[], o: JwtCheckOptions): ExplainedCheck[] {
  const now = Math.floor(o.nowMs / 1000);
  const skew = o.skewS === undefined ? DEFAULT_SKEW_S : o.skewS;
  const problem = (c: ClaimProblem['claim']) => problems.filter((p) => p.claim === c)[0];
  const out: ExplainedCheck[] = [];
  const aud = problem('aud');
  const got = claims.aud === undefined ? 'no aud' : JSON.stringify(claims.aud).slice(0, 200);
  out.push(aud ? { check: 'aud', ok: false, detail: 'aud expected ' + o.audience + ', got ' + got } : { check: 'aud', ok: true, detail: 'aud is ' + o.audience });
  const exp = problem('exp');
  const e = claims.exp;
  if (exp) out.push({ check: 'exp', ok: false, detail: typeof e === 'number' && Number.isFinite(e) ? 'exp passed ' + humanSeconds(now - e) + ' ago, beyond the ' + skew + ' s clock-skew allowance: ' + exp.reason : exp.reason });
  else if (typeof e === 'number' && e <= now) out.push({ check: 'exp', ok: true, detail: 'exp passed ' + humanSeconds(now - e) + ' ago, still within the ' + skew + ' s clock-skew allowance (refused ' + humanSeconds(e + skew - now) + ' from now)' });
  else out.push({ check: 'exp', ok: true, detail: 'exp ' + when(e as number, now) });
  const iat = problem('iat');
  const i = claims.iat;
  if (iat) out.push({ check: 'iat', ok: false, detail: typeof i === 'number' ? 'iat is ' + humanSeconds(i - now) + ' in the future, beyond the ' + skew + ' s clock-skew allowance: ' + iat.reason : iat.reason });
  else if (i === undefined) out.push({ check: 'iat', ok: true, detail: 'iat absent (optional; lifetime counted from now)' });
  else out.push({ check: 'iat', ok: true, detail: 'iat ' + when(i as number, now) + ((i as number) > now ? ', in the future but within the ' + skew + ' s clock-skew allowance' : '') });
  const life = problem('lifetime');
  if (life) out.push({ check: 'lifetime', ok: false, detail: life.reason });
  else if (typeof e === 'number' && Number.isFinite(e) && (i === undefined || typeof i === 'number'))
    out.push({ check: 'lifetime', ok: true, detail: 'lifetime ' + (e - (i === undefined ? now : (i as number))) + ' s (at most ' + (o.maxLifetimeS === undefined ? DEFAULT_MAX_LIFETIME_S : o.maxLifetimeS) + ' s)' });
  else out.push({ check: 'lifetime', ok: null, detail: 'lifetime not checked (needs a numeric exp and iat)' });
  return out;
}

export function explainJwt(token: string, o: ExplainOptions): Explanation {
  const segs = token.split('.');
  const header = peek(segs[0]);
  const claims = peek(segs[1]);
  const claimsObj = isObject(claims) ? claims : null;
  let deviceId = o.deviceId || null;
  let deviceNote = deviceId ? 'device ' + deviceId + ' (from --device)' : '';
  if (!deviceId && claimsObj && typeof claimsObj.aud === 'string') {
    const m = /\/devices\/([^/]+)$/.exec(claimsObj.aud);
    if (m) {
      deviceId = m[1];
      deviceNote = 'device ' + deviceId + ' (taken from aud; pass --device to check aud against the clientId)';
    }
  }
  const audience = o.audienceBase.replace(/\/+$/, '') + '/devices/' + (deviceId || '{deviceId}');
  const copts: JwtCheckOptions = { audience, nowMs: o.nowMs, maxLifetimeS: o.maxLifetimeS, skewS: o.skewS };
  const checks: ExplainedCheck[] = [];

  // Token form and header: the broker's own first phase (a device-less check stops right after it).
  const form = checkJwtSigner(undefined, deviceId || '-', token, copts);
  const malformed = !form.ok && form.code === 4 ? form.reason : null;
  if (malformed) checks.push({ check: /^malformed token: alg /.test(malformed) ? 'alg' : 'form', ok: false, detail: malformed });
  else {
    const h = header as { [k: string]: unknown };
    checks.push({ check: 'form', ok: true, detail: 'compact JWS: three base64url segments, JSON header and claims' });
    checks.push({ check: 'alg', ok: true, detail: 'alg ' + h.alg + ' is accepted' });
  }

  // One device line: when the signer step below refuses the device itself (not registered, no
  // credentials), it replaces this one rather than a second, contradicting line being added.
  const deviceAt = checks.length;
  if (deviceId) checks.push({ check: 'device', ok: true, detail: deviceNote });
  else if (claimsObj) checks.push({ check: 'device', ok: false, detail: 'no deviceId: pass --device ID (the aud claim names none)' });
  else checks.push({ check: 'device', ok: null, detail: 'deviceId unknown (claims not decodable; pass --device ID)' });

  // kid and signature: the broker's second phase, against the given device's credentials.
  const signatureChecked = o.keys !== undefined;
  const device = o.keys && deviceId ? o.keys.device(deviceId) : undefined;
  const source = o.keys ? o.keys.source : '';
  if (!malformed) {
    const rawKid = (header as { kid?: unknown }).kid;
    const kid = typeof rawKid === 'string' && rawKid.length > 80 ? rawKid.slice(0, 80) + '...' : rawKid;
    if (!signatureChecked) {
      checks.push({ check: 'kid', ok: null, detail: kid === undefined ? 'kid absent' : 'kid ' + kid + ' (not checked: pass --key or --registry)' });
      checks.push({ check: 'signature', ok: null, detail: 'signature not checked: pass --key FILE or --registry FILE' });
    } else {
      const s = checkJwtSigner(device, deviceId || '-', token, copts);
      if (s.ok) {
        checks.push({ check: 'kid', ok: true, detail: kid === undefined ? 'kid absent: the broker tried every ' + s.alg + ' key of the device' : 'kid ' + kid + ' names a credential of the device' });
        checks.push({ check: 'signature', ok: true, detail: 'signature verifies with credential ' + s.kid + ' from ' + source });
      } else {
        const name = signerCheckName(s.reason);
        const why = name === 'kid' && o.keys!.hint ? o.keys!.hint : 'keys from ' + source;
        if (name === 'device') checks[deviceAt] = { check: 'device', ok: false, detail: s.reason + ' (' + why + ')' };
        else checks.push({ check: name, ok: false, detail: s.reason + ' (' + why + ')' });
      }
    }
  }

  // Claims: every rule, not just the first one the broker stops at.
  let problems: ClaimProblem[] = [];
  if (claimsObj) {
    problems = jwtClaimProblems(claimsObj, copts);
    for (const c of claimChecks(claimsObj, problems, copts)) checks.push(c);
    const others = Object.keys(claimsObj).filter((k) => k !== 'aud' && k !== 'exp' && k !== 'iat');
    if (others.length) checks.push({ check: 'claims', ok: true, detail: 'other claims are ignored by the platform: ' + others.join(', ') });
  }

  // The verdict: the broker's whole check when a device is known, else the phases run above.
  let connack: 0 | 4 | 5;
  let reason: string;
  if (malformed) {
    connack = 4;
    reason = malformed;
  } else if (signatureChecked && deviceId) {
    const r = checkDeviceJwt(device, deviceId, token, copts);
    connack = r.code;
    reason = r.reason;
  } else if (!deviceId) {
    connack = 5;
    reason = 'no deviceId to check the token for';
  } else if (problems.length) {
    connack = 5;
    reason = problems[0].reason;
  } else {
    connack = 0;
    reason = 'accepted if the signature verifies (not checked)';
  }
  return { accepted: connack === 0, connack, reason, signatureChecked: signatureChecked && !malformed, deviceId, audience, header, claims, checks };
}

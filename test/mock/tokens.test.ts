// The mock's JWT verdicts over real MQTT connections: a table of crafted bad tokens and valid variants,
// each with its expected CONNACK code, and each verdict compared with jose's jwtVerify.
import { createHash, createHmac, createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import * as jose from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockCloud, type MockCloud, type RegistryJson } from '../../src/mock/index';
import { expectedFingerprints, fixture } from '../helpers';
import { b64u, connackFor, mint, nowS } from './helpers';

const pem = (k: KeyObject) => k.export({ type: 'spki', format: 'pem' }) as string;
const fp = expectedFingerprints();
const AUD = (id: string) => 'https://akenza.io/devices/' + id;

const ec1 = createPrivateKey(fixture('ec.pkcs8.pem'));
const rsa1 = createPrivateKey(fixture('rsa.pkcs8.pem'));
const rsa1024 = createPrivateKey(fixture('rsa1024.pkcs8.pem'));
const gen = () => generateKeyPairSync('ec', { namedCurve: 'P-256' });
const m1 = gen();
const m2 = gen();
const m3 = generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = gen();
const exp1 = gen();
/** SHA-256 of the SPKI DER, computed here with node:crypto only. */
const kidOf = (k: KeyObject) => createHash('sha256').update(k.export({ type: 'spki', format: 'der' })).digest('hex');

const registry: RegistryJson = {
  devices: [
    { deviceId: 'one', credentials: [{ publicKey: fixture('ec.pub.pem') }] },
    { deviceId: 'rsa', credentials: [{ publicKey: fixture('rsa.pub.pem') }] },
    { deviceId: 'pkcs1', credentials: [{ publicKey: fixture('rsa.pub-pkcs1.pem') }] },
    { deviceId: 'cert', credentials: [{ publicKey: fixture('ec.cert.pem') }] },
    { deviceId: 'rsacert', credentials: [{ publicKey: fixture('rsa.cert.pem') }] },
    { deviceId: 'multi', credentials: [{ publicKey: pem(m1.publicKey) }, { publicKey: pem(m2.publicKey) }, { publicKey: pem(m3.publicKey) }] },
    { deviceId: 'other', credentials: [{ publicKey: pem(other.publicKey) }] },
    { deviceId: 'expired', credentials: [{ publicKey: pem(exp1.publicKey), expiresAt: '2020-01-01T00:00:00Z' }] },
  ],
  connectors: [],
};

/** Why the mock and jose may disagree on purpose (the platform's rules jose does not know, or ours it does not check). */
type Diff = 'aud-array' | 'iat-future' | 'lifetime' | 'kid-rule' | 'credential-expiry' | 'nbf-ignored' | 'token-length' | 'strict-base64url';

interface Case {
  name: string;
  device: string;
  token: () => string;
  code: 0 | 4 | 5;
  diff?: Diff;
}

const now = nowS();
const claims = (id: string, extra: { [k: string]: unknown } = {}) => ({ aud: AUD(id), iat: now - 60, exp: now + 3600, ...extra });
const tok = (key: KeyObject, id: string, header: { [k: string]: unknown } = {}, extra: { [k: string]: unknown } = {}) => mint({ key, header, claims: claims(id, extra) });
const withoutIat = (id: string, exp: number) => {
  const c = claims(id, { exp }) as { [k: string]: unknown };
  delete c.iat;
  return c;
};
const parts = (t: string) => t.split('.');
const segJson = (v: unknown) => b64u(JSON.stringify(v));
const resign = (key: KeyObject, header: string, body: string) => {
  const input = header + '.' + body;
  const sig = key.asymmetricKeyType === 'ec' ? sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }) : sign('sha256', Buffer.from(input), key);
  return input + '.' + b64u(sig);
};

const cases: Case[] = [
  // ---- valid variants ----
  { name: 'ES256, kid lower-case', device: 'one', code: 0, token: () => tok(ec1, 'one', { kid: fp['ec.pub.pem'] }) },
  { name: 'ES256, kid upper-case', device: 'one', code: 0, token: () => tok(ec1, 'one', { kid: fp['ec.pub.pem'].toUpperCase() }) },
  { name: 'ES256, kid absent with one key', device: 'one', code: 0, token: () => tok(ec1, 'one') },
  { name: 'RS256 with kid', device: 'rsa', code: 0, token: () => tok(rsa1, 'rsa', { kid: fp['rsa.pub.pem'] }) },
  { name: 'RS256, kid absent', device: 'rsa', code: 0, token: () => tok(rsa1, 'rsa') },
  { name: 'RS256, PKCS#1 credential', device: 'pkcs1', code: 0, token: () => tok(rsa1, 'pkcs1', { kid: fp['rsa.pub-pkcs1.pem'] }) },
  { name: 'EC certificate credential, SHA-1 kid', device: 'cert', code: 0, token: () => tok(ec1, 'cert', { kid: fp['ec.cert.pem'] }) },
  { name: 'RSA certificate credential, SHA-1 kid', device: 'rsacert', code: 0, token: () => tok(rsa1, 'rsacert', { kid: fp['rsa.cert.pem'] }) },
  { name: 'several keys, kid names the 2nd', device: 'multi', code: 0, token: () => tok(m2.privateKey, 'multi', { kid: kidOf(m2.publicKey) }) },
  { name: 'several keys, kid names the RSA one', device: 'multi', code: 0, token: () => tok(m3.privateKey, 'multi', { kid: kidOf(m3.publicKey) }) },
  { name: 'expired within skew (exp = now - 300)', device: 'one', code: 0, token: () => tok(ec1, 'one', {}, { iat: now - 3600, exp: now - 300 }) },
  { name: 'no iat', device: 'one', code: 0, token: () => mint({ key: ec1, claims: withoutIat('one', now + 3600) }) },
  { name: 'lifetime exactly the maximum', device: 'one', code: 0, token: () => tok(ec1, 'one', {}, { iat: now, exp: now + 86400 }) },
  { name: 'iat in the future within skew', device: 'one', code: 0, token: () => tok(ec1, 'one', {}, { iat: now + 300 }) },
  { name: 'extra claims ignored', device: 'one', code: 0, token: () => tok(ec1, 'one', {}, { sub: 'x', foo: [1, 2] }) },
  { name: 'typ absent', device: 'one', code: 0, token: () => resign(ec1, segJson({ alg: 'ES256' }), segJson(claims('one'))) },
  { name: 'fractional exp', device: 'one', code: 0, token: () => tok(ec1, 'one', {}, { exp: now + 3600.5 }) },
  { name: 'nbf in the future (ignored by the platform)', device: 'one', code: 0, diff: 'nbf-ignored', token: () => tok(ec1, 'one', {}, { nbf: now + 3000 }) },

  // ---- alg ----
  { name: 'alg none, empty signature', device: 'one', code: 4, token: () => segJson({ alg: 'none', typ: 'JWT' }) + '.' + segJson(claims('one')) + '.' },
  { name: 'alg none, some signature', device: 'one', code: 4, token: () => segJson({ alg: 'none', typ: 'JWT' }) + '.' + segJson(claims('one')) + '.' + b64u('x') },
  {
    name: 'HS256 with the public key PEM as HMAC secret', device: 'one', code: 4,
    token: () => {
      const input = segJson({ alg: 'HS256', typ: 'JWT' }) + '.' + segJson(claims('one'));
      return input + '.' + b64u(createHmac('sha256', fixture('ec.pub.pem')).update(input).digest());
    },
  },
  {
    name: 'HS512 with the public key PEM', device: 'rsa', code: 4,
    token: () => {
      const input = segJson({ alg: 'HS512', typ: 'JWT' }) + '.' + segJson(claims('rsa'));
      return input + '.' + b64u(createHmac('sha512', fixture('rsa.pub.pem')).update(input).digest());
    },
  },
  { name: 'alg RS512', device: 'rsa', code: 4, token: () => resign(rsa1, segJson({ alg: 'RS512', typ: 'JWT' }), segJson(claims('rsa'))) },
  { name: 'alg PS256', device: 'rsa', code: 4, token: () => resign(rsa1, segJson({ alg: 'PS256', typ: 'JWT' }), segJson(claims('rsa'))) },
  { name: 'alg ES384', device: 'one', code: 4, token: () => resign(ec1, segJson({ alg: 'ES384', typ: 'JWT' }), segJson(claims('one'))) },
  { name: 'alg missing', device: 'one', code: 4, token: () => resign(ec1, segJson({ typ: 'JWT' }), segJson(claims('one'))) },
  { name: 'alg lower-case es256', device: 'one', code: 4, token: () => resign(ec1, segJson({ alg: 'es256', typ: 'JWT' }), segJson(claims('one'))) },
  { name: 'alg RS256 with an EC key device (signed by RSA)', device: 'one', code: 5, token: () => tok(rsa1, 'one') },
  { name: 'alg ES256 on an RSA key device (signed by EC)', device: 'rsa', code: 5, token: () => tok(ec1, 'rsa') },
  { name: 'alg RS256 header, kid of the EC key', device: 'one', code: 5, token: () => tok(rsa1, 'one', { kid: fp['ec.pub.pem'] }) },
  { name: 'crit header', device: 'one', code: 4, token: () => tok(ec1, 'one', { crit: ['exp'] }) },

  // ---- aud ----
  { name: 'aud of another device', device: 'one', code: 5, token: () => tok(ec1, 'one', {}, { aud: AUD('other') }) },
  { name: 'aud with trailing slash', device: 'one', code: 5, token: () => tok(ec1, 'one', {}, { aud: AUD('one') + '/' }) },
  { name: 'aud with another base', device: 'one', code: 5, token: () => tok(ec1, 'one', {}, { aud: 'https://acme.akenza.io/devices/one' }) },
  { name: 'aud missing', device: 'one', code: 5, token: () => tok(ec1, 'one', {}, { aud: undefined }) },
  { name: 'aud as an array holding the right value', device: 'one', code: 5, diff: 'aud-array', token: () => tok(ec1, 'one', {}, { aud: [AUD('one')] }) },

  // ---- exp / iat / lifetime ----
  { name: 'expired beyond skew', device: 'one', code: 5, token: () => tok(ec1, 'one', {}, { iat: now - 3600, exp: now - 700 }) },
  { name: 'expired exactly at the skew edge', device: 'one', code: 5, token: () => tok(ec1, 'one', {}, { iat: now - 3600, exp: now - 600 }) },
  { name: 'iat in the future beyond skew', device: 'one', code: 5, diff: 'iat-future', token: () => tok(ec1, 'one', {}, { iat: now + 700 }) },
  { name: 'exp missing', device: 'one', code: 5, token: () => tok(ec1, 'one', {}, { exp: undefined }) },
  { name: 'exp a string', device: 'one', code: 5, token: () => tok(ec1, 'one', {}, { exp: String(now + 3600) }) },
  { name: 'exp null', device: 'one', code: 5, token: () => tok(ec1, 'one', {}, { exp: null }) },
  { name: 'iat a string', device: 'one', code: 5, token: () => tok(ec1, 'one', {}, { iat: String(now) }) },
  { name: 'lifetime over the maximum', device: 'one', code: 5, diff: 'lifetime', token: () => tok(ec1, 'one', {}, { iat: now, exp: now + 86401 }) },
  { name: 'lifetime over the maximum, no iat', device: 'one', code: 5, diff: 'lifetime', token: () => mint({ key: ec1, claims: withoutIat('one', now + 90000) }) },

  // ---- kid and keys ----
  { name: 'wrong kid, right key', device: 'one', code: 5, diff: 'kid-rule', token: () => tok(ec1, 'one', { kid: 'ab'.repeat(32) }) },
  { name: "kid of another device's key, signed by it", device: 'one', code: 5, token: () => tok(other.privateKey, 'one', { kid: kidOf(other.publicKey) }) },
  { name: 'kid absent with several keys (signed by one)', device: 'multi', code: 5, diff: 'kid-rule', token: () => tok(m1.privateKey, 'multi') },
  { name: 'kid absent with several keys, signed by none', device: 'multi', code: 5, token: () => tok(other.privateKey, 'multi') },
  { name: 'right kid, signed by another key', device: 'multi', code: 5, token: () => tok(other.privateKey, 'multi', { kid: kidOf(m1.publicKey) }) },
  { name: 'kid names key 1, signed by key 2', device: 'multi', code: 5, diff: 'kid-rule', token: () => tok(m2.privateKey, 'multi', { kid: kidOf(m1.publicKey) }) },
  { name: "signed by another device's key", device: 'one', code: 5, token: () => tok(other.privateKey, 'one') },
  { name: 'kid not a string', device: 'one', code: 4, diff: 'kid-rule', token: () => tok(ec1, 'one', { kid: 7 }) },
  { name: 'expired credential, with kid', device: 'expired', code: 5, diff: 'credential-expiry', token: () => tok(exp1.privateKey, 'expired', { kid: kidOf(exp1.publicKey) }) },
  { name: 'expired credential, no kid', device: 'expired', code: 5, diff: 'credential-expiry', token: () => tok(exp1.privateKey, 'expired') },
  { name: 'unregistered clientId', device: 'nobody', code: 5, token: () => tok(ec1, 'nobody') },
  { name: 'RSA 1024-bit signer', device: 'rsa', code: 4, token: () => tok(rsa1024, 'rsa') },

  // ---- signature bytes ----
  { name: 'DER-encoded ES256 signature', device: 'one', code: 4, token: () => mint({ key: ec1, claims: claims('one'), dsaEncoding: 'der' }) },
  { name: 'truncated ES256 signature (63 bytes)', device: 'one', code: 4, token: () => { const p = parts(tok(ec1, 'one')); return p[0] + '.' + p[1] + '.' + b64u(Buffer.from(p[2], 'base64url').subarray(0, 63)); } },
  { name: 'truncated RS256 signature (255 bytes)', device: 'rsa', code: 4, token: () => { const p = parts(tok(rsa1, 'rsa')); return p[0] + '.' + p[1] + '.' + b64u(Buffer.from(p[2], 'base64url').subarray(1)); } },
  { name: 'ES256 signature with a flipped bit', device: 'one', code: 5, token: () => { const p = parts(tok(ec1, 'one')); const s = Buffer.from(p[2], 'base64url'); s[10] ^= 1; return p[0] + '.' + p[1] + '.' + b64u(s); } },
  { name: 'RS256 signature with a flipped bit', device: 'rsa', code: 5, token: () => { const p = parts(tok(rsa1, 'rsa')); const s = Buffer.from(p[2], 'base64url'); s[100] ^= 1; return p[0] + '.' + p[1] + '.' + b64u(s); } },
  { name: 'claims changed after signing', device: 'one', code: 5, token: () => { const p = parts(tok(ec1, 'one')); return p[0] + '.' + segJson(claims('one', { exp: now + 7200 })) + '.' + p[2]; } },

  // ---- form ----
  { name: 'bad base64url character', device: 'one', code: 4, token: () => { const p = parts(tok(ec1, 'one')); return '*' + p[0].slice(1) + '.' + p[1] + '.' + p[2]; } },
  { name: 'padding in a segment', device: 'one', code: 4, token: () => { const p = parts(tok(ec1, 'one')); return p[0] + '.' + p[1] + '=.' + p[2]; } },
  {
    name: 'standard base64 (+/) signature', device: 'one', code: 4,
    token: () => {
      for (let i = 0; ; i++) {
        const p = parts(tok(ec1, 'one', {}, { n: i }));
        if (/[-_]/.test(p[2])) return p[0] + '.' + p[1] + '.' + p[2].replace(/-/g, '+').replace(/_/g, '/');
      }
    },
  },
  { name: 'two segments', device: 'one', code: 4, token: () => parts(tok(ec1, 'one')).slice(0, 2).join('.') },
  { name: 'four segments', device: 'one', code: 4, token: () => tok(ec1, 'one') + '.' + b64u('x') },
  { name: 'empty password', device: 'one', code: 4, token: () => '' },
  { name: 'header not JSON', device: 'one', code: 4, token: () => resign(ec1, b64u('{"alg":"ES256"'), segJson(claims('one'))) },
  { name: 'header a JSON array', device: 'one', code: 4, token: () => resign(ec1, segJson(['ES256']), segJson(claims('one'))) },
  { name: 'claims a JSON array', device: 'one', code: 4, token: () => resign(ec1, segJson({ alg: 'ES256', typ: 'JWT' }), segJson([claims('one')])) },
  { name: 'claims a JSON string', device: 'one', code: 4, token: () => resign(ec1, segJson({ alg: 'ES256', typ: 'JWT' }), segJson('x')) },
  { name: 'claims not UTF-8', device: 'one', code: 4, token: () => resign(ec1, segJson({ alg: 'ES256', typ: 'JWT' }), b64u(Buffer.concat([Buffer.from('{"aud":"'), Buffer.from([0xff]), Buffer.from('"}')]))) },
  { name: 'trailing space', device: 'one', code: 4, diff: 'strict-base64url', token: () => tok(ec1, 'one') + ' ' },
  { name: 'a token over 8 KB', device: 'one', code: 4, diff: 'token-length', token: () => tok(ec1, 'one', {}, { pad: 'x'.repeat(9000) }) },
  { name: 'not a JWT at all', device: 'one', code: 4, token: () => 'hunter2' },
];

/** Public KeyObjects per device, made by node:crypto from the registered PEMs. */
function deviceKeys(id: string): KeyObject[] {
  const d = registry.devices!.find((x) => x.deviceId === id);
  return d ? d.credentials!.map((c) => createPublicKey(c.publicKey)) : [];
}

/** jose's verdict: some registered key of the device verifies signature + claims (aud, exp with the skew). */
async function joseAccepts(id: string, token: string): Promise<boolean> {
  for (const key of deviceKeys(id)) {
    try {
      await jose.jwtVerify(token, key, { algorithms: ['ES256', 'RS256'], audience: AUD(id), clockTolerance: 600, requiredClaims: ['exp'], currentDate: new Date() });
      return true;
    } catch {
      /* next key */
    }
  }
  return false;
}

let cloud: MockCloud;
beforeAll(async () => {
  cloud = await startMockCloud({ registry });
});
afterAll(() => cloud.close());

describe('crafted tokens over MQTT', () => {
  it('the table has at least 40 bad tokens and the valid variants', () => {
    expect(cases.filter((c) => c.code !== 0).length).toBeGreaterThanOrEqual(40);
    expect(cases.filter((c) => c.code === 0).length).toBeGreaterThanOrEqual(6);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
  });

  const verdicts: { name: string; mock: boolean; jose: boolean; diff?: Diff }[] = [];
  for (const c of cases) {
    it((c.code ? 'refuses (' + c.code + ') ' : 'accepts ') + c.name, async () => {
      const token = c.token();
      const code = await connackFor(cloud.mqttPort, c.device, token);
      const entry = cloud.authLog[cloud.authLog.length - 1];
      expect(entry.clientId).toBe(c.device);
      expect({ code, reason: entry.reason }).toMatchObject({ code: c.code });
      expect(entry.code).toBe(c.code);
      // The log names the reason but never carries the token.
      if (token.length > 20) expect(JSON.stringify(entry)).not.toContain(token.slice(-20));
      verdicts.push({ name: c.name, mock: code === 0, jose: await joseAccepts(c.device, token), diff: c.diff });
    });
  }

  it('agrees with jose except for the documented platform rules (asserted counts)', () => {
    expect(verdicts.length).toBe(cases.length);
    const disagree = verdicts.filter((v) => v.mock !== v.jose);
    // Every disagreement is a tagged case, and every tagged case does disagree.
    expect(disagree.map((v) => v.name).sort()).toEqual(verdicts.filter((v) => v.diff).map((v) => v.name).sort());
    const byKind: { [k: string]: number } = {};
    for (const v of disagree) byKind[v.diff!] = (byKind[v.diff!] || 0) + 1;
    expect(byKind).toEqual({ 'aud-array': 1, 'iat-future': 1, lifetime: 2, 'kid-rule': 4, 'credential-expiry': 2, 'nbf-ignored': 1, 'token-length': 1, 'strict-base64url': 1 });
    // Only the nbf case is one the mock accepts and jose refuses.
    expect(disagree.filter((v) => v.mock).map((v) => v.name)).toEqual(['nbf in the future (ignored by the platform)']);
  });
});

describe('kid rule switched off', () => {
  it('with requireKidWithSeveralKeys: false, a kid-less token signed by one of several keys is accepted', async () => {
    const c2 = await startMockCloud({ registry, requireKidWithSeveralKeys: false });
    try {
      expect(await connackFor(c2.mqttPort, 'multi', tok(m1.privateKey, 'multi'))).toBe(0);
      expect(await connackFor(c2.mqttPort, 'multi', tok(m3.privateKey, 'multi'))).toBe(0);
      expect(await connackFor(c2.mqttPort, 'multi', tok(other.privateKey, 'multi'))).toBe(5);
    } finally {
      await c2.close();
    }
  });

  it('maxLifetimeS and audienceBase are configurable', async () => {
    const c2 = await startMockCloud({ registry, maxLifetimeS: 600, audienceBase: 'https://acme.akenza.io/' });
    try {
      const t = (life: number, base: string) => mint({ key: ec1, claims: { aud: base + '/devices/one', iat: now, exp: now + life } });
      expect(await connackFor(c2.mqttPort, 'one', t(600, 'https://acme.akenza.io'))).toBe(0);
      expect(await connackFor(c2.mqttPort, 'one', t(601, 'https://acme.akenza.io'))).toBe(5);
      expect(await connackFor(c2.mqttPort, 'one', t(600, 'https://akenza.io'))).toBe(5);
    } finally {
      await c2.close();
    }
  });
});

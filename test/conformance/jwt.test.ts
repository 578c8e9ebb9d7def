// Every signer's tokens verify with node:crypto and with jose; header and claims are exactly as specified.
import { describe, expect, it } from 'vitest';
import { signJwt as portableSignJwt, generateKeyPair, jwtParts, createNobleEs256Signer, createBigIntRs256Signer, signSync } from '../../src/index';
import { signJwt as nodeSignJwt, createNodeSigner } from '../../targets/node/index';
import { mintJwtPromise } from '../../src/jwt';
import { errorText } from '../../src/errors';
import { parsePrivateKey, type EcPrivateKey, type RsaPrivateKey } from '../../src/keys';
import { utf8Encode } from '../../src/utf8';
import { decodeJwt, expectedFingerprints, fixture, joseVerifyJwt, nodeVerifyJwt } from '../helpers';

const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);
const nowS = NOW / 1000;
const fps = expectedFingerprints();

const signers = [
  ['noble ES256', 'ES256', () => createNobleEs256Signer(parsePrivateKey(fixture('ec.pkcs8.pem')) as EcPrivateKey)],
  ['node ES256', 'ES256', () => createNodeSigner(parsePrivateKey(fixture('ec.pkcs8.pem')))],
  ['BigInt RS256', 'RS256', () => createBigIntRs256Signer(parsePrivateKey(fixture('rsa.pkcs8.pem')) as RsaPrivateKey)],
  ['BigInt RS256 in 64-bit slices', 'RS256', () => createBigIntRs256Signer(parsePrivateKey(fixture('rsa.pkcs8.pem')) as RsaPrivateKey, { bitsPerStep: 64 })],
  ['node RS256', 'RS256', () => createNodeSigner(parsePrivateKey(fixture('rsa.pkcs8.pem')))],
] as const;

describe.each(signers)('%s', (_name, alg, make) => {
  const pub = fixture(alg === 'ES256' ? 'ec.pub.pem' : 'rsa.pub.pem');
  const kid = fps[alg === 'ES256' ? 'ec.pub.pem' : 'rsa.pub.pem'];
  it('mints a token that node:crypto and jose accept, with the exact header and claims', async () => {
    const token = await mintJwtPromise(make(), { deviceId: 'a1b2c3d4e5f60718', kid, now: NOW });
    const d = nodeVerifyJwt(token, pub);
    expect(d.header).toEqual({ alg, typ: 'JWT', kid });
    expect(Object.keys(d.header)).toEqual(['alg', 'typ', 'kid']);
    expect(d.claims).toEqual({ aud: 'https://akenza.io/devices/a1b2c3d4e5f60718', iat: nowS - 60, exp: nowS + 3600 });
    if (alg === 'ES256') expect(d.sig.length).toBe(64);
    const { payload, protectedHeader } = await joseVerifyJwt(token, pub, alg, 'https://akenza.io/devices/a1b2c3d4e5f60718', nowS);
    expect(payload.exp).toBe(nowS + 3600);
    expect(protectedHeader.kid).toBe(kid);
  });
  it('honours audienceBase, lifetime, backdating, extra claims, and no kid', async () => {
    const token = await mintJwtPromise(make(), {
      deviceId: 'dev-1', audienceBase: 'https://acme.akenza.io/', lifetimeS: 600, iatBackdateS: 0, now: NOW, claims: { fw: '1.2.3' },
    });
    const d = nodeVerifyJwt(token, pub);
    expect(d.header).toEqual({ alg, typ: 'JWT' });
    expect(d.claims).toEqual({ aud: 'https://acme.akenza.io/devices/dev-1', iat: nowS, exp: nowS + 600, fw: '1.2.3' });
    await joseVerifyJwt(token, pub, alg, 'https://acme.akenza.io/devices/dev-1', nowS);
  });
  it('jose rejects the token once it has expired (claims are real seconds)', async () => {
    const token = await mintJwtPromise(make(), { deviceId: 'dev-1', lifetimeS: 60, now: NOW });
    await expect(joseVerifyJwt(token, pub, alg, 'https://akenza.io/devices/dev-1', nowS + 61)).rejects.toThrow(/exp/);
  });
});

describe('signJwt entries', () => {
  it.each([
    ['portable', portableSignJwt],
    ['node', nodeSignJwt],
  ] as const)('%s signJwt: PEM in, kid auto, both algs, Promise and callback', async (_n, signJwt) => {
    for (const [file, pubFile] of [['ec.sec1.pem', 'ec.pub.pem'], ['rsa.pkcs1.pem', 'rsa.pub.pem'], ['ec.sec1-nopub.pem', 'ec.pub.pem']]) {
      const token = await signJwt({ privateKey: fixture(file), deviceId: 'dev-2', kid: 'auto', now: NOW });
      const d = nodeVerifyJwt(token, fixture(pubFile));
      expect(d.header.kid).toBe(fps[pubFile]);
      const viaCb = await new Promise<string>((res, rej) => signJwt({ privateKey: fixture(file), deviceId: 'dev-2', now: NOW }, (e, t) => (e ? rej(e) : res(t!))));
      nodeVerifyJwt(viaCb, fixture(pubFile));
    }
  });
  it('ES256 tokens from the portable entry are deterministic (RFC 6979), node:crypto ones are randomised', async () => {
    const o = { privateKey: fixture('ec.pkcs8.pem'), deviceId: 'dev-3', now: NOW };
    expect(await portableSignJwt(o)).toBe(await portableSignJwt(o));
    expect(await nodeSignJwt(o)).not.toBe(await nodeSignJwt(o));
  });
  it('RS256 from BigInt equals node:crypto byte for byte', async () => {
    const o = { privateKey: fixture('rsa.pkcs8.pem'), deviceId: 'dev-3', now: NOW, kid: 'auto' };
    expect(await portableSignJwt(o)).toBe(await nodeSignJwt(o));
    const o2 = { ...o, privateKey: fixture('rsa3072.pkcs8.pem') };
    expect(await portableSignJwt(o2)).toBe(await nodeSignJwt(o2));
  });
  it.each([
    [{ deviceId: '' }, /deviceId/],
    [{ deviceId: 'a/b' }, /deviceId/],
    [{ deviceId: 'a#' }, /deviceId/],
    [{ deviceId: 'ok', lifetimeS: 0 }, /lifetimeS/],
    [{ deviceId: 'ok', lifetimeS: 1.5 }, /lifetimeS/],
    [{ deviceId: 'ok', lifetimeS: 86400 }, /^OPTION_INVALID: lifetimeS is 86400 s; at most 86340 s \(24 h from iat, set 60 s back\)$/],
    [{ deviceId: 'ok', audienceBase: 'akenza.io' }, /audienceBase/],
    [{ deviceId: 'ok', claims: { exp: 1 } }, /claims.exp/],
    [{ deviceId: 'ok', alg: 'RS256' }, /^ALG_MISMATCH: /],
    [{ deviceId: 'ok', alg: 'HS256' }, /^ALG_UNSUPPORTED: /],
    [{ deviceId: 'ok', kid: '' }, /kid/],
  ])('refuses %j through the Promise and the callback', async (bad, msg) => {
    const o = { privateKey: fixture('ec.pkcs8.pem'), ...bad } as any;
    // matched against `code: message` (errorText): the code is in `code` only
    expect(errorText(await nodeSignJwt(o).then(() => null, (e: unknown) => e))).toMatch(msg);
    const err = await new Promise<Error>((res) => portableSignJwt(o, (e) => res(e!)).catch(() => {}));
    expect(errorText(err)).toMatch(msg);
  });
  it('never calls back from inside the call', () => {
    let called = false;
    nodeSignJwt({ privateKey: fixture('ec.pkcs8.pem'), deviceId: 'd' }, () => (called = true)).catch(() => {});
    expect(called).toBe(false);
  });
  it('jwtParts builds the header in alg, typ, kid order', () => {
    expect(JSON.stringify(jwtParts('RS256', { deviceId: 'x', kid: 'ab', now: NOW }).header)).toBe('{"alg":"RS256","typ":"JWT","kid":"ab"}');
  });
});

describe('signers refuse inconsistent keys', () => {
  it('EC file whose public key belongs to another key', () => {
    const a = parsePrivateKey(fixture('ec.pkcs8.pem')) as EcPrivateKey;
    const b = parsePrivateKey(fixture('ec2.ecparam.pem')) as EcPrivateKey;
    const mixed: EcPrivateKey = { ...a, publicKey: b.publicKey };
    expect(() => createNobleEs256Signer(mixed)).toThrow(expect.objectContaining({ code: 'KEY_INVALID' }));
    expect(() => createNodeSigner(mixed)).toThrow(expect.objectContaining({ code: 'KEY_INVALID' }));
  });
  it('RSA key with a wrong prime', () => {
    const k = parsePrivateKey(fixture('rsa.pkcs8.pem')) as RsaPrivateKey;
    const p = new Uint8Array(k.p);
    p[p.length - 1] ^= 2;
    expect(() => createBigIntRs256Signer({ ...k, p })).toThrow(expect.objectContaining({ code: 'KEY_INVALID' }));
  });
});

describe('generateKeyPair', () => {
  it('makes a PKCS#8/SPKI pair that mints verifiable tokens and whose fingerprint is its kid', async () => {
    const kp = generateKeyPair();
    const token = await portableSignJwt({ privateKey: kp.privateKeyPem, deviceId: 'gen', kid: 'auto', now: NOW });
    const d = nodeVerifyJwt(token, kp.publicKeyPem);
    expect(d.header.kid).toBe(kp.fingerprint);
  });
  it('uses the RNG it is given', () => {
    const fixed = (n: number) => new Uint8Array(n).fill(7);
    expect(generateKeyPair(fixed).publicKeyPem).toBe(generateKeyPair(fixed).publicKeyPem);
    const sig = signSync(createNobleEs256Signer(parsePrivateKey(generateKeyPair(fixed).privateKeyPem) as EcPrivateKey), utf8Encode('x'));
    expect(sig.length).toBe(64);
  });
});

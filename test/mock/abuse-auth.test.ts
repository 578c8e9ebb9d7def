// Issue 16 (the mock cloud under attack), auth findings: duplicate JSON members in a token, high-S
// ES256 signatures (kept, as the platform's JWT library accepts them), secret lookups by digest, and
// RSA keys above 4096 bits refused (typed RSA_KEY_TOO_LARGE) for private keys, public keys and the
// mock registry before any big-number work starts.
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { derSequence, derUint } from '../../src/asn1';
import { parsePrivateKey, parsePublicKey, signJwt } from '../../src/index';
import { rsaSpki } from '../../src/keys';
import { duplicateKey } from '../../src/mock/jwt-auth';
import { Registry, startMockCloud, type MockCloud } from '../../src/mock/index';
import { b64u, connackFor, nowS } from './helpers';

const k = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const pem = (x: KeyObject) => x.export({ type: 'spki', format: 'pem' }) as string;
const AUD = 'https://akenza.io/devices/dev-a';
let cloud: MockCloud;

beforeAll(async () => {
  cloud = await startMockCloud({ registry: { devices: [{ deviceId: 'dev-a', credentials: [{ publicKey: pem(k.publicKey) }] }], connectors: [{ id: 'c1', uplinkSecret: 'the-secret', devices: ['dev-a'] }] } });
});
afterAll(() => cloud.close());

/** A token over exactly these header and claims texts, signed with dev-a's key (raw r||s, optionally high-S). */
function rawToken(header: string, claims: string, highS = false): string {
  const input = b64u(header) + '.' + b64u(claims);
  const sig = sign('sha256', Buffer.from(input), { key: k.privateKey, dsaEncoding: 'ieee-p1363' });
  if (highS) {
    const n = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');
    let s = BigInt('0x' + sig.subarray(32).toString('hex'));
    s = s > n / 2n ? s : n - s; // the other of the two valid s values, the high one
    Buffer.from(s.toString(16).padStart(64, '0'), 'hex').copy(sig, 32);
  }
  return input + '.' + b64u(sig);
}
const claims = () => JSON.stringify({ aud: AUD, iat: nowS() - 60, exp: nowS() + 600 });

describe('finding 7: token rules', () => {
  it('the reference token is accepted', async () => {
    expect(await connackFor(cloud.mqttPort, 'dev-a', rawToken('{"alg":"ES256","typ":"JWT"}', claims()))).toBe(0);
  });

  it('a member twice in the header or the claims is malformed (CONNACK 4), whatever JSON.parse would keep', async () => {
    const c = claims();
    const cases = [
      rawToken('{"alg":"ES256","typ":"JWT","alg":"ES256"}', c),
      rawToken('{"alg":"ES256","kid":"nope","kid":"' + createHash('sha256').update(k.publicKey.export({ type: 'spki', format: 'der' })).digest('hex') + '"}', c),
      rawToken('{"alg":"ES256"}', c.slice(0, -1) + ',"exp":' + (nowS() + 600) + '}'),
      rawToken('{"alg":"ES256"}', c.slice(0, -1) + ',"\\u0061ud":"' + AUD + '"}'), // "aud" spelled with an escape
    ];
    for (const t of cases) expect(await connackFor(cloud.mqttPort, 'dev-a', t)).toBe(4);
    expect(cloud.authLog.at(-1)!.reason).toMatch(/^malformed token: claims has the member "aud" twice/);
  });

  it('duplicateKey: same name in different objects, or inside strings and arrays, is fine', () => {
    expect(duplicateKey('{"a":{"a":1},"b":[{"a":1},{"a":2}],"c":"\\"a\\":1,\\"a\\""}')).toBe(null);
    expect(duplicateKey('{"a":{"x":1,"y":{"x":2},"x":3}}')).toBe('x');
    expect(duplicateKey('[{"k":1},{"k":2,"k":3}]')).toBe('k');
  });

  it('a high-S ES256 signature is accepted, as the platform accepts it (documented in docs/troubleshooting.md)', async () => {
    expect(await connackFor(cloud.mqttPort, 'dev-a', rawToken('{"alg":"ES256"}', claims(), true))).toBe(0);
  });

  it('connectors are looked up by the digest of the secret, never by the secret itself', () => {
    const reg = cloud.registry;
    const keys = [...(reg as unknown as { bySecret: Map<string, unknown> }).bySecret.keys()];
    expect(keys).toEqual([createHash('sha256').update('the-secret').digest('hex')]);
    expect(reg.connectorBySecret('the-secret')!.id).toBe('c1');
    expect(reg.connectorBySecret('the-secreT')).toBeUndefined();
    expect(reg.connectorBySecret('')).toBeUndefined();
  });
});

describe('finding 9: RSA keys above 4096 bits', () => {
  const bigN = (bits: number) => {
    const n = new Uint8Array(bits / 8).fill(0xa5);
    n[0] = 0xc3;
    n[n.length - 1] |= 1;
    return n;
  };
  const e = new Uint8Array([1, 0, 1]);
  const pemOf = (label: string, der: Uint8Array) => '-----BEGIN ' + label + '-----\n' + Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n') + '\n-----END ' + label + '-----\n';
  const privPem = (bits: number) => {
    const n = bigN(bits);
    const half = n.subarray(0, n.length / 2);
    return pemOf('RSA PRIVATE KEY', derSequence([new Uint8Array([2, 1, 0]), derUint(n), derUint(e), derUint(n.subarray(1)), derUint(half), derUint(half), derUint(half), derUint(half), derUint(half)]));
  };

  it('parsePrivateKey and signJwt refuse a 131,072-bit private key with RSA_KEY_TOO_LARGE at once', async () => {
    const key = privPem(131072);
    expect(() => parsePrivateKey(key)).toThrow(expect.objectContaining({ code: 'RSA_KEY_TOO_LARGE' }));
    await expect(signJwt({ privateKey: key, deviceId: 'dev-a' })).rejects.toMatchObject({ code: 'RSA_KEY_TOO_LARGE', message: expect.stringContaining('131072 bits; at most 4096') });
    expect(() => parsePrivateKey(privPem(4104))).toThrow(expect.objectContaining({ code: 'RSA_KEY_TOO_LARGE' }));
  });

  it('parsePublicKey and the mock registry refuse a 1,048,576-bit public key', () => {
    const spki = pemOf('PUBLIC KEY', rsaSpki(bigN(1048576), e));
    expect(() => parsePublicKey(spki)).toThrow(expect.objectContaining({ code: 'RSA_KEY_TOO_LARGE' }));
    expect(() => Registry.fromJson({ devices: [{ deviceId: 'huge', credentials: [{ publicKey: spki }] }] })).toThrow(
      expect.objectContaining({ code: 'RSA_KEY_TOO_LARGE', message: expect.stringMatching(/devices\[0\] \(deviceId "huge"\)\.credentials\[0\]: .*1048576 bits/) }),
    );
  });

  it('4096 bits is still accepted', () => {
    expect(parsePublicKey(pemOf('PUBLIC KEY', rsaSpki(bigN(4096), e)))).toMatchObject({ kty: 'RSA', bits: 4096 });
  });
});

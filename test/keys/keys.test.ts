// Keys and certificates made by openssl parse in every form, agree with each other, and have the
// fingerprints openssl computes over the DER the design brief names.
import { createPrivateKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/bytes';
import { fingerprint } from '../../src/keys';
import { parsePrivateKey, parsePublicKey, publicKeyOf, type EcPrivateKey, type RsaPrivateKey } from '../../src/keys';
import { expectedFingerprints, fixture, fixtureBytes } from '../helpers';

const jwkD = (file: string) => Buffer.from(createPrivateKey(fixture(file)).export({ format: 'jwk' }).d as string, 'base64url').toString('hex');

describe('private keys', () => {
  const ecForms = ['ec.pkcs8.pem', 'ec.sec1.pem', 'ec.sec1-nopub.pem', 'ec.sec1-noparams.pem', 'ec.sec1-bare.pem'];
  it.each(ecForms)('%s parses to the same P-256 scalar as node:crypto reads', (file) => {
    const key = parsePrivateKey(fixture(file)) as EcPrivateKey;
    expect(key.kty).toBe('EC');
    expect(key.alg).toBe('ES256');
    expect(toHex(key.d)).toBe(jwkD('ec.pkcs8.pem'));
  });
  it('keeps the public key where the file has one', () => {
    const pub = parsePublicKey(fixture('ec.pub.pem'));
    for (const f of ['ec.pkcs8.pem', 'ec.sec1.pem', 'ec.sec1-noparams.pem']) {
      const k = parsePrivateKey(fixture(f)) as EcPrivateKey;
      expect(toHex(k.publicKey!)).toBe(toHex((pub as { point: Uint8Array }).point));
    }
    expect((parsePrivateKey(fixture('ec.sec1-nopub.pem')) as EcPrivateKey).publicKey).toBeUndefined();
  });
  it('reads openssl ecparam -genkey output (EC PARAMETERS block first)', () => {
    expect(toHex((parsePrivateKey(fixture('ec2.ecparam.pem')) as EcPrivateKey).d)).toBe(jwkD('ec2.ecparam.pem'));
  });
  it('reads the raw 32-byte scalar, its hex, and SEC1 DER bytes', () => {
    const d = jwkD('ec.pkcs8.pem');
    expect(toHex((parsePrivateKey(fixtureBytes('ec.raw.bin')) as EcPrivateKey).d)).toBe(d);
    expect(toHex((parsePrivateKey(d) as EcPrivateKey).d)).toBe(d);
    expect(toHex((parsePrivateKey(fixtureBytes('ec.sec1.der')) as EcPrivateKey).d)).toBe(d);
  });
  it.each(['rsa.pkcs8.pem', 'rsa.pkcs1.pem'])('%s parses with all CRT parts equal to node:crypto', (file) => {
    const k = parsePrivateKey(fixture(file)) as RsaPrivateKey;
    const jwk = createPrivateKey(fixture('rsa.pkcs8.pem')).export({ format: 'jwk' });
    expect(k.kty).toBe('RSA');
    expect(k.bits).toBe(2048);
    for (const f of ['n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi'] as const)
      expect(toHex(k[f]), f).toBe(Buffer.from(jwk[f] as string, 'base64url').toString('hex'));
  });
  it('reads PKCS#8 DER bytes and a 3072-bit key', () => {
    const der = new Uint8Array(createPrivateKey(fixture('rsa.pkcs8.pem')).export({ format: 'der', type: 'pkcs8' }));
    expect(parsePrivateKey(der).kty).toBe('RSA');
    expect((parsePrivateKey(fixture('rsa3072.pkcs8.pem')) as RsaPrivateKey).bits).toBe(3072);
  });
  it('accepts alg when it matches the key', () => {
    expect(parsePrivateKey(fixture('ec.pkcs8.pem'), 'ES256').alg).toBe('ES256');
    expect(parsePrivateKey(fixture('rsa.pkcs1.pem'), 'RS256').alg).toBe('RS256');
  });
});

describe('public credentials and fingerprints', () => {
  const fps = expectedFingerprints();
  it.each([
    ['ec.pub.pem', 'ES256', 'spki'],
    ['rsa.pub.pem', 'RS256', 'spki'],
    ['rsa.pub-pkcs1.pem', 'RS256', 'pkcs1'],
    ['ec.cert.pem', 'ES256', 'certificate'],
    ['rsa.cert.pem', 'RS256', 'certificate'],
  ])('%s: %s %s, fingerprint equals openssl dgst', (file, alg, format) => {
    const key = parsePublicKey(fixture(file));
    expect(key.alg).toBe(alg);
    expect(key.format).toBe(format);
    expect(fingerprint(fixture(file))).toBe(fps[file]);
    expect(fingerprint(key)).toBe(fps[file]);
  });
  it('a certificate carries the same key as the bare SPKI', () => {
    expect(toHex(parsePublicKey(fixture('ec.cert.pem')).spki)).toBe(toHex(parsePublicKey(fixture('ec.pub.pem')).spki));
    expect(toHex(parsePublicKey(fixture('rsa.cert.pem')).spki)).toBe(toHex(parsePublicKey(fixture('rsa.pub.pem')).spki));
  });
  it('the SPKI derived from a private key has the fingerprint openssl gives its public key', () => {
    for (const f of ['ec.pkcs8.pem', 'rsa.pkcs8.pem', 'ec2.ecparam.pem']) expect(fingerprint(publicKeyOf(parsePrivateKey(fixture(f)))!)).toBe(fps[f]);
  });
  it('parses SPKI and certificate DER bytes', () => {
    const certDer = Buffer.from(fixture('ec.cert.pem').replace(/-----[^-]+-----|\s/g, ''), 'base64');
    expect(parsePublicKey(new Uint8Array(certDer)).format).toBe('certificate');
    const spkiDer = Buffer.from(fixture('rsa.pub.pem').replace(/-----[^-]+-----|\s/g, ''), 'base64');
    expect(fingerprint(new Uint8Array(spkiDer))).toBe(fps['rsa.pub.pem']);
  });
});

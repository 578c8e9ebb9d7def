// Table of bad keys and credentials: each gets its typed error code, a message naming the problem,
// and never echoes key material.
import { describe, expect, it } from 'vitest';
import { derBitString, derOid, derSequence } from '../../src/asn1';
import { base64Encode } from '../../src/base64';
import { AkenzaError, type ErrorCode } from '../../src/errors';
import { OID_EC_PUBLIC_KEY, OID_P256, parsePrivateKey, parsePublicKey, rsaSpki, type RsaPublicKey } from '../../src/keys';
import { encodePem } from '../../src/pem';
import { fixture } from '../helpers';

const ecPem = fixture('ec.pkcs8.pem');
const ecLines = ecPem.trim().split('\n');
const certPem = fixture('rsa.cert.pem');
const certDer = Buffer.from(certPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');

const corruptCert = (() => {
  const b = Buffer.from(certDer);
  b[1] = 0x83; // outer SEQUENCE length claims 3 length bytes it does not have the content for
  return encodePem('CERTIFICATE', new Uint8Array(b));
})();
const shortPoint = encodePem('PUBLIC KEY', derSequence([derSequence([derOid(OID_EC_PUBLIC_KEY), derOid(OID_P256)]), derBitString(new Uint8Array(64).fill(4))]));
const trailing = encodePem('PUBLIC KEY', new Uint8Array([...Buffer.from(fixture('ec.pub.pem').replace(/-----[^-]+-----|\s/g, ''), 'base64'), 0]));
const indefinite = '-----BEGIN PRIVATE KEY-----\n' + base64Encode(new Uint8Array([0x30, 0x80, 0x02, 0x01, 0x00, 0x00, 0x00])) + '\n-----END PRIVATE KEY-----\n';

const rsaN = (parsePublicKey(fixture('rsa.pub.pem')) as RsaPublicKey).n;
const rsaWithE = (e: number[]) => encodePem('PUBLIC KEY', rsaSpki(rsaN, new Uint8Array(e)));

type Case = [name: string, parse: () => unknown, code: ErrorCode, mentions?: RegExp];
const priv = (f: string, alg?: any) => () => parsePrivateKey(fixture(f), alg);
const pub = (f: string, alg?: any) => () => parsePublicKey(fixture(f), alg);

const cases: Case[] = [
  ['RSA 1024 PKCS#8 private key', priv('rsa1024.pkcs8.pem'), 'RSA_KEY_TOO_SMALL', /1024 bits/],
  ['RSA 1024 PKCS#1 private key', priv('rsa1024.pkcs1.pem'), 'RSA_KEY_TOO_SMALL', /1024 bits/],
  ['RSA 1024 SPKI public key', pub('rsa1024.pub.pem'), 'RSA_KEY_TOO_SMALL', /at least 2048/],
  ['RSA 1024 certificate', pub('rsa1024.cert.pem'), 'RSA_KEY_TOO_SMALL', /1024/],
  ['P-384 PKCS#8 private key', priv('p384.pkcs8.pem'), 'CURVE_UNSUPPORTED', /P-384/],
  ['P-384 SEC1 private key', priv('p384.sec1.pem'), 'CURVE_UNSUPPORTED', /P-384/],
  ['P-384 SPKI public key', pub('p384.pub.pem'), 'CURVE_UNSUPPORTED', /P-384/],
  ['P-384 certificate', pub('p384.cert.pem'), 'CURVE_UNSUPPORTED', /P-384/],
  ['secp256k1 private key', priv('secp256k1.pkcs8.pem'), 'CURVE_UNSUPPORTED', /secp256k1/],
  ['explicit curve parameters', priv('ec.explicit.pem'), 'CURVE_UNSUPPORTED', /explicit/],
  ['Ed25519 private key', priv('ed25519.pkcs8.pem'), 'KEY_UNSUPPORTED', /Ed25519/],
  ['Ed25519 public key', pub('ed25519.pub.pem'), 'KEY_UNSUPPORTED', /Ed25519/],
  ['encrypted PKCS#8', priv('ec.encrypted.pem'), 'KEY_ENCRYPTED', /decrypt/],
  ['legacy encrypted PEM', priv('rsa.legacy-encrypted.pem'), 'KEY_ENCRYPTED', /decrypt/],
  ['PEM without END line', () => parsePrivateKey(ecLines.slice(0, 3).join('\n')), 'PEM_INVALID', /truncated/],
  ['PEM body cut short', () => parsePrivateKey([ecLines[0], ecLines[1], ecLines[ecLines.length - 1]].join('\n')), 'DER_INVALID', /truncated/],
  ['PEM body with a bad character', () => parsePrivateKey(ecPem.replace(ecLines[1], ecLines[1].slice(0, 10) + '*' + ecLines[1].slice(11))), 'PEM_INVALID', /invalid character/],
  ['empty input', () => parsePrivateKey(''), 'PEM_INVALID', /no PEM block/],
  ['BEGIN/END labels differ', () => parsePrivateKey(ecPem.replace('END PRIVATE KEY', 'END PUBLIC KEY')), 'PEM_INVALID', /closed by/],
  ['OpenSSH private key', () => parsePrivateKey('-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n'), 'PEM_UNSUPPORTED', /OPENSSH/],
  ['public key where a private key belongs', () => parsePrivateKey(fixture('ec.pub.pem')), 'PEM_UNSUPPORTED', /public credential/],
  ['private key where a public key belongs', () => parsePublicKey(ecPem), 'PEM_UNSUPPORTED', /never the private key/],
  ['EC certificate used for RS256', pub('ec.cert.pem', 'RS256'), 'ALG_MISMATCH', /certificate holds an EC/],
  ['RSA certificate used for ES256', pub('rsa.cert.pem', 'ES256'), 'ALG_MISMATCH', /certificate holds an RSA/],
  ['EC private key used for RS256', priv('ec.pkcs8.pem', 'RS256'), 'ALG_MISMATCH', /not RS256/],
  ['alg HS256', priv('ec.pkcs8.pem', 'HS256'), 'ALG_UNSUPPORTED', /HS256/],
  ['alg none', priv('ec.pkcs8.pem', 'none'), 'ALG_UNSUPPORTED', /none/],
  ['zero scalar', () => parsePrivateKey(new Uint8Array(32)), 'KEY_INVALID', /out of range/],
  ['scalar >= n', () => parsePrivateKey(new Uint8Array(32).fill(0xff)), 'KEY_INVALID', /out of range/],
  ['31 random bytes', () => parsePrivateKey(new Uint8Array(31).fill(7)), 'DER_INVALID'],
  ['certificate with a corrupt length', () => parsePublicKey(corruptCert), 'DER_INVALID'],
  ['EC point of the wrong size', () => parsePublicKey(shortPoint), 'KEY_INVALID', /64 bytes/],
  ['SPKI with trailing bytes', () => parsePublicKey(trailing), 'DER_INVALID', /trailing/],
  ['indefinite-length BER', () => parsePrivateKey(indefinite), 'DER_INVALID', /indefinite/],
  ['not a key at all', () => parsePrivateKey(42 as any), 'OPTION_INVALID'],
  ['RSA public exponent 1 (anyone could forge)', () => parsePublicKey(rsaWithE([1])), 'KEY_INVALID', /exponent/],
  ['RSA public exponent even', () => parsePublicKey(rsaWithE([1, 0, 0])), 'KEY_INVALID', /exponent/],
];

describe('bad keys get typed errors', () => {
  it('covers at least 25 cases', () => expect(cases.length).toBeGreaterThanOrEqual(25));
  it.each(cases.map(([name, parse, code, mentions]) => ({ name, parse, code, mentions })))('$name -> $code', ({ parse, code, mentions }) => {
    let err: unknown;
    try {
      parse();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AkenzaError);
    const e = err as AkenzaError;
    expect(e.code).toBe(code);
    if (mentions) expect(e.message).toMatch(mentions);
    // No key material in messages: no base64 run from any fixture line.
    for (const line of ecLines.slice(1, -1)) expect(e.message).not.toContain(line.slice(0, 16));
    expect(e.message).not.toMatch(/[A-Za-z0-9+/]{40,}/);
  });
});

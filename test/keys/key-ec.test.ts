// The fixed-layout P-256 encodings in src/keys/ec.ts (no DER writer on device) against node:crypto
// and against the general DER writer: SPKI for uncompressed and compressed points, PKCS#8 with the
// public key inside, and the refusal of a point PKCS#8 cannot carry here.
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { derBitString, derOid, derSequence, derUint, tlv, TAG_OCTET_STRING } from '../../src/asn1';
import { AkenzaError } from '../../src/errors';
import { ecPrivateKeyPkcs8, ecSpki, OID_EC_PUBLIC_KEY, OID_P256 } from '../../src/keys/ec';
import { parsePrivateKey, parsePublicKey } from '../../src/keys';

const algId = () => derSequence([derOid(OID_EC_PUBLIC_KEY), derOid(OID_P256)]);

describe('P-256 SPKI and PKCS#8 by prefix', () => {
  it('SPKI of uncompressed and compressed points: what node:crypto exports, and what the DER writer builds', () => {
    for (let i = 0; i < 20; i++) {
      const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const spkiDer = new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));
      const parsed = parsePublicKey(spkiDer);
      if (parsed.kty !== 'EC') throw new Error('expected an EC key');
      const point = parsed.point;
      expect(Buffer.from(ecSpki(point)).equals(spkiDer)).toBe(true);
      const jwk = publicKey.export({ format: 'jwk' });
      const x = Buffer.from(jwk.x as string, 'base64url');
      const y = Buffer.from(jwk.y as string, 'base64url');
      const compressed = new Uint8Array([2 + (y[31] & 1), ...x]);
      const spkiC = ecSpki(compressed);
      expect(Buffer.from(spkiC).equals(Buffer.from(derSequence([algId(), derBitString(compressed)])))).toBe(true);
      // node reads the compressed form as the same key
      expect(createPublicKey({ key: Buffer.from(spkiC), format: 'der', type: 'spki' }).export({ format: 'jwk' })).toEqual(jwk);
    }
  });

  it('PKCS#8 that node:crypto reads as the same key, equal to the DER writer encoding, and that parses back', () => {
    for (let i = 0; i < 20; i++) {
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const key = parsePrivateKey(new Uint8Array(privateKey.export({ type: 'pkcs8', format: 'der' })));
      if (key.kty !== 'EC' || !key.publicKey) throw new Error('expected an EC key with its point');
      const der = ecPrivateKeyPkcs8(key.d, key.publicKey);
      const sec1 = derSequence([derUint(new Uint8Array([1])), tlv(TAG_OCTET_STRING, key.d), tlv(0xa1, derBitString(key.publicKey))]);
      const viaWriter = derSequence([derUint(new Uint8Array([0])), algId(), tlv(TAG_OCTET_STRING, sec1)]);
      expect(Buffer.from(der).equals(Buffer.from(viaWriter))).toBe(true);
      const back = createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' });
      expect(back.export({ format: 'jwk' }).d).toBe(privateKey.export({ format: 'jwk' }).d);
      expect(parsePrivateKey(der)).toEqual(key);
    }
  });

  it('PKCS#8 pads a short scalar to 32 bytes and refuses a point that is not 65 bytes', () => {
    const key = parsePrivateKey('00'.repeat(31) + '07');
    const point = new Uint8Array(65).fill(4);
    const der = ecPrivateKeyPkcs8(new Uint8Array([7]), point);
    expect(Buffer.from(der.subarray(36, 68)).equals(Buffer.from(key.d as Uint8Array))).toBe(true);
    let err: unknown;
    try {
      ecPrivateKeyPkcs8(key.d as Uint8Array, new Uint8Array(33).fill(2));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AkenzaError);
    expect((err as AkenzaError).code).toBe('KEY_INVALID');
  });
});

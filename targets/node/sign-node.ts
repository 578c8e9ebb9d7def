// Node fast path: node:crypto signers holding one cached KeyObject per key (ES256 as JOSE r||s).
import { createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { base64urlEncode } from '../../src/base64';
import { derSequence, derUint, derOid, tlv, TAG_OCTET_STRING } from '../../src/asn1';
import { padStart } from '../../src/bytes';
import { fail } from '../../src/errors';
import { OID_P256, type PrivateKey } from '../../src/keys';
import type { SignerBinding } from '../../src/platform';
import type { Signer } from '../../src/sign/signer';

/** SEC1 DER with the curve named, so node:crypto derives the public key itself. */
function sec1Der(d: Uint8Array): Uint8Array {
  return derSequence([derUint(new Uint8Array([1])), tlv(TAG_OCTET_STRING, padStart(d, 32)), tlv(0xa0, derOid(OID_P256))]);
}

export function keyObjectOf(key: PrivateKey): KeyObject {
  try {
    if (key.kty === 'EC') return createPrivateKey({ key: Buffer.from(sec1Der(key.d)), format: 'der', type: 'sec1' });
    const b = base64urlEncode;
    return createPrivateKey({
      key: { kty: 'RSA', n: b(key.n), e: b(key.e), d: b(key.d), p: b(key.p), q: b(key.q), dp: b(key.dp), dq: b(key.dq), qi: b(key.qi) },
      format: 'jwk',
    });
  } catch (e) {
    return fail('KEY_INVALID', 'node:crypto refused the key (' + (e as Error).message + ')');
  }
}

/** A Signer on node:crypto (the KeyObject is built once per key). */
export function createNodeSigner(key: PrivateKey): Signer {
  const keyObject = keyObjectOf(key);
  if (key.kty === 'EC' && key.publicKey && key.publicKey.length === 65) {
    const derived = createPublicKey(keyObject).export({ format: 'jwk' });
    const x = base64urlEncode(key.publicKey.subarray(1, 33));
    if (derived.x !== x) fail('KEY_INVALID', 'the public key stored with the EC private key does not match it');
  }
  if (key.kty === 'EC') {
    const opts = { key: keyObject, dsaEncoding: 'ieee-p1363' as const };
    return { alg: 'ES256', start: (m) => () => new Uint8Array(sign('sha256', m, opts)) };
  }
  return { alg: 'RS256', start: (m) => () => new Uint8Array(sign('sha256', m, keyObject)) };
}

export function nodeEcPublicKey(d: Uint8Array): Uint8Array {
  const jwk = createPublicKey(createPrivateKey({ key: Buffer.from(sec1Der(d)), format: 'der', type: 'sec1' })).export({ format: 'jwk' });
  const out = new Uint8Array(65);
  out[0] = 4;
  out.set(Buffer.from(jwk.x as string, 'base64url'), 1);
  out.set(Buffer.from(jwk.y as string, 'base64url'), 33);
  return out;
}

/** The node:crypto signer binding (the `signers` of nodePlatform). */
export const nodeSigners: SignerBinding = { createSigner: createNodeSigner, ecPublicKey: nodeEcPublicKey };

// What key parsing adds beyond ES256 where the engine can use it: RSA (RS256) support, X.509
// certificate credentials, and the names of foreign curves/key types for refusals. The Espruino
// build swaps in targets/espruino/key-extras.ts (none of these; targets/espruino/swaps.json), so those
// paths drop out of its bundle.
import { publicFromCertificate } from './cert';
import { rsaPrivateFromPkcs1, rsaPublicKey, rsaSpki } from './rsa';
import type { OidNames, RsaSupport } from './types';

export const CERT: typeof publicFromCertificate | null = publicFromCertificate;

export const RSA: RsaSupport | null = { privateFromPkcs1: rsaPrivateFromPkcs1, publicKey: rsaPublicKey, spki: rsaSpki };

// The OIDs people most often try, so the refusal says what the key is.
export const OID_NAMES: OidNames = {
  '1.3.132.0.34': 'P-384',
  '1.3.132.0.35': 'P-521',
  '1.3.132.0.10': 'secp256k1',
  '1.2.840.10045.3.1.1': 'P-192',
  '1.3.132.0.33': 'P-224',
  '1.3.36.3.3.2.8.1.1.7': 'brainpoolP256r1',
  '1.3.101.112': 'Ed25519',
  '1.3.101.113': 'Ed448',
  '1.3.101.110': 'X25519',
  '1.2.840.10040.4.1': 'DSA',
  '1.2.840.113549.1.1.10': 'RSASSA-PSS',
  '1.2.840.10046.2.1': 'Diffie-Hellman',
};

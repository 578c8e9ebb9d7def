// A generated ES256 key pair in the forms a user needs: PKCS#8 PEM to keep, SPKI PEM to register, kid.
import { fingerprint } from './fingerprint';
import { ecPrivateKeyPkcs8, ecSpki } from './ec';
import { encodePem } from '../pem';

/** A new key pair from generateKeyPair(). */
export interface GeneratedKeyPair {
  /** PKCS#8 PEM: keep it on the device. */
  privateKeyPem: string;
  /** SPKI PEM: upload it to the platform. */
  publicKeyPem: string;
  /** The public key's `kid` (SHA-256 of the SPKI). */
  fingerprint: string;
}

export function keyPairPems(d: Uint8Array, point: Uint8Array): GeneratedKeyPair {
  const spki = ecSpki(point);
  return { privateKeyPem: encodePem('PRIVATE KEY', ecPrivateKeyPkcs8(d, point)), publicKeyPem: encodePem('PUBLIC KEY', spki), fingerprint: fingerprint(spki) };
}

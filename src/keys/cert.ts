// X.509 certificate credentials: the SubjectPublicKeyInfo inside, with the certificate DER kept
// for its SHA-1 fingerprint. Reached through extras.ts, so the Espruino bundle leaves it out.
import { type Der, derFail, expectTag, parseDer, sequence, TAG_SEQUENCE } from '../asn1';
import type { CredentialFormat, PublicKey } from './types';

export type SpkiParser = (spki: Der, what: string, format: CredentialFormat) => PublicKey;

export function publicFromCertificate(der: Uint8Array, fromSpki: SpkiParser): PublicKey {
  const what = 'X.509 certificate';
  const cert = sequence(parseDer(der, what), what);
  if (cert.length !== 3) derFail(what, 'expected tbsCertificate, signatureAlgorithm, signature');
  const tbs = sequence(cert[0], what + ' tbsCertificate');
  const i = tbs[0] && tbs[0].tag === 0xa0 ? 6 : 5; // [0] version is optional (v1 certificates)
  const key = fromSpki(expectTag(tbs[i], TAG_SEQUENCE, what + ' subjectPublicKeyInfo'), what, 'certificate');
  key.certificate = der;
  return key;
}

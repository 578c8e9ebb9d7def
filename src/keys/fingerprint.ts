// Credential fingerprints (the JWT `kid`), as the platform documents them: lowercase hex SHA-256 of
// the SPKI DER for a bare key, lowercase hex SHA-1 of the certificate DER for an X.509 credential.
import { toHex } from '../bytes';
import type { Hash } from '../hash/hash';
import { sha1 } from '../hash/sha1';
import { sha256 } from '../hash/sha256';
import { parsePublicKey } from './parse';
import type { PublicKeyInput } from './types';

/**
 * The `kid` of a credential: lowercase hex SHA-256 of the SPKI DER for a bare key, SHA-1 of the
 * certificate DER for a certificate. `hashes` lets a target pass native hash functions.
 */
export function fingerprint(credential: PublicKeyInput, hashes?: { sha256?: Hash; sha1?: Hash }): string {
  const key = parsePublicKey(credential);
  if (key.certificate) return toHex(((hashes && hashes.sha1) || sha1)(key.certificate));
  return toHex(((hashes && hashes.sha256) || sha256)(key.spki));
}

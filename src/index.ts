// akenza-device: the portable entry for engines with BigInt (noble ES256, BigInt RS256).
/**
 * The portable entry: key parsing, fingerprints, JWT minting (noble ES256, BigInt RS256), key generation.
 * @module akenza-device
 */
import type { SignerBinding } from './platform';
import { makeSignJwt } from './sign/sign-jwt';
import { createNobleEs256Signer, noblePublicKey } from './sign/es256.noble';
import { createBigIntRs256Signer } from './sign/rs256.bigint';
import { fail } from './errors';
import { keyPairPems, type GeneratedKeyPair } from './keys';
import { p256 } from '@noble/curves/nist.js';

export { AkenzaError, type ErrorCode } from './errors';
export { parsePrivateKey, parsePublicKey, publicKeyOf, fingerprint, type PrivateKey, type PublicKey } from './keys';
export { jwtParts, signingInput, mintJwt, DEFAULT_AUDIENCE_BASE, DEFAULT_LIFETIME_S, MAX_LIFETIME_S, type JwtClaimsOptions } from './jwt';
export { signSync, signSliced, type Signer, type Alg } from './sign/signer';
export { createNobleEs256Signer } from './sign/es256.noble';
export { createBigIntRs256Signer } from './sign/rs256.bigint';
export type { SignJwtOptions } from './sign/sign-jwt';
export type { UplinkFactory, FallbackEntry, UplinkTransport, UplinkRequest, UplinkResult, UplinkOutcome } from './uplink/index';
export type { SignerBinding, Platform, Socket, SocketOptions, TlsOptions, KeyValueStore, UdpOptions, UdpSocket, HttpRequest, HttpResponse } from './platform';

/** This entry's signers (noble ES256, BigInt RS256), as a platform's `signers` binding. */
export const portableSigners: SignerBinding = {
  createSigner: (key) => (key.kty === 'EC' ? createNobleEs256Signer(key) : createBigIntRs256Signer(key)),
  ecPublicKey: noblePublicKey,
};

/**
 * Mints a device JWT (header `alg`, `typ`, `kid`; claims `aud`, `iat`, `exp`). Returns a Promise of the
 * token and also calls `cb(err, token)` when given, never from inside the call.
 */
export const signJwt = makeSignJwt(portableSigners);

export type { GeneratedKeyPair } from './keys';

/** A new ES256 key pair from `randomBytes` (the platform's RNG) or crypto.getRandomValues. */
export function generateKeyPair(randomBytes?: (n: number) => Uint8Array): GeneratedKeyPair {
  const rng = randomBytes || defaultRandom();
  const d = p256.utils.randomSecretKey(rng(48)); // 48 bytes reduced mod n: bias below 2^-64 (FIPS 186-5 A.2.1)
  return keyPairPems(d, p256.getPublicKey(d, false));
}

function defaultRandom(): (n: number) => Uint8Array {
  const c = (globalThis as { crypto?: { getRandomValues?: (a: Uint8Array) => Uint8Array } }).crypto;
  if (!c || !c.getRandomValues) return fail('OPTION_INVALID', 'no crypto.getRandomValues here: pass randomBytes from the platform RNG');
  return (n) => c.getRandomValues!(new Uint8Array(n));
}

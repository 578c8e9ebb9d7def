// akenza-device for Moddable XS (ESP32 and others) over ECMA-419 sockets. ES256 on the BigInt-free
// P-256 signer keeps the module within its 60 KB budget; noble.ts is the same with noble (XS has
// BigInt), about 2x faster per signature and 26 KB larger. RS256 uses BigInt.
import { sha256 } from '../../src/hash/sha256';
import { keyPairPems } from '../../src/keygen';
import { p256Binding } from '../../src/sign/p256-binding';
import { generateKeyPairFromTable } from '../../src/sign/p256/keypair';
import { combTable } from '../../src/sign/p256/keys';
import { createBigIntRs256Signer } from '../../src/sign/rs256.bigint';
import { moddableSdk } from './sdk';

export { parsePrivateKey, parsePublicKey } from '../../src/keys';
export { fingerprint } from '../../src/fingerprint';
export { AkenzaError } from '../../src/errors';
export { createModdablePlatform } from './platform';

// The comb table is computed at first use (about 0.1 s in XS on a PC) rather than shipped.
const sdk = moddableSdk(p256Binding({ table: () => combTable(), hash: sha256, rs256: createBigIntRs256Signer }), (rng) => {
  const kp = generateKeyPairFromTable(rng, combTable());
  return keyPairPems(kp.privateKey, kp.publicKey);
});
export const createDevice = sdk.createDevice;
export const signJwt = sdk.signJwt;
export const generateKeyPair = sdk.generateKeyPair;

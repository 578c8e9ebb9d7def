// akenza-device for Moddable XS (ESP32 and others) over ECMA-419 sockets. ES256 on the BigInt-free
// P-256 signer keeps the module within its 60 KB budget; noble.ts is the same with noble (XS has
// BigInt), about 1.5x faster per signature in XS and 24 KB larger. RS256 uses BigInt.
import { keyPairPems } from '../../src/keys';
import { p256Binding } from '../../src/sign/p256-binding';
import { generateKeyPairFromTable } from '../../src/sign/p256/keypair';
import { combTable } from '../../src/sign/p256/keys';
import { dropScratch } from '../../src/sign/p256/point';
import { createBigIntRs256Signer } from '../../src/sign/rs256.bigint';
import { nativeSha256 } from './native-sha256';
import { moddableSdk } from './sdk';

export { parsePrivateKey, parsePublicKey, fingerprint } from '../../src/keys';
export { AkenzaError } from '../../src/errors';
export { createModdablePlatform } from './platform';

// The comb table (5.6 KB) is computed when the module is loaded: with the manifest's preload that
// is at build time (xsl), so it lives in flash (it is only read) and no signature pays for it; its
// computation is also the deepest call chain of ES256 (about 150 more stack slots than signing).
// Its scratch registers are dropped after: made during preload, they would be read-only at run time.
const TABLE = combTable();
dropScratch();
// checkKeyInJob: a key's stored public point is checked inside the first (sliced) signature, not
// by a whole scalar multiplication in createDevice, so createDevice needs less stack.
const sdk = moddableSdk(p256Binding({ table: () => TABLE, hash: nativeSha256, rs256: createBigIntRs256Signer, checkKeyInJob: true }), (rng) => {
  const kp = generateKeyPairFromTable(rng, TABLE);
  return keyPairPems(kp.privateKey, kp.publicKey);
});
export const createDevice = sdk.createDevice;
export const signJwt = sdk.signJwt;
export const generateKeyPair = sdk.generateKeyPair;

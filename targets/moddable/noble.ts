// akenza-device for Moddable XS with noble ES256 (native BigInt): about 1.5x faster signatures than
// the default module, 24 KB larger (BENCHMARKS.md). Same exports as index.ts.
import { generateKeyPair as nobleKeyPair, portableSigners } from '../../src/index';
import { moddableSdk } from './sdk';

export { parsePrivateKey, parsePublicKey, fingerprint } from '../../src/keys';
export { AkenzaError } from '../../src/errors';
export { createModdablePlatform } from './platform';

const sdk = moddableSdk(portableSigners, nobleKeyPair);
export const createDevice = sdk.createDevice;
export const signJwt = sdk.signJwt;
export const generateKeyPair = sdk.generateKeyPair;

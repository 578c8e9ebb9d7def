// akenza-device for Moddable XS with noble ES256 (native BigInt): about 2x faster signatures than
// the default module, 26 KB larger. Same exports as index.ts.
import { generateKeyPair as nobleKeyPair, portableSigners } from '../../src/index';
import { moddableSdk } from './sdk';

export { parsePrivateKey, parsePublicKey } from '../../src/keys';
export { fingerprint } from '../../src/fingerprint';
export { AkenzaError } from '../../src/errors';
export { createModdablePlatform } from './platform';

const sdk = moddableSdk(portableSigners, nobleKeyPair);
export const createDevice = sdk.createDevice;
export const signJwt = sdk.signJwt;
export const generateKeyPair = sdk.generateKeyPair;

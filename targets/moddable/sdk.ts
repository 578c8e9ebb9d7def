// The names the moddable bundles export, bound to one signer binding (BigInt-free P-256 or noble).
import { createDevice as createCoreDevice, type Device, type DeviceOptions } from '../../src/device/device';
import type { GeneratedKeyPair } from '../../src/keys';
import type { SignerBinding } from '../../src/platform';
import { makeSignJwt } from '../../src/sign/sign-jwt';
import { createModdablePlatform, keyRandom, type ModdablePlatformOptions } from './platform';

export function moddableSdk(signers: SignerBinding, keygen: (randomBytes: (n: number) => Uint8Array) => GeneratedKeyPair) {
  return {
    /** A device over ECMA-419 sockets; `randomBytes` (hardware RNG, for reconnect jitter) is optional. */
    createDevice: (options: DeviceOptions & ModdablePlatformOptions): Device => {
      // randomBytes is the platform's; the device refuses option keys it does not know
      const o: DeviceOptions & ModdablePlatformOptions = Object.assign({}, options);
      delete o.randomBytes;
      return createCoreDevice(createModdablePlatform(signers, options), o);
    },
    signJwt: makeSignJwt(signers),
    /**
     * A new ES256 key pair: PKCS#8 + SPKI PEM and the fingerprint to register. Pass the hardware RNG:
     * without crypto.getRandomValues (Moddable has none) a call without it throws AkenzaError ENTROPY_UNAVAILABLE.
     */
    generateKeyPair: (randomBytes?: (n: number) => Uint8Array): GeneratedKeyPair => keygen(randomBytes || keyRandom()),
  };
}

// akenza-device for Moddable XS (ESP32 and others): ECMA-419 sockets, noble ES256 (XS has BigInt).
import { createDevice as createCoreDevice, type Device, type DeviceOptions } from '../../src/device/device';
import { generateKeyPair as generate } from '../../src/index';
import { createModdablePlatform, type ModdablePlatformOptions } from './platform';

export { signJwt, parsePrivateKey, parsePublicKey, fingerprint, AkenzaError } from '../../src/index';
export { createModdablePlatform } from './platform';

export function createDevice(options: DeviceOptions & ModdablePlatformOptions): Device {
  return createCoreDevice(createModdablePlatform(options), options);
}

/** A new ES256 key pair: PKCS#8 + SPKI PEM and the fingerprint to register. */
export function generateKeyPair(randomBytes?: (n: number) => Uint8Array) {
  return generate(randomBytes);
}

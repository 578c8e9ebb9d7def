// akenza-device for QuickJS-style embedders: the host injects its IO through one small object
// (QuickJsHost in platform.ts: sockets, timers, clock, randomness). ES256 uses the BigInt-free P-256
// signer (smaller and, in QuickJS, within 2x of noble); RS256 uses BigInt, which QuickJS has.
import { createDevice as createCoreDevice, type Device, type DeviceOptions } from '../../src/device/device';
import { keyPairPems } from '../../src/keys';
import { makeSignJwt } from '../../src/sign/sign-jwt';
import { createPlatform, signers, type QuickJsHost } from './platform';
import { generateKeyPairFromTable } from '../../src/sign/p256/keypair';
import { combTable } from '../../src/sign/p256/keys';

export { parsePrivateKey, parsePublicKey, fingerprint } from '../../src/keys';
export { AkenzaError } from '../../src/errors';
export { createPlatform, type QuickJsHost } from './platform';

export const signJwt = makeSignJwt(signers);

export function createDevice(options: DeviceOptions, host: QuickJsHost): Device {
  return createCoreDevice(createPlatform(host), options);
}

/** A new ES256 key pair from the host's RNG: PKCS#8 + SPKI PEM and the fingerprint to register. */
export function generateKeyPair(host: QuickJsHost) {
  const kp = generateKeyPairFromTable((n) => host.randomBytes(n), combTable());
  return keyPairPems(kp.privateKey, kp.publicKey);
}

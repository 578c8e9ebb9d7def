// akenza-device/node: the Node entry, signing through node:crypto with cached KeyObjects.
/**
 * The Node entry: everything `akenza-device` exports, signing through node:crypto, and `createDevice` over node:net/tls.
 * Here `signJwt` and `createDevice` also take the `passphrase` of an encrypted private key.
 * @module akenza-device/node
 */
import { createDevice as createCoreDevice, type Device, type DeviceOptions } from '../../src/device/device';
import type { Platform } from '../../src/platform';
import { makeSignJwt, type SignJwtOptions } from '../../src/sign/sign-jwt';
import { decryptedOnce } from './encrypted-key';
import { nodePlatform } from './platform';
import { nodeSigners } from './sign-node';

export * from '../../src/index';
export { createNodeSigner, nodeSigners } from './sign-node';
export { nodePlatform } from './platform';
export type { Device, DeviceOptions, Downlink, PublishOptions, DeviceStats, DeviceEvents, DeviceEventName, DeviceEventHandler } from '../../src/device/device';
export type { ConnectedEvent, DisconnectedEvent, TokenRefreshedEvent, AuthRejectedEvent, MqttAuthRejectedEvent, TransportErrorEvent, ClockStateEvent, DroppedEvent, FallbackEvent, SentEvent } from '../../src/device/device';
export { decryptPrivateKey } from './encrypted-key';

/** Options of the Node signJwt: the portable ones, and the passphrase of an encrypted `privateKey`. */
export interface NodeSignJwtOptions extends SignJwtOptions {
  /** Decrypts an encrypted `privateKey` (PKCS#8 PEM or DER, or a legacy encrypted PEM) once, in memory; a wrong one rejects with KEY_ENCRYPTED. */
  passphrase?: string | Uint8Array;
}

/** Options of the Node createDevice: JWT credentials may carry the passphrase of an encrypted `privateKey`. */
export type NodeDeviceOptions = Omit<DeviceOptions, 'credentials'> & {
  credentials: DeviceOptions['credentials'] & { passphrase?: string | Uint8Array };
};

const signWithNode = makeSignJwt(nodeSigners);

/** Same contract as the portable signJwt, with the node:crypto fast path, and `passphrase` for an encrypted key. */
export function signJwt(o: NodeSignJwtOptions, cb?: (err: Error | null, token?: string) => void): Promise<string> {
  if (!o || o.passphrase === undefined) return signWithNode(o, cb);
  let plain: string;
  try {
    plain = decryptedOnce(o.privateKey, o.passphrase);
  } catch (e) {
    const p = Promise.reject(e as Error);
    if (cb) p.then(undefined, (err: Error) => cb(err));
    return p;
  }
  const rest: SignJwtOptions & { passphrase?: unknown } = Object.assign({}, o, { privateKey: plain });
  delete rest.passphrase;
  return signWithNode(rest, cb);
}

/** A device over node:net/tls; `platform` overrides parts of it (tests pass fake clocks here). Throws KEY_ENCRYPTED for a wrong `credentials.passphrase`. */
export function createDevice(options: NodeDeviceOptions, platform?: Partial<Platform>): Device {
  const p: Platform = Object.assign({}, nodePlatform, platform || {});
  const cred = options && (options.credentials as { privateKey?: unknown; passphrase?: string | Uint8Array } | undefined);
  if (!cred || cred.passphrase === undefined) return createCoreDevice(p, options as DeviceOptions);
  const plain = Object.assign({}, cred, { privateKey: decryptedOnce(cred.privateKey as string | Uint8Array, cred.passphrase) });
  delete plain.passphrase;
  return createCoreDevice(p, Object.assign({}, options, { credentials: plain }) as DeviceOptions);
}
